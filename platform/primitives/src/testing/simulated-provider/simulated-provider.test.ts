import { defaultCatalog } from "../../orchestration/catalog.js";
import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../../core/errors.js";
import { apiError, simulated as start } from "../../test-support/provider-fixtures.js";
import { startSimulatedProvider } from "./server.js";
import type { SimulatedProvider } from "./types.js";

interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}
interface ToolCallJson {
  readonly index?: number;
  readonly id?: string;
  readonly type?: string;
  readonly function: { readonly name?: string; readonly arguments: string };
}
interface Completion {
  readonly id: string;
  readonly created: number;
  readonly choices: readonly {
    readonly message: { readonly content: string | null; readonly tool_calls?: readonly ToolCallJson[] };
    readonly finish_reason: string;
  }[];
  readonly usage: Usage;
}
interface Chunk {
  readonly id: string;
  readonly object: string;
  readonly choices: readonly {
    readonly delta: { readonly content?: string; readonly tool_calls?: readonly ToolCallJson[] };
    readonly finish_reason: string | null;
  }[];
  readonly usage?: Usage | null;
}

const completion = (res: Response) => res.json() as Promise<Completion>;

const messages = [{ role: "user", content: "What is the capital of France?" }];

function post(provider: SimulatedProvider, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${provider.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The JSON payloads of an SSE body, `[DONE]` kept as a string. */
function events(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((block) => block.length > 0)
    .map((block) => {
      expect(block.startsWith("data: ")).toBe(true);
      const data = block.slice("data: ".length);
      return data === "[DONE]" ? data : JSON.parse(data);
    });
}

describe("non-stream answers", () => {
  it("have OpenAI's chat.completion shape, with usage and cost counted", async () => {
    const provider = await start();
    const res = await post(provider, { model: "sim-large", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await completion(res);
    const text = `Simulated answer from sim-large: ${messages[0]!.content}`;
    expect(body).toMatchObject({
      id: "chatcmpl-sim-1",
      object: "chat.completion",
      model: "sim-large",
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage: { prompt_tokens: 8, completion_tokens: Math.ceil(text.length / 4) },
    });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(typeof body.created).toBe("number");
    const stats = provider.stats();
    expect(stats).toMatchObject({ requests: 1, byStatus: { "200": 1 }, inputTokens: 8, inFlight: 0 });
    expect(stats.costUsd).toBeCloseTo((8 * 2.5 + stats.outputTokens * 10) / 1e6, 12);
  });

  it("carry tool calls from the reply function, with ids and JSON-string arguments", async () => {
    const provider = await start({
      reply: () => ({
        toolCalls: [
          { name: "lookup", arguments: { city: "Paris" } },
          { name: "now", arguments: {} },
        ],
      }),
    });
    const body = await completion(await post(provider, { model: "sim-small", messages }));
    expect(body.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "now", arguments: "{}" } },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
  });

  it("give JSON text when response_format asks for JSON, and obey max_tokens", async () => {
    const provider = await start();
    const json = await completion(
      await post(provider, { model: "sim-small", messages, response_format: { type: "json_object" } }),
    );
    expect(JSON.parse(json.choices[0]?.message.content ?? "")).toEqual({
      model: "sim-small",
      answer: messages[0]!.content,
    });
    const short = await completion(await post(provider, { model: "sim-small", messages, max_tokens: 2 }));
    expect(short.choices[0]).toMatchObject({ message: { content: "Simulate" }, finish_reason: "length" });
    expect(short.usage.completion_tokens).toBe(2);
  });

  it("pass the request (credentials redacted) to an async reply function, and record it", async () => {
    const provider = await start({ reply: async (request) => `${request.model}:${String(request.stream)}` });
    const res = await post(provider, { model: "sim-small", messages }, { authorization: "Bearer sk-secret-value" });
    expect((await completion(res)).choices[0]?.message.content).toBe("sim-small:false");
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0]).toMatchObject({ model: "sim-small", stream: false, body: { messages } });
    expect(provider.requests[0]!.headers.authorization).toBe("[REDACTED]");
  });

  it("a reply function that throws or returns nonsense gives a 500", async () => {
    const provider = await start({ script: [], reply: () => ({ text: 42 }) as never });
    expect((await post(provider, { model: "sim-small", messages })).status).toBe(500);
    provider.configure({
      reply: () => {
        throw new Error("boom");
      },
    });
    const res = await post(provider, { model: "sim-small", messages });
    expect(res.status).toBe(500);
    expect((await apiError(res)).error.type).toBe("server_error");
  });
});

describe("stream answers", () => {
  it("are SSE chunks like OpenAI's: role, text pieces, finish, usage, [DONE]", async () => {
    const provider = await start({ chunkSize: 10, reply: () => "Paris is the capital." });
    const body = { model: "sim-small", messages, stream: true, stream_options: { include_usage: true } };
    const res = await post(provider, body);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const all = events(await res.text()) as Chunk[];
    expect(all.at(-1)).toBe("[DONE]");
    const chunks = all.slice(0, -1);
    for (const chunk of chunks) expect(chunk).toMatchObject({ id: "chatcmpl-sim-1", object: "chat.completion.chunk" });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: "assistant", content: "" },
      { content: "Paris is t" },
      { content: "he capital" },
      { content: "." },
      {},
      undefined,
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual([
      null,
      null,
      null,
      null,
      "stop",
      null,
    ]);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 8, completion_tokens: 6, total_tokens: 14 },
    });
    expect(chunks[0]!.usage).toBeNull();
    expect(provider.stats()).toMatchObject({ inputTokens: 8, outputTokens: 6, byStatus: { "200": 1 } });
  });

  it("send tool calls as deltas: id and name first, then argument fragments; no usage chunk unless asked", async () => {
    const args = { query: "capital of France", limit: 3 };
    const provider = await start({
      chunkSize: 8,
      chunkDelayMs: 1,
      reply: () => ({ toolCalls: [{ name: "search", arguments: args }] }),
    });
    const res = await post(provider, { model: "sim-small", messages, stream: true });
    const chunks = events(await res.text()).slice(0, -1) as Chunk[];
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !("usage" in chunk))).toBe(true);
    const deltas = chunks.map((chunk) => chunk.choices[0]!.delta);
    expect(deltas[1]).toEqual({
      tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "search", arguments: "" } }],
    });
    const fragments = deltas.slice(2, -1);
    expect(fragments.length).toBeGreaterThan(2);
    const calls = fragments.map((delta) => delta.tool_calls?.[0]);
    for (const call of calls) expect(Object.keys(call ?? {})).toEqual(["index", "function"]);
    expect(JSON.parse(calls.map((call) => call?.function.arguments).join(""))).toEqual(args);
    expect(chunks.at(-1)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "tool_calls" });
  });
});

