/**
 * The shared run behind a cache miss (single-flight): a context detached from every caller's
 * cancellation, and waiters that each leave on their own signal without disturbing the run.
 *
 * @internal
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import {
  canContextAbort,
  contextAbortReason,
  isContextAborted,
  unwatchContext,
  watchContext,
} from "../core/context.js";

interface Waiter<O> {
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * One run of the inner primitive shared by every caller that missed on its key.
 * @internal
 */
export class Flight<O> {
  /** Whether the result may still fill the cache (false once invalidated or cleared). */
  live = true;
  /** Whether the run has settled. */
  settled = false;
  /** While an async store is writing the result: resolves when it is readable. */
  filling: Promise<void> | undefined = undefined;
  /** The run's outcome, for callers whose signal can never abort (they add no listener). */
  promise: Promise<O> = Promise.resolve(undefined as O);
  readonly #waiters = new Set<Waiter<O>>();

  /** Adopts the run's promise and settles every waiter still waiting when it settles. */
  track(work: Promise<O>): void {
    this.promise = work;
    work.then(
      (value) => {
        this.settled = true;
        for (const waiter of this.#waiters) waiter.resolve(value);
        this.#waiters.clear();
      },
      (error: unknown) => {
        this.settled = true;
        for (const waiter of this.#waiters) waiter.reject(error);
        this.#waiters.clear();
      },
    );
  }

  join(waiter: Waiter<O>): void {
    this.#waiters.add(waiter);
  }

  leave(waiter: Waiter<O>): void {
    this.#waiters.delete(waiter);
  }
}

/**
 * Waits for `flight` on behalf of one caller: resolves or rejects with the shared outcome, or
 * rejects at once with the caller's own `signal.reason` if it aborts first, leaving the run and
 * the other waiters untouched. Only a caller whose signal can abort watches it (through the one
 * listener TTA shares per signal), until either side settles.
 * @internal
 */
export function waitForFlight<O>(flight: Flight<O>, ctx: WorkflowContext): Promise<O> {
  if (flight.settled || !canContextAbort(ctx)) return flight.promise;
  if (isContextAborted(ctx)) return Promise.reject(contextAbortReason(ctx));
  return new Promise<O>((resolve, reject) => {
    const onAbort = (): void => {
      flight.leave(waiter);
      reject(contextAbortReason(ctx));
    };
    const waiter: Waiter<O> = {
      resolve(value) {
        unwatchContext(ctx, onAbort, false);
        resolve(value);
      },
      reject(error) {
        unwatchContext(ctx, onAbort, false);
        reject(error);
      },
    };
    watchContext(ctx, onAbort, false);
    flight.join(waiter);
  });
}
