import { describe, expect, it } from "vitest";
import type { WorkflowContext } from "../../core/context.js";
import { InvalidOptionsError, ProviderError, isTtaError } from "../../core/errors.js";
import { lambda } from "../../core/lambda.js";
import { retry } from "../../recovery/retry.js";
import type { RetryInfo } from "../../recovery/retry.js";
import { invalidOption } from "../../test-support/index.js";
import {
  answer,
  call,
  hi,
  loopback,
  providerError,
  rejection,
  simulated as sim,
} from "../../test-support/provider-fixtures.js";
import { createTestContext } from "../../testing/test-context.js";
import type { ModelRequest } from "../language-model.js";
import { OpenAICompatibleModel, openAICompatible } from "./openai-compatible.js";
import type { OpenAICompatibleOptions } from "./openai-compatible.js";

describe("openAICompatible: options", () => {
  const base = { baseURL: "http://127.0.0.1:1/v1", model: "m" };
  it.each<[string, unknown, string]>([
    ["omitted", undefined, "baseURL"],
    ["missing baseURL", { model: "m" }, "baseURL"],
    ["empty baseURL", { ...base, baseURL: "" }, "baseURL"],
    ["non-URL baseURL", { ...base, baseURL: "not a url" }, "baseURL"],
    ["ftp baseURL", { ...base, baseURL: "ftp://127.0.0.1/v1" }, "baseURL"],
    ["baseURL with credentials", { ...base, baseURL: "http://u:p@127.0.0.1/v1" }, "baseURL"],
    ["missing model", { baseURL: base.baseURL }, "model"],
    ["empty model", { ...base, model: "" }, "model"],
    ["negative maxTokens", { ...base, maxTokens: -1 }, "maxTokens"],
    ["zero maxTokens", { ...base, maxTokens: 0 }, "maxTokens"],
    ["fractional maxTokens", { ...base, maxTokens: 1.5 }, "maxTokens"],
    ["string maxTokens", { ...base, maxTokens: "10" }, "maxTokens"],
    ["non-string header value", { ...base, headers: { "x-foo": 1 } }, "headers.x-foo"],
    ["header value with CRLF", { ...base, headers: { "x-foo": "a\r\nx-evil: 1" } }, "headers.x-foo"],
    ["bad header name", { ...base, headers: { "x foo": "a" } }, "headers.x foo"],
    ["headers not an object", { ...base, headers: "x-foo: 1" }, "headers"],
    ["a header named __proto__", { ...base, headers: JSON.parse('{"__proto__":"x"}') as unknown }, "headers.__proto__"],
    ["a header named __PROTO__", { ...base, headers: { "x-a": "1", __PROTO__: "x" } }, "headers.__PROTO__"],
    ["numeric apiKey", { ...base, apiKey: 123 }, "apiKey"],
    ["empty apiKey", { ...base, apiKey: "" }, "apiKey"],
    ["non-function fetch", { ...base, fetch: "fetch" }, "fetch"],
    ["empty provider", { ...base, provider: "" }, "provider"],
    ["non-boolean includeUsage", { ...base, includeUsage: "yes" }, "includeUsage"],
    ["unknown key (typo)", { ...base, apikey: "sk-x" }, "apikey"],
  ])("%s → InvalidOptionsError naming %s", (_name, options, field) => {
    const error = invalidOption(() => openAICompatible(options as OpenAICompatibleOptions));
    expect(error.option).toBe(field);
  });

  it("rejects a null options argument", () => {
    expect(invalidOption(() => new OpenAICompatibleModel(null as unknown as OpenAICompatibleOptions)).option).toMatch(
      /options/,
    );
  });

  it("never echoes an invalid API key or header value", () => {
    const secret = "sk-secret-123456\n";
    const a = invalidOption(() => openAICompatible({ ...base, apiKey: secret }));
    const b = invalidOption(() => openAICompatible({ ...base, headers: { "x-api-key": secret } }));
    for (const error of [a, b]) expect(String(error)).not.toContain("sk-secret");
  });

  it("applies defaults (null means default) and exposes provider and modelId", () => {
    const llm = openAICompatible({ ...base, provider: null, maxTokens: null, includeUsage: null } as never);
    expect(llm).toBeInstanceOf(OpenAICompatibleModel);
    expect(llm.provider).toBe("openai");
    expect(llm.modelId).toBe("m");
    expect(openAICompatible({ ...base, provider: "ollama" }).provider).toBe("ollama");
  });

  it("keeps the API key out of JSON and inspection", async () => {
    const { inspect } = await import("node:util");
    const llm = openAICompatible({ ...base, apiKey: "sk-secret-123456" });
    expect(JSON.stringify(llm)).not.toContain("sk-secret");
    expect(inspect(llm, { depth: 5 })).not.toContain("sk-secret");
  });
});

