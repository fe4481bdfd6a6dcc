/**
 * `streamModel(...)` (DESIGN §6.2, "Model layer finer points"): resolves at the first chunk, replays
 * every chunk in order, and reports the whole stream (one CLIENT span, one `model-call` event) when it
 * ends. Failures, early exits and the budget of a failed stream are in `stream-model-failures.test.ts`.
 */
import { SpanKind } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { BUDGET_KEY } from "../core/index.js";
import { MockLanguageModel, createTestContext } from "../testing/index.js";
import { drain, invalidOption, recordEvents, track } from "../test-support/index.js";
import {
  LoggingBudget,
  TEXT,
  USAGE,
  catalog,
  closableModel,
  modelCalls,
  registerSdk,
  spans,
  streamRequest as request,
} from "../test-support/model-fixtures.js";
import type { LanguageModel, ModelRequest, ModelStream, ToolCall } from "./index.js";
import { streamModel } from "./index.js";

const TOOL_CALL: ToolCall = { id: "call-1", name: "search", arguments: { q: "weather" } };

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
  });

  it.each([
    ["watched (a budget on the context)", () => createTestContext().withValue(BUDGET_KEY, new LoggingBudget())],
    ["unwatched (nothing reads the outcome)", () => createTestContext()],
  ])("collect() returns what it reads itself, the same whether or not the stream is %s", async (_, context) => {
    const lm = new MockLanguageModel({ chunkSize: 4, responses: [{ text: TEXT, usage: USAGE }] });
    const whole = await streamModel(lm, { catalog }).execute(request, context());
    await expect(whole.collect()).resolves.toMatchObject({ text: TEXT, usage: USAGE, finishReason: "stop" });

    const rest = await streamModel(lm, { catalog }).execute(request, context());
    const iterator = rest[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    // Two chunks of 4 characters were read by hand; collect() returns the rest, with the whole call's usage.
    await expect(rest.collect()).resolves.toMatchObject({ text: TEXT.slice(8), usage: USAGE, finishReason: "stop" });

    const closed = await streamModel(lm, { catalog }).execute(request, context());
    for await (const chunk of closed) if (chunk.type === "text") break;
    // `break` closed it: nothing more to read.
    await expect(closed.collect()).resolves.toMatchObject({ text: "" });
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
