/**
 * The options of `circuitBreaker`: their types, defaults and validation (kept beside the primitive,
 * which re-exports them).
 *
 * @packageDocumentation
 */
import type { CircuitState } from "../../core/instrumentation.js";
import { InvalidOptionsError } from "../../core/errors.js";
import { durationOption, functionOption, integerOption, nameOption, readOptions } from "../../internal/options.js";
import { resolveWindow } from "./sliding-window.js";
import type { CircuitBreakerStore } from "./store-driver.js";
import { resolveStoreOption } from "./store-driver.js";

/**
 * Sliding-window failure-rate mode of a circuit breaker (instead of counting consecutive failures).
 *
 * @remarks
 * `kind: "count"` looks at the outcomes of the last `size` calls; `kind: "time"` at the calls that
 * finished in the last `size` milliseconds on the context clock, counted in 10 buckets of `size / 10`
 * ms (so memory is fixed; a call counts for between 0.9 × `size` and `size` ms). After each counted
 * call the breaker opens when the window holds at least `minimumCalls` calls and
 * failures / calls ≥ `failureRateThreshold`.
 * @example
 * ```ts
 * circuitBreaker(model(llm), { window: { kind: "time", size: 30_000, minimumCalls: 20, failureRateThreshold: 0.5 } });
 * ```
 * @since 0.1.0
 */
export interface CircuitBreakerWindow {
  /** `"count"`: the last `size` calls; `"time"`: the calls of the last `size` ms. Required. */
  readonly kind: "count" | "time";
  /**
   * Calls (an integer from 1 to `Number.MAX_SAFE_INTEGER`; memory grows with the calls recorded, one
   * bit each, not with `size`) for `"count"`; milliseconds (> 0, finite) for `"time"`. Required.
   */
  readonly size: number;
  /**
   * Fewest calls in the window before the rate is judged (an integer ≥ 1; for `"count"`, ≤ `size`).
   * @defaultValue `size` for `"count"`, 10 for `"time"`
   */
  readonly minimumCalls?: number;
  /** Failure rate that opens the breaker, in (0, 1]. @defaultValue 0.5 */
  readonly failureRateThreshold?: number;
}

/** Resolved {@link CircuitBreakerWindow}: every field present. @since 0.1.0 */
export type ResolvedCircuitBreakerWindow = Readonly<Required<CircuitBreakerWindow>>;

/** Options of {@link circuitBreaker}. @since 0.1.0 */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failures (an integer ≥ 1) that open a closed breaker. Not allowed together with `window`.
   * @defaultValue 5
   */
  readonly failureThreshold?: number;
  /** How long the breaker stays open before it lets probes through (ms, ≥ 0, finite). @defaultValue 60 000 */
  readonly recoveryTimeoutMs?: number;
  /** Probe successes (an integer ≥ 1) that close a half-open breaker. @defaultValue 2 */
  readonly successThreshold?: number;
  /** Most probes in flight at once while half-open (an integer ≥ 1); other callers fail fast. @defaultValue 1 */
  readonly halfOpenMaxConcurrent?: number;
  /**
   * Whether an error counts as a failure; an error for which it returns `false` counts as neither
   * failure nor success. If it throws, the call counts as a failure and rejects with what it threw.
   * A call cancelled by its context's signal never counts, except when the abort reason is a
   * `TimeoutError` (a deadline, e.g. an enclosing `timeout`): then `isFailure` judges that reason.
   * @defaultValue every error except one named `"AbortError"` counts
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** Failure-rate mode over a sliding window instead of consecutive failures. @defaultValue none */
  readonly window?: CircuitBreakerWindow;
  /**
   * A success that took longer than this (ms on the context clock, > 0) counts as a failure (the
   * caller still gets its result). @defaultValue none (successes are never slow)
   */
  readonly slowCallMs?: number;
  /** Display name. @defaultValue `"CircuitBreakerPrimitive"` */
  readonly name?: string;
  /**
   * External state shared across processes (e.g. `redisBreakerStore` in `@tta/redis`). The store
   * holds the thresholds, so the four thresholds and `window` are not allowed with it.
   * @defaultValue none: in-memory state
   */
  readonly store?: CircuitBreakerStore;
}

