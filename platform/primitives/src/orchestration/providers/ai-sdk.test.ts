/**
 * `fromAiSdk` against the real `@ai-sdk/openai-compatible` provider talking to the simulated
 * OpenAI-compatible server on loopback (no hand-made fake of the AI SDK specification).
 */
import { describe, expect, it } from "vitest";
import { InvalidOptionsError, ProviderError, StreamInterruptedError } from "../../core/errors.js";
import {
  abortWhenHung,
  collect,
  hello,
  lastBody,
  neverAborted as signal,
  rejection,
  setupAiSdkSim as setup,
} from "../../test-support/ai-sdk-sim.js";
import type { ModelChunk, ModelRequest } from "../language-model.js";
import { fromAiSdk } from "./ai-sdk.js";
import type { AiSdkLanguageModel } from "./ai-sdk-types.js";

const searchTool = {
  name: "search",
  description: "Searches the docs",
  parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
} as const;

describe("fromAiSdk: wrapping", () => {
  it("names the provider by the AI SDK provider id before its first dot, and keeps the model id", async () => {
    const { llm } = await setup();
    expect(llm.provider).toBe("sim");
    expect(llm.modelId).toBe("sim-small");
    expect(typeof llm.stream).toBe("function");
  });

  it("rejects what is not a V2/V3 AI SDK model with InvalidOptionsError naming the field", () => {
    const v1 = { specificationVersion: "v1", provider: "x", modelId: "y", doGenerate() {}, doStream() {} };
    expect(() => fromAiSdk(v1 as unknown as AiSdkLanguageModel)).toThrow(InvalidOptionsError);
    expect(() => fromAiSdk(v1 as unknown as AiSdkLanguageModel)).toThrow(/model\.specificationVersion/);
    expect(() => fromAiSdk(null as unknown as AiSdkLanguageModel)).toThrow(/`model`/);
    const noStream = { ...v1, specificationVersion: "v3", doStream: undefined };
    expect(() => fromAiSdk(noStream as unknown as AiSdkLanguageModel)).toThrow(/model\.doStream/);
  });

  it("validates its options: unknown keys, and secrets that are not an array of strings, throw InvalidOptionsError", async () => {
    const { sdkModel } = await setup();
    const key = "gw_live_0123456789abcdef";
    const thrown = (options: unknown): InvalidOptionsError => {
      try {
        fromAiSdk(sdkModel, options as Parameters<typeof fromAiSdk>[1]);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionsError);
        return error as InvalidOptionsError;
      }
      throw new Error("expected fromAiSdk to throw");
    };
    expect(thrown({ secret: [key] })).toMatchObject({ option: "secret" });
    expect(thrown({ secret: [key] }).message).toMatch(
      /Unknown option `secret` for fromAiSdk; expected one of: `secrets`/,
    );
    expect(thrown("secrets").option).toBe("fromAiSdk options");
    const notArray = thrown({ secrets: key });
    expect(notArray.option).toBe("secrets");
    expect(notArray.message).toBe("Expected `secrets` to be an array of strings, got a string of 24 characters");
    expect(thrown({ secrets: [key, 42] }).option).toBe("secrets[1]");
    expect(thrown({ secrets: [{ key }] }).message).not.toContain(key);
    expect(() => fromAiSdk(sdkModel, {})).not.toThrow();
    expect(() => fromAiSdk(sdkModel, { secrets: undefined })).not.toThrow();
    expect(() => fromAiSdk(sdkModel, { secrets: null } as unknown as Parameters<typeof fromAiSdk>[1])).not.toThrow();
    // A copy is taken: changing the caller's array later changes nothing.
    const secrets = [key];
    const llm = fromAiSdk(sdkModel, { secrets });
    secrets.length = 0;
    expect(llm.modelId).toBe("sim-small");
  });

  it("rejects a tool message without toolCallId, naming the field, before any request", async () => {
    const { sim: server, llm } = await setup();
    const request: ModelRequest = {
      messages: [
        { role: "user", content: "hi" },
        { role: "tool", content: "42" },
      ],
    };
    const error = await rejection(llm.generate(request, { signal: signal() }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("request.messages[1].toolCallId");
    expect(server.stats().requests).toBe(0);
  });
});

describe("fromAiSdk: generate", () => {
  it("returns the text, usage, finish reason and answering model", async () => {
    const { sim: server, llm } = await setup({ reply: () => "Hello from the simulated model" });
    const response = await llm.generate(hello, { signal: signal() });
    const stats = server.stats();
    expect(response).toEqual({
      text: "Hello from the simulated model",
      toolCalls: [],
      usage: { inputTokens: stats.inputTokens, outputTokens: stats.outputTokens },
      model: "sim-small",
      finishReason: "stop",
    });
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  it("maps a length finish", async () => {
    const { llm } = await setup({ reply: () => ({ text: "cut", finishReason: "length" }) });
    expect((await llm.generate(hello, { signal: signal() })).finishReason).toBe("length");
  });

  it("sends sampling settings and passes providerOptions through untouched", async () => {
    const { sim: server, llm } = await setup();
    await llm.generate(
      {
        ...hello,
        maxTokens: 50,
        temperature: 0.2,
        stop: ["END"],
        seed: 7,
        providerOptions: { sim: { custom_field: "x" } },
      },
      { signal: signal() },
    );
    expect(lastBody(server)).toMatchObject({
      model: "sim-small",
      max_tokens: 50,
      temperature: 0.2,
      stop: ["END"],
      seed: 7,
      custom_field: "x",
      messages: [{ role: "user", content: "Hello there" }],
    });
  });

  it("sends tools as OpenAI tools and returns a tool call with parsed arguments", async () => {
    const { sim: server, llm } = await setup({
      reply: () => ({ toolCalls: [{ name: "search", arguments: { q: "tta" } }] }),
    });
    const response = await llm.generate(
      { ...hello, tools: [searchTool], toolChoice: { name: "search" } },
      { signal: signal() },
    );
    expect(lastBody(server)).toMatchObject({
      tools: [
        {
          type: "function",
          function: { name: "search", description: "Searches the docs", parameters: searchTool.parameters },
        },
      ],
      tool_choice: { type: "function", function: { name: "search" } },
    });
    expect(response.text).toBe("");
    expect(response.finishReason).toBe("tool-calls");
    expect(response.toolCalls).toEqual([{ id: expect.any(String) as string, name: "search", arguments: { q: "tta" } }]);
    expect(response.toolCalls[0]?.id).not.toBe("");
  });

  it("keeps tool arguments that are not valid JSON as the raw string", async () => {
    const { llm } = await setup({ reply: () => ({ toolCalls: [{ name: "search", arguments: "{not json" }] }) });
    const response = await llm.generate({ ...hello, tools: [searchTool] }, { signal: signal() });
    expect(response.toolCalls[0]?.arguments).toBe("{not json");
  });

  it("sends an assistant tool call and its tool result as OpenAI assistant and tool messages", async () => {
    const { sim: server, llm } = await setup({ reply: () => "It is 42." });
    const request: ModelRequest = {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Search for tta" },
        { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "search", arguments: { q: "tta" } }] },
        { role: "tool", toolCallId: "call_1", content: '{"hits":42}' },
      ],
      tools: [searchTool],
    };
    const response = await llm.generate(request, { signal: signal() });
    expect(response.text).toBe("It is 42.");
    expect(lastBody(server)["messages"]).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Search for tta" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "search", arguments: '{"q":"tta"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"hits":42}' },
    ]);
  });

  it("asks for JSON output: json_object by default, json_schema when the provider supports structured outputs", async () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const plain = await setup();
    const response = await plain.llm.generate(
      { ...hello, responseFormat: { type: "json", schema, name: "place" } },
      { signal: signal() },
    );
    expect(lastBody(plain.sim)["response_format"]).toEqual({ type: "json_object" });
    expect(() => JSON.parse(response.text) as unknown).not.toThrow();
    await plain.sim.close();

    const structured = await setup({}, { supportsStructuredOutputs: true });
    await structured.llm.generate(
      { ...hello, responseFormat: { type: "json", schema, name: "place" } },
      { signal: signal() },
    );
    expect(lastBody(structured.sim)["response_format"]).toMatchObject({
      type: "json_schema",
      json_schema: { name: "place", schema },
    });
  });
});

