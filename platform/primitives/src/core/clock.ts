/**
 * Time source used by every delay, deadline, timeout and TTL in TTA.
 *
 * @packageDocumentation
 */

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
   * System-clock `schedule` timers are `unref`'d (a pending deadline never keeps the process
   * alive); `sleep` timers are not (an awaited backoff does).
   */
  schedule(ms: number, callback: () => void): () => void;
}

const MAX_TIMER_MS = 2_147_483_647;

/** The system clock: `Date.now()`, unref'd `schedule` timers, ref'd `sleep` timers. @internal */
class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(ms: number, callback: () => void): () => void {
    return setTimer(ms, callback, false);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    // Unlike deadline timers, a sleep keeps the process alive: it is work the caller awaits.
    return sleepWith(refTimers, ms, signal);
  }
}

/** Like `SystemClock.schedule`, but with timers that keep the process alive. */
const refTimers: Pick<Clock, "schedule"> = {
  schedule: (ms, callback) => setTimer(ms, callback, true),
};

/**
 * `setTimeout` that handles waits above 2^31 − 1 ms (Node would fire those after 1 ms) by chaining
 * shorter timers; `keepAlive: false` unrefs them. Returns the cancel function.
 */
function setTimer(ms: number, callback: () => void, keepAlive: boolean): () => void {
  let timer: NodeJS.Timeout;
  const arm = (remaining: number): void => {
    const step = Math.min(Math.max(0, remaining), MAX_TIMER_MS);
    timer = setTimeout(() => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : callback()), step);
    if (!keepAlive) timer.unref();
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/**
 * Implements `Clock.sleep` on top of `clock.schedule`, with an abortable wait that removes its
 * listener and timer whichever way it ends.
 *
 * @example
 * ```ts
 * sleep(ms, signal) { return sleepWith(this, ms, signal); }
 * ```
 * @since 0.1.0
 */
export function sleepWith(clock: Pick<Clock, "schedule">, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.schedule(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The default clock: wall time from `Date.now()` and `setTimeout` timers that are `unref`'d.
 * @since 0.1.0
 */
export const systemClock: Clock = new SystemClock();