describe("routes and errors", () => {
  it("GET /v1/models lists the models", async () => {
    const provider = await start({ models: ["a", { id: "b", contextWindow: 4_096 }, "gpt-4o-mini"] });
    const body = (await (await fetch(`${provider.baseURL}/models`)).json()) as {
      object: string;
      data: Record<string, unknown>[];
    };
    expect(body.object).toBe("list");
    expect(body.data.map((m: Record<string, unknown>) => [m.id, m.object, m.owned_by])).toEqual([
      ["a", "model", "simulated"],
      ["b", "model", "simulated"],
      ["gpt-4o-mini", "model", "simulated"],
    ]);
    // Context windows: given, else the catalogue's (defaultCatalog lists gpt-4o-mini), else 128 000.
    expect(provider.models).toEqual([
      { id: "a", contextWindow: 128_000 },
      { id: "b", contextWindow: 4_096 },
      { id: "gpt-4o-mini", contextWindow: defaultCatalog.get("gpt-4o-mini")?.contextWindow },
    ]);
  });

  it("an unknown model is a 404 model_not_found; an unknown route is a 404", async () => {
    const provider = await start();
    const res = await post(provider, { model: "gpt-9", messages });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: "The model `gpt-9` does not exist",
        type: "invalid_request_error",
        param: null,
        code: "model_not_found",
      },
    });
    expect((await fetch(`${provider.baseURL}/completions`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${provider.baseURL}/chat/completions`)).status).toBe(404);
  });

  it("invalid JSON, a missing messages array or a missing model is a 400", async () => {
    const provider = await start();
    for (const body of ["{not json", JSON.stringify({ model: "sim-small" }), JSON.stringify({ messages }), "[1]"]) {
      const res = await post(provider, body);
      expect(res.status).toBe(400);
      expect((await apiError(res)).error.type).toBe("invalid_request_error");
    }
  });

  it("a prompt longer than the context window is a 400 context_length_exceeded", async () => {
    const provider = await start({ models: [{ id: "tiny", contextWindow: 5 }] });
    const res = await post(provider, { model: "tiny", messages: [{ role: "user", content: "x".repeat(21) }] });
    expect(res.status).toBe(400);
    expect((await apiError(res)).error.code).toBe("context_length_exceeded");
  });

  it("a body over maxBodyBytes is a 413", async () => {
    const provider = await start({ maxBodyBytes: 100 });
    const res = await post(provider, { model: "sim-small", messages: [{ role: "user", content: "x".repeat(500) }] });
    expect(res.status).toBe(413);
    expect((await apiError(res)).error.type).toBe("invalid_request_error");
    expect((await post(provider, { model: "sim-small", messages: [] })).status).toBe(200);
  });

  it("with apiKey, a missing or wrong key is a 401 that never echoes the key", async () => {
    const apiKey = "sk-simulated-secret-0123456789";
    const provider = await start({ apiKey });
    for (const headers of [{}, { authorization: "Bearer sk-wrong-key-0123456789" }, { authorization: apiKey }]) {
      const res = await post(provider, { model: "sim-small", messages }, headers);
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain("sk-wrong");
      expect(JSON.parse(text).error.code).toBe("invalid_api_key");
    }
    expect((await fetch(`${provider.baseURL}/models`)).status).toBe(401);
    const ok = await post(provider, { model: "sim-small", messages }, { authorization: `Bearer ${apiKey}` });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(provider.requests)).not.toContain(apiKey);
  });
});

describe("lifecycle", () => {
  it("binds loopback only and reports its base URL", async () => {
    const provider = await start();
    expect(provider.baseURL).toBe(`http://127.0.0.1:${provider.port}/v1`);
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com", "128.0.0.1", "::ffff:127.0.0.1"])
      await expect(startSimulatedProvider({ host })).rejects.toMatchObject({ option: "host" });
  });

  it("close() resolves with a hung request in flight, frees the port, and is idempotent", async () => {
    const provider = await startSimulatedProvider({ script: [{ kind: "hang" }] });
    const failed = expect(post(provider, { model: "sim-small", messages })).rejects.toThrow();
    await expect.poll(() => provider.stats().hung, { interval: 5 }).toBe(1);
    const waiting = expect(provider.waitForClientClose()).rejects.toThrow(/closed/);
    await provider.close();
    await provider.close();
    await waiting;
    await failed;
    expect(provider.stats()).toMatchObject({ clientClosed: 0, inFlight: 0 });
    const again = await start({ port: provider.port });
    expect(again.port).toBe(provider.port);
  });

  it("supports await using", async () => {
    let port: number;
    {
      await using provider = await startSimulatedProvider();
      port = provider.port;
    }
    const again = await start({ port });
    expect(again.port).toBe(port);
  });

  it("waitForClientClose rejects a bad count", async () => {
    const provider = await start();
    await expect(provider.waitForClientClose(-1)).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(provider.waitForClientClose(0)).resolves.toBeUndefined();
  });
});
