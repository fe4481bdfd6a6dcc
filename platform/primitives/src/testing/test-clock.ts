/**
 * `TestClock`: fake time that drives every primitive in tests.
 *
 * @packageDocumentation
 */
import type { Clock } from "../core/clock.js";
import { sleepWith } from "../core/clock.js";
import { InvalidOptionsError } from "../core/errors.js";
import { describeValue } from "../internal/options.js";

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
}

// Captured once so `advance` can let promise chains settle even if a test later fakes timers.
const realSetImmediate: typeof setImmediate = globalThis.setImmediate;

/** Lets every pending promise chain run to completion (one macrotask turn). */
function settle(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * A fake {@link Clock}: time only moves when the test calls {@link TestClock.advance}.
 *
 * @remarks
 * `advance(ms)` fires due timers in order of due time (ties in scheduling order), moving `now()` to
 * each timer's due time before calling it and letting promise chains settle between timers, so a
 * retry's backoff or a timeout's deadline behaves as in real time, without waiting. Timers that a
 * callback schedules within the advanced window also fire. A zero-delay timer fires on the next
 * `advance` (even `advance(0)`).
 *
 * @example
 * ```ts
 * const clock = new TestClock();
 * const ctx = createContext({ clock });
 * const run = flow.execute(input, ctx);
 * await clock.advance(1_000);
 * ```
 * @since 0.1.0
 */
export class TestClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  /** @param startMs - the initial `now()`, epoch ms. @defaultValue 0 */
  constructor(startMs = 0) {
    if (typeof startMs !== "number" || !Number.isFinite(startMs))
      throw new InvalidOptionsError(
        "startMs",
        `Expected \`startMs\` to be a finite number, got ${describeValue(startMs)}`,
      );
    this.#now = startMs;
  }

  /** The fake current time. */
  now(): number {
    return this.#now;
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Schedules `callback` at `now() + ms` (negative delays count as 0); returns its cancel function. */
  schedule(ms: number, callback: () => void): () => void {
    const timer: PendingTimer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    const timers = this.#timers;
    let i = timers.length;
    while (i > 0 && (timers[i - 1] as PendingTimer).due > timer.due) i--;
    timers.splice(i, 0, timer);
    return () => {
      const index = this.#timers.indexOf(timer);
      if (index >= 0) this.#timers.splice(index, 1);
    };
  }

  /** Resolves when the clock has been advanced by `ms`; rejects with `signal.reason` on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting promise chains settle
   * between them; resolves once everything due has run.
   *
   * @throws An {@link InvalidOptionsError} when `ms` is negative or not finite.
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
      throw new InvalidOptionsError("ms", `Expected \`ms\` to be a finite number ≥ 0, got ${describeValue(ms)}`);
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.due > target) break;
      this.#timers.shift();
      this.#now = next.due;
      next.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /** Advances to the last pending timer (and anything those schedule), at most `limitMs` ahead. */
  async runAll(limitMs = 3_600_000): Promise<void> {
    const stop = this.#now + limitMs;
    while (this.#timers.length > 0) {
      const next = this.#timers[0] as PendingTimer;
      if (next.due > stop) break;
      await this.advance(next.due - this.#now);
    }
  }
}
