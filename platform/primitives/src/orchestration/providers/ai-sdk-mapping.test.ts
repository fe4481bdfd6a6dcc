/**
 * The pure mapping functions behind `fromAiSdk`, on the V2 (AI SDK 5) and V3 (AI SDK 6) shapes the
 * specification defines: usage, finish reasons, tool inputs, results and call options.
 */
import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../../core/errors.js";
import type { ModelRequest } from "../language-model.js";
import {
  parseToolInput,
  toCallOptions,
  toFinishReason,
  toModelResponse,
  toRateLimit,
  toUsage,
} from "./ai-sdk-mapping.js";

const signal = new AbortController().signal;

describe("toUsage", () => {
  it("reads V3 nested usage, with cacheRead as cachedInputTokens", () => {
    expect(
      toUsage({
        inputTokens: { total: 120, noCache: 20, cacheRead: 100, cacheWrite: undefined },
        outputTokens: { total: 30, text: 25, reasoning: 5 },
      }),
    ).toEqual({ inputTokens: 120, outputTokens: 30, cachedInputTokens: 100 });
  });

  it("sums V3 parts when a total is missing", () => {
    expect(
      toUsage({
        inputTokens: { total: undefined, noCache: 20, cacheRead: 5, cacheWrite: 1 },
        outputTokens: { total: undefined, text: 7, reasoning: 3 },
      }),
    ).toEqual({ inputTokens: 26, outputTokens: 10, cachedInputTokens: 5 });
  });

  it("reads V2 flat usage", () => {
    expect(toUsage({ inputTokens: 12, outputTokens: 4, cachedInputTokens: 8 })).toEqual({
      inputTokens: 12,
      outputTokens: 4,
      cachedInputTokens: 8,
    });
    expect(toUsage({ inputTokens: 12, outputTokens: 4, cachedInputTokens: 0 })).toEqual({
      inputTokens: 12,
      outputTokens: 4,
    });
  });

  it("treats missing or invalid counts as 0", () => {
    expect(toUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(toUsage({ inputTokens: undefined, outputTokens: Number.NaN })).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(
      toUsage({
        inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: undefined, text: undefined, reasoning: undefined },
      }),
    ).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});

describe("toFinishReason", () => {
  it("maps V3 { unified, raw } and V2 strings; everything else is other", () => {
    expect(toFinishReason({ unified: "tool-calls", raw: "tool_calls" })).toBe("tool-calls");
    expect(toFinishReason({ unified: "error", raw: undefined })).toBe("other");
    for (const reason of ["stop", "length", "tool-calls", "content-filter"] as const) {
      expect(toFinishReason(reason)).toBe(reason);
    }
    for (const reason of ["error", "other", "unknown", "something-new"]) expect(toFinishReason(reason)).toBe("other");
    expect(toFinishReason(undefined)).toBe("other");
  });
});

describe("parseToolInput", () => {
  it("parses JSON, keeps invalid JSON raw, reads an empty string as {}", () => {
    expect(parseToolInput('{"q":"tta"}')).toEqual({ q: "tta" });
    expect(parseToolInput("{oops")).toBe("{oops");
    expect(parseToolInput("  ")).toEqual({});
    expect(parseToolInput({ already: "parsed" })).toEqual({ already: "parsed" });
  });
});

describe("toModelResponse", () => {
  it("concatenates text parts, keeps client-side tool calls and falls back to the model id", () => {
    const response = toModelResponse(
      {
        content: [
          { type: "reasoning", text: "thinking…" },
          { type: "text", text: "Hello, " },
          { type: "tool-call", toolCallId: "c1", toolName: "search", input: '{"q":"x"}' },
          { type: "tool-call", toolCallId: "c2", toolName: "web", input: "{}", providerExecuted: true },
          { type: "tool-result", toolCallId: "c2", toolName: "web" },
          { type: "text", text: "world" },
        ],
        finishReason: "tool-calls",
        usage: { inputTokens: 3, outputTokens: 4 },
      },
      "fallback-model",
    );
    expect(response).toEqual({
      text: "Hello, world",
      toolCalls: [{ id: "c1", name: "search", arguments: { q: "x" } }],
      usage: { inputTokens: 3, outputTokens: 4 },
      model: "fallback-model",
      finishReason: "tool-calls",
    });
  });
});

describe("rate limits in AI SDK results", () => {
  const base = { content: [{ type: "text", text: "ok" }], finishReason: "stop", usage: {} } as const;

  it("toModelResponse sets rateLimit from response.headers (a plain record, any case)", () => {
    const response = toModelResponse(
      {
        ...base,
        response: {
          modelId: "m-1",
          headers: { "X-RateLimit-Remaining-Tokens": "0", "x-ratelimit-reset-tokens": "1m30s", "x-other": "1" },
        },
      },
      "fallback",
    );
    expect(response).toMatchObject({ text: "ok", model: "m-1" });
    expect(response.rateLimit).toEqual({ remainingTokens: 0, resetTokensMs: 90_000 });
  });

  it("toModelResponse leaves rateLimit out without the headers", () => {
    expect(toModelResponse(base, "m")).not.toHaveProperty("rateLimit");
    expect(toModelResponse({ ...base, response: { modelId: "m-1" } }, "m")).not.toHaveProperty("rateLimit");
    const noHeaders = toModelResponse({ ...base, response: { headers: { "content-type": "text/plain" } } }, "m");
    expect(noHeaders).not.toHaveProperty("rateLimit");
  });

  it("toRateLimit tolerates a missing, null or non-object response and malformed values", () => {
    expect(toRateLimit(undefined)).toBeUndefined();
    expect(toRateLimit(null)).toBeUndefined();
    expect(toRateLimit("headers" as never)).toBeUndefined();
    expect(toRateLimit({ headers: "x-ratelimit-remaining-requests: 0" as never })).toBeUndefined();
    expect(toRateLimit({ headers: { "x-ratelimit-remaining-requests": "-3" } })).toBeUndefined();
    expect(
      toRateLimit({ headers: { "x-ratelimit-remaining-requests": "3", "x-ratelimit-reset-requests": "x" } }),
    ).toEqual({
      remainingRequests: 3,
    });
  });
});

describe("toCallOptions", () => {
  const request: ModelRequest = {
    messages: [
      { role: "system", content: "sys" },
      { role: "user", content: "hi" },
      { role: "assistant", content: "Let me look.", toolCalls: [{ id: "c1", name: "search", arguments: { q: "x" } }] },
      { role: "tool", toolCallId: "c1", content: "found" },
      { role: "assistant", content: "" },
    ],
    maxTokens: 10,
    temperature: 0,
    stop: ["\n"],
    seed: 1,
    tools: [{ name: "search", parameters: { type: "object" } }],
    toolChoice: "required",
    responseFormat: { type: "json" },
    providerOptions: { openai: { user: "u" } },
  };

  it("builds the V2/V3 prompt and settings", () => {
    expect(toCallOptions(request, signal)).toEqual({
      prompt: [
        { role: "system", content: "sys" },
        { role: "user", content: [{ type: "text", text: "hi" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me look." },
            { type: "tool-call", toolCallId: "c1", toolName: "search", input: { q: "x" } },
          ],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "c1", toolName: "search", output: { type: "text", value: "found" } },
          ],
        },
        { role: "assistant", content: [{ type: "text", text: "" }] },
      ],
      maxOutputTokens: 10,
      temperature: 0,
      stopSequences: ["\n"],
      seed: 1,
      tools: [{ type: "function", name: "search", inputSchema: { type: "object" } }],
      toolChoice: { type: "required" },
      responseFormat: { type: "json" },
      providerOptions: { openai: { user: "u" } },
      abortSignal: signal,
    });
  });

  it("maps every tool choice", () => {
    const choice = (toolChoice: ModelRequest["toolChoice"]) =>
      toCallOptions({ ...request, toolChoice }, signal).toolChoice;
    expect(choice("auto")).toEqual({ type: "auto" });
    expect(choice("none")).toEqual({ type: "none" });
    expect(choice({ name: "search" })).toEqual({ type: "tool", toolName: "search" });
    expect(() => choice("sometimes" as "auto")).toThrow(/request\.toolChoice/);
  });

  it("rejects malformed messages with InvalidOptionsError naming the field", () => {
    const bad = (messages: unknown, option: string) => {
      try {
        toCallOptions({ messages } as ModelRequest, signal);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionsError);
        expect((error as InvalidOptionsError).option).toBe(option);
        return;
      }
      throw new Error(`expected InvalidOptionsError for ${option}`);
    };
    bad("hi", "request.messages");
    bad([{ role: "robot", content: "x" }], "request.messages[0].role");
    bad([{ role: "user", content: 42 }], "request.messages[0].content");
    bad([{ role: "tool", content: "x" }], "request.messages[0].toolCallId");
  });
});
