import { inspect } from "node:util";
/**
 * How `fromAiSdk` maps the errors of a real AI SDK provider (`@ai-sdk/openai-compatible` against the
 * simulated server on loopback): HTTP statuses, retry hints, redacted bodies, network failures, aborts.
 */
import { describe, expect, it } from "vitest";
import { ProviderError, StreamInterruptedError, isTtaError } from "../../core/errors.js";
import {
  SIM_API_KEY,
  abortWhenHung,
  collect,
  hello,
  neverAborted as signal,
  rejection,
  setupAiSdkSim as setup,
} from "../../test-support/ai-sdk-sim.js";
import { fromAiSdk } from "./ai-sdk.js";
import { toProviderError } from "./ai-sdk-errors.js";
import type { AiSdkLanguageModel, AiSdkStreamPart } from "./ai-sdk-types.js";

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

  it("keeps a streamed error object as the (redacted) body, and only its kind in the message", () => {
    const error = toProviderError({ message: "overloaded", type: "server_error", key: "sk-abcdefghijklmnop" }, label);
    expect(error.message).toBe('AI SDK provider "acme" model "m-1" failed: an error object');
    expect(error.body).toContain("overloaded");
    expect(error.body).toContain("server_error");
    expect(error.body).not.toContain("sk-abcdefghijklmnop");
    expect(isTtaError(error, "PROVIDER_ERROR")).toBe(true);
  });

  it("quotes the (redacted) message only of errors that carry no user content; names the others", () => {
    const secrets = ["gw_live_0123456789abcdef"];
    const quoted: [Error, string][] = [
      [new TypeError("fetch failed"), "fetch failed"],
      [
        Object.assign(new Error("AI SDK API key is missing. Pass it using the 'apiKey' parameter."), {
          name: "AI_LoadAPIKeyError",
        }),
        "AI SDK API key is missing",
      ],
      [
        Object.assign(new Error("No such languageModel: m-2"), { name: "AI_NoSuchModelError" }),
        "No such languageModel",
      ],
      [
        Object.assign(new Error("'images' functionality not supported."), { name: "AI_UnsupportedFunctionalityError" }),
        "functionality not supported",
      ],
      [Object.assign(new Error("Missing setting baseURL"), { name: "AI_LoadSettingError" }), "Missing setting"],
      [
        Object.assign(new Error("Cannot connect to API: key gw_live_0123456789abcdef refused"), {
          name: "AI_APICallError",
        }),
        "Cannot connect to API: key [REDACTED] refused",
      ],
    ];
    for (const [thrown, expected] of quoted) {
      const error = toProviderError(thrown, { ...label, secrets });
      expect(error.message).toContain(expected);
      expect((error.cause as Error).message).toContain(expected);
      expect(inspect(error, { depth: 10 })).not.toContain(secrets[0]);
    }
    const named: Error[] = [
      Object.assign(new Error("Invalid prompt: my card is 4242 4242 4242 4242"), { name: "AI_InvalidPromptError" }),
      Object.assign(new Error('JSON parsing failed: Text: {"content":"PRIVATE-COMPLETION'), {
        name: "AI_JSONParseError",
      }),
      new RangeError("PRIVATE-COMPLETION out of range"),
      new Error("PRIVATE-COMPLETION"),
    ];
    for (const thrown of named) {
      const error = toProviderError(thrown, label);
      expect(error.message).toBe(`AI SDK provider "acme" model "m-1" failed: ${thrown.name}`);
      expect(error.cause).toBeInstanceOf(Error);
      expect((error.cause as Error).name).toBe(thrown.name);
      expect((error.cause as Error).message).toBe("");
      expect(error.body).toBe("");
      const printed = inspect(error, { depth: 10 });
      expect(printed).not.toContain("PRIVATE-COMPLETION");
      expect(printed).not.toContain("4242");
    }
  });

  it("redacts the configured secrets from the message, the cause and the body of an APICallError", () => {
    const key = "gw_live_0123456789abcdef";
    const apiError = Object.assign(new Error(`Unauthorized: invalid key ${key}`), {
      name: "AI_APICallError",
      statusCode: 401,
      responseBody: `{"error":{"message":"invalid key ${key}"}}`,
    });
    const error = toProviderError(apiError, { ...label, secrets: [key] });
    expect(error.body).toBe('{"error":{"message":"invalid key [REDACTED]"}}');
    expect((error.cause as Error).message).toBe("Unauthorized: invalid key [REDACTED]");
    expect(inspect(error, { depth: 10 })).not.toContain(key);
    // Without `secrets`, only the generic shapes are redacted: a key of another shape stays.
    expect(toProviderError(apiError, label).body).toContain(key);
  });
});

