/**
 * `openAICompatible` reports the server's `x-ratelimit-*` headers as `rateLimit` on successful answers
 * (DESIGN §6.3: a router skips a model whose last answer said a bucket is empty), against a real
 * HTTP server on loopback.
 */
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { chunk, sse } from "../../test-support/loopback-server.js";
import { call, hi, loopback } from "../../test-support/provider-fixtures.js";
import { createTestContext } from "../../testing/test-context.js";
import type { ModelChunk } from "../language-model.js";
import { model } from "../model.js";
import { openAICompatible } from "./openai-compatible.js";

const RATE_LIMIT_HEADERS: OutgoingHttpHeaders = {
  "x-ratelimit-limit-requests": "60",
  "x-ratelimit-remaining-requests": "0",
  "x-ratelimit-reset-requests": "1s",
  "x-ratelimit-remaining-tokens": "149984",
  "x-ratelimit-reset-tokens": "6m0s",
};

const COMPLETION = JSON.stringify({
  model: "m-1",
  choices: [{ index: 0, message: { content: "ok" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 1 },
});

/** A server answering every request with a JSON completion and `headers`. */
function jsonServer(headers: OutgoingHttpHeaders): ReturnType<typeof loopback> {
  return loopback((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", ...headers });
    res.end(COMPLETION);
  });
}

/** A server answering every request with an SSE stream of "o", "k" and `headers`. */
function sseServer(headers: OutgoingHttpHeaders): ReturnType<typeof loopback> {
  return loopback((_req, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream", ...headers });
    sse(res, chunk({ content: "o" }));
    sse(res, chunk({ content: "k" }, "stop"));
    sse(res, { model: "m-1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } });
    sse(res, "[DONE]");
    res.end();
  });
}

async function chunks(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

const EXPECTED = { remainingRequests: 0, resetRequestsMs: 1000, remainingTokens: 149_984, resetTokensMs: 360_000 };

describe("openAICompatible: rate-limit headers of a successful answer", () => {
  it("generate() sets response.rateLimit from the x-ratelimit-* headers", async () => {
    const server = await jsonServer(RATE_LIMIT_HEADERS);
    const response = await openAICompatible({ baseURL: server.baseURL, model: "m" }).generate(hi, call());
    expect(response.text).toBe("ok");
    expect(response.rateLimit).toEqual(EXPECTED);
  });

  it("generate() leaves rateLimit out when the server sent none of the headers", async () => {
    const server = await jsonServer({});
    const response = await openAICompatible({ baseURL: server.baseURL, model: "m" }).generate(hi, call());
    expect(response).not.toHaveProperty("rateLimit");
    expect(response).toEqual({
      text: "ok",
      toolCalls: [],
      usage: { inputTokens: 3, outputTokens: 1 },
      model: "m-1",
      finishReason: "stop",
    });
  });

  it("generate() keeps the well-formed headers and ignores malformed ones", async () => {
    const server = await jsonServer({
      "x-ratelimit-remaining-requests": "-1",
      "x-ratelimit-reset-requests": "soon",
      "x-ratelimit-remaining-tokens": "42",
    });
    const response = await openAICompatible({ baseURL: server.baseURL, model: "m" }).generate(hi, call());
    expect(response.rateLimit).toEqual({ remainingTokens: 42 });
  });

  it("the model() primitive hands rateLimit on to its caller", async () => {
    const server = await jsonServer(RATE_LIMIT_HEADERS);
    const llm = openAICompatible({ baseURL: server.baseURL, model: "m" });
    const response = await model(llm).execute(hi, createTestContext());
    expect(response.rateLimit).toEqual(EXPECTED);
  });

  it("stream() puts rateLimit on the finish chunk only", async () => {
    const server = await sseServer(RATE_LIMIT_HEADERS);
    const all = await chunks(openAICompatible({ baseURL: server.baseURL, model: "m" }).stream(hi, call()));
    expect(all.map((c) => c.type)).toEqual(["text", "text", "finish"]);
    expect(all.at(-1)).toEqual({
      type: "finish",
      usage: { inputTokens: 3, outputTokens: 1 },
      finishReason: "stop",
      model: "m-1",
      rateLimit: EXPECTED,
    });
    for (const c of all.slice(0, -1)) expect(c).not.toHaveProperty("rateLimit");
  });

  it("stream() leaves rateLimit out of the finish chunk when the server sent none", async () => {
    const server = await sseServer({});
    const all = await chunks(openAICompatible({ baseURL: server.baseURL, model: "m" }).stream(hi, call()));
    expect(all.at(-1)).toMatchObject({ type: "finish", finishReason: "stop" });
    expect(all.at(-1)).not.toHaveProperty("rateLimit");
  });

  it("stream() answered with whole JSON (stream ignored) still reports rateLimit on its finish chunk", async () => {
    const server = await jsonServer({ "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "20ms" });
    const all = await chunks(openAICompatible({ baseURL: server.baseURL, model: "m" }).stream(hi, call()));
    expect(all.at(-1)).toMatchObject({ type: "finish", rateLimit: { remainingTokens: 0, resetTokensMs: 20 } });
  });
});
