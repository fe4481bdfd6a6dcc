/**
 * Reading OTLP field values that arrive either from the protobuf decoder (`Uint8Array` ids, `Long`
 * times) or from OTLP JSON (hex or base64 id strings, int64 as a string or a number), with the
 * per-span size limits applied.
 *
 * Every reader returns a value or an {@link Invalid} with a short reason; the caller adds where the
 * value was. Reasons never quote the value. Attribute maps have no prototype, so a key such as
 * `__proto__` is an ordinary key.
 *
 * @packageDocumentation
 */
import { SPAN_LIMITS, truncate } from "../limits.js";
import type { AttributeScalar, AttributeValue, Attributes } from "../types.js";

/** A failed read: `{ invalid: reason }`. */
export interface Invalid {
  readonly invalid: string;
}

/** Makes an {@link Invalid}. */
export function invalid(reason: string): Invalid {
  return { invalid: reason };
}

/** Whether `value` is an {@link Invalid}. */
export function isInvalid(value: unknown): value is Invalid {
  return typeof value === "object" && value !== null && Object.prototype.hasOwnProperty.call(value, "invalid");
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A value that looks like protobufjs' `Long`. */
interface LongLike {
  readonly low: number;
  readonly high: number;
}

function isLongLike(value: unknown): value is LongLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as LongLike).low === "number" &&
    typeof (value as LongLike).high === "number"
  );
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "bytes";
  return `a ${typeof value}`;
}

/**
 * A trace or span id as lower-case hex: `undefined` when absent or empty, an {@link Invalid} when it
 * has the wrong length, is all zeros, or is neither hex nor base64.
 */
export function readId(value: unknown, bytes: number): string | undefined | Invalid {
  // protobufjs' default for an absent `bytes` field is an empty array.
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  let hex: string;
  if (value instanceof Uint8Array) {
    if (value.length === 0) return undefined;
    if (value.length !== bytes) return invalid(`expected ${bytes} bytes, got ${value.length}`);
    hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex");
  } else if (typeof value === "string") {
    if (value === "") return undefined;
    if (value.length === bytes * 2 && HEX.test(value)) hex = value.toLowerCase();
    else if (BASE64.test(value)) {
      const decoded = Buffer.from(value, "base64");
      if (decoded.length !== bytes)
        return invalid(
          `expected ${bytes * 2} hex characters or base64 of ${bytes} bytes (got ${value.length} characters)`,
        );
      hex = decoded.toString("hex");
    } else return invalid(`expected ${bytes * 2} hex characters or base64 of ${bytes} bytes`);
  } else return invalid(`expected a hex or base64 string or bytes, got ${describeType(value)}`);
  if (/^0+$/.test(hex)) return invalid("all zeros (an invalid id)");
  return hex;
}

/** Nanoseconds (fixed64/int64: `Long`, number, decimal string or bigint) as a number, or an {@link Invalid}. */
export function readInt64(value: unknown): number | Invalid {
  if (typeof value === "number") {
    return Number.isFinite(value) && Number.isInteger(value) ? value : invalid("expected an integer");
  }
  if (typeof value === "string") {
    if (!/^-?\d+$/.test(value)) return invalid("expected a decimal integer string");
    return Number(value);
  }
  if (typeof value === "bigint") return Number(value);
  if (isLongLike(value)) {
    const unsigned = (value as { unsigned?: boolean }).unsigned === true;
    const high = unsigned ? value.high >>> 0 : value.high;
    return high * 4294967296 + (value.low >>> 0);
  }
  return invalid(`expected an integer, got ${describeType(value)}`);
}

/** Nanoseconds as a bigint: exact for `Long`, decimal strings and bigints (a JSON number already lost its last digits). */
function readNanos(value: unknown): bigint | number | Invalid {
  if (typeof value === "number") {
    return Number.isFinite(value) && Number.isInteger(value) ? value : invalid("expected an integer");
  }
  if (typeof value === "string") {
    if (!/^-?\d{1,20}$/.test(value)) return invalid("expected a decimal integer string");
    return BigInt(value);
  }
  if (typeof value === "bigint") return value;
  if (isLongLike(value)) {
    const unsigned = (value as { unsigned?: boolean }).unsigned === true;
    const high = BigInt(unsigned ? value.high >>> 0 : value.high);
    return (high << 32n) + BigInt(value.low >>> 0);
  }
  return invalid(`expected an integer, got ${describeType(value)}`);
}

