/**
 * Choosing the next candidate of a routed request (and a hedge's target). Pure functions over the
 * request's state. Internal to `modelRouter`.
 *
 * @packageDocumentation
 */
import type { Candidate } from "./candidate.js";
import type { RouteSkipReason } from "./types.js";

/** The per-request state the choice reads (arrays indexed like `order`; absent before any failure). @internal */
export interface PickState {
  readonly order: readonly Candidate[];
  readonly tries: readonly number[] | undefined;
  readonly readyAt: readonly number[] | undefined;
  readonly excluded: readonly boolean[] | undefined;
  readonly stream: boolean;
}

/** The limits of the choice, on the context clock. @internal */
export interface PickLimits {
  readonly now: number;
  /** The caller's deadline, if any. */
  readonly deadline: number | undefined;
  /** `start + latencyGoalMs`, if a goal is set. */
  readonly goal: number | undefined;
  /** `now + maxWaitMs`. */
  readonly maxWait: number;
  readonly failoverFirst: boolean;
}

/** A candidate and how long to wait for it. @internal */
export interface Pick {
  readonly candidate: Candidate;
  readonly waitMs: number;
}

/**
 * The best candidate to try next: in ranked order, the first one that is not exhausted, excluded or
 * open and is ready now, or whose cool-down is short (≤ `maxWait`) and ends in time for the deadline and
 * the goal. With `failoverFirst`, untried candidates that are ready now come first. When none qualifies,
 * the candidate that can answer soonest within the deadline, however long the wait.
 * @internal
 */
export function pickCandidate(
  state: PickState,
  limits: PickLimits,
  skip: (candidate: Candidate, reason: RouteSkipReason) => void,
): Pick | undefined {
  const { order, tries, readyAt, excluded, stream } = state;
  const { now, deadline, goal, maxWait } = limits;
  if (limits.failoverFirst && tries !== undefined)
    for (let i = 0; i < order.length; i++) {
      const candidate = order[i]!;
      if (tries[i] === 0 && excluded?.[i] !== true && !candidate.open && readyTime(candidate, readyAt, i, now) === now)
        return { candidate, waitMs: 0 };
    }
  let fallback: Pick | undefined;
  let fallbackDone = Infinity;
  for (let i = 0; i < order.length; i++) {
    const candidate = order[i]!;
    if (excluded?.[i] === true) continue;
    if ((tries?.[i] ?? 0) > candidate.maxRetries) {
      skip(candidate, "exhausted");
      continue;
    }
    if (candidate.open) {
      skip(candidate, "breaker-open");
      continue;
    }
    const ready = readyTime(candidate, readyAt, i, now);
    // A candidate that is ready now is tried even if its median would miss the deadline: it may not.
    if (ready === now) return { candidate, waitMs: 0 };
    const done = ready + candidate.expectedMs(stream);
    if (deadline !== undefined && done > deadline) {
      skip(candidate, "cooling-down");
      continue;
    }
    if (ready <= maxWait && (goal === undefined || done <= goal)) return { candidate, waitMs: ready - now };
    // Too long a wait while others may be ready: wait for it only if nothing else can start.
    skip(candidate, "cooling-down");
    if (done < fallbackDone) {
      fallback = { candidate, waitMs: ready - now };
      fallbackDone = done;
    }
  }
  return fallback;
}

/** A candidate not in `busy` that can start now, for a hedge. @internal */
export function hedgeTarget(state: PickState, busy: readonly Candidate[], now: number): Candidate | undefined {
  const { order, tries, readyAt, excluded } = state;
  for (let i = 0; i < order.length; i++) {
    const candidate = order[i]!;
    if (busy.includes(candidate) || excluded?.[i] === true) continue;
    if ((tries?.[i] ?? 0) > candidate.maxRetries || candidate.open) continue;
    if (readyTime(candidate, readyAt, i, now) === now) return candidate;
  }
  return undefined;
}

/** When a candidate can next be called for this request: its cool-down and this request's backoff. */
function readyTime(candidate: Candidate, readyAt: readonly number[] | undefined, i: number, now: number): number {
  return Math.max(now, candidate.coolUntil, readyAt?.[i] ?? 0);
}

/**
 * When the first candidate could take a request again (for `CircuitOpenError.retryAfterMs`): the end
 * of its cool-down, or for an open breaker at most its `recoveryTimeoutMs`.
 * @internal
 */
export function soonestReadyMs(order: readonly Candidate[], now: number): number {
  let wait = Infinity;
  for (const c of order) {
    const cooling = Math.max(0, c.coolUntil - now);
    wait = Math.min(wait, c.open ? Math.max(cooling, c.breaker?.options.recoveryTimeoutMs ?? 0) : cooling);
  }
  return wait;
}