describe("openAICompatible: requests", () => {
  it("maps a full request to the chat completions body", async () => {
    const provider = await sim();
    const llm = openAICompatible({ baseURL: `${provider.baseURL}/`, model: "sim-small" });
    const schema = { type: "object", properties: { q: { type: "string" } }, required: ["q"] };
    await llm.generate(
      {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Find tta" },
          { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "search", arguments: { q: "tta" } }] },
          { role: "tool", content: '{"hits":3}', toolCallId: "call_1" },
        ],
        maxTokens: 50,
        temperature: 0.2,
        stop: ["\n\n"],
        seed: 7,
        tools: [{ name: "search", description: "Searches.", parameters: schema }],
        toolChoice: { name: "search" },
        responseFormat: { type: "json", schema, name: "hits" },
        providerOptions: { top_p: 0.9, temperature: 0.3, user: "u-1" },
      },
      call(),
    );
    const body = provider.requests[0]?.body;
    expect(body).toEqual({
      model: "sim-small",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Find tta" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "call_1", type: "function", function: { name: "search", arguments: '{"q":"tta"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"hits":3}' },
      ],
      max_tokens: 50,
      temperature: 0.3,
      stop: ["\n\n"],
      seed: 7,
      tools: [{ type: "function", function: { name: "search", description: "Searches.", parameters: schema } }],
      tool_choice: { type: "function", function: { name: "search" } },
      response_format: { type: "json_schema", json_schema: { name: "hits", schema, strict: true } },
      top_p: 0.9,
      user: "u-1",
    });
    expect(provider.requests[0]?.headers["content-type"]).toBe("application/json");
  });

  it("sends only what is set, the default maxTokens, json_object and string tool choices", async () => {
    const provider = await sim();
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small", maxTokens: 99 });
    await llm.generate({ ...hi, responseFormat: { type: "json" }, toolChoice: "none", tools: [] }, call());
    await llm.generate({ ...hi, maxTokens: 5, toolChoice: "required", tools: [{ name: "t", parameters: {} }] }, call());
    expect(provider.requests[0]?.body).toEqual({
      model: "sim-small",
      messages: [{ role: "user", content: "Hello there" }],
      max_tokens: 99,
      tool_choice: "none",
      response_format: { type: "json_object" },
    });
    expect(provider.requests[1]?.body).toMatchObject({ max_tokens: 5, tool_choice: "required" });
    expect(provider.requests[1]?.body).not.toHaveProperty("stream");
  });

  it("sends custom headers and the API key, and keeps the query string of baseURL", async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ model: "m", choices: [{ index: 0, message: { content: "ok" }, finish_reason: "stop" }] }),
      );
    });
    const llm = openAICompatible({
      baseURL: `${server.baseURL}?api-version=2024-10-21`,
      model: "m",
      apiKey: "sk-test-abcdef",
      headers: { "X-Title": "tta tests", "HTTP-Referer": "https://example.invalid" },
    });
    await llm.generate(hi, call());
    const request = server.requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/chat/completions?api-version=2024-10-21");
    expect(request?.headers).toMatchObject({
      authorization: "Bearer sk-test-abcdef",
      "x-title": "tta tests",
      "http-referer": "https://example.invalid",
      "content-type": "application/json",
      accept: "application/json",
    });
  });

  it("authenticates against a provider that requires the key", async () => {
    const provider = await sim({ apiKey: "sk-right-key-123" });
    const good = openAICompatible({ baseURL: provider.baseURL, model: "sim-small", apiKey: "sk-right-key-123" });
    await expect(good.generate(hi, call())).resolves.toMatchObject({ finishReason: "stop" });
    const bad = openAICompatible({ baseURL: provider.baseURL, model: "sim-small", apiKey: "sk-wrong-key-456" });
    const error = await providerError(bad.generate(hi, call()));
    expect(error).toMatchObject({ status: 401, retryable: false });
  });

  it("uses the custom fetch", async () => {
    const provider = await sim();
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      seen.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      return globalThis.fetch(input, init);
    };
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small", fetch });
    await llm.generate(hi, call());
    expect(seen).toEqual([`${provider.baseURL}/chat/completions`]);
  });

  it.each<[string, unknown, string]>([
    ["not an object", "hi", "request"],
    ["no messages", {}, "request.messages"],
    ["empty messages", { messages: [] }, "request.messages"],
    [
      "unknown role",
      {
        messages: [
          { role: "user", content: "a" },
          { role: "bot", content: "b" },
        ],
      },
      "request.messages[1].role",
    ],
    ["non-string content", { messages: [{ role: "user", content: 3 }] }, "request.messages[0].content"],
    ["tool message without id", { messages: [{ role: "tool", content: "x" }] }, "request.messages[0].toolCallId"],
    [
      "tool call without name",
      { messages: [{ role: "assistant", content: "", toolCalls: [{ id: "c", arguments: {} }] }] },
      "request.messages[0].toolCalls[0].name",
    ],
    ["zero maxTokens", { ...hi, maxTokens: 0 }, "request.maxTokens"],
    ["fractional maxTokens", { ...hi, maxTokens: 2.5 }, "request.maxTokens"],
    ["NaN temperature", { ...hi, temperature: Number.NaN }, "request.temperature"],
    ["infinite temperature", { ...hi, temperature: Infinity }, "request.temperature"],
    ["stop not strings", { ...hi, stop: [1] }, "request.stop"],
    ["tool without parameters", { ...hi, tools: [{ name: "t" }] }, "request.tools[0].parameters"],
    ["bad toolChoice", { ...hi, toolChoice: "always" }, "request.toolChoice"],
    ["bad responseFormat", { ...hi, responseFormat: { type: "xml" } }, "request.responseFormat"],
    ["stream in providerOptions", { ...hi, providerOptions: { stream: true } }, "request.providerOptions.stream"],
    ["unserialisable providerOptions", { ...hi, providerOptions: { n: 1n } }, "request"],
  ])("rejects a request with %s (naming %s) without sending it", async (_name, request, field) => {
    const seen: unknown[] = [];
    const fetch: typeof globalThis.fetch = (input) => {
      seen.push(input);
      return Promise.reject(new Error("must not be called"));
    };
    const llm = openAICompatible({ baseURL: "http://127.0.0.1:1/v1", model: "m", fetch });
    const error = await rejection(llm.generate(request as ModelRequest, call()));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(field);
    expect(seen).toEqual([]);
  });
});