/**
 * A `*_unix_nano` time as milliseconds since the epoch (fractional, exact to the microsecond):
 * `undefined` when absent or 0, an {@link Invalid} when negative or not an integer.
 */
export function readTimeMs(value: unknown): number | undefined | Invalid {
  if (value === undefined || value === null) return undefined;
  const nanos = readNanos(value);
  if (isInvalid(nanos)) return nanos;
  if (nanos === 0 || nanos === 0n) return undefined;
  if (nanos < 0) return invalid("negative time");
  if (typeof nanos === "number") return nanos / 1e6;
  return Number(nanos / 1_000_000n) + Number(nanos % 1_000_000n) / 1e6;
}

/** Whether `object` has `key` as an own property whose value is not `undefined`/`null`. */
function has(object: object, key: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(object, key)) return false;
  const value = (object as Record<string, unknown>)[key];
  return value !== undefined && value !== null;
}

function readScalarDouble(value: unknown): number | string | Invalid {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    // protobuf JSON writes the special doubles as strings
    if (value === "NaN" || value === "Infinity" || value === "-Infinity") return value;
    const number = Number(value);
    if (value.trim() !== "" && Number.isFinite(number)) return number;
  }
  return invalid(`expected a number, got ${describeType(value)}`);
}

function readIntValue(value: unknown): number | string | Invalid {
  const number = readInt64(value);
  if (isInvalid(number)) return number;
  // Beyond 2^53 a number loses digits: keep the exact decimal text.
  if (!Number.isSafeInteger(number)) return typeof value === "string" ? value : String(value);
  return number;
}

/** Depth of nested arrays/lists turned into JSON text. */
const MAX_NESTED_DEPTH = 8;

/**
 * An OTLP `AnyValue` (protobuf message or JSON object) as an {@link AttributeValue}. Strings are cut at
 * {@link SPAN_LIMITS}.maxStringLength, arrays at maxArrayItems; key-value lists and nested arrays become
 * JSON text; bytes become base64 text. An empty `AnyValue` is `undefined`.
 */
export function readAnyValue(value: unknown): AttributeValue | undefined | Invalid {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    return invalid(`expected an AnyValue object, got ${describeType(value)}`);
  if (has(value, "arrayValue")) {
    const items = arrayItems((value as { arrayValue: unknown }).arrayValue);
    if (isInvalid(items)) return items;
    const out: AttributeScalar[] = [];
    for (let i = 0; i < items.length && out.length < SPAN_LIMITS.maxArrayItems; i++) {
      const item = items[i];
      const read = isComposite(item) ? nested(item, 1) : readAnyValue(item);
      if (isInvalid(read)) return invalid(`values[${i}]: ${read.invalid}`);
      if (read === undefined) continue;
      out.push(Array.isArray(read) ? truncate(JSON.stringify(read)) : read);
    }
    return out;
  }
  if (has(value, "kvlistValue")) return nested(value, 0);
  return readScalar(value);
}

/** Whether an AnyValue holds an array or a key-value list. */
function isComposite(value: unknown): boolean {
  return typeof value === "object" && value !== null && (has(value, "arrayValue") || has(value, "kvlistValue"));
}

/** An empty attribute map without a prototype. */
export function emptyAttributes(): Attributes {
  return Object.create(null) as Attributes;
}

