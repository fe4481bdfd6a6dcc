/**
 * How a provider's HTTP answer maps to retry hints (DESIGN §6.1, §6.3, §10): whether a status is
 * retryable, how long the provider asked the caller to wait, and the rate-limit state it reported.
 *
 * @packageDocumentation
 */
import { headerValue, parseMilliseconds, parseRetryAfter } from "../internal/retry-after.js";
import type { RateLimitInfo } from "./language-model.js";

/** Anything with `get(name)` (fetch `Headers`), or a plain object of header values. */
export type HeaderSource =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | number | undefined>>;

const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};
const DURATION = /^(?:(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns))+$/;
const PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;

/**
 * Parses a rate-limit reset duration as OpenAI sends it (`x-ratelimit-reset-tokens`): Go-style
 * `"20ms"`, `"2.5s"`, `"6m0s"`, `"1h2m3s"`; a bare number is seconds. Returns ms, or `undefined`
 * when the value does not parse.
 *
 * @example
 * ```ts
 * parseResetDuration("6m0s"); // 360000
 * ```
 * @since 0.1.0
 */
export function parseResetDuration(value: string): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit as string] as number);
  return Math.round(total);
}

/**
 * The wait a provider asked for, in ms, read from its response headers; `undefined` when it asked
 * for none that parses.
 *
 * @remarks First match wins: `retry-after-ms`; `retry-after` (seconds or an HTTP date, relative to
 * `now`); then, on a 429 only, OpenAI's rate-limit resets: the reset of the bucket that is empty
 * (`x-ratelimit-remaining-requests` / `-tokens` of `0`), else the larger of
 * `x-ratelimit-reset-requests` and `x-ratelimit-reset-tokens`. OpenAI sends those headers on every
 * answer, where they describe a window rather than a wait, hence 429 only; and preferring the empty
 * bucket keeps a request-limited 429 from waiting out a long token window. A date in the past or a
 * negative value means 0.
 *
 * @param now - current time, epoch ms (for HTTP dates).
 * @param status - the HTTP status of the answer (`undefined` when there was none).
 * @example
 * ```ts
 * retryAfterFromHeaders(new Headers({ "x-ratelimit-reset-tokens": "6m0s" }), Date.now(), 429); // 360000
 * ```
 * @since 0.1.0
 */
export function retryAfterFromHeaders(
  headers: HeaderSource | undefined,
  now: number,
  status: number | undefined,
): number | undefined {
  const ms = headerValue(headers, "retry-after-ms");
  const fromMs = ms === undefined ? undefined : parseMilliseconds(ms);
  if (fromMs !== undefined) return fromMs;
  const after = headerValue(headers, "retry-after");
  const fromAfter = after === undefined ? undefined : parseRetryAfter(after, now);
  if (fromAfter !== undefined || status !== 429) return fromAfter;
  const requests = resetOf(headers, "requests");
  const tokens = resetOf(headers, "tokens");
  const requestsEmpty = requests !== undefined && headerValue(headers, "x-ratelimit-remaining-requests") === "0";
  const tokensEmpty = tokens !== undefined && headerValue(headers, "x-ratelimit-remaining-tokens") === "0";
  // Only the empty buckets matter when one says so (both empty: the later of the two resets).
  if (requestsEmpty !== tokensEmpty) return requestsEmpty ? requests : tokens;
  if (requests === undefined) return tokens;
  return tokens === undefined ? requests : Math.max(requests, tokens);
}

function resetOf(headers: HeaderSource | undefined, bucket: "requests" | "tokens"): number | undefined {
  const value = headerValue(headers, `x-ratelimit-reset-${bucket}`);
  return value === undefined ? undefined : parseResetDuration(value);
}

/** Largest remaining count or reset duration believed; anything above is a malformed header. */
const MAX_RATE_LIMIT_VALUE = 1e12;
/** A non-negative decimal number (no sign, exponent, hex or blank). */
const COUNT = /^\d+(?:\.\d+)?$/;

function remainingOf(headers: HeaderSource | undefined, bucket: "requests" | "tokens"): number | undefined {
  const value = headerValue(headers, `x-ratelimit-remaining-${bucket}`);
  if (value === undefined || !COUNT.test(value)) return undefined;
  const count = Number(value);
  return count <= MAX_RATE_LIMIT_VALUE ? count : undefined;
}

function boundedResetOf(headers: HeaderSource | undefined, bucket: "requests" | "tokens"): number | undefined {
  const ms = resetOf(headers, bucket);
  return ms !== undefined && Number.isFinite(ms) && ms <= MAX_RATE_LIMIT_VALUE ? ms : undefined;
}

/**
 * The rate-limit state a provider reported in its response headers (OpenAI's
 * `x-ratelimit-remaining-requests`, `x-ratelimit-remaining-tokens`, `x-ratelimit-reset-requests`,
 * `x-ratelimit-reset-tokens`), or `undefined` when it sent none of them that parses.
 *
 * @remarks Remaining counts are non-negative decimal numbers; resets are durations as
 * {@link parseResetDuration} reads them (`"6m0s"`, `"20ms"`, a bare number of seconds), returned in
 * ms. A malformed value (negative, not a number, above 1e12) leaves its field out; this never
 * throws. Header names are matched case-insensitively in a plain object; an array value (Node's
 * repeated header) counts by its first item. Unlike {@link retryAfterFromHeaders} it reads every
 * answer, successful ones included: that is where a provider says a bucket is about to run dry.
 *
 * @param headers - a fetch `Headers`, or a plain object of header values (the AI SDK's
 * `response.headers`, Node's `IncomingHttpHeaders`).
 * @example
 * ```ts
 * rateLimitFromHeaders(new Headers({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s" }));
 * // { remainingRequests: 0, resetRequestsMs: 1000 }
 * ```
 * @since 0.1.0
 */
export function rateLimitFromHeaders(headers: HeaderSource | undefined): RateLimitInfo | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const remainingRequests = remainingOf(headers, "requests");
  const remainingTokens = remainingOf(headers, "tokens");
  const resetRequestsMs = boundedResetOf(headers, "requests");
  const resetTokensMs = boundedResetOf(headers, "tokens");
  if (
    remainingRequests === undefined &&
    remainingTokens === undefined &&
    resetRequestsMs === undefined &&
    resetTokensMs === undefined
  )
    return undefined;
  const info: { -readonly [K in keyof RateLimitInfo]: RateLimitInfo[K] } = {};
  if (remainingRequests !== undefined) info.remainingRequests = remainingRequests;
  if (remainingTokens !== undefined) info.remainingTokens = remainingTokens;
  if (resetRequestsMs !== undefined) info.resetRequestsMs = resetRequestsMs;
  if (resetTokensMs !== undefined) info.resetTokensMs = resetTokensMs;
  return info;
}
