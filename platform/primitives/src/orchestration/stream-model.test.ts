/**
 * `streamModel(...)` (DESIGN §6.2, "Model layer finer points"): resolves at the first chunk, replays
 * every chunk in order, fails over only before the first chunk, and reports the whole stream (one
 * CLIENT span, one `model-call` event, the budget) when it ends, fails or is left early.
 */
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import type { Budget, Reservation, Spend } from "../core/index.js";
import { BUDGET_KEY } from "../core/index.js";
import type { ModelCallEvent, TtaEvent } from "../core/instrumentation.js";
import { fallback, retry } from "../recovery/index.js";
import { MockLanguageModel, createTestContext } from "../testing/index.js";
import { invalidOption, recordEvents, track } from "../test-support/index.js";
import type { CatalogEntry, LanguageModel, ModelChunk, ModelRequest, ModelStream, ToolCall } from "./index.js";
import { ProviderError, createCatalog, streamModel } from "./index.js";

const entry = (id: string, inputPerMillion: number, outputPerMillion: number): CatalogEntry => ({
  id,
  provider: "mock",
  contextWindow: 128_000,
  pricing: { inputPerMillion, outputPerMillion },
  capabilities: [],
});
const catalog = createCatalog([entry("mock-model", 1, 2)]);
const USAGE = { inputTokens: 100, outputTokens: 50 } as const;
const TOOL_CALL: ToolCall = { id: "call-1", name: "search", arguments: { q: "weather" } };
const TEXT = "Hello, streaming world!";
/** 40 characters → 10 input tokens; maxTokens 90 → an estimate of 10 + 90 tokens. */
const request: ModelRequest = { messages: [{ role: "user", content: "x".repeat(40) }], maxTokens: 90 };
const ESTIMATE = { inputTokens: 10, outputTokens: 90 } as const;

const providerError = (status: number): ProviderError =>
  new ProviderError(`HTTP ${status}`, { provider: "mock", model: "mock-model", status });

const modelCalls = (events: readonly TtaEvent[]): ModelCallEvent[] =>
  events.filter((e): e is ModelCallEvent => e.type === "model-call");

