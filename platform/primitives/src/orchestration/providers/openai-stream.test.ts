import { getEventListeners } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { InvalidOptionsError, ProviderError, StreamInterruptedError } from "../../core/errors.js";
import { chunk, sse } from "../../test-support/loopback-server.js";
import { call, hi, simulated as sim, sseLoopback as sseServer } from "../../test-support/provider-fixtures.js";
import type { ModelChunk, ModelRequest } from "../language-model.js";
import { openAICompatible } from "./openai-compatible.js";
import type { OpenAICompatibleModel } from "./openai-compatible.js";

function model(baseURL: string, extra: Partial<Parameters<typeof openAICompatible>[0]> = {}): OpenAICompatibleModel {
  return openAICompatible({ baseURL, model: "sim-small", ...extra });
}

async function collect(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

/** Iterates the stream, recording chunks, and returns what it threw. */
async function failure(stream: AsyncIterable<ModelChunk>, seen: ModelChunk[] = []): Promise<unknown> {
  try {
    for await (const c of stream) seen.push(c);
  } catch (error) {
    return error;
  }
  throw new Error("expected the stream to fail");
}

const textOf = (chunks: readonly ModelChunk[]): string => chunks.map((c) => (c.type === "text" ? c.text : "")).join("");

describe("openAICompatible stream: the normal path", () => {
  it("streams text deltas, then one finish with usage and model; asks for include_usage", async () => {
    const text = "TTA is a toolkit for resilient AI-agent workflows.";
    const provider = await sim({ reply: () => text, chunkSize: 5 });
    const chunks = await collect(model(provider.baseURL).stream(hi, call()));
    const texts = chunks.filter((c) => c.type === "text");
    expect(texts.length).toBe(Math.ceil(text.length / 5));
    expect(textOf(chunks)).toBe(text);
    expect(chunks.filter((c) => c.type === "finish")).toHaveLength(1);
    expect(chunks.at(-1)).toEqual({
      type: "finish",
      usage: { inputTokens: expect.any(Number), outputTokens: Math.ceil(text.length / 4) },
      finishReason: "stop",
      model: "sim-small",
    });
    const request = provider.requests[0];
    expect(request?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(request?.headers.accept).toBe("text/event-stream");
  });

  it("with includeUsage: false sends no stream_options and reports zero usage", async () => {
    const provider = await sim({ reply: () => "short" });
    const chunks = await collect(model(provider.baseURL, { includeUsage: false }).stream(hi, call()));
    expect(provider.requests[0]?.body).not.toHaveProperty("stream_options");
    expect(chunks.at(-1)).toMatchObject({ type: "finish", usage: { inputTokens: 0, outputTokens: 0 } });
  });

  it("assembles tool-call deltas into whole tool-call chunks, emitted before the finish", async () => {
    const provider = await sim({
      chunkSize: 3,
      reply: () => ({
        text: "Let me look.",
        toolCalls: [
          { name: "search", arguments: { query: "resilient agents", limit: 5 } },
          { name: "fetch_page", arguments: { url: "https://example.invalid/a" } },
        ],
      }),
    });
    const chunks = await collect(model(provider.baseURL).stream(hi, call()));
    expect(chunks.map((c) => c.type)).toEqual([
      ...Array<string>(Math.ceil("Let me look.".length / 3)).fill("text"),
      "tool-call",
      "tool-call",
      "finish",
    ]);
    expect(chunks.filter((c) => c.type === "tool-call")).toEqual([
      {
        type: "tool-call",
        toolCall: { id: expect.any(String), name: "search", arguments: { query: "resilient agents", limit: 5 } },
      },
      {
        type: "tool-call",
        toolCall: { id: expect.any(String), name: "fetch_page", arguments: { url: "https://example.invalid/a" } },
      },
    ]);
    expect(chunks.at(-1)).toMatchObject({ type: "finish", finishReason: "tool-calls" });
  });

  it("sends the JSON response format on a stream and yields the JSON text", async () => {
    const provider = await sim({ reply: () => '{"ok":true}' });
    const chunks = await collect(model(provider.baseURL).stream({ ...hi, responseFormat: { type: "json" } }, call()));
    expect(provider.requests[0]?.body).toMatchObject({ response_format: { type: "json_object" }, stream: true });
    expect(JSON.parse(textOf(chunks))).toEqual({ ok: true });
  });

  it("accepts fragments without index, tool arguments split anywhere, a finish without [DONE]", async () => {
    const server = await sseServer((res) => {
      sse(res, chunk({ tool_calls: [{ id: "call_a", function: { name: "add", arguments: '{"a":' } }] }));
      sse(res, chunk({ tool_calls: [{ function: { arguments: "1}" } }] }));
      sse(res, chunk({}, "tool_calls"));
      res.end();
    });
    const chunks = await collect(model(server.baseURL).stream(hi, call()));
    expect(chunks).toEqual([
      { type: "tool-call", toolCall: { id: "call_a", name: "add", arguments: { a: 1 } } },
      { type: "finish", usage: { inputTokens: 0, outputTokens: 0 }, finishReason: "tool-calls", model: "m-1" },
    ]);
  });

  it("parses CRLF lines, comments, event names, events split across writes and a final [DONE] without blank line", async () => {
    const server = await sseServer(async (res) => {
      res.write(": keep-alive\r\n\r\n");
      res.write(`event: message\r\ndata: ${JSON.stringify(chunk({ content: "Hel" }))}\r\n\r\n`);
      const second = `data: ${JSON.stringify(chunk({ content: "lo" }, "stop"))}\n\n`;
      res.write(second.slice(0, 17));
      await new Promise((resolve) => setImmediate(resolve));
      res.write(second.slice(17));
      res.end("data: [DONE]");
    });
    const chunks = await collect(model(server.baseURL).stream(hi, call()));
    expect(chunks).toEqual([
      { type: "text", text: "Hel" },
      { type: "text", text: "lo" },
      { type: "finish", usage: { inputTokens: 0, outputTokens: 0 }, finishReason: "stop", model: "m-1" },
    ]);
  });

  it("turns a JSON answer to a stream request (a server that ignored stream: true) into chunks", async () => {
    const body = {
      model: "m-2",
      choices: [
        {
          index: 0,
          message: { content: "whole", tool_calls: [{ id: "c1", function: { name: "t", arguments: "{}" } }] },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    };
    const provider = await sim({ script: [{ kind: "status", status: 200, body: JSON.stringify(body) }] });
    expect(await collect(model(provider.baseURL).stream(hi, call()))).toEqual([
      { type: "text", text: "whole" },
      { type: "tool-call", toolCall: { id: "c1", name: "t", arguments: {} } },
      { type: "finish", usage: { inputTokens: 3, outputTokens: 2 }, finishReason: "tool-calls", model: "m-2" },
    ]);
  });

  it("throws InvalidOptionsError synchronously for an invalid request", () => {
    const llm = model("http://127.0.0.1:1/v1");
    const error = (() => {
      try {
        llm.stream({ messages: [{ role: "robot", content: "x" }] } as unknown as ModelRequest, call());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("request.messages[0].role");
  });

  it("sends nothing until iterated", async () => {
    const provider = await sim();
    const stream = model(provider.baseURL).stream(hi, call());
    await new Promise((resolve) => setImmediate(resolve));
    expect(provider.stats().requests).toBe(0);
    await collect(stream);
    expect(provider.stats().requests).toBe(1);
  });
});

describe("openAICompatible stream: failures", () => {
  it("an HTTP 429 before the body → the same ProviderError as generate", async () => {
    const provider = await sim({ script: [{ kind: "429", retryAfterS: 1 }] });
    const error = await failure(model(provider.baseURL).stream(hi, call()));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1000 });
  });

  it("a stream cut before the first chunk → retryable ProviderError", async () => {
    const provider = await sim({
      script: [{ kind: "stream-cut" }],
      reply: () => ({ toolCalls: [{ name: "t", arguments: { a: "long argument text" } }] }),
    });
    const seen: ModelChunk[] = [];
    const error = await failure(model(provider.baseURL).stream(hi, call()), seen);
    expect(seen).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(provider.stats().cut).toBe(1);
  });

  it("a socket destroyed right after the headers → retryable ProviderError", async () => {
    const server = await sseServer((res) => {
      res.flushHeaders();
      setImmediate(() => res.destroy());
    });
    const error = await failure(model(server.baseURL).stream(hi, call()));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true });
  });

  it("a stream cut after chunks → StreamInterruptedError with the text so far", async () => {
    const provider = await sim({ script: [{ kind: "stream-cut" }], reply: () => "x".repeat(80), chunkSize: 8 });
    const seen: ModelChunk[] = [];
    const error = await failure(model(provider.baseURL).stream(hi, call()), seen);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    const interrupted = error as StreamInterruptedError;
    expect(seen.length).toBeGreaterThan(0);
    expect(interrupted.text).toBe(textOf(seen));
    expect(interrupted).toMatchObject({
      code: "STREAM_INTERRUPTED",
      retryable: false,
      provider: "openai",
      model: "sim-small",
    });
    expect(interrupted.cause).toBeInstanceOf(Error);
  });

  it("a stream that ends after text without a finish → StreamInterruptedError", async () => {
    const server = await sseServer((res) => {
      sse(res, chunk({ role: "assistant", content: "" }));
      sse(res, chunk({ content: "Hello" }));
      sse(res, chunk({ content: ", wor" }));
      res.end();
    });
    const error = await failure(model(server.baseURL).stream(hi, call()));
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error).toMatchObject({ text: "Hello, wor" });
    expect((error as Error).message).toMatch(/without a finish reason/);
  });

  it("a stream that ends before any chunk without a finish → retryable ProviderError", async () => {
    const server = await sseServer((res) => {
      sse(res, chunk({ role: "assistant", content: "" }));
      res.end();
    });
    const error = await failure(model(server.baseURL).stream(hi, call()));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true });
  });

  it("a malformed data line before the first chunk → retryable ProviderError with status and body", async () => {
    const provider = await sim({ script: [{ kind: "malformed" }] });
    const error = await failure(model(provider.baseURL).stream(hi, call()));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 200, retryable: true });
    expect((error as ProviderError).body).toContain("<truncated");
  });

  it("a malformed data line after text → StreamInterruptedError", async () => {
    const server = await sseServer((res) => {
      sse(res, chunk({ content: "partial" }));
      sse(res, "{not json");
      sse(res, "[DONE]");
      res.end();
    });
    const error = await failure(model(server.baseURL).stream(hi, call()));
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error).toMatchObject({ text: "partial" });
  });

  it("an error event in the stream → ProviderError quoting the provider (redacted)", async () => {
    const server = await sseServer((res) => {
      sse(res, { error: { message: "overloaded for key sk-secret-123456", type: "server_error" } });
      res.end();
    });
    const error = await failure(model(server.baseURL, { apiKey: "sk-secret-123456" }).stream(hi, call()));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toMatch(/overloaded for key \[REDACTED\]/);
    expect(String(error) + (error as ProviderError).body).not.toContain("sk-secret-123456");
  });

  it("an HTML page with status 200 → ProviderError", async () => {
    const page = "<html>login required</html>";
    const provider = await sim({ script: [{ kind: "status", status: 200, body: page, contentType: "text/html" }] });
    const error = await failure(model(provider.baseURL).stream(hi, call()));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 200, retryable: true, body: page });
  });
});

