import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../core/index.js";
import { TestClock, createTestContext } from "./index.js";

describe("time", () => {
  it("starts at 0 by default, or at the given start, and moves only when advanced", async () => {
    expect(new TestClock().now()).toBe(0);
    const clock = new TestClock(1_700_000_000_000);
    expect(clock.now()).toBe(1_700_000_000_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_700_000_000_250);
  });

  it("rejects a start time that is not a finite number", () => {
    for (const bad of [NaN, Infinity, "0"]) expect(() => new TestClock(bad as number)).toThrow(InvalidOptionsError);
  });

  it.each([-1, NaN, Infinity, "5"])(
    "advance(%o) rejects with InvalidOptionsError and leaves time alone",
    async (ms) => {
      const clock = new TestClock(10);
      await expect(clock.advance(ms as number)).rejects.toBeInstanceOf(InvalidOptionsError);
      expect(clock.now()).toBe(10);
    },
  );
});

describe("timers", () => {
  it("fire in order of due time, whatever the order they were scheduled in, with now() at each due time", async () => {
    const clock = new TestClock();
    const fired: string[] = [];
    clock.schedule(30, () => fired.push(`c@${clock.now()}`));
    clock.schedule(10, () => fired.push(`a@${clock.now()}`));
    clock.schedule(20, () => fired.push(`b@${clock.now()}`));
    await clock.advance(100);
    expect(fired).toEqual(["a@10", "b@20", "c@30"]);
    expect(clock.now()).toBe(100);
  });

  it("timers due at the same time fire in scheduling order", async () => {
    const clock = new TestClock();
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) clock.schedule(50, () => fired.push(i));
    clock.schedule(10, () => fired.push(-1));
    await clock.advance(50);
    expect(fired).toEqual([-1, 0, 1, 2, 3, 4]);
  });

  it("fires only timers that are due: nothing 1 ms early", async () => {
    const clock = new TestClock();
    let fired = false;
    clock.schedule(100, () => (fired = true));
    await clock.advance(99);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1);
    expect(fired).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it("lets promise chains settle between timers", async () => {
    const clock = new TestClock();
    const log: string[] = [];
    void (async () => {
      await clock.sleep(10);
      log.push(`woke@${clock.now()}`);
      await Promise.resolve();
      await Promise.resolve();
      log.push(`chain done@${clock.now()}`);
    })();
    clock.schedule(20, () => log.push(`next timer@${clock.now()}`));
    await clock.advance(20);
    expect(log).toEqual(["woke@10", "chain done@10", "next timer@20"]);
  });

  it("a sleep scheduled by a woken chain fires within the same advance when due inside the window", async () => {
    const clock = new TestClock();
    const log: number[] = [];
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        log.push(clock.now());
      }
    })();
    await clock.advance(25);
    expect(log).toEqual([10, 20]);
    await clock.advance(5);
    expect(log).toEqual([10, 20, 30]);
  });

  it("a timer scheduled by a callback inside the window fires in the same advance; one past the window waits", async () => {
    const clock = new TestClock();
    const fired: number[] = [];
    clock.schedule(10, () => {
      clock.schedule(5, () => fired.push(clock.now()));
      clock.schedule(50, () => fired.push(clock.now()));
    });
    await clock.advance(20);
    expect(fired).toEqual([15]);
    expect(clock.pendingTimers).toBe(1);
  });

  it("a zero or negative delay fires on the next advance, even advance(0)", async () => {
    const clock = new TestClock(5);
    const fired: string[] = [];
    clock.schedule(0, () => fired.push("zero"));
    clock.schedule(-10, () => fired.push("negative"));
    expect(fired).toEqual([]);
    await clock.advance(0);
    expect(fired).toEqual(["zero", "negative"]);
    expect(clock.now()).toBe(5);
  });

  it("a cancelled timer never fires and is no longer pending; cancelling twice is harmless", async () => {
    const clock = new TestClock();
    let fired = false;
    const cancel = clock.schedule(10, () => (fired = true));
    const other = clock.schedule(10, () => undefined);
    cancel();
    cancel();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(10);
    expect(fired).toBe(false);
    other();
  });

  it("runAll advances through every pending timer, including ones they schedule, up to the limit", async () => {
    const clock = new TestClock();
    const fired: number[] = [];
    clock.schedule(100, () => clock.schedule(400, () => fired.push(clock.now())));
    clock.schedule(50, () => fired.push(clock.now()));
    await clock.runAll();
    expect(fired).toEqual([50, 500]);
    expect(clock.pendingTimers).toBe(0);
    clock.schedule(10_000, () => fired.push(clock.now()));
    await clock.runAll(1_000);
    expect(clock.pendingTimers).toBe(1);
    expect(fired).toEqual([50, 500]);
  });
});

describe("sleep", () => {
  it("resolves once the clock has advanced by ms, not before", async () => {
    const clock = new TestClock();
    let done = false;
    void clock.sleep(100).then(() => (done = true));
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });

  it("an abort rejects with the signal's reason at once and removes the timer", async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    expect(clock.pendingTimers).toBe(1);
    const reason = new Error("stop sleeping");
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it("an already-aborted signal rejects with its reason without scheduling a timer", async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    controller.abort("already");
    await expect(clock.sleep(10, controller.signal)).rejects.toBe("already");
    expect(clock.pendingTimers).toBe(0);
  });

  it("a completed sleep leaves no abort listener behind (a later abort does nothing)", async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    let removed = 0;
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.removeEventListener = (...args: Parameters<AbortSignal["removeEventListener"]>) => {
      removed++;
      remove(...args);
    };
    const sleeping = clock.sleep(10, controller.signal);
    await clock.advance(10);
    await expect(sleeping).resolves.toBeUndefined();
    expect(removed).toBe(1);
  });
});

describe("createTestContext", () => {
  it("returns a context driven by a fresh TestClock, or by the one given", async () => {
    const a = createTestContext();
    const b = createTestContext();
    expect(a.clock).toBeInstanceOf(TestClock);
    expect(a.clock).not.toBe(b.clock);
    const clock = new TestClock(500);
    const c = createTestContext({ clock, timeoutMs: 100 });
    expect(c.clock).toBe(clock);
    expect(c.deadline).toBe(600);
  });
});
