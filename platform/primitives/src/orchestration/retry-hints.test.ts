import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseResetDuration, rateLimitFromHeaders, retryAfterFromHeaders } from "./retry-hints.js";

describe("parseResetDuration", () => {
  it.each<[string, number]>([
    ["20ms", 20],
    ["2.5s", 2500],
    ["6m0s", 360_000],
    ["1h2m3s", 3_723_000],
    ["1s", 1000],
    ["0s", 0],
    ["2", 2000],
    ["0.5", 500],
    [" 1m30s ", 90_000],
    ["1.5ms", 2],
    ["500us", 1],
    ["1m0.5s", 60_500],
  ])("%j → %d ms", (value, ms) => {
    expect(parseResetDuration(value)).toBe(ms);
  });

  it.each(["", "soon", "1x", "-1s", "s", "1 s", "1h-2m", "NaN", "1e3s", "ms20", "6m0s later"])(
    "%j → undefined",
    (value) => {
      expect(parseResetDuration(value)).toBeUndefined();
    },
  );
});

describe("retryAfterFromHeaders", () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it("reads retry-after seconds from a Headers object and a plain object (any case)", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "1" }), now, 429)).toBe(1000);
    expect(retryAfterFromHeaders({ "Retry-After": "2" }, now, 429)).toBe(2000);
    expect(retryAfterFromHeaders({ "retry-after": " 0.25 " }, now, 429)).toBe(250);
  });

  it("reads an HTTP date relative to now; a past date is 0", () => {
    const in30s = new Date(now + 30_000).toUTCString();
    expect(retryAfterFromHeaders(new Headers({ "retry-after": in30s }), now, 429)).toBe(30_000);
    expect(retryAfterFromHeaders({ "retry-after": new Date(now - 5_000).toUTCString() }, now, 429)).toBe(0);
  });

  it("a negative value means 0, an unparsable one is ignored", () => {
    expect(retryAfterFromHeaders({ "retry-after": "-3" }, now, 429)).toBe(0);
    expect(retryAfterFromHeaders({ "retry-after": "later" }, now, 429)).toBeUndefined();
    expect(retryAfterFromHeaders({ "retry-after-ms": "soon", "retry-after": "2" }, now, 429)).toBe(2000);
  });

  it("first match wins: retry-after-ms, then retry-after, then the reset headers", () => {
    const all = {
      "retry-after-ms": "150",
      "retry-after": "3",
      "x-ratelimit-reset-requests": "10s",
      "x-ratelimit-reset-tokens": "6m0s",
    };
    expect(retryAfterFromHeaders(new Headers(all), now, 429)).toBe(150);
    const { "retry-after-ms": _ms, ...noMs } = all;
    expect(retryAfterFromHeaders(noMs, now, 429)).toBe(3000);
    const { "retry-after": _after, ...resets } = noMs;
    expect(retryAfterFromHeaders(resets, now, 429)).toBe(360_000);
  });

  it("takes the larger of the two reset headers, skipping one that does not parse", () => {
    expect(
      retryAfterFromHeaders({ "x-ratelimit-reset-requests": "2s", "x-ratelimit-reset-tokens": "20ms" }, now, 429),
    ).toBe(2000);
    expect(
      retryAfterFromHeaders({ "x-ratelimit-reset-requests": "soon", "x-ratelimit-reset-tokens": "1.5s" }, now, 429),
    ).toBe(1500);
    expect(retryAfterFromHeaders(new Headers({ "x-ratelimit-reset-tokens": "6m0s" }), now, 429)).toBe(360_000);
  });

  it("reads the reset headers on a 429 only (they describe the window on other answers)", () => {
    const headers = new Headers({ "x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s" });
    expect(retryAfterFromHeaders(headers, now, 429)).toBe(360_000);
    expect(retryAfterFromHeaders(headers, now, 200)).toBeUndefined();
    expect(retryAfterFromHeaders(headers, now, 503)).toBeUndefined();
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "4" }), now, 503)).toBe(4000);
  });

  it("without a status (no HTTP answer) reads only retry-after headers", () => {
    expect(retryAfterFromHeaders({ "x-ratelimit-reset-tokens": "1s" }, now, undefined)).toBeUndefined();
    expect(retryAfterFromHeaders({ "retry-after": "1" }, now, undefined)).toBe(1000);
  });

  it("on a 429 prefers the reset of the bucket that is empty", () => {
    const requestLimited = {
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "2s",
      "x-ratelimit-remaining-tokens": "5000",
      "x-ratelimit-reset-tokens": "6m0s",
    };
    expect(retryAfterFromHeaders(requestLimited, now, 429)).toBe(2000);
    const tokenLimited = {
      ...requestLimited,
      "x-ratelimit-remaining-requests": "3",
      "x-ratelimit-remaining-tokens": "0",
    };
    expect(retryAfterFromHeaders(tokenLimited, now, 429)).toBe(360_000);
    const bothEmpty = { ...requestLimited, "x-ratelimit-remaining-tokens": "0" };
    expect(retryAfterFromHeaders(bothEmpty, now, 429)).toBe(360_000);
  });

  it("reads Node-style header records: arrays (first value) and numbers", () => {
    expect(retryAfterFromHeaders({ "retry-after": ["2", "9"] }, now, 429)).toBe(2000);
    expect(retryAfterFromHeaders({ "retry-after-ms": 250 }, now, 429)).toBe(250);
    expect(parseResetDuration(42 as unknown as string)).toBeUndefined();
  });

  it("returns undefined without headers or hints", () => {
    expect(retryAfterFromHeaders(undefined, now, 429)).toBeUndefined();
    expect(retryAfterFromHeaders(new Headers(), now, 429)).toBeUndefined();
    expect(retryAfterFromHeaders({ "content-type": "application/json" }, now, 429)).toBeUndefined();
    expect(retryAfterFromHeaders({ "retry-after": undefined }, now, 429)).toBeUndefined();
  });
});