describe("openAICompatible stream: cancellation", () => {
  /** Sends one text chunk, then holds the response open. */
  const holdAfterFirst = (res: ServerResponse): void => {
    sse(res, chunk({ content: "first" }));
  };

  it("abort mid-stream → rejects with the reason exactly, and the server sees the socket close", async () => {
    const server = await sseServer(holdAfterFirst);
    const controller = new AbortController();
    const reason = new Error("user pressed stop");
    const seen: ModelChunk[] = [];
    const error = await failure(
      (async function* () {
        for await (const c of model(server.baseURL).stream(hi, controller)) {
          yield c;
          controller.abort(reason);
        }
      })(),
      seen,
    );
    expect(error).toBe(reason);
    expect(seen).toEqual([{ type: "text", text: "first" }]);
    await server.waitForClientClose();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("abort while waiting for the next chunk → rejects with the reason", async () => {
    const server = await sseServer(holdAfterFirst);
    const controller = new AbortController();
    const iterator = model(server.baseURL).stream(hi, controller)[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: "text", text: "first" } });
    const pending = iterator.next();
    controller.abort("stop");
    await expect(pending).rejects.toBe("stop");
    await server.waitForClientClose();
  });

  it("a custom fetch that drops the signal: abort still rejects with the reason and closes the socket", async () => {
    const server = await sseServer(holdAfterFirst);
    const fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, { ...init, signal: null });
    const controller = new AbortController();
    const iterator = model(server.baseURL, { fetch }).stream(hi, controller)[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ value: { type: "text", text: "first" } });
    const pending = iterator.next();
    controller.abort("stop");
    await expect(pending).rejects.toBe("stop");
    await server.waitForClientClose();
  });

  it("break out of the loop → the server sees the socket close", async () => {
    const server = await sseServer(holdAfterFirst);
    const signal = new AbortController().signal;
    for await (const c of model(server.baseURL).stream(hi, { signal })) {
      expect(c).toEqual({ type: "text", text: "first" });
      break;
    }
    await server.waitForClientClose();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("a throw inside the loop → the server sees the socket close, the throw propagates", async () => {
    const provider = await sim({ reply: () => "y".repeat(400), chunkSize: 4, chunkDelayMs: 5 });
    const boom = new Error("consumer failed");
    await expect(
      (async () => {
        for await (const _ of model(provider.baseURL).stream(hi, call())) throw boom;
      })(),
    ).rejects.toBe(boom);
    await provider.waitForClientClose();
  });

  it("abort before iterating → rejects with the reason, nothing sent", async () => {
    const provider = await sim();
    const controller = new AbortController();
    controller.abort("early");
    expect(await failure(model(provider.baseURL).stream(hi, controller))).toBe("early");
    expect(provider.stats().requests).toBe(0);
  });
});
