import { describe, expect, it } from "vitest";
import { InvalidOptionsError, ProviderError, StreamInterruptedError } from "../core/errors.js";
import type { ModelChunk, ModelRequest, ModelResponse } from "../orchestration/language-model.js";
import { drain, invalidOption, track } from "../test-support/index.js";
import type { MockLanguageModelOptions, MockReply } from "./index.js";
import { MockLanguageModel, TestClock } from "./index.js";

const NEVER = new AbortController().signal;
const opts = { signal: NEVER };
const ask = (content: string): ModelRequest => ({ messages: [{ role: "user", content }] });
const request = ask("12345678");

async function streamAll(lm: MockLanguageModel, req: ModelRequest = request, signal = NEVER): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const chunk of (lm.stream as NonNullable<MockLanguageModel["stream"]>)(req, { signal })) out.push(chunk);
  return out;
}

describe("answers", () => {
  it("has defaults: provider mock, model mock-model, the answer 'mock answer'", async () => {
    const lm = new MockLanguageModel();
    expect([lm.provider, lm.modelId]).toEqual(["mock", "mock-model"]);
    await expect(lm.generate(request, opts)).resolves.toEqual({
      text: "mock answer",
      toolCalls: [],
      usage: { inputTokens: 2, outputTokens: 3 },
      model: "mock-model",
      finishReason: "stop",
    });
  });

  it("plays responses in sequence and repeats the last one", async () => {
    const lm = new MockLanguageModel({ responses: ["first", "second"] });
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) texts.push((await lm.generate(request, opts)).text);
    expect(texts).toEqual(["first", "second", "second", "second"]);
  });

  it("throws an Error reply (the same object) and goes on with the next reply", async () => {
    const error = new ProviderError("busy", { provider: "mock", model: "mock-model", status: 429 });
    const lm = new MockLanguageModel({ responses: [error, "recovered"] });
    await expect(lm.generate(request, opts)).rejects.toBe(error);
    await expect(lm.generate(request, opts)).resolves.toMatchObject({ text: "recovered" });
  });

  it("fills in a partial response: tool calls make the finish reason tool-calls; given fields are kept", async () => {
    const toolCall = { id: "c1", name: "search", arguments: { q: "x" } };
    const lm = new MockLanguageModel({
      responses: [
        { toolCalls: [toolCall] },
        { text: "cut", finishReason: "length", model: "mock-model-2025", usage: { inputTokens: 7, outputTokens: 9 } },
      ],
    });
    await expect(lm.generate(request, opts)).resolves.toEqual({
      text: "",
      toolCalls: [toolCall],
      usage: { inputTokens: 2, outputTokens: 0 },
      model: "mock-model",
      finishReason: "tool-calls",
    });
    await expect(lm.generate(request, opts)).resolves.toEqual({
      text: "cut",
      toolCalls: [],
      usage: { inputTokens: 7, outputTokens: 9 },
      model: "mock-model-2025",
      finishReason: "length",
    });
  });

  it("usage defaults to characters / 4 (rounded up) of every message and of the answer", async () => {
    const lm = new MockLanguageModel({ responses: ["hello"] });
    const req: ModelRequest = {
      messages: [
        { role: "system", content: "12345" },
        { role: "user", content: "abc" },
      ],
    };
    await expect(lm.generate(req, opts)).resolves.toMatchObject({ usage: { inputTokens: 2, outputTokens: 2 } });
  });

  it("reply computes each answer from the request and the 0-based call index, sync or async, and wins over responses", async () => {
    const seen: [string, number][] = [];
    const lm = new MockLanguageModel({
      responses: ["ignored"],
      reply: async (req, call) => {
        seen.push([req.messages[0]?.content ?? "", call]);
        if (call === 1) return new Error("second call fails");
        return { text: `echo ${req.messages[0]?.content ?? ""}`, model: `m${call}` };
      },
    });
    await expect(lm.generate(ask("a"), opts)).resolves.toMatchObject({ text: "echo a", model: "m0" });
    await expect(lm.generate(ask("b"), opts)).rejects.toThrow("second call fails");
    await expect(lm.generate(ask("c"), opts)).resolves.toMatchObject({ text: "echo c" });
    expect(seen).toEqual([
      ["a", 0],
      ["b", 1],
      ["c", 2],
    ]);
  });

  it("a reply function that throws rejects the call", async () => {
    const boom = new Error("reply threw");
    const lm = new MockLanguageModel({
      reply: () => {
        throw boom;
      },
    });
    await expect(lm.generate(request, opts)).rejects.toBe(boom);
  });
});

