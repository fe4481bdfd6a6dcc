/**
 * One attempt of a routed request: a candidate's call, with its own abortable context and timer when
 * something may end it alone (an attempt timeout, a hedge). Internal to `modelRouter`.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../../core/context.js";
import { createAbortableChild } from "../../core/context.js";
import { TimeoutError } from "../../core/errors.js";
import type { AttemptInput, Candidate } from "./candidate.js";

/** An attempt in flight. @internal */
export interface Attempt {
  readonly candidate: Candidate;
  readonly hedge: boolean;
  readonly startedAt: number;
  /** Aborts this attempt alone (only when it has its own context). */
  readonly abort: ((reason: unknown) => void) | undefined;
  /** Unlinks its own context from the caller's. */
  readonly dispose: (() => void) | undefined;
  /** Cancels its timeout timer, if one is armed. */
  cancelTimer: (() => void) | undefined;
  /** Settles once: never rejects. */
  readonly outcome: Promise<AttemptResult>;
}

/** How an attempt settled: a value, an error, or its own timeout (`value` is then the `TimeoutError`). @internal */
export interface AttemptResult {
  readonly attempt: Attempt;
  readonly ok: boolean;
  readonly value: unknown;
  readonly timedOut: boolean;
}

/** What the hedge timer resolves with. @internal */
export const HEDGE: unique symbol = Symbol("hedge");

/** Why a losing attempt is aborted: an `AbortError`, so breakers count it as neither success nor failure. @internal */
export function lostHedge(): Error {
  return new DOMException("another attempt of the routed request answered first", "AbortError");
}

/** Closes a stream that lost (or arrived after the caller settled): it must not hold a request open. @internal */
export function discard(value: unknown): void {
  const stream = value as { return?: () => Promise<unknown> } | null;
  if (typeof stream === "object" && stream !== null && typeof stream.return === "function")
    stream.return().catch(() => undefined);
}

/**
 * Starts one attempt. With `own`, it runs on an abortable child context (deadline `limit` ms from now,
 * when set) and a `limit` timer settles it as timed out even if the call ignores its signal; without,
 * it runs on `ctx` itself (the cheap path: no context, controller or timer).
 * @internal
 */
export function startAttempt(
  candidate: Candidate,
  hedge: boolean,
  ctx: WorkflowContext,
  input: AttemptInput,
  limit: number | undefined,
  own: boolean,
): Attempt {
  const clock = ctx.clock;
  const startedAt = clock.now();
  if (!own) {
    const attempt: Attempt = {
      candidate,
      hedge,
      startedAt,
      abort: undefined,
      dispose: undefined,
      cancelTimer: undefined,
      outcome: candidate.execute(input, ctx).then(
        (value) => ({ attempt, ok: true, value, timedOut: false }),
        (error: unknown) => ({ attempt, ok: false, value: error, timedOut: false }),
      ),
    };
    return attempt;
  }
  const child = createAbortableChild(ctx, limit === undefined ? undefined : startedAt + limit);
  let resolve!: (result: AttemptResult) => void;
  let settled = false;
  const settle = (result: AttemptResult): void => {
    if (settled) {
      // The attempt timed out first: a late stream must not hold its request open.
      if (result.ok) discard(result.value);
      return;
    }
    settled = true;
    resolve(result);
  };
  const attempt: Attempt = {
    candidate,
    hedge,
    startedAt,
    abort: child.abort,
    dispose: () => child.ctx.dispose(),
    cancelTimer: undefined,
    outcome: new Promise<AttemptResult>((r) => (resolve = r)),
  };
  if (limit !== undefined)
    attempt.cancelTimer = clock.schedule(limit, () => {
      attempt.cancelTimer = undefined;
      const reason = new TimeoutError(`attempt on ${candidate.id} timed out after ${Math.round(limit)} ms`, {
        timeoutMs: limit,
      });
      child.abort(reason);
      settle({ attempt, ok: false, value: reason, timedOut: true });
    });
  let work: Promise<unknown>;
  try {
    work = candidate.execute(input, child.ctx);
  } catch (error) {
    work = Promise.reject(error);
  }
  work.then(
    (value) => settle({ attempt, ok: true, value, timedOut: false }),
    (error: unknown) => settle({ attempt, ok: false, value: error, timedOut: false }),
  );
  return attempt;
}
