/**
 * Reading a server's `Retry-After` from an error: `error.retryAfterMs`, or the `retry-after-ms` /
 * `retry-after` headers of `error.headers` / `error.response.headers` (DESIGN §10).
 */

/** A plain-object or fetch-`Headers`-like header bag; anything else yields nothing. */
type HeaderBag = unknown;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Reads `object[key]`, treating a throwing getter or a non-object as "absent". */
function read(object: unknown, key: string): unknown {
  if ((typeof object !== "object" && typeof object !== "function") || object === null) return undefined;
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** One header value from a plain object (case-insensitive name) or anything with `get(name)`. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  let value: unknown;
  try {
    const get = (headers as { get?: unknown }).get;
    if (typeof get === "function") {
      value = (get as (n: string) => unknown).call(headers, name);
    } else {
      const record = headers as Record<string, unknown>;
      value = Object.hasOwn(record, name) ? record[name] : undefined;
      if (value === undefined) {
        for (const key of Object.keys(record)) {
          if (key.toLowerCase() === name) {
            value = record[key];
            break;
          }
        }
      }
    }
  } catch {
    return undefined;
  }
  // Node's IncomingHttpHeaders may hold an array for a repeated header: the first one counts.
  if (Array.isArray(value)) value = value[0];
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" ? value.trim() : undefined;
}

/** `retry-after-ms`: a number of milliseconds; negative means 0; anything else is unparsable. */
export function parseMilliseconds(value: string): number | undefined {
  if (!NUMBER.test(value)) return undefined;
  return Math.max(0, Number(value));
}

/** `retry-after`: delay-seconds, or an HTTP-date relative to `now`; past or negative means 0. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  if (NUMBER.test(value)) return Math.max(0, Number(value) * 1000);
  // An HTTP-date always names a weekday or month; this keeps `Date.parse` from reading "2 3" as a date.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The server-requested wait carried by `error`, in ms, or `undefined` when it carries none that
 * parses.
 *
 * @remarks
 * Sources, first found wins (an unparsable one is skipped):
 * 1. `error.retryAfterMs`, a number (e.g. `RateLimitedError`);
 * 2. header `retry-after-ms` (milliseconds) in `error.headers`, then in `error.response.headers`;
 * 3. header `retry-after` (delay-seconds or an HTTP-date) in `error.headers`, then in
 *    `error.response.headers`.
 *
 * Header bags may be plain objects (names matched case-insensitively, array values use their first
 * item) or anything with `get(name)` such as fetch `Headers`. A negative value or a date in the past
 * means 0. `Infinity` is returned as is (the caller compares it with its limit). Never throws.
 *
 * @param error - the (normalised) error of the failed attempt.
 * @param now - the current clock time, epoch ms, for HTTP-dates.
 * @example
 * ```ts
 * retryAfterMsOf({ headers: { "retry-after": "2" } }, Date.now()); // 2000
 * ```
 */
export function retryAfterMsOf(error: unknown, now: number): number | undefined {
  const direct = read(error, "retryAfterMs");
  if (typeof direct === "number" && !Number.isNaN(direct)) return Math.max(0, direct);
  const bags = [read(error, "headers"), read(read(error, "response"), "headers")];
  for (const bag of bags) {
    const value = headerValue(bag, "retry-after-ms");
    const ms = value === undefined ? undefined : parseMilliseconds(value);
    if (ms !== undefined) return ms;
  }
  for (const bag of bags) {
    const value = headerValue(bag, "retry-after");
    const ms = value === undefined ? undefined : parseRetryAfter(value, now);
    if (ms !== undefined) return ms;
  }
  return undefined;
}
