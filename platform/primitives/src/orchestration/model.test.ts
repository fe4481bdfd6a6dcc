/**
 * `model(...)` (DESIGN §6.2 and "Model layer finer points"): one CLIENT span `chat {modelId}` with the
 * GenAI attributes (checked with the real OpenTelemetry SDK), the `model-call` event, cost from the
 * catalogue, the budget contract (§9), retry hints, cancellation and options.
 */
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Budget, Reservation, Spend, WorkflowContext } from "../core/index.js";
import { BUDGET_KEY, BudgetExceededError, createContext, parallel, sequential } from "../core/index.js";
import type { ModelCallEvent, TtaEvent } from "../core/instrumentation.js";
import { retry } from "../recovery/index.js";
import { MockLanguageModel, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { invalidOption, recordEvents, track } from "../test-support/index.js";
import type { CatalogEntry } from "./index.js";
import { ProviderError, createCatalog, defaultCatalog, estimateTokens, model } from "./index.js";
import type { LanguageModel, ModelRequest, ModelResponse } from "./index.js";

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const entry = (id: string, inputPerMillion: number, outputPerMillion: number): CatalogEntry => ({
  id,
  provider: "mock",
  contextWindow: 128_000,
  pricing: { inputPerMillion, outputPerMillion },
  capabilities: [],
});
const catalog = createCatalog([entry("mock-model", 1, 2), entry("other-id", 10, 20)]);
const USAGE = { inputTokens: 100, outputTokens: 50 } as const;
/** What `catalog` charges for `USAGE`, for each model. */
const MOCK_COST = (100 * 1 + 50 * 2) / 1e6;
const OTHER_COST = (100 * 10 + 50 * 20) / 1e6;

const PROMPT = "PROMPT-TEXT: what is the launch code?";
const COMPLETION = "COMPLETION-TEXT: the launch code is 0000";
const request: ModelRequest = { messages: [{ role: "user", content: PROMPT }] };

const providerError = (status: number, retryAfterMs?: number): ProviderError =>
  new ProviderError(`HTTP ${status}`, { provider: "mock", model: "mock-model", status, retryAfterMs });

const modelCalls = (events: readonly TtaEvent[]): ModelCallEvent[] =>
  events.filter((e): e is ModelCallEvent => e.type === "model-call");

/**
 * A token budget as `@tta/agent-context` would implement it: `reserve` refuses an estimate that does
 * not fit what is left after what was committed and what calls in flight hold; every call is logged.
 */
class TokenBudget implements Budget {
  readonly log: (readonly ["reserve" | "commit", Spend] | readonly ["release"])[] = [];
  committed = 0;
  held = 0;
  readonly limit: number;
  /** Called by `reserve` before it decides, to observe the order of events. */
  onReserve: (() => void) | undefined;

  constructor(limit: number) {
    this.limit = limit;
  }

  reserve(estimate: Spend): Reservation {
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
    this.log.push(["reserve", estimate]);
    let settled = false;
    return {
      commit: (actual) => {
        if (settled) return;
        settled = true;
        this.held -= requested;
        this.committed += tokens(actual);
        this.log.push(["commit", actual]);
      },
      release: () => {
        if (settled) return;
        settled = true;
        this.held -= requested;
        this.log.push(["release"]);
      },
    };
  }
}

function tokens(spend: Spend): number {
  return (spend.inputTokens ?? 0) + (spend.outputTokens ?? 0);
}

// ---------------------------------------------------------------------------------------------
// A real OpenTelemetry SDK, registered per test that needs it (as in core/spans.test.ts)
// ---------------------------------------------------------------------------------------------

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider | undefined;

function registerSdk(): void {
  trace.disable();
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
}

afterEach(async () => {
  trace.disable();
  await provider?.shutdown();
  provider = undefined;
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();

/** Everything a span carries that could leak user data: name, attributes, events, status. */
function spanText(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    status: span.status,
  });
}

// ---------------------------------------------------------------------------------------------

describe("the span of a call (real SDK)", () => {
  it("is exactly one CLIENT span `chat {modelId}` with the tta.* and every GenAI attribute", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: [{ text: COMPLETION, usage: USAGE }] });
    const ctx = createTestContext({ workflowId: "wf-model" });
    await model(lm, { catalog, name: "answerer" }).execute(request, ctx);
    expect(spans()).toHaveLength(1);
    const [span] = spans() as [ReadableSpan];
    expect(span.name).toBe("chat mock-model");
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toEqual({
      "tta.primitive.kind": "model",
      "tta.primitive.name": "answerer",
      "tta.workflow.id": "wf-model",
      "tta.correlation.id": ctx.correlationId,
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "mock",
      "gen_ai.request.model": "mock-model",
      "gen_ai.response.model": "mock-model",
      "gen_ai.usage.input_tokens": 100,
      "gen_ai.usage.output_tokens": 50,
      "gen_ai.response.finish_reasons": ["stop"],
      "tta.llm.cost_usd": MOCK_COST,
    });
  });

  it("names the span after the configured model and reports the model that answered", async () => {
    registerSdk();
    const lm = new MockLanguageModel({
      modelId: "gpt-4o-mini",
      provider: "openai",
      responses: [{ text: "ok", usage: USAGE, model: "gpt-4o-mini-2024-07-18", finishReason: "length" }],
    });
    await model(lm).execute(request);
    const [span] = spans() as [ReadableSpan];
    expect(span.name).toBe("chat gpt-4o-mini");
    expect(span.attributes["gen_ai.provider.name"]).toBe("openai");
    expect(span.attributes["gen_ai.request.model"]).toBe("gpt-4o-mini");
    expect(span.attributes["gen_ai.response.model"]).toBe("gpt-4o-mini-2024-07-18");
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["length"]);
    // No catalog given: the shipped default prices the call (the snapshot is unlisted, so the configured id's entry).
    expect(span.attributes["tta.llm.cost_usd"]).toBe(defaultCatalog.cost("gpt-4o-mini", USAGE));
  });

  it("is the primitive's own span: one per call, nested under the calling primitive's span", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: ["a"] });
    const llm = model(lm, { catalog });
    await sequential([
      llm,
      (r: ModelResponse) => ({ messages: [{ role: "user" as const, content: r.text }] }),
      llm,
    ]).execute(request, createTestContext());
    const chat = spans().filter((s) => s.name === "chat mock-model");
    const seq = spans().find((s) => s.name === "tta.sequential");
    expect(chat).toHaveLength(2);
    expect(spans().filter((s) => s.attributes["tta.primitive.kind"] === "model")).toHaveLength(2);
    for (const s of chat) expect(s.parentSpanContext?.spanId).toBe(seq?.spanContext().spanId);
  });

  it("records no prompt or completion text anywhere by default", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: [{ text: COMPLETION, usage: USAGE }] });
    await model(lm, { catalog }).execute(request, createTestContext());
    const text = spanText(spans()[0] as ReadableSpan);
    expect(text).not.toContain("PROMPT-TEXT");
    expect(text).not.toContain("COMPLETION-TEXT");
    expect(text).not.toContain("launch code");
  });

  it("records the prompt and the completion with captureContent: true", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: [{ text: COMPLETION, usage: USAGE }] });
    await model(lm, { catalog, captureContent: true }).execute(request, createTestContext());
    const [span] = spans() as [ReadableSpan];
    expect(JSON.parse(span.attributes["gen_ai.input.messages"] as string)).toEqual(request.messages);
    expect(span.attributes["gen_ai.output.text"]).toBe(COMPLETION);
  });

  it("is ERROR with error.type PROVIDER_ERROR and the exception on a failing call, with no usage", async () => {
    registerSdk();
    const error = providerError(500);
    const lm = new MockLanguageModel({ responses: [error] });
    await expect(model(lm, { catalog }).execute(request, createTestContext())).rejects.toBe(error);
    expect(spans()).toHaveLength(1);
    const [span] = spans() as [ReadableSpan];
    expect(span.name).toBe("chat mock-model");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe("PROVIDER_ERROR");
    expect(span.events.map((e) => e.name)).toContain("exception");
    expect(span.attributes["gen_ai.request.model"]).toBe("mock-model");
    expect(span.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
    expect(span.attributes["tta.llm.cost_usd"]).toBeUndefined();
  });
});

