/**
 * Validation of budget limits, options and spend amounts, for `createBudget` and `budget.child`.
 * Internal to the budget: not re-exported by the package.
 *
 * @packageDocumentation
 */
import type { Clock } from "@tta/primitives";
import { fail, readOptions } from "@tta/primitives/options";

/** The limit keys of `BudgetLimits`, in reporting order. */
export const LIMIT_KEYS: readonly ["tokens", "inputTokens", "outputTokens", "costUsd", "timeMs", "launches"] = [
  "tokens",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "timeMs",
  "launches",
];

/** Every key `createBudget` accepts. */
export const OPTION_KEYS: readonly string[] = [...LIMIT_KEYS, "name", "soft", "clock"];

/** The keys `budget.child(limits, options)` accepts in `options`. */
export const CHILD_OPTION_KEYS: readonly string[] = ["name"];

/** Validated limits: each a finite number ≥ 0, or `undefined` for none. */
export interface Limits {
  readonly tokens: number | undefined;
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
  readonly costUsd: number | undefined;
  readonly timeMs: number | undefined;
  readonly launches: number | undefined;
}

/** No limits at all. */
export const NO_LIMITS: Limits = Object.freeze({
  tokens: undefined,
  inputTokens: undefined,
  outputTokens: undefined,
  costUsd: undefined,
  timeMs: undefined,
  launches: undefined,
});

const EXPECTED_AMOUNT = "a finite number ≥ 0";

/**
 * A limit: a finite number ≥ 0, or `undefined` when omitted.
 * @throws `InvalidOptionsError` naming `option` for NaN, ±Infinity, negatives and non-numbers.
 */
function limitValue(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value >= 0) || value === Infinity) fail(option, EXPECTED_AMOUNT, value);
  return value === 0 ? 0 : value; // -0 is 0
}

/**
 * Reads the limit keys of an options record already checked by `readOptions`.
 * @param prefix - `""` at the top level, `"soft."` for soft limits (errors then name `soft.tokens`).
 */
export function limitsFrom(record: Readonly<Record<string, unknown>>, prefix: string): Limits {
  return {
    tokens: limitValue(`${prefix}tokens`, record.tokens),
    inputTokens: limitValue(`${prefix}inputTokens`, record.inputTokens),
    outputTokens: limitValue(`${prefix}outputTokens`, record.outputTokens),
    costUsd: limitValue(`${prefix}costUsd`, record.costUsd),
    timeMs: limitValue(`${prefix}timeMs`, record.timeMs),
    launches: limitValue(`${prefix}launches`, record.launches),
  };
}

/**
 * Reads `soft` (a plain object of limits, or omitted) and checks each soft limit against its hard
 * limit.
 * @throws `InvalidOptionsError` naming `soft` or `soft.<key>`.
 */
export function softLimitsFrom(value: unknown, hard: Limits): Limits {
  if (value === undefined) return NO_LIMITS;
  const soft = limitsFrom(readOptions("createBudget", value, LIMIT_KEYS, "soft"), "soft.");
  for (const key of LIMIT_KEYS) {
    const s = soft[key];
    const h = hard[key];
    if (s !== undefined && h !== undefined && s > h)
      fail(`soft.${key}`, `${EXPECTED_AMOUNT} and ≤ \`${key}\` (${h})`, s);
  }
  return soft;
}

/**
 * The `clock` option: an object with a `now()` method, or `fallback` when omitted.
 * @throws `InvalidOptionsError` naming `clock`.
 */
export function clockOption(value: unknown, fallback: Clock): Clock {
  if (value === undefined) return fallback;
  if (typeof value !== "object" || value === null || typeof (value as { now?: unknown }).now !== "function")
    fail("clock", "an object with a now() method", value);
  return value as Clock;
}

/**
 * One field of a `Spend` (an estimate or an actual): a finite number ≥ 0, 0 when absent. On the hot
 * path: `field` is a literal, and a valid amount costs two comparisons.
 * @throws `InvalidOptionsError` naming `field` (`estimate.inputTokens`, `actual.costUsd`…).
 */
export function spendAmount(field: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && value >= 0 && value <= Number.MAX_VALUE) return value;
  return fail(field, EXPECTED_AMOUNT, value);
}

/**
 * A `Spend` argument must be an object.
 * @throws `InvalidOptionsError` naming `what` (`estimate` or `actual`).
 */
export function checkSpendObject(what: string, value: unknown): void {
  if (typeof value !== "object" || value === null) fail(what, "a Spend object", value);
}
