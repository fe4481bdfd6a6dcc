import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import type { InvalidOptionsError } from "../../core/errors.js";
import {
  abortWhenHung,
  answer,
  call,
  hi,
  loopback,
  providerError,
  rejection,
  simulated as sim,
} from "../../test-support/provider-fixtures.js";
import { openAICompatible } from "./openai-compatible.js";

describe("openAICompatible: errors", () => {
  it("400 → ProviderError, not retryable, with the provider's message", async () => {
    const provider = await sim({ script: [{ kind: "status", status: 400 }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const error = await providerError(llm.generate(hi, call()));
    expect(error).toMatchObject({
      code: "PROVIDER_ERROR",
      status: 400,
      retryable: false,
      provider: "openai",
      model: "sim-small",
    });
    expect(error.message).toMatch(/^openai sim-small: HTTP 400 Bad Request: Simulated status 400/);
    expect(error.body).toContain("invalid_request_error");
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("429 with retry-after: 1 → retryable, retryAfterMs 1000", async () => {
    const provider = await sim({ script: [{ kind: "429", retryAfterS: 1 }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small", provider: "sim" });
    const error = await providerError(llm.generate(hi, call()));
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1000, provider: "sim" });
    expect(error.message).toMatch(/^sim sim-small: HTTP 429 Too Many Requests: Rate limit reached/);
  });

  it("429 with only x-ratelimit-reset-tokens: 6m0s → retryAfterMs 360000", async () => {
    const provider = await sim({
      script: [
        {
          kind: "status",
          status: 429,
          headers: { "x-ratelimit-reset-tokens": "6m0s", "x-ratelimit-reset-requests": "20ms" },
        },
      ],
    });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    expect(await providerError(llm.generate(hi, call()))).toMatchObject({ status: 429, retryAfterMs: 360_000 });
  });

  it("500 → retryable", async () => {
    const provider = await sim({ script: [{ kind: "500" }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    expect(await providerError(llm.generate(hi, call()))).toMatchObject({ status: 500, retryable: true });
  });

  it("502 HTML error page → ProviderError with the status and the page as body", async () => {
    const page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const provider = await sim({ script: [{ kind: "status", status: 502, body: page, contentType: "text/html" }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const error = await providerError(llm.generate(hi, call()));
    expect(error).toMatchObject({ status: 502, retryable: true, body: page });
    expect(error.message).toBe("openai sim-small: HTTP 502 Bad Gateway");
  });

  it.each<[string, string, RegExp]>([
    ["an HTML page", "<!doctype html><html>maintenance</html>", /not JSON/],
    ["bad JSON", '{"choices": [', /not JSON/],
    ["JSON without choices", '{"id":"x","object":"chat.completion"}', /no `choices`/],
    ["an error object with a 200", '{"error":{"message":"upstream exploded"}}', /no `choices`.*upstream exploded/],
    ["a choice without message", '{"choices":[{"index":0,"finish_reason":"stop"}]}', /no `message`/],
    [
      "a tool call without a name",
      '{"choices":[{"message":{"tool_calls":[{"id":"c","function":{}}]}}]}',
      /without a function name/,
    ],
    ["a JSON array", "[1,2]", /not an object/],
  ])("200 with %s → retryable ProviderError with status and body", async (_name, body, message) => {
    const provider = await sim(answer(body));
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const error = await providerError(llm.generate(hi, call()));
    expect(error).toMatchObject({ status: 200, retryable: true, body });
    expect(error.message).toMatch(message);
  });

  it("the server closing the socket mid-body → retryable ProviderError without status", async () => {
    const provider = await sim({ script: [{ kind: "stream-cut" }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const error = await providerError(llm.generate(hi, call()));
    expect(error).toMatchObject({ status: undefined, retryable: true });
    expect(error.cause).toBeInstanceOf(Error);
    expect(provider.stats().cut).toBe(1);
  });

  it("a refused connection → retryable ProviderError without status, with the cause", async () => {
    const server = await loopback(() => undefined);
    const baseURL = server.baseURL;
    await server.close();
    const llm = openAICompatible({ baseURL, model: "m" });
    const error = await providerError(llm.generate(hi, call()));
    expect(error).toMatchObject({ status: undefined, retryable: true });
    expect(error.message).toMatch(/^openai m: request failed: fetch failed/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("a large error body is read up to 64 KB and the rest cancelled", async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(503, { "content-type": "text/plain" });
      const block = "x".repeat(16 * 1024);
      // Keeps writing until the client goes away: only a capped read can finish.
      const pump = (): void => {
        while (!res.destroyed && res.write(block));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    const llm = openAICompatible({ baseURL: server.baseURL, model: "m" });
    const error = await providerError(llm.generate(hi, call()));
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(error.body.length).toBe(2048);
    await server.waitForClientClose();
  });

  it("redacts the API key and echoed credentials from body, message and String(error)", async () => {
    const apiKey = "sk-secret-123456";
    const provider = await sim({
      script: [
        {
          kind: "status",
          status: 401,
          body: ({ headers }) =>
            JSON.stringify({
              error: { message: `Invalid key ${apiKey}; you sent Authorization: ${headers.authorization ?? ""}` },
              echo: { authorization: headers.authorization, key: apiKey, custom: headers["x-org-token"] },
            }),
        },
      ],
    });
    const llm = openAICompatible({
      baseURL: provider.baseURL,
      model: "sim-small",
      apiKey,
      headers: { "x-org-token": "org-token-value-42" },
    });
    const error = await providerError(llm.generate(hi, call()));
    expect(error.status).toBe(401);
    expect(error.message).toContain("Invalid key");
    for (const text of [error.body, error.message, String(error), JSON.stringify(error)]) {
      expect(text).not.toContain("sk-secret-123456");
      expect(text).not.toContain("123456");
      expect(text).not.toContain("org-token-value-42");
    }
    expect(error.body).toContain("[REDACTED]");
  });

  it("abort before the call → rejects with the reason, nothing sent", async () => {
    const provider = await sim();
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    controller.abort(reason);
    expect(await rejection(llm.generate(hi, controller))).toBe(reason);
    expect(provider.stats().requests).toBe(0);
  });

  it("abort while the provider hangs → rejects with the reason exactly and closes the socket", async () => {
    const provider = await sim({ script: [{ kind: "hang" }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const controller = new AbortController();
    const reason = { why: "not an Error" };
    expect(await abortWhenHung(provider, controller, reason, llm.generate(hi, controller))).toBe(reason);
    await provider.waitForClientClose();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("removes its abort listener from a long-lived signal after each call", async () => {
    const provider = await sim({ script: [{ kind: "ok" }, { kind: "500" }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const controller = new AbortController();
    await llm.generate(hi, controller);
    await rejection(llm.generate(hi, controller));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("works with a reason-less options object (no signal)", async () => {
    const provider = await sim();
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    await expect(llm.generate(hi, {} as { signal: AbortSignal })).resolves.toMatchObject({ model: "sim-small" });
    const error = await rejection(llm.generate(hi, { signal: "nope" } as unknown as { signal: AbortSignal }));
    expect((error as InvalidOptionsError).option).toBe("options.signal");
  });
});