describe("openAICompatible: responses", () => {
  it("maps text, usage, model and finish reason", async () => {
    const provider = await sim({ reply: () => "Hi from the simulator" });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const response = await llm.generate(hi, call());
    expect(response).toEqual({
      text: "Hi from the simulator",
      toolCalls: [],
      usage: { inputTokens: expect.any(Number), outputTokens: Math.ceil("Hi from the simulator".length / 4) },
      model: "sim-small",
      finishReason: "stop",
    });
    expect(response.usage.inputTokens).toBeGreaterThan(0);
  });

  it("maps tool calls, keeping arguments that are not JSON as the raw string", async () => {
    const provider = await sim({
      reply: () => ({
        toolCalls: [
          { name: "search", arguments: { q: "tta", limit: 3 } },
          { name: "broken", arguments: "{not json" },
        ],
      }),
    });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const response = await llm.generate(hi, call());
    expect(response.text).toBe("");
    expect(response.finishReason).toBe("tool-calls");
    expect(response.toolCalls).toEqual([
      { id: expect.any(String), name: "search", arguments: { q: "tta", limit: 3 } },
      { id: expect.any(String), name: "broken", arguments: "{not json" },
    ]);
    expect(response.toolCalls[0]?.id).not.toBe(response.toolCalls[1]?.id);
  });

  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["tool_calls", "tool-calls"],
    ["function_call", "tool-calls"],
    ["content_filter", "content-filter"],
    ["eos", "other"],
    [null, "other"],
  ])("maps finish_reason %s to %s", async (reason, expected) => {
    const body = { choices: [{ index: 0, message: { role: "assistant", content: "x" }, finish_reason: reason }] };
    const provider = await sim(answer(body));
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    expect((await llm.generate(hi, call())).finishReason).toBe(expected);
  });

  it("reads cached tokens, defaults a missing usage to zeros, null content to '' and the model to the configured one", async () => {
    const cached = {
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { content: "a" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1200, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 1024 } },
    };
    const bare = { choices: [{ message: { content: null, tool_calls: [] }, finish_reason: "stop" }] };
    const provider = await sim({
      script: [
        { kind: "status", status: 200, body: JSON.stringify(cached) },
        { kind: "status", status: 200, body: JSON.stringify(bare) },
      ],
    });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    expect(await llm.generate(hi, call())).toMatchObject({
      model: "gpt-4o-mini-2024-07-18",
      usage: { inputTokens: 1200, outputTokens: 30, cachedInputTokens: 1024 },
    });
    expect(await llm.generate(hi, call())).toEqual({
      text: "",
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0 },
      model: "sim-small",
      finishReason: "stop",
    });
  });
});

