/**
 * Typed keys for values carried on a `WorkflowContext` (`ctx.withValue(key, value)`,
 * `ctx.getValue(key)`): the slot budgets, agents and other cross-cutting state travel in.
 *
 * @packageDocumentation
 */
import { InvalidOptionsError } from "./errors.js";
import { describeValue } from "../internal/options.js";

/**
 * A typed key for {@link WorkflowContext.withValue} / {@link WorkflowContext.getValue}. Keys compare
 * by identity, not by name: two keys made with the same name are different keys.
 *
 * @typeParam T - the type of the value stored under this key.
 * @since 0.1.0
 */
export interface ContextKey<T> {
  /** A description for debugging; not used for lookup. */
  readonly name: string;
  /** Type marker only; never set. */
  readonly "~value"?: T;
}

/**
 * Creates a {@link ContextKey}. Make one per kind of value, at module level, and share the object.
 *
 * @param name - a description for debugging (e.g. `"my-lib.tenant"`).
 * @throws {@link InvalidOptionsError} when `name` is not a string.
 * @example
 * ```ts
 * const TENANT = contextKey<string>("tenant");
 * const ctx = createContext().withValue(TENANT, "acme");
 * ctx.getValue(TENANT); // "acme"
 * ```
 * @since 0.1.0
 */
export function contextKey<T>(name: string): ContextKey<T> {
  if (typeof name !== "string")
    throw new InvalidOptionsError("name", `Expected \`name\` to be a string, got ${describeValue(name)}`);
  return Object.freeze({ name });
}

/**
 * @internal The values of a context: an immutable chain, newest first, holding each key at most
 * once (so its length is bounded by the number of distinct keys, however often values are replaced).
 */
export interface ValueNode {
  readonly key: ContextKey<unknown>;
  readonly value: unknown;
  readonly next: ValueNode | undefined;
}

/** @internal The value under `key` in `chain`, or `undefined`. */
export function lookupValue(chain: ValueNode | undefined, key: ContextKey<unknown>): unknown {
  for (let node = chain; node !== undefined; node = node.next) if (node.key === key) return node.value;
  return undefined;
}

/** @internal `chain` with `key` set to `value` (an earlier entry for `key` is dropped). */
export function withEntry(chain: ValueNode | undefined, key: ContextKey<unknown>, value: unknown): ValueNode {
  return { key, value, next: without(chain, key) };
}

function without(chain: ValueNode | undefined, key: ContextKey<unknown>): ValueNode | undefined {
  if (chain === undefined) return undefined;
  if (chain.key === key) return chain.next;
  const rest = without(chain.next, key);
  return rest === chain.next ? chain : { key: chain.key, value: chain.value, next: rest };
}
