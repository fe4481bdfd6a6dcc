import { inspect } from "node:util";
/**
 * How `fromAiSdk` maps the errors of a real AI SDK provider (`@ai-sdk/openai-compatible` against the
 * simulated server on loopback): HTTP statuses, retry hints, redacted bodies, network failures, aborts.
 */
import { describe, expect, it } from "vitest";
import { ProviderError, isTtaError } from "../../core/errors.js";
import {
  SIM_API_KEY,
  abortWhenHung,
  hello,
  neverAborted as signal,
  rejection,
  setupAiSdkSim as setup,
} from "../../test-support/ai-sdk-sim.js";
import { toProviderError } from "./ai-sdk-errors.js";

describe("fromAiSdk: errors", () => {
  it("maps a 429 with retry-after to a retryable ProviderError with retryAfterMs", async () => {
    const { llm } = await setup({ script: [{ kind: "429", retryAfterS: 1 }] });
    const error = await rejection(llm.generate(hello, { signal: signal() }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(isTtaError(error, "PROVIDER_ERROR")).toBe(true);
    expect(error).toMatchObject({
      provider: "sim",
      model: "sim-small",
      status: 429,
      retryable: true,
      retryAfterMs: 1000,
    });
  });

  it("maps a 500 to a retryable ProviderError and a 400 to a non-retryable one", async () => {
    const { llm } = await setup({ script: [{ kind: "500" }, { kind: "status", status: 400 }] });
    expect(await rejection(llm.generate(hello, { signal: signal() }))).toMatchObject({ status: 500, retryable: true });
    const bad = await rejection(llm.generate(hello, { signal: signal() }));
    expect(bad).toBeInstanceOf(ProviderError);
    expect(bad).toMatchObject({ status: 400, retryable: false, retryAfterMs: undefined });
    expect((bad as ProviderError).body).toContain("error");
  });

  it("redacts a key the provider echoes in its error body, and keeps the body out of the message", async () => {
    const { llm } = await setup({
      script: [{ kind: "status", status: 401, body: ({ headers }) => JSON.stringify({ error: headers }) }],
    });
    const error = (await rejection(llm.generate(hello, { signal: signal() }))) as ProviderError;
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.body).not.toBe("");
    expect(error.body).not.toContain(SIM_API_KEY);
    expect(error.message).not.toContain(error.body);
  });

  it("maps a malformed answer and a cut body to retryable ProviderErrors", async () => {
    const { llm } = await setup({ script: [{ kind: "malformed" }, { kind: "stream-cut" }] });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(llm.generate(hello, { signal: signal() }));
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).retryable).toBe(true);
    }
  });

  it("maps a refused connection to a retryable ProviderError without status", async () => {
    const { sim: server, llm } = await setup();
    await server.close();
    const error = await rejection(llm.generate(hello, { signal: signal() }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: undefined, retryable: true });
  });

  it("rejects with the abort reason when a hung request is aborted, and the server sees the socket close", async () => {
    const { sim: server, llm } = await setup({ script: [{ kind: "hang" }] });
    const controller = new AbortController();
    const reason = new Error("deadline");
    const pending = llm.generate(hello, { signal: controller.signal });
    expect(await abortWhenHung(server, controller, reason, pending)).toBe(reason);
    await server.waitForClientClose();
  });

  it("reads retry-after-ms from a 503's headers", async () => {
    const { llm } = await setup({ script: [{ kind: "status", status: 503, headers: { "retry-after-ms": "250" } }] });
    expect(await rejection(llm.generate(hello, { signal: signal() }))).toMatchObject({
      status: 503,
      retryable: true,
      retryAfterMs: 250,
    });
  });
});

describe("toProviderError", () => {
  const label = { provider: "acme", model: "m-1" };

  it("recognises an APICallError by its marker symbol, its name or its shape", () => {
    const marked = Object.assign(new Error("Too Many Requests"), {
      [Symbol.for("vercel.ai.error.AI_APICallError")]: true,
      statusCode: 429,
      responseHeaders: { "retry-after": "3" },
      responseBody: '{"error":"slow down"}',
    });
    expect(toProviderError(marked, label, 0)).toMatchObject({
      provider: "acme",
      model: "m-1",
      status: 429,
      retryable: true,
      retryAfterMs: 3000,
      body: '{"error":"slow down"}',
    });
    const named = Object.assign(new Error("Bad Request"), { name: "AI_APICallError", statusCode: 400 });
    expect(toProviderError(named, label)).toMatchObject({ status: 400, retryable: false });
    const shaped = {
      message: "x",
      url: "http://127.0.0.1/",
      requestBodyValues: {},
      isRetryable: false,
      statusCode: 409,
    };
    expect(toProviderError(shaped, label)).toMatchObject({ status: 409, retryable: true });
  });

  it("keeps only the name and the redacted message of the SDK error as cause (never its request body or headers)", () => {
    const leaky = Object.assign(new Error("Unauthorized: key sk-live-abcdefghijkl"), {
      name: "AI_APICallError",
      statusCode: 401,
      requestBodyValues: { messages: [{ role: "user", content: "my card is 4242 4242 4242 4242" }] },
      responseHeaders: { "x-echo-authorization": "Bearer sk-live-abcdefghijkl" },
    });
    const error = toProviderError(leaky, label);
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).name).toBe("AI_APICallError");
    const printed = inspect(error, { depth: 10 });
    expect(printed).not.toContain("4242");
    expect(printed).not.toContain("sk-live-abcdefghijkl");
  });

  it("ignores the SDK's isRetryable: a network error (no status) is retryable, a 4xx is not", () => {
    const network = { name: "AI_APICallError", message: "Cannot connect to API: ECONNREFUSED", isRetryable: false };
    expect(toProviderError(network, label)).toMatchObject({ status: undefined, retryable: true });
    const forbidden = { name: "AI_APICallError", message: "Forbidden", statusCode: 403, isRetryable: true };
    expect(toProviderError(forbidden, label)).toMatchObject({ status: 403, retryable: false });
  });

  it("makes errors that say the request cannot work non-retryable, and other errors retryable", () => {
    for (const name of ["AI_InvalidPromptError", "AI_UnsupportedFunctionalityError", "AI_LoadAPIKeyError"]) {
      expect(toProviderError(Object.assign(new Error(name), { name }), label).retryable).toBe(false);
    }
    expect(toProviderError(new TypeError("terminated"), label)).toMatchObject({ retryable: true, status: undefined });
    expect(toProviderError(Object.assign(new Error("bad json"), { name: "AI_JSONParseError" }), label).retryable).toBe(
      true,
    );
  });

  it("keeps a streamed error object as the (redacted) body and its message in the message", () => {
    const error = toProviderError({ message: "overloaded", type: "server_error", key: "sk-abcdefghijklmnop" }, label);
    expect(error.message).toContain("overloaded");
    expect(error.body).toContain("server_error");
    expect(error.body).not.toContain("sk-abcdefghijklmnop");
    expect(isTtaError(error, "PROVIDER_ERROR")).toBe(true);
  });
});