async function drain(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

/** Logs what the model primitive asks of the budget. */
class LoggingBudget implements Budget {
  readonly log: (readonly ["reserve" | "commit", Spend] | readonly ["release"])[] = [];
  reserve(estimate: Spend): Reservation {
    this.log.push(["reserve", estimate]);
    return {
      commit: (actual) => void this.log.push(["commit", actual]),
      release: () => void this.log.push(["release"]),
    };
  }
}

/** A provider whose stream is a generator that records whether its `finally` ran (the HTTP request closed). */
function closableModel(chunks: readonly ModelChunk[]): LanguageModel & { closed: boolean; yielded: number } {
  const lm = {
    provider: "mock",
    modelId: "mock-model",
    closed: false,
    yielded: 0,
    generate: () => Promise.reject(new Error("not used")),
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

const FINISH: ModelChunk = { type: "finish", usage: USAGE, finishReason: "stop", model: "mock-model" };

// A real OpenTelemetry SDK for the span tests.
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

describe("execute", () => {
  it("resolves only once the first chunk has arrived", async () => {
    const ctx = createTestContext();
    const lm = new MockLanguageModel({ latencyMs: 500, clock: ctx.clock, responses: [TEXT] });
    const run = track(streamModel(lm, { catalog }).execute(request, ctx));
    await ctx.clock.advance(499);
    expect(run.state).toBe("pending");
    expect(lm.callCount).toBe(1);
    await ctx.clock.advance(1);
    expect(run.state).toBe("resolved");
  });

  it("resolves before the later chunks have arrived", async () => {
    const ctx = createTestContext();
    const lm = new MockLanguageModel({ clock: ctx.clock, chunkDelayMs: 100, chunkSize: 5, responses: ["aaaaabbbbb"] });
    const stream = await streamModel(lm, { catalog }).execute(request, ctx);
    const it = stream[Symbol.asyncIterator]();
    await expect(it.next()).resolves.toEqual({ done: false, value: { type: "text", text: "aaaaa" } });
    const second = track(it.next());
    await ctx.clock.advance(99);
    expect(second.state).toBe("pending");
    await ctx.clock.advance(1);
    expect(second).toMatchObject({ state: "resolved", value: { done: false, value: { type: "text", text: "bbbbb" } } });
  });

  it("replays every chunk in order: text pieces, tool calls, then finish", async () => {
    const lm = new MockLanguageModel({
      chunkSize: 8,
      responses: [{ text: TEXT, toolCalls: [TOOL_CALL], usage: USAGE, model: "mock-model-2025" }],
    });
    const stream = await streamModel(lm, { catalog }).execute(request, createTestContext());
    expect(await drain(stream)).toEqual([
      { type: "text", text: "Hello, s" },
      { type: "text", text: "treaming" },
      { type: "text", text: " world!" },
      { type: "tool-call", toolCall: TOOL_CALL },
      { type: "finish", usage: USAGE, finishReason: "tool-calls", model: "mock-model-2025" },
    ]);
    expect(lm.calls[0]?.method).toBe("stream");
  });

  it("collect() returns the whole answer: text, tool calls, usage, model and finish reason", async () => {
    const lm = new MockLanguageModel({
      chunkSize: 3,
      responses: [{ text: TEXT, toolCalls: [TOOL_CALL], usage: USAGE, model: "mock-model-2025", finishReason: "stop" }],
    });
    const stream = await streamModel(lm, { catalog }).execute(request, createTestContext());
    await expect(stream.collect()).resolves.toEqual({
      text: TEXT,
      toolCalls: [TOOL_CALL],
      usage: USAGE,
      model: "mock-model-2025",
      finishReason: "stop",
    });
  });

  it("collect() of a provider that ends without a finish chunk gives the configured model, no usage and 'other'", async () => {
    const lm = closableModel([{ type: "text", text: "partial" }]);
    const stream = await streamModel(lm, { catalog }).execute(request, createTestContext());
    await expect(stream.collect()).resolves.toEqual({
      text: "partial",
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0 },
      model: "mock-model",
      finishReason: "other",
    });
  });

  it("a model without stream() is called with generate() and its answer replayed as chunks", async () => {
    const lm = new MockLanguageModel({
      streaming: false,
      responses: [{ text: TEXT, toolCalls: [TOOL_CALL], usage: USAGE }],
    });
    expect(lm.stream).toBeUndefined();
    const stream = await streamModel(lm, { catalog }).execute(request, createTestContext());
    expect(await drain(stream)).toEqual([
      { type: "text", text: TEXT },
      { type: "tool-call", toolCall: TOOL_CALL },
      { type: "finish", usage: USAGE, finishReason: "tool-calls", model: "mock-model" },
    ]);
    expect(lm.calls.map((c) => c.method)).toEqual(["generate"]);
  });

  it("a stream can be iterated only once: a second iteration throws a TypeError", async () => {
    const stream = await streamModel(new MockLanguageModel(), { catalog }).execute(request, createTestContext());
    await drain(stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(TypeError);
    await expect(drain(stream)).rejects.toBeInstanceOf(TypeError);
    await expect(stream.collect()).rejects.toBeInstanceOf(TypeError);
  });
});

describe("failure before the first chunk", () => {
  it("rejects execute with the provider's error and releases the budget", async () => {
    const error = providerError(503);
    const lm = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: error });
    const budget = new LoggingBudget();
    const events = recordEvents();
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    await expect(streamModel(lm, { catalog }).execute(request, ctx)).rejects.toBe(error);
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "release"]);
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({ outcome: "error", errorType: "PROVIDER_ERROR", streaming: true }),
    ]);
  });

  it("is ERROR on the span, which is ended", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: providerError(503) });
    await expect(streamModel(lm, { catalog }).execute(request, createTestContext())).rejects.toThrow("HTTP 503");
    expect(spans()).toHaveLength(1);
    expect(spans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans()[0]?.attributes["error.type"]).toBe("PROVIDER_ERROR");
  });

  it("lets retry try again: the second call streams", async () => {
    const failing = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: providerError(503) });
    const healthy = new MockLanguageModel({ responses: ["recovered"] });
    let calls = 0;
    const flaky: LanguageModel = {
      provider: "mock",
      modelId: "mock-model",
      generate: (r, o) => healthy.generate(r, o),
      stream: (r, o) => ((calls++ === 0 ? failing : healthy).stream as NonNullable<LanguageModel["stream"]>)(r, o),
    };
    const stream = await retry(streamModel(flaky, { catalog }), { initialDelayMs: 0 }).execute(
      request,
      createTestContext(),
    );
    expect((await stream.collect()).text).toBe("recovered");
    expect([failing.callCount, healthy.callCount]).toEqual([1, 1]);
  });

  it("lets fallback fail over to another model", async () => {
    const failing = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: providerError(429) });
    const healthy = new MockLanguageModel({ modelId: "backup", responses: ["from the backup"] });
    const flow = fallback(streamModel(failing, { catalog }), { fallbacks: [streamModel(healthy, { catalog })] });
    const answer = await (await flow.execute(request, createTestContext())).collect();
    expect(answer).toMatchObject({ text: "from the backup", model: "backup" });
  });
});