describe("latency and cancellation", () => {
  it("waits latencyMs on the given clock before answering", async () => {
    const clock = new TestClock();
    const lm = new MockLanguageModel({ latencyMs: 100, clock });
    const call = track(lm.generate(request, opts));
    await clock.advance(99);
    expect(call.state).toBe("pending");
    await clock.advance(1);
    expect(call).toMatchObject({ state: "resolved", value: { text: "mock answer" } });
  });

  it("an abort during the latency rejects at once with the signal's reason", async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    const lm = new MockLanguageModel({ latencyMs: 1_000, clock });
    const call = track(lm.generate(request, { signal: controller.signal }));
    await clock.advance(10);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await clock.advance(0);
    expect(call).toMatchObject({ state: "rejected", error: reason });
    expect(clock.pendingTimers).toBe(0);
  });

  it("an already-aborted signal rejects with its reason, stream included", async () => {
    const controller = new AbortController();
    const reason = new Error("too late");
    controller.abort(reason);
    const lm = new MockLanguageModel();
    await expect(lm.generate(request, { signal: controller.signal })).rejects.toBe(reason);
    await expect(streamAll(lm, request, controller.signal)).rejects.toBe(reason);
  });
});

describe("streams", () => {
  it("yields the text in chunkSize pieces (8 by default), then the tool calls, then finish", async () => {
    const toolCall = { id: "c1", name: "f", arguments: {} };
    const usage = { inputTokens: 3, outputTokens: 4 };
    const lm = new MockLanguageModel({ responses: [{ text: "abcdefghij", toolCalls: [toolCall], usage }] });
    expect(await streamAll(lm)).toEqual([
      { type: "text", text: "abcdefgh" },
      { type: "text", text: "ij" },
      { type: "tool-call", toolCall },
      { type: "finish", usage, finishReason: "tool-calls", model: "mock-model" },
    ]);
    const small = new MockLanguageModel({ chunkSize: 3, responses: ["abcdefg"] });
    const texts = (await streamAll(small)).flatMap((c) => (c.type === "text" ? [c.text] : []));
    expect(texts).toEqual(["abc", "def", "g"]);
  });

  it("an empty answer streams only the finish chunk", async () => {
    const lm = new MockLanguageModel({ responses: [""] });
    expect((await streamAll(lm)).map((c) => c.type)).toEqual(["finish"]);
  });

  it("waits chunkDelayMs on the clock before each chunk after the first", async () => {
    const clock = new TestClock();
    const lm = new MockLanguageModel({ clock, chunkSize: 2, chunkDelayMs: 50, responses: ["aabb"] });
    const got: ModelChunk[] = [];
    const done = track(
      (async () => {
        for await (const chunk of (lm.stream as NonNullable<MockLanguageModel["stream"]>)(request, opts))
          got.push(chunk);
      })(),
    );
    await clock.advance(0);
    expect(got).toHaveLength(1);
    await clock.advance(50);
    expect(got).toHaveLength(2);
    await clock.advance(49);
    expect(got).toHaveLength(2);
    await clock.advance(1);
    expect(got).toHaveLength(3);
    expect(done.state).toBe("resolved");
  });

  it("failStreamAfterChunks: 0 throws streamError before the first chunk", async () => {
    const error = new ProviderError("overloaded", { provider: "mock", model: "mock-model", status: 503 });
    const lm = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: error });
    const got: ModelChunk[] = [];
    await expect(
      (async () => {
        for await (const chunk of (lm.stream as NonNullable<MockLanguageModel["stream"]>)(request, opts))
          got.push(chunk);
      })(),
    ).rejects.toBe(error);
    expect(got).toEqual([]);
  });

  it("failStreamAfterChunks: n yields n chunks, then throws what a real provider would (StreamInterruptedError with the text)", async () => {
    const lm = new MockLanguageModel({ chunkSize: 1, failStreamAfterChunks: 2, responses: ["abcd"] });
    const got: ModelChunk[] = [];
    const error = await (async () => {
      for await (const chunk of (lm.stream as NonNullable<MockLanguageModel["stream"]>)(request, opts)) got.push(chunk);
    })().catch((e: unknown) => e);
    expect(got).toEqual([
      { type: "text", text: "a" },
      { type: "text", text: "b" },
    ]);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error).toMatchObject({ code: "STREAM_INTERRUPTED", text: "ab", retryable: false, model: "mock-model" });
  });

  it("failStreamAfterChunks: 0 fails before the first chunk with a retryable ProviderError", async () => {
    const lm = new MockLanguageModel({ failStreamAfterChunks: 0 });
    const error = await streamAll(lm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "PROVIDER_ERROR", retryable: true, status: 503 });
  });

  it("failStreamAfterChunks at or past the number of chunks never fails", async () => {
    const lm = new MockLanguageModel({ failStreamAfterChunks: 2, responses: ["abc"] });
    expect((await streamAll(lm)).map((c) => c.type)).toEqual(["text", "finish"]);
  });

  it("an abort between chunks ends the stream with the signal's reason", async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    const lm = new MockLanguageModel({ clock, chunkSize: 1, chunkDelayMs: 10, responses: ["abc"] });
    const run = track(streamAll(lm, request, controller.signal));
    await clock.advance(5);
    const reason = new Error("stop");
    controller.abort(reason);
    await clock.advance(0);
    expect(run).toMatchObject({ state: "rejected", error: reason });
  });

  it("streaming: false leaves the model without a stream method", () => {
    expect(new MockLanguageModel({ streaming: false }).stream).toBeUndefined();
    expect(typeof new MockLanguageModel({ streaming: true }).stream).toBe("function");
    expect(typeof new MockLanguageModel().stream).toBe("function");
  });
});

