/**
 * Option validation shared by every primitive and by `@tta/observability`: plain-object checks, typo
 * protection and typed asserts that throw `InvalidOptionsError` naming the option and the value, in
 * one message style: ``Expected `option` to be <expected>, got <value>``. Published as
 * `@tta/primitives/options` (ADR 0016).
 */
import { InvalidOptionsError } from "../core/errors.js";
import { REDACTED, redactSecrets } from "./redact.js";

/** Largest delay a Node timer accepts (2^31 − 1 ms): the upper bound of every duration option. @since 0.1.0 */
export const MAX_TIMER_MS = 2_147_483_647;

/** Strings up to this length are quoted in error messages (after redaction); longer ones never are. */
const MAX_QUOTED_STRING = 24;
/** How much of a longer string (after redaction) an error message shows. */
const STRING_PREFIX = 8;

/** A redacted prefix of `text`: `[REDACTED]` when it starts with a redacted secret. */
function safePrefix(text: string): string {
  const safe = redactSecrets(text);
  return safe.startsWith(REDACTED) ? REDACTED : safe.slice(0, STRING_PREFIX);
}

/** A string inside a JSON description: short ones redacted, longer ones as a prefix and a length. */
function jsonSafeString(_key: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value.length <= MAX_QUOTED_STRING ? redactSecrets(value) : `${safePrefix(value)}…(${value.length} chars)`;
}

/**
 * A short, safe description of any value for an error message (never throws, never huge, never a
 * secret): strings of at most 24 characters are quoted after {@link redactSecrets}; a longer string
 * (an API key, a prompt) is described by its length and its first 8 characters after redaction,
 * `a string of 51 characters starting "[REDACTED]"…`; objects are JSON (strings inside described the
 * same way) cut at 80 characters.
 *
 * @remarks
 * For option values. For values that may be user data (prompts, completions), use {@link describeShape}.
 * @example
 * ```ts
 * describeValue("zipkin"); // '"zipkin"'
 * describeValue([1, 2]); // "an array of 2"
 * ```
 * @since 0.1.0
 */
