/**
 * Time source used by every delay, deadline, timeout and TTL in TTA.
 *
 * @packageDocumentation
 */
import { offAbort, onAbort } from "../internal/abort-fanout.js";

/**
 * Where primitives read time and schedule work, so tests can drive time with a fake clock.
 *
 * @remarks
 * Every delay, timeout, deadline and TTL goes through the context's clock. Implementations must
 * call `schedule` callbacks at most once and never after `cancel`. `now()` is epoch milliseconds.
 *
 * @example
 * ```ts
 * const ctx = createContext({ clock: new TestClock() });
 * ```
 * @since 0.1.0
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as `signal` aborts
   * (at once if it already has), and then leaves no timer behind.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `callback` once after `ms` milliseconds and returns a function that cancels it.
   * System-clock `schedule` and `sleep` timers keep the process alive, like `setTimeout` (a pending
   * `timeout`, backoff or rate-limit wait is work someone awaits); only the deadline timer of a
   * context with no execution in flight is `unref`'d.
   */
  schedule(ms: number, callback: () => void): () => void;
}

const MAX_TIMER_MS = 2_147_483_647;

/** The system clock: `Date.now()`, and timers that keep the process alive. @internal */
class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(ms: number, callback: () => void): () => void {
    return setTimer(ms, callback, true);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(systemTimers, ms, signal);
  }
}

/** The system clock's `schedule`, for `sleep` (so that a detached `systemClock.sleep` works too). */
const systemTimers: Pick<Clock, "schedule"> = {
  schedule: (ms, callback) => setTimer(ms, callback, true),
};

/**
 * `setTimeout` that handles waits above 2^31 − 1 ms (Node would fire those after 1 ms) by chaining
 * shorter timers. Returns the cancel function. The Node timers are always `unref`'d: on Node 20 creating
 * and clearing a ref'd timer costs about twice as much, and most of TTA's timers (a `timeout` around work
 * that settles at once) are cleared before they fire. `keepAlive` timers count as work in flight instead,
 * and {@link keepLoopAlive} holds the event loop open while any is pending.
 */
function setTimer(ms: number, callback: () => void, keepAlive: boolean): () => void {
  let timer: NodeJS.Timeout;
  let held = keepAlive;
  if (held) hold();
  const arm = (remaining: number): void => {
    const step = Math.min(Math.max(0, remaining), MAX_TIMER_MS);
    timer = setTimeout(() => {
      if (remaining > MAX_TIMER_MS) {
        arm(remaining - MAX_TIMER_MS);
        return;
      }
      if (held) {
        held = false;
        drop();
      }
      callback();
    }, step);
    timer.unref();
  };
  arm(ms);
  return () => {
    clearTimeout(timer);
    if (held) {
      held = false;
      drop();
    }
  };
}

/** Pending keep-alive timers (work someone awaits), and the ref'd timer that holds the loop open for them. */
let pending = 0;
let heartbeat: NodeJS.Timeout | undefined;
let hooked = false;
const HEARTBEAT_MS = 1_000;

function hold(): void {
  if (!hooked && typeof process === "object" && typeof process.on === "function") {
    hooked = true;
    process.on("beforeExit", keepLoopAlive);
  }
  pending++;
}

function drop(): void {
  if (--pending === 0 && heartbeat !== undefined) {
    clearTimeout(heartbeat);
    heartbeat = undefined;
  }
}

/**
 * Node is about to exit because nothing ref'd is left, while keep-alive timers are pending (a script
 * awaiting a hung call under a `timeout`): a ref'd heartbeat keeps the loop running so that they fire.
 * It is cleared as soon as the last of them fires or is cancelled, so it never delays a normal exit.
 */
function keepLoopAlive(): void {
  if (pending > 0 && heartbeat === undefined) heartbeat = setTimeout(heartbeatDone, HEARTBEAT_MS);
}

function heartbeatDone(): void {
  heartbeat = undefined;
}

/**
 * Implements `Clock.sleep` on top of `clock.schedule`, with an abortable wait that removes its
 * listener and timer whichever way it ends.
 *
 * @example
 * ```ts
 * const offsetClock: Clock = {
 *   now: () => Date.now() + 60_000,
 *   schedule: (ms, callback) => {
 *     const timer = setTimeout(callback, ms);
 *     return () => clearTimeout(timer);
 *   },
 *   sleep(ms, signal) {
 *     return sleepWith(this, ms, signal);
 *   },
 * };
 * ```
 * @since 0.1.0
 */
export function sleepWith(clock: Pick<Clock, "schedule">, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) return new Promise<void>((resolve) => void clock.schedule(ms, resolve));
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<void>((resolve, reject) => {
    // Through the shared registry: any number of concurrent sleeps put one listener on `signal`.
    const aborted = (): void => {
      cancel();
      reject(signal.reason as unknown);
    };
    const cancel = clock.schedule(ms, () => {
      offAbort(signal, aborted);
      resolve();
    });
    onAbort(signal, aborted);
  });
}

/**
 * The default clock: wall time from `Date.now()` and `setTimeout` timers, which keep the process alive
 * (the deadline timers of contexts with no execution in flight excepted).
 * @since 0.1.0
 */
export const systemClock: Clock = new SystemClock();

/**
 * @internal Schedules a context's deadline timer on `clock`. On the system clock `keepAlive: false`
 * unrefs it (a context with no execution in flight must not keep the process alive); other clocks
 * schedule as they do.
 */
export function scheduleDeadline(clock: Clock, ms: number, callback: () => void, keepAlive: boolean): () => void {
  return clock === systemClock ? setTimer(ms, callback, keepAlive) : clock.schedule(ms, callback);
}