describe("failure after the first chunk", () => {
  it("the loop throws the stream's error after the chunks delivered so far, and retry does not re-run it", async () => {
    const error = new Error("connection reset");
    const lm = new MockLanguageModel({ chunkSize: 4, failStreamAfterChunks: 2, streamError: error, responses: [TEXT] });
    const stream = await retry(streamModel(lm, { catalog }), { initialDelayMs: 0 }).execute(
      request,
      createTestContext(),
    );
    const seen: ModelChunk[] = [];
    const thrown = await (async () => {
      for await (const chunk of stream) seen.push(chunk);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBe(error);
    expect(seen).toEqual([
      { type: "text", text: "Hell" },
      { type: "text", text: "o, s" },
    ]);
    expect(lm.callCount).toBe(1);
  });

  it("ends the span with ERROR, reports outcome error, and commits the estimate (tokens were spent)", async () => {
    registerSdk();
    const events = recordEvents();
    const budget = new LoggingBudget();
    const error = providerError(500);
    const lm = new MockLanguageModel({ chunkSize: 4, failStreamAfterChunks: 2, streamError: error, responses: [TEXT] });
    const stream = await streamModel(lm, { catalog }).execute(
      request,
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    expect(spans()).toHaveLength(0);
    await expect(stream.collect()).rejects.toBe(error);
    expect(spans()).toHaveLength(1);
    const [span] = spans() as [ReadableSpan];
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe("PROVIDER_ERROR");
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({ outcome: "error", errorType: "PROVIDER_ERROR", streaming: true }),
    ]);
    const estimateCost = catalog.cost("mock-model", ESTIMATE);
    expect(budget.log).toEqual([
      ["reserve", { ...ESTIMATE, costUsd: estimateCost }],
      ["commit", { ...ESTIMATE, costUsd: estimateCost }],
    ]);
  });

  it("an abort mid-stream ends the loop with the abort reason and outcome aborted", async () => {
    const events = recordEvents();
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const lm = new MockLanguageModel({ clock: ctx.clock, chunkDelayMs: 100, chunkSize: 4, responses: [TEXT] });
    const stream = await streamModel(lm, { catalog }).execute(request, ctx);
    const collected = track(stream.collect());
    await ctx.clock.advance(150);
    const reason = new Error("stop streaming");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(collected).toMatchObject({ state: "rejected", error: reason });
    expect(modelCalls(events)).toEqual([expect.objectContaining({ outcome: "aborted", durationMs: 150 })]);
  });
});

describe("leaving the loop early", () => {
  it("closes the provider's stream (its finally runs), ends the span, reports aborted and commits the estimate", async () => {
    registerSdk();
    const events = recordEvents();
    const budget = new LoggingBudget();
    const lm = closableModel([
      { type: "text", text: "one" },
      { type: "text", text: "two" },
      { type: "text", text: "three" },
      FINISH,
    ]);
    const stream = await streamModel(lm, { catalog }).execute(
      request,
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    for await (const chunk of stream) if (chunk.type === "text" && chunk.text === "two") break;
    expect(lm.closed).toBe(true);
    expect(lm.yielded).toBe(1);
    expect(spans()).toHaveLength(1);
    expect(spans()[0]?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(modelCalls(events)).toEqual([expect.objectContaining({ outcome: "aborted", streaming: true })]);
    expect(modelCalls(events)[0]).not.toHaveProperty("errorType");
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "commit"]);
    expect(budget.log[1]).toEqual(["commit", { ...ESTIMATE, costUsd: catalog.cost("mock-model", ESTIMATE) }]);
  });

  it("closes the provider's stream when the loop body throws, and rethrows the consumer's error", async () => {
    const lm = closableModel([{ type: "text", text: "one" }, FINISH]);
    const stream = await streamModel(lm, { catalog }).execute(request, createTestContext());
    const mine = new Error("consumer failed");
    await expect(
      (async () => {
        for await (const chunk of stream) if (chunk.type === "text") throw mine;
      })(),
    ).rejects.toBe(mine);
    expect(lm.closed).toBe(true);
  });

  it("a break after the finish chunk counts as a completed call with the finish chunk's usage", async () => {
    const events = recordEvents();
    const budget = new LoggingBudget();
    const lm = closableModel([{ type: "text", text: "all of it" }, FINISH]);
    const stream = await streamModel(lm, { catalog }).execute(
      request,
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    for await (const chunk of stream) if (chunk.type === "finish") break;
    expect(lm.closed).toBe(true);
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({
        outcome: "success",
        inputTokens: 100,
        outputTokens: 50,
        costUsd: catalog.cost("mock-model", USAGE),
      }),
    ]);
    expect(budget.log[1]).toEqual(["commit", { ...USAGE, costUsd: catalog.cost("mock-model", USAGE) }]);
  });
});