function readScalar(value: object): AttributeScalar | undefined | Invalid {
  const v = value as Record<string, unknown>;
  if (has(value, "stringValue")) {
    return typeof v.stringValue === "string"
      ? truncate(v.stringValue)
      : invalid(`stringValue: expected a string, got ${describeType(v.stringValue)}`);
  }
  if (has(value, "boolValue")) {
    return typeof v.boolValue === "boolean"
      ? v.boolValue
      : invalid(`boolValue: expected a boolean, got ${describeType(v.boolValue)}`);
  }
  if (has(value, "intValue")) {
    const number = readIntValue(v.intValue);
    return isInvalid(number) ? invalid(`intValue: ${number.invalid}`) : number;
  }
  if (has(value, "doubleValue")) {
    const number = readScalarDouble(v.doubleValue);
    return isInvalid(number) ? invalid(`doubleValue: ${number.invalid}`) : number;
  }
  if (has(value, "bytesValue")) {
    const bytes = v.bytesValue;
    if (bytes instanceof Uint8Array)
      return truncate(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"));
    if (typeof bytes === "string" && BASE64.test(bytes)) return truncate(bytes);
    return invalid("bytesValue: expected base64 text or bytes");
  }
  return undefined;
}

function arrayItems(arrayValue: unknown): readonly unknown[] | Invalid {
  if (typeof arrayValue !== "object" || arrayValue === null) return invalid("arrayValue: expected an object");
  const values = (arrayValue as { values?: unknown }).values;
  if (values === undefined || values === null) return [];
  return Array.isArray(values) ? values : invalid("arrayValue.values: expected an array");
}

/** A nested value (an array inside an array, a key-value list) as JSON text, with bounded depth. */
function nested(value: unknown, depth: number): string | Invalid {
  const plain = toPlain(value, depth);
  return isInvalid(plain) ? plain : truncate(JSON.stringify(plain));
}

/** An AnyValue as plain JSON data (for nested values only), bounded in depth and size. */
function toPlain(value: unknown, depth: number): unknown {
  if (depth > MAX_NESTED_DEPTH) return "…";
  if (typeof value !== "object" || value === null) return null;
  if (has(value, "arrayValue")) {
    const items = arrayItems((value as { arrayValue: unknown }).arrayValue);
    if (isInvalid(items)) return items;
    const out: unknown[] = [];
    for (const item of items.slice(0, SPAN_LIMITS.maxArrayItems)) {
      const plain = toPlain(item, depth + 1);
      if (isInvalid(plain)) return plain;
      out.push(plain);
    }
    return out;
  }
  if (has(value, "kvlistValue")) {
    const list = (value as { kvlistValue: unknown }).kvlistValue;
    if (typeof list !== "object" || list === null) return invalid("kvlistValue: expected an object");
    const values = (list as { values?: unknown }).values ?? [];
    if (!Array.isArray(values)) return invalid("kvlistValue.values: expected an array");
    const out = Object.create(null) as Record<string, unknown>;
    for (const entry of values.slice(0, SPAN_LIMITS.maxAttributes)) {
      if (typeof entry !== "object" || entry === null) return invalid("kvlistValue: expected KeyValue objects");
      const key = (entry as { key?: unknown }).key;
      if (typeof key !== "string") return invalid("kvlistValue: a key is not a string");
      const plain = toPlain((entry as { value?: unknown }).value, depth + 1);
      if (isInvalid(plain)) return plain;
      out[truncate(key, SPAN_LIMITS.maxKeyLength)] = plain;
    }
    return out;
  }
  const scalar = readScalar(value);
  return scalar === undefined ? null : scalar;
}

/**
 * A list of OTLP `KeyValue`s as {@link Attributes}: at most maxAttributes keys (later ones are
 * dropped), keys cut at maxKeyLength, a repeated key keeps its last value, empty values are left out.
 * Returns an {@link Invalid} whose reason starts with the offending `[index]`.
 */
export function readAttributes(list: unknown): Attributes | Invalid {
  const attributes = emptyAttributes();
  if (list === undefined || list === null) return attributes;
  if (!Array.isArray(list)) return invalid(`: expected an array, got ${describeType(list)}`);
  let count = 0;
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      return invalid(`[${i}]: expected a KeyValue object, got ${describeType(entry)}`);
    const key = (entry as { key?: unknown }).key;
    if (typeof key !== "string") return invalid(`[${i}].key: expected a string, got ${describeType(key)}`);
    const value = readAnyValue((entry as { value?: unknown }).value);
    if (isInvalid(value)) return invalid(`[${i}].value: ${value.invalid}`);
    if (value === undefined) continue;
    const name = truncate(key, SPAN_LIMITS.maxKeyLength);
    if (!Object.prototype.hasOwnProperty.call(attributes, name)) {
      if (count >= SPAN_LIMITS.maxAttributes) continue;
      count++;
    }
    attributes[name] = value;
  }
  return attributes;
}
