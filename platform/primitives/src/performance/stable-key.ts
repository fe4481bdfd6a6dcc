/**
 * The default cache key: a stable, type-tagged, order-independent serialisation of an input,
 * hashed when long, so equal inputs get equal keys and keys stay bounded.
 *
 * @packageDocumentation
 */
import { hash } from "node:crypto";
import { TtaError, TtaErrorCode } from "../core/errors.js";

/** Serialisations up to this many characters are used as keys as they are; longer ones are hashed. */
const MAX_RAW_KEY_LENGTH = 128;
/** Starts every key that is not a short string used as is (serialisations and hashes). */
const TAGGED = "\u0000";
/** Deeper inputs are refused (a clear error instead of a stack overflow). */
const MAX_DEPTH = 1_000;
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,39}$/;

/** An unserialisable value met while serialising; `segments` collect the path on the way out. */
class KeyFault extends Error {
  readonly segments: string[] = [];
  readonly problem: string;
  constructor(problem: string) {
    super(problem);
    this.problem = problem;
  }
}

interface WellFormed {
  isWellFormed(): boolean;
}

/**
 * Quotes a string injectively: as is between quotes when it has no `"`, `\` or lone surrogate
 * (three native scans, ~15 ns), else `JSON.stringify` (~130 ns). The two forms never collide: only
 * the second contains a backslash. Both are well-formed, so hashing their UTF-8 loses nothing.
 */
function quote(text: string): string {
  return text.indexOf('"') < 0 && text.indexOf("\\") < 0 && (text as unknown as WellFormed).isWellFormed()
    ? '"' + text + '"'
    : JSON.stringify(text);
}

/** Sorts in place by UTF-16 code units (as `Array.prototype.sort`), by insertion for small arrays. */
function sortStrings(items: string[]): string[] {
  if (items.length > 16) return items.sort();
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as string;
    let j = i - 1;
    while (j >= 0 && (items[j] as string) > item) {
      items[j + 1] = items[j] as string;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}

function propertySegment(key: string, index: number): string {
  // Property names that look like identifiers are schema; others may be data, so only their position is shown.
  return IDENTIFIER.test(key) ? `.${key}` : `[property #${index + 1}]`;
}

function serializeObject(value: object, stack: object[], depth: number): string {
  if (stack.includes(value)) throw new KeyFault("a circular reference");
  if (depth >= MAX_DEPTH) throw new KeyFault(`nested deeper than ${MAX_DEPTH} levels`);
  stack.push(value);
  try {
    return serializeContainer(value, stack, depth + 1);
  } finally {
    stack.pop();
  }
}

function serializeArray(value: readonly unknown[], stack: object[], depth: number): string {
  let out = "[";
  let i = 0;
  try {
    for (; i < value.length; i++) out += (i === 0 ? "" : ",") + serialize(value[i], stack, depth);
  } catch (fault) {
    if (fault instanceof KeyFault) fault.segments.push(`[${i}]`);
    throw fault;
  }
  return out + "]";
}

function serializeProperties(value: object, stack: object[], depth: number): string {
  const record = value as Record<string, unknown>;
  const keys = sortStrings(Object.keys(record));
  let out = "{";
  let first = true;
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = record[key];
      if (item === undefined) continue; // a property set to undefined equals a missing one
      out += (first ? "" : ",") + quote(key) + ":" + serialize(item, stack, depth);
      first = false;
    }
  } catch (fault) {
    if (fault instanceof KeyFault) fault.segments.push(propertySegment(keys[i] as string, i));
    throw fault;
  }
  return out + "}";
}

/** Serialises each item, sorts the results (so insertion order does not matter), and joins them. */
function serializeSorted(tag: string, items: Iterable<unknown>, stack: object[], depth: number, map: boolean): string {
  const parts: string[] = [];
  let i = 0;
  let side = "";
  try {
    for (const item of items) {
      if (map) {
        const [k, v] = item as [unknown, unknown];
        side = "key";
        const ks = serialize(k, stack, depth);
        side = "value";
        parts.push(ks + ":" + serialize(v, stack, depth));
      } else parts.push(serialize(item, stack, depth));
      i++;
    }
  } catch (fault) {
    if (fault instanceof KeyFault) fault.segments.push(map ? `<entry #${i + 1} ${side}>` : `<item #${i + 1}>`);
    throw fault;
  }
  return tag + "[" + sortStrings(parts).join(",") + "]";
}