/** Resolved options of a {@link CircuitBreakerPrimitive}. @since 0.1.0 */
export interface ResolvedCircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly recoveryTimeoutMs: number;
  readonly successThreshold: number;
  readonly halfOpenMaxConcurrent: number;
  readonly isFailure: (error: unknown) => boolean;
  /** `undefined` in consecutive-failure mode. */
  readonly window: ResolvedCircuitBreakerWindow | undefined;
  /** `undefined` when slow calls are not counted. */
  readonly slowCallMs: number | undefined;
  readonly name: string;
  /** The external state, if given (the thresholds above are then unused). */
  readonly store?: CircuitBreakerStore;
}

/** What an {@link CircuitBreakerPrimitive.onStateChange} listener receives. @since 0.1.0 */
export interface CircuitStateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/** A listener of {@link CircuitBreakerPrimitive.onStateChange}. @since 0.1.0 */
export type CircuitStateListener = (change: CircuitStateChange) => void;

function isFailureByDefault(error: unknown): boolean {
  return !(typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError");
}

/**
 * Default options of {@link circuitBreaker} (no `window`, `slowCallMs` or `store`).
 * @since 0.1.0
 */
export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: Readonly<
  Required<Omit<CircuitBreakerOptions, "window" | "slowCallMs" | "store">>
> = Object.freeze({
  failureThreshold: 5,
  recoveryTimeoutMs: 60_000,
  successThreshold: 2,
  halfOpenMaxConcurrent: 1,
  isFailure: isFailureByDefault,
  name: "CircuitBreakerPrimitive",
});

const OPTION_KEYS = [
  "failureThreshold",
  "recoveryTimeoutMs",
  "successThreshold",
  "halfOpenMaxConcurrent",
  "isFailure",
  "window",
  "slowCallMs",
  "name",
  "store",
] as const;

/** Validates circuit breaker options (what the constructor does first). @throws {@link InvalidOptionsError} naming the option. @internal */
export function resolveCircuitBreakerOptions(options: unknown): ResolvedCircuitBreakerOptions {
  const opts = readOptions("circuitBreaker", options, OPTION_KEYS);
  const defaults = DEFAULT_CIRCUIT_BREAKER_OPTIONS;
  const store = resolveStoreOption(opts);
  const window = resolveWindow(opts.window);
  if (window !== undefined && opts.failureThreshold !== undefined)
    throw new InvalidOptionsError(
      "failureThreshold",
      "`failureThreshold` (consecutive failures) cannot be combined with `window`; use `window.failureRateThreshold`",
    );
  const resolved: Omit<ResolvedCircuitBreakerOptions, "store"> = {
    failureThreshold: integerOption("failureThreshold", opts.failureThreshold, defaults.failureThreshold, { min: 1 }),
    recoveryTimeoutMs: durationOption("recoveryTimeoutMs", opts.recoveryTimeoutMs, defaults.recoveryTimeoutMs, {
      allowZero: true,
    }),
    successThreshold: integerOption("successThreshold", opts.successThreshold, defaults.successThreshold, { min: 1 }),
    halfOpenMaxConcurrent: integerOption(
      "halfOpenMaxConcurrent",
      opts.halfOpenMaxConcurrent,
      defaults.halfOpenMaxConcurrent,
      { min: 1 },
    ),
    isFailure: functionOption<(error: unknown) => boolean>("isFailure", opts.isFailure) ?? defaults.isFailure,
    window,
    slowCallMs: opts.slowCallMs === undefined ? undefined : durationOption("slowCallMs", opts.slowCallMs, 0),
    name: nameOption(opts.name, defaults.name),
  };
  return Object.freeze(store === undefined ? resolved : { ...resolved, store });
}