describe("the span and the event of a stream", () => {
  it("one CLIENT span per stream, finished only when the stream ends, with the finish chunk's usage", async () => {
    registerSdk();
    const lm = new MockLanguageModel({
      chunkSize: 4,
      responses: [{ text: TEXT, usage: USAGE, model: "mock-model-2025" }],
    });
    const stream: ModelStream = await streamModel(lm, { catalog, name: "storyteller" }).execute(
      request,
      createTestContext(),
    );
    expect(spans()).toHaveLength(0);
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    expect(spans()).toHaveLength(0);
    for (let r = await it.next(); r.done !== true; r = await it.next()) void r;
    expect(spans()).toHaveLength(1);
    const [span] = spans() as [ReadableSpan];
    expect(span.name).toBe("chat mock-model");
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      "tta.primitive.kind": "model",
      "tta.primitive.name": "storyteller",
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "mock",
      "gen_ai.request.model": "mock-model",
      "gen_ai.response.model": "mock-model-2025",
      "gen_ai.usage.input_tokens": 100,
      "gen_ai.usage.output_tokens": 50,
      "gen_ai.response.finish_reasons": ["stop"],
      "tta.llm.cost_usd": catalog.cost("mock-model", USAGE),
    });
    expect(JSON.stringify(span.attributes)).not.toContain("streaming world");
  });

  it("with captureContent, the span carries the prompt and the whole streamed text", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ chunkSize: 4, responses: [TEXT] });
    await (await streamModel(lm, { catalog, captureContent: true }).execute(request, createTestContext())).collect();
    expect(spans()[0]?.attributes["gen_ai.output.text"]).toBe(TEXT);
    expect(spans()[0]?.attributes["gen_ai.input.messages"]).toBe(JSON.stringify(request.messages));
  });

  it("one model-call event when the stream ends, streaming: true, duration covering the whole stream", async () => {
    const events = recordEvents();
    const ctx = createTestContext();
    const lm = new MockLanguageModel({
      clock: ctx.clock,
      latencyMs: 200,
      chunkDelayMs: 10,
      chunkSize: 8,
      responses: [{ text: TEXT, usage: USAGE }],
    });
    const run = track(streamModel(lm, { catalog }).execute(request, ctx));
    await ctx.clock.advance(200);
    expect(run.state).toBe("resolved");
    const collected = track((run.value as ModelStream).collect());
    // 3 text chunks and a finish: 3 waits of 10 ms after the first chunk.
    await ctx.clock.advance(29);
    expect(collected.state).toBe("pending");
    expect(modelCalls(events)).toEqual([]);
    await ctx.clock.advance(1);
    expect(collected.state).toBe("resolved");
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({
        model: "mock-model",
        responseModel: "mock-model",
        provider: "mock",
        inputTokens: 100,
        outputTokens: 50,
        costUsd: catalog.cost("mock-model", USAGE),
        durationMs: 230,
        outcome: "success",
        streaming: true,
      }),
    ]);
  });
});

describe("invalid options", () => {
  it("rejects a non-LanguageModel, unknown keys and bad values, naming them", () => {
    expect(invalidOption(() => streamModel({} as LanguageModel)).option).toBe("languageModel");
    expect(invalidOption(() => streamModel(new MockLanguageModel(), { stream: true } as never)).option).toBe("stream");
    expect(invalidOption(() => streamModel(new MockLanguageModel(), { catalog: [] as never })).option).toBe("catalog");
  });

  it("rejects a request without messages before calling the provider", async () => {
    const lm = new MockLanguageModel();
    await expect(streamModel(lm).execute({} as ModelRequest, createTestContext())).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
      option: "request.messages",
    });
    expect(lm.callCount).toBe(0);
  });
});
