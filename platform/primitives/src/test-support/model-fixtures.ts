/**
 * Fixtures of the `model` and `streamModel` tests: a catalogue of two mock models, sample requests,
 * budgets that log what the primitive asks of them, a provider whose stream records whether it was
 * closed, and a real OpenTelemetry SDK registered for one test. Not published.
 *
 * @packageDocumentation
 */
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { onTestFinished } from "vitest";
import type { Budget, Reservation, Spend } from "../core/index.js";
import { BudgetExceededError } from "../core/index.js";
import type { ModelCallEvent, TtaEvent } from "../core/instrumentation.js";
import type { CatalogEntry, LanguageModel, ModelChunk, ModelRequest } from "../orchestration/index.js";
import { ProviderError, createCatalog } from "../orchestration/index.js";

// ---------------------------------------------------------------------------------------------
// Catalogue, usage and requests
// ---------------------------------------------------------------------------------------------

const entry = (id: string, inputPerMillion: number, outputPerMillion: number): CatalogEntry => ({
  id,
  provider: "mock",
  contextWindow: 128_000,
  pricing: { inputPerMillion, outputPerMillion },
  capabilities: [],
});

/** `mock-model` at $1 / $2 and `other-id` at $10 / $20 per million input / output tokens. */
export const catalog = createCatalog([entry("mock-model", 1, 2), entry("other-id", 10, 20)]);
export const USAGE = { inputTokens: 100, outputTokens: 50 } as const;
/** What `catalog` charges for `USAGE`, for each model. */
export const MOCK_COST = (100 * 1 + 50 * 2) / 1e6;
export const OTHER_COST = (100 * 10 + 50 * 20) / 1e6;

/** The `model` tests' request; its text is marked so that a leak into telemetry can be searched for. */
export const request: ModelRequest = { messages: [{ role: "user", content: "PROMPT-TEXT: what is the launch code?" }] };

/** The `streamModel` tests' answer. */
export const TEXT = "Hello, streaming world!";
/** 40 characters → 10 input tokens; maxTokens 90 → an estimate of 10 + 90 tokens ({@link ESTIMATE}). */
export const streamRequest: ModelRequest = { messages: [{ role: "user", content: "x".repeat(40) }], maxTokens: 90 };
export const ESTIMATE = { inputTokens: 10, outputTokens: 90 } as const;

/** The error a mock provider fails with for an HTTP `status`. */
export const providerError = (status: number, retryAfterMs?: number): ProviderError =>
  new ProviderError(`HTTP ${status}`, { provider: "mock", model: "mock-model", status, retryAfterMs });

/** The `model-call` events among `events`. */
export const modelCalls = (events: readonly TtaEvent[]): ModelCallEvent[] =>
  events.filter((e): e is ModelCallEvent => e.type === "model-call");

// ---------------------------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------------------------

/** Logs what the model primitive asks of the budget, and grants everything. */
export class LoggingBudget implements Budget {
  readonly log: (readonly ["reserve" | "commit", Spend] | readonly ["release"])[] = [];

  reserve(estimate: Spend): Reservation {
    this.log.push(["reserve", estimate]);
    return {
      commit: (actual) => void this.log.push(["commit", actual]),
      release: () => void this.log.push(["release"]),
    };
  }
}

/**
 * A token budget as `@tta/agent-context` would implement it: `reserve` refuses an estimate that does
 * not fit what is left after what was committed and what calls in flight hold; every call is logged
 * (a reservation settles once).
 */
export class TokenBudget extends LoggingBudget {
  committed = 0;
  held = 0;
  readonly limit: number;
  /** Called by `reserve` before it decides, to observe the order of events. */
  onReserve: (() => void) | undefined;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override reserve(estimate: Spend): Reservation {
    this.onReserve?.();
    const requested = tokens(estimate);
    const spent = this.committed + this.held;
    if (spent + requested > this.limit)
      throw new BudgetExceededError(`token budget of ${this.limit} exceeded`, {
        resource: "tokens",
        limit: this.limit,
        spent,
        requested,
      });
    this.held += requested;
    const logged = super.reserve(estimate);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.held -= requested;
      return true;
    };
    return {
      commit: (actual) => {
        if (!settle()) return;
        this.committed += tokens(actual);
        logged.commit(actual);
      },
      release: () => {
        if (settle()) logged.release();
      },
    };
  }
}

function tokens(spend: Spend): number {
  return (spend.inputTokens ?? 0) + (spend.outputTokens ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Providers
// ---------------------------------------------------------------------------------------------

/**
 * A provider (`mock` / `mock-model`) whose stream is a generator over `chunks` that records how many
 * chunks were read past (`yielded`) and whether its `finally` ran (`closed`: the HTTP request closed).
 * Its `generate` rejects.
 */
export function closableModel(chunks: readonly ModelChunk[]): LanguageModel & { closed: boolean; yielded: number } {
  const lm = {
    provider: "mock",
    modelId: "mock-model",
    closed: false,
    yielded: 0,
    generate: () => Promise.reject(new Error("not used")),
    // eslint-disable-next-line @typescript-eslint/require-await -- the chunks are at hand: nothing to wait for
    async *stream(): AsyncGenerator<ModelChunk> {
      try {
        for (const chunk of chunks) {
          yield chunk;
          lm.yielded++;
        }
      } finally {
        lm.closed = true;
      }
    },
  };
  return lm;
}

// ---------------------------------------------------------------------------------------------
// A real OpenTelemetry SDK, registered per test that needs it
// ---------------------------------------------------------------------------------------------

let exporter: InMemorySpanExporter | undefined;

/**
 * Registers a real OpenTelemetry SDK (an in-memory exporter behind a simple span processor) as the
 * global tracer provider for the current test; it is unregistered and shut down when the test
 * finishes. Read what it recorded with {@link spans}.
 */
export function registerSdk(): void {
  trace.disable();
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  trace.setGlobalTracerProvider(provider);
  exporter = memory;
  onTestFinished(async () => {
    trace.disable();
    exporter = undefined;
    await provider.shutdown();
  });
}

/** The spans finished so far under the SDK of {@link registerSdk}. */
export function spans(): ReadableSpan[] {
  if (exporter === undefined) throw new Error("registerSdk() was not called in this test");
  return exporter.getFinishedSpans();
}
