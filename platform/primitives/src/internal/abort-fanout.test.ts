import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkflowContext } from "../core/context.js";
import { parallel } from "../core/parallel.js";
import { cache } from "../performance/cache.js";
import { bulkhead } from "../recovery/bulkhead.js";
import { rateLimit } from "../recovery/rate-limit.js";
import { timeout } from "../recovery/timeout.js";
import { createTestContext } from "../testing/index.js";
import type { TestContext } from "../testing/index.js";
import { offAbort, onAbort } from "./abort-fanout.js";

/** Issue 10, item 4: whatever the concurrency, TTA adds at most one listener to a signal it did not create. */

const CALLS = 1_000;

/** Listeners on `signal` for "abort". */
const listeners = (signal: AbortSignal): number => getEventListeners(signal, "abort").length;

/** One event-loop turn, so that warnings emitted on `process.nextTick` have been delivered. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** One operation per kind, started on the shared context `ctx`; each waits for `wait` (or the clock). */
const KINDS: Record<string, (ctx: TestContext, wait: Promise<void>) => (input: number) => Promise<unknown>> = {
  "timeout (top-level)": (ctx, wait) => {
    const guarded = timeout(() => wait, { timeoutMs: 600_000 });
    return (n) => guarded.execute(n, ctx);
  },
  "timeout (inner reads ctx.signal)": (ctx, wait) => {
    const guarded = timeout(
      (_: number, c: WorkflowContext) => {
        void c.signal;
        return wait;
      },
      { timeoutMs: 600_000 },
    );
    return (n) => guarded.execute(n, ctx);
  },
  "bulkhead (queued callers)": (ctx, wait) => {
    const guarded = bulkhead(() => wait, { maxConcurrent: 10, maxQueue: Infinity });
    return (n) => guarded.execute(n, ctx);
  },
  "rate-limit (waiting callers)": (ctx) => {
    const limited = rateLimit((n: number) => n, { tokensPerInterval: 10, intervalMs: 10 });
    return (n) => limited.execute(n, ctx);
  },
  "parallel (branches read ctx.signal)": (ctx, wait) => {
    const both = parallel([
      (_: number, c: WorkflowContext) => {
        void c.signal;
        return wait;
      },
      (n: number) => n,
    ]);
    return (n) => both.execute(n, ctx);
  },
  "cache (callers coalesced on one run)": (ctx, wait) => {
    const cached = cache(() => wait);
    return () => cached.execute(1, ctx);
  },
  "ctx.clock.sleep(ms, ctx.signal)": (ctx) => () => ctx.clock.sleep(1_000, ctx.signal),
};

describe("at most one abort listener on a caller's signal, whatever the concurrency", () => {
  let warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  beforeEach(() => {
    warnings = [];
    process.on("warning", onWarning);
  });
  afterEach(() => {
    process.off("warning", onWarning);
  });

  for (const [kind, make] of Object.entries(KINDS)) {
    for (const deadline of [false, true]) {
      const where = deadline ? "a context with a deadline" : "a context on the caller's signal";
      it(`${kind}: ${CALLS} concurrent calls on ${where}: ≤ 1 listener in flight, 0 after, no warning`, async () => {
        const controller = new AbortController();
        const ctx = createTestContext({ signal: controller.signal, ...(deadline ? { timeoutMs: 3_600_000 } : {}) });
        const open = gate();
        const call = make(ctx, open.promise);
        const runs = Array.from({ length: CALLS }, (_, i) => call(i));
        await ctx.clock.advance(0);
        expect(listeners(controller.signal)).toBeLessThanOrEqual(1);
        open.open();
        await ctx.clock.advance(2_000);
        await Promise.all(runs);
        // A context whose signal was read (the sleeps) follows the caller's until it is disposed.
        expect(listeners(controller.signal)).toBe(deadline && kind.startsWith("ctx.clock") ? 1 : 0);
        ctx.dispose();
        expect(listeners(controller.signal)).toBe(0);
        await turn();
        expect(warnings.map((w) => w.name)).toEqual([]);
      });

      it(`${kind}: ${CALLS} concurrent calls on ${where}, then the caller aborts: all reject with the reason, 0 listeners`, async () => {
        const controller = new AbortController();
        const ctx = createTestContext({ signal: controller.signal, ...(deadline ? { timeoutMs: 3_600_000 } : {}) });
        const call = make(ctx, new Promise<void>(() => undefined));
        const runs = Array.from({ length: CALLS }, (_, i) =>
          call(i).then(
            () => "resolved",
            (e: unknown) => e,
          ),
        );
        await ctx.clock.advance(0);
        expect(listeners(controller.signal)).toBeLessThanOrEqual(1);
        const reason = new Error("caller stopped");
        controller.abort(reason);
        const outcomes = await Promise.all(runs);
        // Rate-limited calls admitted before the abort may have finished: every other call rejects with the reason.
        expect(outcomes.filter((o) => o !== "resolved" && o !== reason)).toEqual([]);
        expect(outcomes.filter((o) => o === reason).length).toBeGreaterThan(CALLS / 2);
        expect(listeners(controller.signal)).toBe(0);
        await turn();
        expect(warnings.map((w) => w.name)).toEqual([]);
        ctx.dispose();
      });
    }
  }
});

describe("onAbort / offAbort", () => {
  it("fans one real listener out to every callback, in registration order, and removes it when the last leaves", () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const callbacks = [0, 1, 2].map((i) => () => void calls.push(i));
    for (const callback of callbacks) onAbort(controller.signal, callback);
    expect(listeners(controller.signal)).toBe(1);
    offAbort(controller.signal, callbacks[1] as () => void);
    controller.abort();
    expect(calls).toEqual([0, 2]);
    expect(listeners(controller.signal)).toBe(0);

    const other = new AbortController();
    for (const callback of callbacks) onAbort(other.signal, callback);
    for (const callback of callbacks) offAbort(other.signal, callback);
    expect(listeners(other.signal)).toBe(0);
    onAbort(other.signal, callbacks[0] as () => void);
    expect(listeners(other.signal)).toBe(1);
  });

  it("a callback removed by an earlier one during the abort does not run; one added then is ignored", () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const late = (): void => void calls.push("late");
    const second = (): void => void calls.push("second");
    onAbort(controller.signal, () => {
      calls.push("first");
      offAbort(controller.signal, second);
      onAbort(controller.signal, late);
    });
    onAbort(controller.signal, second);
    controller.abort();
    expect(calls).toEqual(["first"]);
    expect(listeners(controller.signal)).toBe(0);
  });

  it("registering on an already-aborted signal does nothing", () => {
    const controller = new AbortController();
    controller.abort();
    let called = false;
    onAbort(controller.signal, () => (called = true));
    expect(listeners(controller.signal)).toBe(0);
    expect(called).toBe(false);
  });
});