describe("fromAiSdk: stream", () => {
  it("streams text deltas, whole tool calls and one finish with usage", async () => {
    const text = "Streaming answers arrive in small pieces.";
    const { sim: server, llm } = await setup({
      chunkSize: 8,
      reply: () => ({ text, toolCalls: [{ name: "search", arguments: { q: "tta" } }] }),
    });
    const chunks = await collect(llm.stream!({ ...hello, tools: [searchTool] }, { signal: signal() }));
    const texts = chunks.filter((chunk) => chunk.type === "text");
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.map((chunk) => chunk.text).join("")).toBe(text);
    expect(chunks.filter((chunk) => chunk.type === "tool-call")).toEqual([
      { type: "tool-call", toolCall: { id: expect.any(String) as string, name: "search", arguments: { q: "tta" } } },
    ]);
    const stats = server.stats();
    expect(chunks.at(-1)).toEqual({
      type: "finish",
      usage: { inputTokens: stats.inputTokens, outputTokens: stats.outputTokens },
      finishReason: "tool-calls",
      model: "sim-small",
    });
    expect(chunks.filter((chunk) => chunk.type === "finish")).toHaveLength(1);
    expect(server.requests.at(-1)?.stream).toBe(true);
  });

  it("rejects with the abort reason mid-stream, and the server sees the socket close", async () => {
    const { sim: server, llm } = await setup({ chunkSize: 4, chunkDelayMs: 20, reply: () => "x".repeat(400) });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const seen: ModelChunk[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of llm.stream!(hello, { signal: controller.signal })) {
          seen.push(chunk);
          if (seen.length === 2) controller.abort(reason);
        }
      })(),
    );
    expect(error).toBe(reason);
    expect(seen).toHaveLength(2);
    await server.waitForClientClose();
    expect(server.stats().clientClosed).toBe(1);
  });

  it("closes the HTTP request when the caller leaves the loop early", async () => {
    const { sim: server, llm } = await setup({ chunkSize: 4, chunkDelayMs: 20, reply: () => "y".repeat(400) });
    for await (const chunk of llm.stream!(hello, { signal: signal() })) {
      expect(chunk.type).toBe("text");
      break;
    }
    await server.waitForClientClose();
    expect(server.stats().clientClosed).toBe(1);
  });

  it("rejects with StreamInterruptedError carrying the text so far when the stream is cut after chunks", async () => {
    const text = "abcdefghijklmnopqrstuvwxyz".repeat(4);
    const { llm } = await setup({ chunkSize: 4, script: [{ kind: "stream-cut" }], reply: () => text });
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of llm.stream!(hello, { signal: signal() }))
          if (chunk.type === "text") seen.push(chunk.text);
      })(),
    );
    expect(error).toBeInstanceOf(StreamInterruptedError);
    const interrupted = error as StreamInterruptedError;
    expect(interrupted.text).toBe(seen.join(""));
    expect(interrupted.text.length).toBeGreaterThan(0);
    expect(text.startsWith(interrupted.text)).toBe(true);
    expect(interrupted.text.length).toBeLessThan(text.length);
    expect(interrupted.provider).toBe("sim");
    expect(interrupted.model).toBe("sim-small");
  });

  it("fails with a retryable ProviderError before the first chunk (HTTP error or malformed data)", async () => {
    const { llm } = await setup({ script: [{ kind: "429", retryAfterS: 2 }, { kind: "malformed" }] });
    const limited = await rejection(collect(llm.stream!(hello, { signal: signal() })));
    expect(limited).toBeInstanceOf(ProviderError);
    expect(limited).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000 });
    const malformed = await rejection(collect(llm.stream!(hello, { signal: signal() })));
    expect(malformed).toBeInstanceOf(ProviderError);
    expect(malformed).toMatchObject({ status: undefined, retryable: true });
  });

  it("rejects at once with the reason when the signal is already aborted", async () => {
    const { sim: server, llm } = await setup();
    const controller = new AbortController();
    const reason = new Error("already cancelled");
    controller.abort(reason);
    expect(await rejection(collect(llm.stream!(hello, { signal: controller.signal })))).toBe(reason);
    expect(await rejection(llm.generate(hello, { signal: controller.signal }))).toBe(reason);
    expect(server.stats().requests).toBe(0);
  });
});

