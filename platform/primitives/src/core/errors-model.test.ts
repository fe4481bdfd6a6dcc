/**
 * The model layer's errors (DESIGN §6.1, "Model layer finer points"): `ProviderError`,
 * `StreamInterruptedError`, `StructuredOutputError`, and the details of `BudgetExceededError`.
 */
import { describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  MAX_PROVIDER_ERROR_BODY,
  ProviderError,
  StreamInterruptedError,
  StructuredOutputError,
  TtaError,
  isRetryableStatus,
  isTtaError,
} from "./errors.js";
import * as orchestration from "../orchestration/index.js";

const base = { provider: "openai", model: "gpt-4o-mini" } as const;

describe("ProviderError", () => {
  it("carries provider, model, status, retryAfterMs, body and cause", () => {
    const cause = new TypeError("fetch failed");
    const e = new ProviderError("rate limited", {
      ...base,
      status: 429,
      retryAfterMs: 1_500,
      body: "slow down",
      cause,
    });
    expect(e).toBeInstanceOf(TtaError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      code: "PROVIDER_ERROR",
      message: "rate limited",
      provider: "openai",
      model: "gpt-4o-mini",
      status: 429,
      retryAfterMs: 1_500,
      body: "slow down",
      retryable: true,
    });
    expect(e.cause).toBe(cause);
  });

  it("is named after its class and recognised by isTtaError with its code", () => {
    const e = new ProviderError("boom", base);
    expect(e.name).toBe("ProviderError");
    expect(String(e)).toBe("ProviderError: boom");
    expect(isTtaError(e)).toBe(true);
    expect(isTtaError(e, "PROVIDER_ERROR")).toBe(true);
    expect(isTtaError(e, "TIMEOUT")).toBe(false);
  });

  it("has an empty body, no status and no retryAfterMs when none were given", () => {
    const e = new ProviderError("network down", base);
    expect(e.body).toBe("");
    expect(e.status).toBeUndefined();
    expect(e.retryAfterMs).toBeUndefined();
    expect(e.cause).toBeUndefined();
  });

  const table: readonly [number | undefined, boolean][] = [
    [undefined, true], // network error or malformed answer
    [200, true], // a 200 with a malformed body
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [409, true],
    [422, false],
    [429, true],
    [499, false],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
  ];

  it.each(table)("status %s → retryable %s (on the error and from isRetryableStatus)", (status, retryable) => {
    expect(new ProviderError("x", { ...base, status }).retryable).toBe(retryable);
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  it("an explicit retryable overrides the status either way", () => {
    expect(new ProviderError("x", { ...base, status: 400, retryable: true }).retryable).toBe(true);
    expect(new ProviderError("x", { ...base, status: 503, retryable: false }).retryable).toBe(false);
    expect(new ProviderError("x", { ...base, retryable: false }).retryable).toBe(false);
    // `undefined` means "from the status".
    expect(new ProviderError("x", { ...base, status: 401, retryable: undefined }).retryable).toBe(false);
  });

  describe("body", () => {
    const secrets = {
      bearer: "sk-abcdefghijklmnop",
      apiKey: "xyz12345678",
      proj: "sk-proj-AbCdEf0123456789_ghIJ-klmnOP",
    };
    const body = [
      `{"error":{"message":"Incorrect API key provided"},`,
      `"request":{"headers":{"Authorization: Bearer ${secrets.bearer}"}},`,
      `"api_key": "${secrets.apiKey}",`,
      `"echo":"your key ${secrets.proj} is invalid"}`,
    ].join("");

    it("redacts Authorization values, api_key fields and sk-/sk-proj- keys, and keeps the rest", () => {
      const e = new ProviderError("401 Unauthorized", { ...base, status: 401, body });
      for (const secret of Object.values(secrets)) expect(e.body).not.toContain(secret);
      expect(e.body).not.toContain("abcdefghijklmnop");
      expect(e.body).not.toContain("0123456789");
      expect(e.body).toContain("[REDACTED]");
      expect(e.body).toContain("Incorrect API key provided");
      expect(e.body).toContain("is invalid");
    });

    it("is truncated to MAX_PROVIDER_ERROR_BODY characters (2 KB), after redaction", () => {
      expect(MAX_PROVIDER_ERROR_BODY).toBe(2048);
      const long = `Authorization: Bearer ${secrets.bearer} ` + "x".repeat(10_000);
      const e = new ProviderError("500", { ...base, status: 500, body: long });
      expect(e.body.length).toBeLessThanOrEqual(MAX_PROVIDER_ERROR_BODY);
      expect(e.body.length).toBeGreaterThan(MAX_PROVIDER_ERROR_BODY - 10);
      expect(e.body.startsWith("Authorization: ")).toBe(true);
      expect(e.body.slice(0, 60)).toContain("[REDACTED]");
      expect(e.body).not.toContain(secrets.bearer);
    });

    it("a secret that straddles the 2 KB cut is redacted, not left half-visible", () => {
      const padding = "y ".repeat((MAX_PROVIDER_ERROR_BODY - 10) / 2);
      const e = new ProviderError("500", { ...base, status: 500, body: `${padding}${secrets.proj} tail` });
      expect(e.body).not.toMatch(/sk-proj/);
      expect(e.body.length).toBeLessThanOrEqual(MAX_PROVIDER_ERROR_BODY);
    });

    it("keeps a short body without secrets exactly", () => {
      const plain = '{"error":{"message":"model overloaded","type":"server_error"}}';
      expect(new ProviderError("503", { ...base, status: 503, body: plain }).body).toBe(plain);
    });
  });

  it("redacts secrets in the message too", () => {
    const e = new ProviderError("request failed: Authorization: Bearer sk-abcdefghijklmnop rejected", base);
    expect(e.message).not.toContain("sk-abcdefghijklmnop");
    expect(e.message).toContain("[REDACTED]");
    expect(e.message).toContain("rejected");
  });

  it("the message never contains the body", () => {
    const e = new ProviderError("bad request", { ...base, status: 400, body: "the-body-text" });
    expect(e.message).toBe("bad request");
  });
});

describe("StreamInterruptedError", () => {
  it("is not retryable, carries the text so far, provider, model and cause", () => {
    const cause = new Error("socket hang up");
    const e = new StreamInterruptedError("stream ended early", { ...base, text: "Once upon a", cause });
    expect(e).toMatchObject({
      name: "StreamInterruptedError",
      code: "STREAM_INTERRUPTED",
      retryable: false,
      text: "Once upon a",
      provider: "openai",
      model: "gpt-4o-mini",
    });
    expect(e.cause).toBe(cause);
    expect(isTtaError(e, "STREAM_INTERRUPTED")).toBe(true);
  });

  it("redacts secrets in its message", () => {
    const e = new StreamInterruptedError("failed with api_key=abcdef123456", { ...base, text: "" });
    expect(e.message).not.toContain("abcdef123456");
  });
});

describe("StructuredOutputError", () => {
  it("carries the issues, is retryable (a re-ask may fix it) and keeps its cause", () => {
    const cause = new SyntaxError("Unexpected token");
    const issues = [{ message: "Required", path: ["user", "name"] }, { message: "Not JSON" }];
    const e = new StructuredOutputError("output did not validate", issues, { cause });
    expect(e).toMatchObject({ name: "StructuredOutputError", code: "STRUCTURED_OUTPUT", retryable: true });
    expect(e.issues).toEqual(issues);
    expect(e.cause).toBe(cause);
    expect(isTtaError(e, "STRUCTURED_OUTPUT")).toBe(true);
  });
});

describe("BudgetExceededError", () => {
  it("carries resource, limit, spent and requested, and is not retryable", () => {
    const e = new BudgetExceededError("token budget exceeded", {
      resource: "tokens",
      limit: 1_000,
      spent: 900,
      requested: 200,
    });
    expect(e).toMatchObject({
      name: "BudgetExceededError",
      code: "BUDGET_EXCEEDED",
      retryable: false,
      resource: "tokens",
      limit: 1_000,
      spent: 900,
      requested: 200,
    });
  });

  it("leaves details undefined when the thrower gave none", () => {
    const e = new BudgetExceededError("over budget");
    expect([e.resource, e.limit, e.spent, e.requested]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

it("orchestration re-exports the same error classes as core (same objects)", () => {
  expect(orchestration.ProviderError).toBe(ProviderError);
  expect(orchestration.StreamInterruptedError).toBe(StreamInterruptedError);
  expect(orchestration.StructuredOutputError).toBe(StructuredOutputError);
  expect(orchestration.BudgetExceededError).toBe(BudgetExceededError);
  expect(orchestration.isRetryableStatus).toBe(isRetryableStatus);
});