describe("openAICompatible with retry on fake time", () => {
  function flowFor(llm: OpenAICompatibleModel, infos: RetryInfo[], attempts: { count: number }) {
    const call = lambda((request: ModelRequest, ctx: WorkflowContext) => {
      attempts.count++;
      return llm.generate(request, { signal: ctx.signal });
    }, "chat");
    return retry(call, { maxRetries: 3, onRetry: (info) => infos.push(info) });
  }

  it("waits exactly the 1000 ms the 429 asked for, then succeeds", async () => {
    const provider = await sim({ script: [{ kind: "429", retryAfterS: 1 }, { kind: "ok" }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const infos: RetryInfo[] = [];
    const attempts = { count: 0 };
    let announced!: () => void;
    const retried = new Promise<void>((resolve) => (announced = resolve));
    const flow = retry(
      lambda((request: ModelRequest, ctx: WorkflowContext) => {
        attempts.count++;
        return llm.generate(request, { signal: ctx.signal });
      }, "chat"),
      {
        maxRetries: 3,
        onRetry: (info) => {
          infos.push(info);
          announced();
        },
      },
    );
    const ctx = createTestContext();
    const run = flow.execute(hi, ctx);
    await retried; // the first (real HTTP) attempt failed with the 429
    expect(infos).toHaveLength(1);
    expect(infos[0]?.delayMs).toBe(1000);
    expect(isTtaError(infos[0]?.error, "PROVIDER_ERROR")).toBe(true);
    await ctx.clock.advance(999);
    expect(attempts.count).toBe(1);
    await ctx.clock.advance(1);
    expect(attempts.count).toBe(2);
    await expect(run).resolves.toMatchObject({ finishReason: "stop", model: "sim-small" });
    expect(ctx.clock.now()).toBe(1000);
    expect(provider.stats().byStatus).toEqual({ "200": 1, "429": 1 });
  });

  it("does not retry a 400 (one request)", async () => {
    const provider = await sim({ script: [{ kind: "status", status: 400 }, { kind: "ok" }] });
    const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-small" });
    const infos: RetryInfo[] = [];
    const attempts = { count: 0 };
    const ctx = createTestContext();
    const error = await rejection(flowFor(llm, infos, attempts).execute(hi, ctx));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(400);
    expect(infos).toEqual([]);
    expect(attempts.count).toBe(1);
    expect(provider.stats().requests).toBe(1);
  });
});