describe("fromAiSdk: a provider that ignores abortSignal", () => {
  // The real model, with the abort signal withheld from it: only the adapter can end the call.
  const deaf = (sdkModel: AiSdkLanguageModel): AiSdkLanguageModel => ({
    specificationVersion: sdkModel.specificationVersion,
    provider: sdkModel.provider,
    modelId: sdkModel.modelId,
    doGenerate: ({ abortSignal: _ignored, ...options }) => sdkModel.doGenerate(options),
    doStream: ({ abortSignal: _ignored, ...options }) => sdkModel.doStream(options),
  });

  it("generate still rejects with the abort reason", async () => {
    const { sim: server, sdkModel } = await setup({ script: [{ kind: "hang" }] });
    const llm = fromAiSdk(deaf(sdkModel));
    const controller = new AbortController();
    const reason = new Error("deadline");
    const pending = llm.generate(hello, { signal: controller.signal });
    expect(await abortWhenHung(server, controller, reason, pending)).toBe(reason);
  });

  it("stream still rejects with the abort reason and cancelling the reader closes the request", async () => {
    const { sim: server, sdkModel } = await setup({ chunkSize: 4, chunkDelayMs: 20, reply: () => "z".repeat(400) });
    const llm = fromAiSdk(deaf(sdkModel));
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    let seen = 0;
    const error = await rejection(
      (async () => {
        for await (const _chunk of llm.stream!(hello, { signal: controller.signal })) {
          seen += 1;
          if (seen === 2) controller.abort(reason);
        }
      })(),
    );
    expect(error).toBe(reason);
    expect(seen).toBe(2);
    await server.waitForClientClose();
  });
});