describe("the model-call event", () => {
  it("reports every field on success, with the duration measured on the context's clock", async () => {
    const events = recordEvents();
    const ctx = createTestContext({ workflowId: "wf-events" });
    const lm = new MockLanguageModel({ latencyMs: 250, clock: ctx.clock, responses: [{ text: "hi", usage: USAGE }] });
    const run = track(model(lm, { catalog, name: "answerer" }).execute(request, ctx));
    await ctx.clock.advance(249);
    expect(run.state).toBe("pending");
    expect(modelCalls(events)).toEqual([]);
    await ctx.clock.advance(1);
    expect(run.state).toBe("resolved");
    expect(modelCalls(events)).toEqual([
      {
        type: "model-call",
        kind: "model",
        name: "answerer",
        workflowId: "wf-events",
        correlationId: ctx.correlationId,
        at: 250,
        model: "mock-model",
        responseModel: "mock-model",
        provider: "mock",
        inputTokens: 100,
        outputTokens: 50,
        costUsd: MOCK_COST,
        durationMs: 250,
        outcome: "success",
        streaming: false,
      },
    ]);
  });

  it("reports cached input tokens when the provider said", async () => {
    const events = recordEvents();
    const usage = { inputTokens: 100, outputTokens: 50, cachedInputTokens: 40 };
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage }] });
    await model(lm, { catalog }).execute(request);
    expect(modelCalls(events)[0]).toMatchObject({ cachedInputTokens: 40, costUsd: catalog.cost("mock-model", usage) });
  });

  it("reports a failure with outcome error, its error type, zero tokens and no cost", async () => {
    const events = recordEvents();
    const ctx = createTestContext();
    const error = providerError(503);
    const lm = new MockLanguageModel({ latencyMs: 40, clock: ctx.clock, responses: [error] });
    const run = track(model(lm, { catalog }).execute(request, ctx));
    await ctx.clock.advance(40);
    expect(run).toMatchObject({ state: "rejected", error });
    const [event] = modelCalls(events);
    expect(event).toMatchObject({
      model: "mock-model",
      responseModel: "mock-model",
      provider: "mock",
      inputTokens: 0,
      outputTokens: 0,
      durationMs: 40,
      outcome: "error",
      errorType: "PROVIDER_ERROR",
      streaming: false,
    });
    expect(event).not.toHaveProperty("costUsd");
  });

  it("prices with the response model's entry when the catalogue lists it", async () => {
    const events = recordEvents();
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage: USAGE, model: "other-id" }] });
    await model(lm, { catalog }).execute(request);
    expect(modelCalls(events)[0]).toMatchObject({
      model: "mock-model",
      responseModel: "other-id",
      costUsd: OTHER_COST,
    });
  });

  it("falls back to the configured id's entry when the response model is not listed", async () => {
    const events = recordEvents();
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage: USAGE, model: "mock-model-2025-01-01" }] });
    await model(lm, { catalog }).execute(request);
    expect(modelCalls(events)[0]).toMatchObject({ responseModel: "mock-model-2025-01-01", costUsd: MOCK_COST });
  });

  it("has no costUsd when neither model is listed (span has no cost attribute either)", async () => {
    registerSdk();
    const events = recordEvents();
    const lm = new MockLanguageModel({
      modelId: "unlisted",
      responses: [{ text: "hi", usage: USAGE, model: "also-unlisted" }],
    });
    await model(lm, { catalog }).execute(request);
    const [event] = modelCalls(events);
    expect(event).toMatchObject({
      model: "unlisted",
      responseModel: "also-unlisted",
      inputTokens: 100,
      outputTokens: 50,
    });
    expect(event).not.toHaveProperty("costUsd");
    expect(spans()[0]?.attributes["tta.llm.cost_usd"]).toBeUndefined();
  });

  it("is reported once per call, alongside the primitive's start and end events", async () => {
    const events = recordEvents();
    const lm = new MockLanguageModel();
    await model(lm, { catalog }).execute(request);
    expect(events.map((e) => e.type)).toEqual(["start", "model-call", "end"]);
  });
});