export function describeValue(value: unknown): string {
  try {
    if (value === undefined) return "undefined";
    if (typeof value === "string")
      return value.length <= MAX_QUOTED_STRING
        ? JSON.stringify(redactSecrets(value))
        : `a string of ${value.length} characters starting ${JSON.stringify(safePrefix(value))}…`;
    if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
    if (typeof value === "symbol" || typeof value === "bigint")
      return `${String(value)}${typeof value === "bigint" ? "n" : ""}`;
    if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
    if (Array.isArray(value)) return value.length === 0 ? "[]" : `an array of ${value.length}`;
    if (value instanceof Map) return "a Map";
    if (value instanceof Set) return "a Set";
    if (
      typeof value === "object" &&
      value !== null &&
      Object.getPrototypeOf(value) !== Object.prototype &&
      Object.getPrototypeOf(value) !== null
    )
      return `an instance of ${value.constructor?.name ?? "an unknown class"}`;
    const text = JSON.stringify(value, jsonSafeString);
    if (text === undefined) return Object.prototype.toString.call(value);
    const safe = redactSecrets(text);
    return safe.length > 80 ? `${safe.slice(0, 80)}…` : safe;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The kind or shape of a value for an error message, never its content: for values that may be user
 * data (prompts, tool arguments) or secrets (API keys). `"a string of 12 characters"`, `"an object"`,
 * `"an array of 3"`, `"an instance of Date"`; numbers, booleans, `null` and `undefined` are shown as
 * they are (they hold no text, and `maxTokens: 0` reads better as `0`).
 *
 * @example
 * ```ts
 * describeShape("summarise this contract…"); // "a string of 25 characters"
 * ```
 * @since 0.1.0
 */
export function describeShape(value: unknown): string {
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean")
    return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return value === "" ? "an empty string" : `a string of ${value.length} characters`;
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : `an array of ${value.length}`;
  if (typeof value !== "object") return `a ${typeof value}`;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return "an object";
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? `an instance of ${name}` : "an object";
}

/**
 * Throws the house `InvalidOptionsError`: ``Expected `option` to be <expected>, got <description>``,
 * the value described by {@link describeValue}.
 *
 * @param option - the option's name as the user wrote it; dotted for nested options (`tracing.endpoint`).
 * @param expected - what would have been accepted, as a phrase: `"a boolean"`, `"an integer ≥ 1"`.
 * @throws {@link InvalidOptionsError} always, with `option` set.
 * @example
 * ```ts
 * if (typeof value !== "boolean") fail("tracing.contextManager", "a boolean", value);
 * // InvalidOptionsError: Expected `tracing.contextManager` to be a boolean, got "yes"
 * ```
 * @since 0.1.0
 */
export function fail(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeValue(value)}`);
}

/** True for `{}`-style objects (prototype `Object.prototype` or `null`). @since 0.1.0 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks an options argument: omitted is fine, otherwise a plain object whose own keys are all in
 * `allowed`. Returns a null-prototype record of its own enumerable properties, with `null`
 * normalised to `undefined` (so `null` means "use the default").
 *
 * @param what - what the options configure, for messages: `"retry"`, `"setupObservability"`.
 * @param path - for a nested options object, its option name (`"tracing"`): errors then name `tracing`
 * itself or `tracing.<key>`. Omit it for a top-level options argument (errors name `<what> options` or
 * the key).
 * @throws {@link InvalidOptionsError} when `options` is not a plain object (`null` included) or has a key
 * not in `allowed` (typo protection: ``Unknown option `concurency` for parallel; expected one of: …``).
 * @example
 * ```ts
 * const o = readOptions("setupObservability", user.tracing, ["exporter", "endpoint"], "tracing");
 * const exporter = choiceOption("tracing.exporter", o.exporter, ["otlp", "console"], "otlp");
 * ```
 * @since 0.1.0
 */
export function readOptions(
  what: string,
  options: unknown,
  allowed: readonly string[],
  path?: string,
): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (options === undefined) return out;
  if (!isPlainObject(options)) fail(path ?? `${what} options`, "a plain object or omitted", options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const option = path === undefined ? key : `${path}.${key}`;
      throw new InvalidOptionsError(
        option,
        `Unknown option \`${option}\` for ${what}; expected one of: ${allowed.map((k) => `\`${k}\``).join(", ")}`,
      );
    }
    const value = options[key];
    out[key] = value === null ? undefined : value;
  }
  return out;
}

/**
 * A non-empty string `name`, or `fallback` when omitted.
 * @throws {@link InvalidOptionsError} naming `name` for anything else.
 * @since 0.1.0
 */
export function nameOption(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value.length === 0) fail("name", "a non-empty string", value);
  return value;
}

/**
 * An integer ≥ `min` and ≤ `max` (`Infinity` allowed only with `allowInfinity`), or `fallback` when
 * omitted. Bounds that size storage pass `max: Number.MAX_SAFE_INTEGER` (ADR 0013).
 *
 * @throws {@link InvalidOptionsError} naming `option`: ``Expected `metrics.port` to be an integer ≥ 0 and ≤ 65535, got 70000``.
 * @example
 * ```ts
 * const port = integerOption("metrics.port", o.port, 9464, { min: 0, max: 65_535 });
 * ```
 * @since 0.1.0
 */
export function integerOption(
  option: string,
  value: unknown,
  fallback: number,
  {
    min,
    max = Infinity,
    allowInfinity = false,
  }: { readonly min: number; readonly max?: number; readonly allowInfinity?: boolean },
): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && allowInfinity && value === Infinity) return value;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    fail(
      option,
      `an integer ≥ ${min}${max === Infinity ? "" : ` and ≤ ${max}`}${allowInfinity ? " (or Infinity)" : ""}`,
      value,
    );
  return value;
}

/**
 * A duration in ms: finite, ≤ 2^31 − 1, and > 0 (or ≥ 0 with `allowZero`); `Infinity` only with
 * `allowInfinity`. Returns `fallback` when omitted.
 * @throws {@link InvalidOptionsError} naming `option`.
 * @since 0.1.0
 */
export function durationOption(
  option: string,
  value: unknown,
  fallback: number,
  { allowZero = false, allowInfinity = false }: { readonly allowZero?: boolean; readonly allowInfinity?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && allowInfinity && value === Infinity) return value;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    value <= MAX_TIMER_MS &&
    (allowZero ? value >= 0 : value > 0) &&
    !Object.is(value, -0);
  if (!ok)
    fail(
      option,
      `a finite number of milliseconds ${allowZero ? "≥ 0" : "> 0"} and ≤ ${MAX_TIMER_MS}${allowInfinity ? " (or Infinity)" : ""}`,
      value,
    );
  return value;
}

/**
 * A function, or `undefined` when omitted and not `required`.
 * @throws {@link InvalidOptionsError} naming `option`.
 * @since 0.1.0
 */
export function functionOption<F extends (...args: never[]) => unknown>(
  option: string,
  value: unknown,
  required: true,
): F;
export function functionOption<F extends (...args: never[]) => unknown>(
  option: string,
  value: unknown,
  required?: false,
): F | undefined;
export function functionOption<F extends (...args: never[]) => unknown>(
  option: string,
  value: unknown,
  required = false,
): F | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "function") fail(option, "a function", value);
  return value as F;
}

/**
 * One of `choices`, or `fallback` when omitted.
 * @throws {@link InvalidOptionsError} naming `option`: ``Expected `logging.level` to be one of "info", "warn", got "verbose"``.
 * @since 0.1.0
 */
export function choiceOption<T extends string>(option: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value))
    fail(option, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`, value);
  return value as T;
}

/**
 * A boolean, or `fallback` when omitted.
 * @throws {@link InvalidOptionsError} naming `option`.
 * @since 0.1.0
 */
export function booleanOption(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") fail(option, "a boolean", value);
  return value;
}

/** Whether `value` is a promise or another thenable (a user callback may return either). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