describe("rateLimitFromHeaders", () => {
  const openAI = {
    "x-ratelimit-limit-requests": "60",
    "x-ratelimit-limit-tokens": "150000",
    "x-ratelimit-remaining-requests": "59",
    "x-ratelimit-remaining-tokens": "149984",
    "x-ratelimit-reset-requests": "1s",
    "x-ratelimit-reset-tokens": "6m0s",
  };

  it("reads OpenAI's four headers from a fetch Headers object (reset durations in ms)", () => {
    expect(rateLimitFromHeaders(new Headers(openAI))).toEqual({
      remainingRequests: 59,
      remainingTokens: 149_984,
      resetRequestsMs: 1000,
      resetTokensMs: 360_000,
    });
  });

  it("reads a plain record in any case, Node arrays (first value) and numbers", () => {
    expect(
      rateLimitFromHeaders({
        "X-RateLimit-Remaining-Requests": ["0", "7"],
        "x-ratelimit-remaining-tokens": 1200,
        "X-RATELIMIT-RESET-REQUESTS": "20ms",
      }),
    ).toEqual({ remainingRequests: 0, remainingTokens: 1200, resetRequestsMs: 20 });
  });

  it("sets only the fields whose header is present (a remaining count of 0 is kept)", () => {
    const info = rateLimitFromHeaders({ "x-ratelimit-remaining-requests": "0" });
    expect(info).toEqual({ remainingRequests: 0 });
    expect(Object.keys(info ?? {})).toEqual(["remainingRequests"]);
    expect(rateLimitFromHeaders({ "x-ratelimit-reset-tokens": "2.5" })).toEqual({ resetTokensMs: 2500 });
  });

  it("returns undefined when none of the headers is present", () => {
    expect(rateLimitFromHeaders(undefined)).toBeUndefined();
    expect(rateLimitFromHeaders(new Headers())).toBeUndefined();
    expect(rateLimitFromHeaders({ "content-type": "application/json", "retry-after": "1" })).toBeUndefined();
    expect(rateLimitFromHeaders({ "x-ratelimit-limit-requests": "60" })).toBeUndefined();
    expect(rateLimitFromHeaders(null as unknown as undefined)).toBeUndefined();
    expect(rateLimitFromHeaders("x-ratelimit-remaining-requests: 0" as unknown as undefined)).toBeUndefined();
  });

  it.each<[string, string | number]>([
    ["negative", "-1"],
    ["NaN", "NaN"],
    ["not a number", "soon"],
    ["empty", ""],
    ["exponent", "1e3"],
    ["hex", "0x10"],
    ["absurdly large", "1000000000001"],
    ["infinite", "9".repeat(400)],
    ["a NaN number", Number.NaN],
    ["a negative number", -5],
  ])("ignores a %s remaining count (%j) rather than throwing", (_name, value) => {
    const headers = { "x-ratelimit-remaining-requests": value, "x-ratelimit-remaining-tokens": "10" };
    expect(rateLimitFromHeaders(headers)).toEqual({ remainingTokens: 10 });
    expect(rateLimitFromHeaders({ "x-ratelimit-remaining-requests": value })).toBeUndefined();
  });

  it.each(["-1s", "soon", "NaN", "1x", "", "300000000h", `${"9".repeat(400)}s`])(
    "ignores a malformed or absurd reset duration (%j)",
    (value) => {
      const headers = { "x-ratelimit-reset-tokens": value, "x-ratelimit-reset-requests": "1s" };
      expect(rateLimitFromHeaders(headers)).toEqual({ resetRequestsMs: 1000 });
    },
  );

  it("accepts the 1e12 bound itself", () => {
    expect(rateLimitFromHeaders({ "x-ratelimit-remaining-tokens": "1000000000000" })).toEqual({
      remainingTokens: 1e12,
    });
  });

  it("never throws, and every field it sets is a finite number in [0, 1e12]", () => {
    const names = [
      "x-ratelimit-remaining-requests",
      "x-ratelimit-remaining-tokens",
      "x-ratelimit-reset-requests",
      "x-ratelimit-reset-tokens",
      "retry-after",
    ];
    const value = fc.oneof(
      fc.string(),
      fc.stringMatching(/^-?\d{1,16}(\.\d{1,3})?(h|m|s|ms|us)?$/),
      fc.double(),
      fc.constant(undefined),
      fc.array(fc.string(), { maxLength: 2 }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value), (headers) => {
        const info = rateLimitFromHeaders(headers);
        if (info === undefined) return;
        expect(Object.keys(info).length).toBeGreaterThan(0);
        for (const field of Object.values(info)) {
          expect(Number.isFinite(field)).toBe(true);
          expect(field).toBeGreaterThanOrEqual(0);
          expect(field).toBeLessThanOrEqual(1e12);
        }
      }),
    );
  });
});