describe("budget", () => {
  it("reserves the default estimate before calling the provider, then commits the actual usage and cost", async () => {
    const budget = new TokenBudget(10_000);
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage: USAGE, model: "other-id" }] });
    const order: string[] = [];
    budget.onReserve = () => order.push(`reserve (provider calls so far: ${lm.callCount})`);
    // 8 + 3 characters → ceil(11 / 4) = 3 input tokens; maxTokens 100 → 100 output tokens.
    const req: ModelRequest = {
      messages: [
        { role: "system", content: "12345678" },
        { role: "user", content: "abc" },
      ],
      maxTokens: 100,
    };
    await model(lm, { catalog }).execute(req, createContext().withValue(BUDGET_KEY, budget));
    expect(order).toEqual(["reserve (provider calls so far: 0)"]);
    expect(lm.callCount).toBe(1);
    expect(estimateTokens(req)).toEqual({ inputTokens: 3, outputTokens: 100 });
    expect(budget.log).toEqual([
      [
        "reserve",
        {
          inputTokens: 3,
          outputTokens: 100,
          costUsd: catalog.cost("mock-model", { inputTokens: 3, outputTokens: 100 }),
        },
      ],
      ["commit", { inputTokens: 100, outputTokens: 50, costUsd: OTHER_COST }],
    ]);
    expect([budget.committed, budget.held]).toEqual([150, 0]);
  });

  it("estimates the output as 0 tokens when the request sets no maxTokens", async () => {
    const budget = new TokenBudget(10_000);
    await model(new MockLanguageModel(), { catalog }).execute(
      { messages: [{ role: "user", content: "x".repeat(17) }] },
      createContext().withValue(BUDGET_KEY, budget),
    );
    expect(budget.log[0]).toEqual(["reserve", expect.objectContaining({ inputTokens: 5, outputTokens: 0 })]);
  });

  it("uses a custom estimateTokens, given the request", async () => {
    const budget = new TokenBudget(10_000);
    const seen: ModelRequest[] = [];
    const estimate = (r: ModelRequest) => {
      seen.push(r);
      return { inputTokens: 1_000, outputTokens: 7 };
    };
    await model(new MockLanguageModel(), { catalog, estimateTokens: estimate }).execute(
      request,
      createContext().withValue(BUDGET_KEY, budget),
    );
    expect(seen).toEqual([request]);
    expect(budget.log[0]).toEqual([
      "reserve",
      {
        inputTokens: 1_000,
        outputTokens: 7,
        costUsd: catalog.cost("mock-model", { inputTokens: 1_000, outputTokens: 7 }),
      },
    ]);
  });

  it("releases the reservation when the call fails, and commits nothing", async () => {
    const budget = new TokenBudget(10_000);
    const error = providerError(500);
    const lm = new MockLanguageModel({ responses: [error] });
    await expect(model(lm, { catalog }).execute(request, createContext().withValue(BUDGET_KEY, budget))).rejects.toBe(
      error,
    );
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "release"]);
    expect([budget.committed, budget.held]).toEqual([0, 0]);
  });

  it("a BudgetExceededError from reserve propagates unchanged and the provider is never called", async () => {
    const refusal = new BudgetExceededError("no budget left", {
      resource: "tokens",
      limit: 10,
      spent: 10,
      requested: 5,
    });
    const budget: Budget = {
      reserve: () => {
        throw refusal;
      },
    };
    const events = recordEvents();
    const lm = new MockLanguageModel();
    await expect(model(lm, { catalog }).execute(request, createContext().withValue(BUDGET_KEY, budget))).rejects.toBe(
      refusal,
    );
    expect(lm.callCount).toBe(0);
    expect(modelCalls(events)).toEqual([]);
  });

  it("a budget refusal is not retried by retry (not retryable)", async () => {
    const budget = new TokenBudget(1);
    const lm = new MockLanguageModel();
    const error = await retry(model(lm, { catalog }), { initialDelayMs: 0 })
      .execute(request, createContext().withValue(BUDGET_KEY, budget))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(lm.callCount).toBe(0);
  });

  it("a parallel fan-out of 5 calls against a budget that fits 3 estimates runs exactly 3", async () => {
    const ctx = createTestContext();
    // 40 characters → 10 input tokens, + maxTokens 90 → an estimate of 100 tokens per call.
    const req: ModelRequest = { messages: [{ role: "user", content: "x".repeat(40) }], maxTokens: 90 };
    const budget = new TokenBudget(300);
    const lm = new MockLanguageModel({
      latencyMs: 100,
      clock: ctx.clock,
      responses: [{ text: "ok", usage: { inputTokens: 10, outputTokens: 5 } }],
    });
    const llm = model(lm, { catalog });
    const run = track(
      parallel([llm, llm, llm, llm, llm], { mode: "allSettled" }).execute(req, ctx.withValue(BUDGET_KEY, budget)),
    );
    await ctx.clock.advance(0);
    expect(lm.callCount).toBe(3);
    expect(budget.held).toBe(300);
    await ctx.clock.advance(100);
    expect(run.state).toBe("resolved");
    const results = run.value as PromiseSettledResult<ModelResponse>[];
    expect(results.map((r) => r.status).sort()).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "rejected",
    ]);
    for (const r of results)
      if (r.status === "rejected")
        expect(r.reason).toMatchObject({ code: "BUDGET_EXCEEDED", limit: 300, spent: 300, requested: 100 });
    expect(lm.callCount).toBe(3);
    expect([budget.committed, budget.held]).toEqual([45, 0]);
  });

  it("without a budget on the context, nothing is estimated", async () => {
    let estimates = 0;
    await model(new MockLanguageModel(), {
      catalog,
      estimateTokens: (r) => {
        estimates++;
        return estimateTokens(r);
      },
    }).execute(request);
    expect(estimates).toBe(0);
  });
});

