/**
 * `fromAiSdk` reports the `x-ratelimit-*` headers of the AI SDK result's `response.headers` as
 * `rateLimit` (DESIGN §6.3), through the real `@ai-sdk/openai-compatible` provider talking to an HTTP
 * server on loopback.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { OutgoingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { chunk, sse } from "../../test-support/loopback-server.js";
import { call, hi, loopback } from "../../test-support/provider-fixtures.js";
import type { LanguageModel, ModelChunk } from "../language-model.js";
import { fromAiSdk } from "./ai-sdk.js";

const RATE_LIMIT_HEADERS: OutgoingHttpHeaders = {
  "x-ratelimit-remaining-requests": "0",
  "x-ratelimit-reset-requests": "2s",
  "x-ratelimit-remaining-tokens": "5000",
  "x-ratelimit-reset-tokens": "6m0s",
};
const EXPECTED = { remainingRequests: 0, resetRequestsMs: 2000, remainingTokens: 5000, resetTokensMs: 360_000 };

/** A server answering JSON or SSE (as the request asks) with `headers`; the AI SDK model wrapped. */
async function setup(headers: OutgoingHttpHeaders): Promise<LanguageModel> {
  const server = await loopback((_req, res, body) => {
    const streaming = (JSON.parse(body) as { stream?: unknown }).stream === true;
    if (!streaming) {
      res.writeHead(200, { "content-type": "application/json", ...headers });
      res.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 0,
          model: "m-1",
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", ...headers });
    sse(res, chunk({ role: "assistant", content: "o" }));
    sse(res, chunk({ content: "k" }, "stop"));
    sse(res, "[DONE]");
    res.end();
  });
  return fromAiSdk(createOpenAICompatible({ name: "lb", baseURL: server.baseURL }).chatModel("m"));
}

async function chunks(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe("fromAiSdk: rate-limit headers", () => {
  it("generate() sets rateLimit from the result's response.headers", async () => {
    const llm = await setup(RATE_LIMIT_HEADERS);
    const response = await llm.generate(hi, call());
    expect(response.text).toBe("ok");
    expect(response.rateLimit).toEqual(EXPECTED);
  });

  it("generate() leaves rateLimit out when the headers hold none of them", async () => {
    const llm = await setup({});
    const response = await llm.generate(hi, call());
    expect(response.text).toBe("ok");
    expect(response).not.toHaveProperty("rateLimit");
  });

  it("stream() puts rateLimit on the finish chunk", async () => {
    const llm = await setup(RATE_LIMIT_HEADERS);
    const all = await chunks((llm.stream as NonNullable<LanguageModel["stream"]>)(hi, call()));
    const finish = all.at(-1);
    expect(finish).toMatchObject({ type: "finish", finishReason: "stop", rateLimit: EXPECTED });
    expect(all.filter((c) => "rateLimit" in c)).toHaveLength(1);
  });

  it("stream() leaves rateLimit out of the finish chunk when the headers hold none of them", async () => {
    const llm = await setup({ "x-ratelimit-remaining-requests": "lots" });
    const all = await chunks((llm.stream as NonNullable<LanguageModel["stream"]>)(hi, call()));
    expect(all.at(-1)).toMatchObject({ type: "finish", finishReason: "stop" });
    expect(all.at(-1)).not.toHaveProperty("rateLimit");
  });
});
