import { describe, expect, it } from "vitest";
import { retryAfterMsOf } from "./retry-after.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");

describe("retryAfterMsOf", () => {
  it("reads error.retryAfterMs first; negative means 0; NaN and non-numbers are ignored", () => {
    expect(retryAfterMsOf({ retryAfterMs: 1_500, headers: { "retry-after": "9" } }, NOW)).toBe(1_500);
    expect(retryAfterMsOf({ retryAfterMs: -5 }, NOW)).toBe(0);
    expect(retryAfterMsOf({ retryAfterMs: Infinity }, NOW)).toBe(Infinity);
    expect(retryAfterMsOf({ retryAfterMs: NaN, headers: { "retry-after": "1" } }, NOW)).toBe(1_000);
    expect(retryAfterMsOf({ retryAfterMs: "100" }, NOW)).toBeUndefined();
  });

  it("reads retry-after-ms before retry-after, and error.headers before error.response.headers", () => {
    expect(retryAfterMsOf({ headers: { "retry-after": "2", "retry-after-ms": "250" } }, NOW)).toBe(250);
    expect(
      retryAfterMsOf({ headers: { "retry-after": "2" }, response: { headers: { "retry-after-ms": "7" } } }, NOW),
    ).toBe(7);
    expect(
      retryAfterMsOf({ headers: { "retry-after": "2" }, response: { headers: { "retry-after": "3" } } }, NOW),
    ).toBe(2_000);
    expect(retryAfterMsOf({ response: { headers: { "retry-after": "3" } } }, NOW)).toBe(3_000);
  });

  it("parses delay-seconds (fractions too) and HTTP-dates relative to now; past or negative means 0", () => {
    expect(retryAfterMsOf({ headers: { "retry-after": "2" } }, NOW)).toBe(2_000);
    expect(retryAfterMsOf({ headers: { "retry-after": " 1.5 " } }, NOW)).toBe(1_500);
    expect(retryAfterMsOf({ headers: { "retry-after": "-3" } }, NOW)).toBe(0);
    expect(retryAfterMsOf({ headers: { "retry-after": new Date(NOW + 5_000).toUTCString() } }, NOW)).toBe(5_000);
    expect(retryAfterMsOf({ headers: { "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" } }, NOW)).toBe(30_000);
    expect(retryAfterMsOf({ headers: { "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" } }, NOW)).toBe(0);
    expect(retryAfterMsOf({ headers: { "retry-after-ms": "-1" } }, NOW)).toBe(0);
  });

  it("skips unparsable values and goes on to the next source", () => {
    expect(retryAfterMsOf({ headers: { "retry-after": "soon" } }, NOW)).toBeUndefined();
    expect(retryAfterMsOf({ headers: { "retry-after": "2 3" } }, NOW)).toBeUndefined();
    expect(retryAfterMsOf({ headers: { "retry-after": "" } }, NOW)).toBeUndefined();
    expect(retryAfterMsOf({ headers: { "retry-after-ms": "abc", "retry-after": "4" } }, NOW)).toBe(4_000);
    expect(
      retryAfterMsOf({ headers: { "retry-after": "later" }, response: { headers: { "retry-after": "1" } } }, NOW),
    ).toBe(1_000);
  });

  it("accepts fetch Headers, any-case plain-object names, numbers and array values", () => {
    expect(retryAfterMsOf({ headers: new Headers({ "Retry-After": "2" }) }, NOW)).toBe(2_000);
    expect(retryAfterMsOf({ response: new Response(null, { headers: { "retry-after-ms": "30" } }) }, NOW)).toBe(30);
    expect(retryAfterMsOf({ headers: { "Retry-After": "3" } }, NOW)).toBe(3_000);
    expect(retryAfterMsOf({ headers: { "retry-after": 4 } }, NOW)).toBe(4_000);
    expect(retryAfterMsOf({ headers: { "retry-after": ["5", "6"] } }, NOW)).toBe(5_000);
  });

  it("finds nothing on values without a Retry-After, and never throws", () => {
    expect(retryAfterMsOf(new Error("plain"), NOW)).toBeUndefined();
    expect(retryAfterMsOf(undefined, NOW)).toBeUndefined();
    expect(retryAfterMsOf("string", NOW)).toBeUndefined();
    expect(retryAfterMsOf({ headers: null, response: 42 }, NOW)).toBeUndefined();
    const hostile = {
      get retryAfterMs(): number {
        throw new Error("getter");
      },
      headers: {
        get(): string {
          throw new Error("get");
        },
      },
    };
    expect(retryAfterMsOf(hostile, NOW)).toBeUndefined();
  });
});