describe("retry hints", () => {
  it("retry(model(lm)) waits exactly the provider's retryAfterMs after a 429, then answers", async () => {
    const ctx = createTestContext();
    const lm = new MockLanguageModel({ clock: ctx.clock, responses: [providerError(429, 1_000), "Hello!"] });
    const delays: number[] = [];
    const run = track(
      retry(model(lm, { catalog }), { onRetry: ({ delayMs }) => delays.push(delayMs) }).execute(request, ctx),
    );
    await ctx.clock.advance(0);
    expect(delays).toEqual([1_000]);
    await ctx.clock.advance(999);
    expect(run.state).toBe("pending");
    expect(lm.callCount).toBe(1);
    await ctx.clock.advance(1);
    expect(run).toMatchObject({ state: "resolved", value: { text: "Hello!" } });
    expect(lm.callCount).toBe(2);
    expect(lm.calls.map((c) => c.at)).toEqual([0, 1_000]);
  });

  it("a 400 is not retried", async () => {
    const error = providerError(400);
    const lm = new MockLanguageModel({ responses: [error, "never"] });
    await expect(
      retry(model(lm, { catalog }), { initialDelayMs: 0 }).execute(request, createTestContext()),
    ).rejects.toBe(error);
    expect(lm.callCount).toBe(1);
  });
});

