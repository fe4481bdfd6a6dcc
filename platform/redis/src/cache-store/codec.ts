/**
 * JSON encoding of cache entries for Redis, strict about what round-trips.
 *
 * @packageDocumentation
 */
import { TtaError, TtaErrorCode } from "@tta/primitives/core";
import type { CacheEntry } from "@tta/primitives/performance";

/**
 * A value given to a Redis cache store that JSON cannot round-trip (a `Date`, `Map`, class
 * instance, `BigInt`, non-finite number, function, symbol, cycle, or `undefined` inside an array).
 * Raised by `set` before anything is written; the message names the path and the kind of value,
 * never the value. Code `UNSERIALIZABLE_VALUE`, not retryable (the value will not become
 * serialisable on retry).
 *
 * @example
 * ```ts
 * await store.set("k", { value: new Date(), storedAt: 0 }, 1_000); // rejects: `value` is an instance of Date
 * ```
 * @since 0.1.0
 */
export class UnserializableValueError extends TtaError {
  /** Where in the value the problem is, e.g. `value.items[2]`. */
  readonly path: string;

  constructor(path: string, what: string) {
    super(TtaErrorCode.UNSERIALIZABLE_VALUE, `Cannot store \`${path}\` in Redis as JSON: ${what}`);
    this.path = path;
  }
}

function check(value: unknown, path: string, seen: Set<object>, inArray: boolean): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new UnserializableValueError(path, "a non-finite number");
      return;
    case "undefined":
      if (inArray) throw new UnserializableValueError(path, "undefined inside an array (JSON makes it null)");
      return;
    case "object":
      break;
    default:
      throw new UnserializableValueError(path, `a ${typeof value}`);
  }
  if (value === null) return;
  if (seen.has(value)) throw new UnserializableValueError(path, "a cycle");
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => check(item, `${path}[${i}]`, seen, true));
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      throw new UnserializableValueError(
        path,
        `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "a class"}`,
      );
    for (const [k, v] of Object.entries(value)) check(v, `${path}.${k}`, seen, false);
  }
  seen.delete(value);
}

/**
 * `{"s":storedAt,"v":value}`, or `{"s":storedAt,"u":1}` when the value is `undefined`.
 * @throws {@link UnserializableValueError} when the value cannot round-trip through JSON.
 * @internal
 */
export function encodeEntry(entry: CacheEntry): string {
  if (entry.value === undefined) return JSON.stringify({ s: entry.storedAt, u: 1 });
  check(entry.value, "value", new Set(), false);
  return JSON.stringify({ s: entry.storedAt, v: entry.value });
}

/** The entry in `raw`, or `undefined` when it is not a well-formed encoded entry. @internal */
export function decodeEntry(raw: string): CacheEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as { s?: unknown; v?: unknown; u?: unknown };
  if (typeof record.s !== "number" || !Number.isFinite(record.s)) return undefined;
  if (record.u === 1 && !("v" in record)) return { value: undefined, storedAt: record.s };
  if (!("v" in record)) return undefined;
  return { value: record.v, storedAt: record.s };
}
