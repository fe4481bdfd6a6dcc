/**
 * Keyed tables of steps shared by `router` (route key → step) and `delegate` (model id → executor):
 * building one from the options, and the error for a key it does not hold.
 */
import { InvalidOptionsError, RouteNotFoundError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { describeValue, isPlainObject } from "./options.js";

/**
 * The steps of `value` by key, in order: a non-empty plain record (own enumerable keys, so
 * `"constructor"` or `"__proto__"` are ordinary keys), or with `allowMap` a non-empty `Map` with string
 * keys. Each step goes through `toExecutable`, named `option.key`.
 * @throws {@link InvalidOptionsError} naming `option` (or `option.key` for a bad step).
 */
export function routeTable<I, O>(
  option: string,
  value: unknown,
  allowMap = false,
): ReadonlyMap<string, Executable<I, O>> {
  const entries: [string, unknown][] = [];
  if (isPlainObject(value)) for (const key of Object.keys(value)) entries.push([key, value[key]]);
  else if (allowMap && value instanceof Map)
    for (const [key, step] of value as Map<unknown, unknown>) {
      if (typeof key !== "string")
        throw new InvalidOptionsError(
          option,
          `Expected the keys of \`${option}\` to be strings, got ${describeValue(key)}`,
        );
      entries.push([key, step]);
    }
  if (entries.length === 0)
    throw new InvalidOptionsError(
      option,
      `Expected \`${option}\` to be a non-empty ${allowMap ? "record or Map" : "record"} of primitives or functions, got ${describeValue(value)}`,
    );
  const table = new Map<string, Executable<I, O>>();
  for (const [key, step] of entries) table.set(key, toExecutable(step as PrimitiveLike<I, O>, `${option}.${key}`));
  return table;
}

/** The step for `key` (whatever a selector returned), or `undefined` when `key` is not a string or not in `table`. */
export function findRoute<I, O>(
  table: ReadonlyMap<string, Executable<I, O>>,
  key: unknown,
): Executable<I, O> | undefined {
  return typeof key === "string" ? table.get(key) : undefined;
}

/** The `RouteNotFoundError` for a key a selector returned, listing the known keys. */
export function routeNotFound(key: unknown, keys: readonly string[]): RouteNotFoundError {
  return new RouteNotFoundError(typeof key === "string" ? key : String(key), keys);
}