describe("cancellation", () => {
  it("aborting mid-call rejects with the abort reason, reaches the provider, and reports outcome aborted", async () => {
    const events = recordEvents();
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const budget = new TokenBudget(10_000);
    const lm = new MockLanguageModel({ latencyMs: 1_000, clock: ctx.clock });
    const run = track(model(lm, { catalog }).execute(request, ctx.withValue(BUDGET_KEY, budget)));
    await ctx.clock.advance(300);
    const reason = new Error("user navigated away");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(run).toMatchObject({ state: "rejected", error: reason });
    // The provider saw the signal (its wait was cut short): the call is already reported and released.
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({ outcome: "aborted", durationMs: 300, inputTokens: 0, outputTokens: 0 }),
    ]);
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "release"]);
  });

  it("a nested call (inside another primitive) is cancelled cooperatively with the same reason", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const lm = new MockLanguageModel({ latencyMs: 1_000, clock: ctx.clock });
    let nested: Promise<ModelResponse> | undefined;
    const outer = sequential([
      (r: ModelRequest, c: WorkflowContext) => (nested = model(lm, { catalog }).execute(r, c)),
    ]);
    void outer.execute(request, ctx).catch(() => undefined);
    await ctx.clock.advance(10);
    const reason = new Error("stop");
    controller.abort(reason);
    const inner = track(nested as Promise<ModelResponse>);
    await ctx.clock.advance(0);
    expect(inner).toMatchObject({ state: "rejected", error: reason });
  });
});

