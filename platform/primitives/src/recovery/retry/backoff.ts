/**
 * The retry backoff formula of DESIGN §10, as a pure function: the primitive supplies the random
 * number, so tests can check every jitter mode exactly.
 */
import { MAX_TIMER_MS } from "../../internal/options.js";

/** How a computed backoff is randomised. */
export type BackoffJitter = "full" | "equal" | "decorrelated" | "none";

/** The options the formula reads (a `ResolvedRetryOptions` fits). */
export interface BackoffOptions {
  /** Base of the exponential delay and lower bound of decorrelated jitter (ms, ≥ 0). */
  readonly initialDelayMs: number;
  /** Growth per retry (≥ 1); not used by decorrelated jitter. */
  readonly backoffFactor: number;
  /** Cap on every computed delay (ms, ≥ 0, may be `Infinity`). */
  readonly maxDelayMs: number;
  /** Jitter mode. */
  readonly jitter: BackoffJitter;
}

/**
 * The wait before retry `attempt` (1-based: the attempt that just failed), in ms.
 *
 * @remarks
 * Following DESIGN §10, with `cap = min(maxDelayMs, 2^31 − 1)` (the longest wait a timer can
 * express, so an unbounded `maxDelayMs` cannot overflow a timer):
 * - `d = min(cap, initialDelayMs · backoffFactor^(attempt − 1))`;
 * - `none`: `d`; `full`: `random · d` (uniform in [0, d)); `equal`: `d/2 + random · d/2`;
 * - `decorrelated`: `initialDelayMs + random · (3 · previousDelay − initialDelayMs)` (uniform in
 *   [initialDelayMs, 3 · previous)), where `previousDelay` is the previous *computed* wait
 *   (`initialDelayMs` before the first retry);
 * - then the cap again: the result is never above `maxDelayMs`, whatever the jitter.
 *
 * Pure: same arguments, same result.
 *
 * @param options - the resolved retry options.
 * @param attempt - the 1-based number of the attempt that just failed (≥ 1).
 * @param previousDelay - the previous computed wait (decorrelated jitter only).
 * @param random - a number in [0, 1), e.g. `Math.random()`; ignored by `none`.
 * @returns the wait in ms, in [0, min(maxDelayMs, 2^31 − 1)].
 * @example
 * ```ts
 * computeRetryDelay({ initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 30_000, jitter: "none" }, 3, 100, 0); // 400
 * ```
 */
export function computeRetryDelay(
  options: BackoffOptions,
  attempt: number,
  previousDelay: number,
  random: number,
): number {
  const { initialDelayMs, backoffFactor, jitter } = options;
  const cap = Math.min(options.maxDelayMs, MAX_TIMER_MS);
  let delay: number;
  if (jitter === "decorrelated") {
    delay = initialDelayMs + random * (3 * previousDelay - initialDelayMs);
  } else {
    // 0 · Infinity would be NaN: a zero base stays zero however far the exponent grows.
    const exponential = initialDelayMs === 0 ? 0 : initialDelayMs * backoffFactor ** (attempt - 1);
    const d = Math.min(cap, exponential);
    // `min(d, …)`: halving a subnormal delay rounds, so d/2 + r·d/2 could land a hair above d.
    delay = jitter === "none" ? d : jitter === "full" ? random * d : Math.min(d, d / 2 + (random * d) / 2);
  }
  return Math.max(0, Math.min(cap, delay));
}