describe("call options", () => {
  it("generate and stream without the options argument run without a signal (latency and chunk delays too)", async () => {
    const clock = new TestClock();
    const lm = new MockLanguageModel({ responses: ["no options here"], latencyMs: 5, chunkDelayMs: 1, clock });
    const bare = lm as unknown as {
      generate(req: ModelRequest): Promise<ModelResponse>;
      stream(req: ModelRequest): AsyncIterable<ModelChunk>;
    };
    const answer = track(bare.generate(request));
    const chunks = track(drain(bare.stream(request)));
    await clock.runAll();
    expect(answer.value).toMatchObject({ text: "no options here" });
    expect(chunks.value?.map((c) => (c.type === "text" ? c.text : c.type))).toEqual(["no optio", "ns here", "finish"]);
  });

  it("rejects a signal that is not an AbortSignal, naming options.signal", async () => {
    const lm = new MockLanguageModel();
    const error = await lm.generate(request, { signal: {} as AbortSignal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("options.signal");
  });
});

describe("calls", () => {
  it("records each call's request (the caller's object), method and start time on the clock", async () => {
    const clock = new TestClock(1_000);
    const lm = new MockLanguageModel({ clock, latencyMs: 10 });
    expect(lm.callCount).toBe(0);
    const first = ask("one");
    const pending = lm.generate(first, opts);
    await clock.advance(10);
    await pending;
    const second = ask("two");
    const streamed = streamAll(lm, second);
    await clock.advance(10);
    await streamed;
    expect(lm.callCount).toBe(2);
    expect(lm.calls).toEqual([
      { request: first, method: "generate", at: 1_000 },
      { request: second, method: "stream", at: 1_010 },
    ]);
    expect(lm.calls[0]?.request).toBe(first);
  });

  it("counts failed calls too", async () => {
    const lm = new MockLanguageModel({ responses: [new Error("x")] });
    await lm.generate(request, opts).catch(() => undefined);
    await lm.generate(request, opts).catch(() => undefined);
    expect(lm.callCount).toBe(2);
  });
});

describe("invalid options", () => {
  const bad: readonly [string, MockLanguageModelOptions | Record<string, unknown>][] = [
    ["respones", { respones: ["typo"] }],
    ["provider", { provider: "" }],
    ["modelId", { modelId: 42 }],
    ["responses", { responses: [] }],
    ["responses", { responses: "hello" }],
    ["responses[1]", { responses: ["ok", 42] }],
    ["reply", { reply: "hi" }],
    ["latencyMs", { latencyMs: -1 }],
    ["latencyMs", { latencyMs: Number.NaN }],
    ["chunkSize", { chunkSize: 0 }],
    ["chunkSize", { chunkSize: 1.5 }],
    ["chunkDelayMs", { chunkDelayMs: -5 }],
    ["failStreamAfterChunks", { failStreamAfterChunks: -1 }],
    ["failStreamAfterChunks", { failStreamAfterChunks: 0.5 }],
    ["streamError", { streamError: "boom" }],
    ["clock", { clock: {} }],
    ["clock", { clock: Date }],
    ["streaming", { streaming: "no" }],
  ];

  it.each(bad)("names %s", (option, value) => {
    expect(invalidOption(() => new MockLanguageModel(value as MockLanguageModelOptions)).option).toBe(option);
  });

  const badReplies: readonly [string, unknown][] = [
    ["responses[2].text", { text: 5 }],
    ["responses[2].txt", { txt: "typo" }],
    ["responses[2].toolCalls", { toolCalls: {} }],
    ["responses[2].toolCalls[0]", { toolCalls: ["search"] }],
    ["responses[2].toolCalls[0].id", { toolCalls: [{ name: "search", arguments: {} }] }],
    ["responses[2].toolCalls[0].name", { toolCalls: [{ id: "c1", name: 7, arguments: {} }] }],
    ["responses[2].toolCalls[0].args", { toolCalls: [{ id: "c1", name: "search", args: {} }] }],
    ["responses[2].usage", { usage: 10 }],
    ["responses[2].usage.outputTokens", { usage: { inputTokens: 1 } }],
    ["responses[2].usage.inputTokens", { usage: { inputTokens: -1, outputTokens: 1 } }],
    ["responses[2].usage.outputTokens", { usage: { inputTokens: 1, outputTokens: Infinity } }],
    ["responses[2].usage.cachedInputTokens", { usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: "2" } }],
    ["responses[2].usage.totalTokens", { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }],
    ["responses[2].finishReason", { finishReason: "tool_calls" }],
    ["responses[2].model", { model: "" }],
    ["responses[2].text", { text: null }],
  ];

  it.each(badReplies)("validates every partial reply at construction, naming %s", (option, reply) => {
    const error = invalidOption(() => new MockLanguageModel({ responses: ["a", "b", reply as MockReply] }));
    expect(error.option).toBe(option);
    expect(error.message).toContain(`\`${option}\``);
  });

  it("accepts complete partial replies (cachedInputTokens, arguments of any shape, every finish reason)", () => {
    const reasons = ["stop", "length", "tool-calls", "content-filter", "other"] as const;
    const responses: MockReply[] = reasons.map((finishReason) => ({ finishReason }));
    responses.push({
      text: "",
      toolCalls: [{ id: "c1", name: "search", arguments: "not json" }],
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      model: "m",
    });
    expect(() => new MockLanguageModel({ responses })).not.toThrow();
  });

  it("rejects the call when reply returns an invalid answer, naming reply", async () => {
    for (const answer of [null, undefined, 42, { txt: "typo" }, { toolCalls: {} }, { usage: { inputTokens: 1 } }]) {
      const lm = new MockLanguageModel({ reply: () => answer as MockReply });
      const error = await lm.generate(request, opts).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe("reply");
      const streamed = await streamAll(lm).catch((e: unknown) => e);
      expect((streamed as InvalidOptionsError).option).toBe("reply");
    }
  });

  it("rejects options that are not a plain object", () => {
    invalidOption(() => new MockLanguageModel([] as never));
    invalidOption(() => new MockLanguageModel("fast" as never));
  });

  it("accepts a latency of 0 and failStreamAfterChunks: Infinity", () => {
    expect(
      () => new MockLanguageModel({ latencyMs: 0, chunkDelayMs: 0, failStreamAfterChunks: Infinity }),
    ).not.toThrow();
  });
});