describe("invalid options", () => {
  const lm = new MockLanguageModel();

  it("rejects a value that is not a LanguageModel, naming languageModel", () => {
    const bad: unknown[] = [
      undefined,
      null,
      "gpt-4o",
      {},
      { provider: "x", modelId: "m" },
      { provider: "x", modelId: "", generate: () => undefined },
      { modelId: "m", generate: () => undefined },
    ];
    for (const value of bad) expect(invalidOption(() => model(value as LanguageModel)).option).toBe("languageModel");
  });

  it("rejects an unknown option key by name (typo protection)", () => {
    expect(invalidOption(() => model(lm, { catalogue: catalog } as never)).option).toBe("catalogue");
  });

  it("rejects a bad catalog, name, estimateTokens or captureContent, naming it", () => {
    expect(invalidOption(() => model(lm, { catalog: {} as never })).option).toBe("catalog");
    expect(invalidOption(() => model(lm, { catalog: "default" as never })).option).toBe("catalog");
    expect(invalidOption(() => model(lm, { name: "" })).option).toBe("name");
    expect(invalidOption(() => model(lm, { estimateTokens: 4 as never })).option).toBe("estimateTokens");
    expect(invalidOption(() => model(lm, { captureContent: "yes" as never })).option).toBe("captureContent");
  });

  it("rejects options that are not a plain object", () => {
    invalidOption(() => model(lm, [] as never));
    invalidOption(() => model(lm, new Map() as never));
  });

  it("accepts null and undefined options as defaults", () => {
    expect(model(lm, { catalog: null, name: undefined } as never).name).toBe("ModelPrimitive");
  });

  it("rejects a request without a messages array, naming request.messages, before reserving or calling", async () => {
    const budget = new TokenBudget(10_000);
    const ctx = createContext().withValue(BUDGET_KEY, budget);
    for (const bad of [{}, { messages: "hi" }, null, "hi"]) {
      const error = await model(lm, { catalog })
        .execute(bad as ModelRequest, ctx)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "INVALID_OPTIONS", option: "request.messages" });
    }
    expect(lm.callCount).toBe(0);
    expect(budget.log).toEqual([]);
  });
});

// The conformance suite. The primitive's "inner work" is the provider: a MockLanguageModel whose
// reply runs the suite's MockPrimitive on the call's signal and clock. An AsyncLocalStorage context
// manager lets the provider's work nest under the model's span, as an instrumented HTTP client would.
describe("contract", () => {
  beforeAll(() => {
    context.disable();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  describePrimitiveContract(
    "model",
    (inner) => ({
      execute: (input: unknown, ctx?: WorkflowContext) => {
        const c = ctx ?? createTestContext();
        const lm = new MockLanguageModel({
          clock: c.clock,
          reply: async (req) => String(await inner.execute(req, createContext({ signal: c.signal, clock: c.clock }))),
        });
        return model(lm, { catalog }).execute(input as ModelRequest, c);
      },
    }),
    { input: { messages: [{ role: "user", content: "hello" }], maxTokens: 16 }, spanName: "chat mock-model" },
  );
});
