/**
 * How a provider's HTTP answer maps to retry hints (DESIGN §6.1, §10): whether a status is
 * retryable, and how long the provider asked the caller to wait.
 *
 * @packageDocumentation
 */
import { headerValue, parseMilliseconds, parseRetryAfter } from "../internal/retry-after.js";

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