function bytesOf(value: ArrayBufferView | ArrayBuffer): string {
  const bytes = ArrayBuffer.isView(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : Buffer.from(value);
  return bytes.toString("base64");
}

function className(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === "string" ? ctor.name : "Object";
}

function serializeContainer(value: object, stack: object[], depth: number): string {
  if (Array.isArray(value)) return serializeArray(value, stack, depth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return serializeProperties(value, stack, depth);
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? "D!" : "D" + quote(value.toISOString());
  }
  if (value instanceof Map) return serializeSorted("M", value, stack, depth, true);
  if (value instanceof Set) return serializeSorted("S", value, stack, depth, false);
  if (value instanceof RegExp) return "R" + quote(String(value));
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return "B" + quote(className(value) + ":" + bytesOf(value));
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return "X" + serialize(value.valueOf(), stack, depth);
  if (value instanceof Promise) throw new KeyFault("a Promise (await it before caching)");
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef)
    throw new KeyFault(`a ${className(value)} (its contents cannot be read)`);
  const name = quote(className(value));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    try {
      return "J" + name + serialize((toJSON as () => unknown).call(value), stack, depth);
    } catch (fault) {
      if (!(fault instanceof KeyFault)) throw new KeyFault("an object whose toJSON() threw");
      fault.segments.push(".toJSON()");
      throw fault;
    }
  }
  if (value instanceof Error) return "E" + name + quote(value.message) + serializeProperties(value, stack, depth);
  return "C" + name + serializeProperties(value, stack, depth);
}

function serialize(value: unknown, stack: object[], depth: number): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return "d" + String(value); // String(-0) is "0"; NaN and ±Infinity keep their names under the tag
    case "boolean":
      return value ? "t" : "f";
    case "undefined":
      return "u";
    case "bigint":
      return "b" + value.toString();
    case "function":
      throw new KeyFault("a function");
    case "symbol":
      throw new KeyFault("a symbol");
    default:
      return value === null ? "n" : serializeObject(value as object, stack, depth);
  }
}

/**
 * The stable serialisation behind {@link stableKey}, before hashing. Exposed for tests.
 * @throws {@link TtaError} with code `UNSERIALIZABLE_KEY`, as {@link stableKey}.
 * @internal
 */
export function serializeKey(input: unknown): string {
  try {
    return serialize(input, [], 0);
  } catch (fault) {
    if (!(fault instanceof KeyFault)) throw fault;
    const path = "input" + fault.segments.reverse().join("");
    throw new TtaError(
      TtaErrorCode.UNSERIALIZABLE_KEY,
      `Cannot compute a cache key: ${path} is ${fault.problem}; pass a custom \`key\` function to cache such inputs`,
    );
  }
}

/**
 * Computes the default cache key of an input: the input itself for a short string, else a stable,
 * type-tagged serialisation, hashed (SHA-256) when longer than 128 characters.
 *
 * @remarks
 * - **Equal inputs, equal keys.** Object keys are sorted; `Map` entries and `Set` items are sorted
 *   by their serialisation, so insertion order never matters. Arrays keep their order.
 * - **No collisions across types.** Every value is tagged with its type: a `Date` (tagged ISO
 *   string) never equals its ISO string, a `Map` never equals an array of pairs, `1n` never equals
 *   `1` or `"1"`, `NaN` is tagged. `-0` is `0`. A property set to `undefined` equals a missing one;
 *   symbol-keyed and non-enumerable properties are ignored. Class instances are tagged with their
 *   class name; objects with `toJSON()` (other than `Date`) are keyed by its result.
 * - **Cheap for strings.** A string of up to 128 characters (not starting with NUL) is its own key:
 *   no copy, no hashing. Every other key starts with NUL (`"\u0000"`), so the two kinds never meet.
 * - **Bounded.** A serialisation longer than 128 characters is replaced by NUL + `"#"` + its SHA-256
 *   (base64url), 45 characters whatever the input size. Shorter ones are kept as they are (hashing
 *   costs ~0.3 µs, as much as the rest of a cache hit); keys never leave the cache store: `cache`
 *   events carry only a hash of them, spans and error messages nothing.
 *
 * @throws {@link TtaError} with code `UNSERIALIZABLE_KEY` when the input contains a function, a
 * symbol value, a cycle, a `Promise`, a `WeakMap`/`WeakSet`/`WeakRef`, or nests deeper than 1 000
 * levels. The message names the path (e.g. `input.tools[2].handler is a function`), never values.
 * @example
 * ```ts
 * stableKey({ b: 1, a: [1, 2] }) === stableKey({ a: [1, 2], b: 1 }); // true
 * stableKey(new Date(0)) === stableKey("1970-01-01T00:00:00.000Z"); // false
 * ```
 * @since 0.1.0
 */
export function stableKey(input: unknown): string {
  // A short string (a prompt, an id) is the most common input: it is its own key, with no copy.
  if (typeof input === "string" && input.length <= MAX_RAW_KEY_LENGTH && input.charCodeAt(0) !== 0) return input;
  const serialized = serializeKey(input);
  return serialized.length <= MAX_RAW_KEY_LENGTH
    ? TAGGED + serialized
    : TAGGED + "#" + hash("sha256", serialized, "base64url");
}

/**
 * The hash of a cache key that spans, events and logs carry instead of the key: the first 16 hex
 * characters (64 bits) of its SHA-256. Enough to correlate log lines, not meant to identify entries.
 * @internal
 */
export function keyHash(key: string): string {
  return hash("sha256", key, "hex").slice(0, 16);
}