describe("fromAiSdk: errors whose message quotes model output", () => {
  const completion = "PRIVATE-COMPLETION: the patient's diagnosis is";
  // What `@ai-sdk/provider`'s TypeValidationError builds when a chunk fails its schema: the raw chunk in the message.
  const typeValidationError = (): Error =>
    Object.assign(
      new Error(
        `Type validation failed: Value: {"choices":[{"delta":{"content":${JSON.stringify(completion)}}}]}.\nError message: bad`,
      ),
      { name: "AI_TypeValidationError", value: { choices: [{ delta: { content: completion } }] } },
    );
  const partsStream = (parts: readonly AiSdkStreamPart[]): ReadableStream<AiSdkStreamPart> =>
    new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
  const failing = (overrides: Partial<AiSdkLanguageModel>): AiSdkLanguageModel => ({
    specificationVersion: "v3",
    provider: "acme.chat",
    modelId: "m-1",
    doGenerate: () => Promise.reject(typeValidationError()),
    doStream: () => Promise.reject(typeValidationError()),
    ...overrides,
  });
  const expectNoCompletion = (error: unknown): void => {
    expect(error).toBeInstanceOf(Error);
    const failure = error as Error;
    expect(failure.message).not.toContain("PRIVATE-COMPLETION");
    expect(String(failure)).not.toContain("PRIVATE-COMPLETION");
    expect(failure.stack ?? "").not.toContain("PRIVATE-COMPLETION");
    expect(inspect(failure, { depth: 10 })).not.toContain("PRIVATE-COMPLETION");
    expect(failure.cause).toBeInstanceOf(Error);
    expect((failure.cause as Error).name).toBe("AI_TypeValidationError");
    expect(inspect(failure.cause, { depth: 10 })).not.toContain("PRIVATE-COMPLETION");
  };

  it("generate: the ProviderError names the error and quotes none of the chunk", async () => {
    const error = await rejection(fromAiSdk(failing({})).generate(hello, { signal: signal() }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe('AI SDK provider "acme" model "m-1" failed: AI_TypeValidationError');
    expect((error as ProviderError).body).toBe("");
    expectNoCompletion(error);
  });

  it("stream: an error part before and after the first chunk quotes none of the chunk", async () => {
    const before = failing({
      doStream: () => Promise.resolve({ stream: partsStream([{ type: "error", error: typeValidationError() }]) }),
    });
    const early = await rejection(collect(fromAiSdk(before).stream!(hello, { signal: signal() })));
    expect(early).toBeInstanceOf(ProviderError);
    expectNoCompletion(early);
    const after = failing({
      doStream: () =>
        Promise.resolve({
          stream: partsStream([
            { type: "text-delta", delta: "Hi" },
            { type: "error", error: typeValidationError() },
          ]),
        }),
    });
    const late = await rejection(collect(fromAiSdk(after).stream!(hello, { signal: signal() })));
    expect(late).toBeInstanceOf(StreamInterruptedError);
    expect((late as StreamInterruptedError).message).toMatch(/AI_TypeValidationError$/);
    expectNoCompletion(late);
  });

  it("a real @ai-sdk/openai-compatible model: an SSE chunk that does not parse is named, not quoted", async () => {
    // The provider streams an AI_JSONParseError whose message quotes the raw chunk.
    const { llm } = await setup({ script: [{ kind: "malformed" }] });
    const error = await rejection(collect(llm.stream!(hello, { signal: signal() })));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe('AI SDK provider "sim" model "sim-small" failed: AI_JSONParseError');
    expect(inspect(error, { depth: 10 })).not.toMatch(/JSON parsing failed|"delta"/);
  });
});

describe("fromAiSdk: secrets", () => {
  const key = "gw_live_0123456789abcdef";
  const echoKey = [{ kind: "status" as const, status: 401, body: () => `invalid key ${key}` }];
  // A JSON error body: the AI SDK's APICallError then quotes its `error.message` in its own message.
  const echoKeyJson = [
    {
      kind: "status" as const,
      status: 401,
      body: () => JSON.stringify({ error: { message: `invalid key ${key}`, type: "invalid_request_error" } }),
    },
  ];

  it("redacts a configured key of no well-known shape from the body, message and cause", async () => {
    const { sdkModel } = await setup({ script: [...echoKey, ...echoKeyJson, ...echoKeyJson] });
    const llm = fromAiSdk(sdkModel, { secrets: [key] });
    const plain = (await rejection(llm.generate(hello, { signal: signal() }))) as ProviderError;
    expect(plain).toBeInstanceOf(ProviderError);
    expect(plain).toMatchObject({ status: 401, retryable: false, body: "invalid key [REDACTED]" });
    expect(inspect(plain, { depth: 10 })).not.toContain(key);
    for (const call of [
      () => llm.generate(hello, { signal: signal() }),
      () => collect(llm.stream!(hello, { signal: signal() })),
    ]) {
      const error = (await rejection(call())) as ProviderError;
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 401, retryable: false });
      expect(error.body).toContain("invalid key [REDACTED]");
      expect(error.message).toBe('AI SDK provider "sim" model "sim-small" answered HTTP 401');
      expect((error.cause as Error).message).toBe("invalid key [REDACTED]");
      expect(inspect(error, { depth: 10 })).not.toContain(key);
    }
  });

  it("without `secrets`, only the generic shapes are redacted: such a key stays in the body", async () => {
    const { llm } = await setup({ script: [...echoKey, ...echoKeyJson] });
    const error = (await rejection(llm.generate(hello, { signal: signal() }))) as ProviderError;
    expect(error.body).toBe(`invalid key ${key}`);
    expect(error.message).not.toContain(key); // the message never contains the body
    const json = (await rejection(llm.generate(hello, { signal: signal() }))) as ProviderError;
    expect((json.cause as Error).message).toBe(`invalid key ${key}`);
  });
});
