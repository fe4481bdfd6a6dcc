/**
 * Half-open probes whose context aborts while the work ignores its signal (issue 10, item 2): the
 * abort counts the probe and frees its slot at once; the work's late settlement is ignored.
 */
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import type { WorkflowContext } from "../core/index.js";
import { CircuitOpenError, TimeoutError, lambda } from "../core/index.js";
import { createTestContext } from "../testing/index.js";
import type { TestContext } from "../testing/index.js";
import { circuitBreaker } from "./circuit-breaker.js";
import type { CircuitBreakerOptions } from "./circuit-breaker.js";
import { timeout } from "./timeout.js";

/** What a call does; none of them looks at its signal. */
type Plan = "ok" | "fail" | "hang" | "manual";

/** An inner function that ignores its signal; `manual` calls settle when the test says so. */
function deaf() {
  const pending: ((ok: boolean) => void)[] = [];
  let executions = 0;
  const fn = (plan: Plan, _ctx: WorkflowContext): Promise<string> => {
    executions++;
    if (plan === "ok") return Promise.resolve("ok");
    if (plan === "fail") return Promise.reject(new Error("service down"));
    if (plan === "hang") return new Promise<string>(() => undefined);
    return new Promise<string>((resolve, reject) =>
      pending.push((ok) => (ok ? resolve("late ok") : reject(new Error("late failure")))),
    );
  };
  return { fn, pending, executions: () => executions };
}

/** Settles a call into a comparable value: "ok", "timeout", "fail", or "open:<retryAfterMs>". */
function outcome(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => "ok",
    (e: unknown) =>
      e instanceof CircuitOpenError ? `open:${e.retryAfterMs}` : e instanceof TimeoutError ? "timeout" : "fail",
  );
}

function setup(options: CircuitBreakerOptions, ctx: TestContext = createTestContext()) {
  const inner = deaf();
  const breaker = circuitBreaker(inner.fn, { failureThreshold: 1, recoveryTimeoutMs: 1_000, ...options });
  const changes: string[] = [];
  breaker.onStateChange(({ from, to }) => changes.push(`${from}>${to}`));
  return { inner, breaker, ctx, clock: ctx.clock, changes };
}

describe("a half-open probe whose context aborts while its work ignores the signal", () => {
  for (const options of [{}, { slowCallMs: 50 }] as const) {
    it(`timeout(circuitBreaker(call)): a timed-out probe counts as a failure and frees its slot ${JSON.stringify(options)}`, async () => {
      const { inner, breaker, clock, ctx, changes } = setup({ successThreshold: 2, ...options });
      const guarded = timeout(breaker, { timeoutMs: 100 });
      const call = (plan: Plan) => outcome(guarded.execute(plan, ctx));
      expect(await call("fail")).toBe("fail");
      await clock.advance(1_000);

      const probe = call("hang");
      await clock.advance(100);
      expect(await probe).toBe("timeout");
      // Re-opened by the timed-out probe, for a fresh recoveryTimeoutMs (not "busy", retryAfterMs 0).
      expect(breaker.state).toBe("open");
      expect(await call("ok")).toBe("open:1000");
      await clock.advance(999);
      expect(await call("ok")).toBe("open:1");
      await clock.advance(1);

      // Probes run again and can close it.
      expect(await call("ok")).toBe("ok");
      expect(await call("ok")).toBe("ok");
      expect(breaker.state).toBe("closed");
      expect(inner.executions()).toBe(4);
      expect(changes).toEqual([
        "closed>open",
        "open>half-open",
        "half-open>open",
        "open>half-open",
        "half-open>closed",
      ]);
    });
  }

  it("a context deadline on the probe does the same", async () => {
    const { breaker, clock } = setup({ successThreshold: 1 });
    await outcome(breaker.execute("fail", createTestContext({ clock })));
    await clock.advance(1_000);
    const probe = outcome(breaker.execute("hang", createTestContext({ clock, timeoutMs: 30 })));
    await clock.advance(30);
    expect(await probe).toBe("timeout"); // the top-level call honours its deadline
    expect(breaker.state).toBe("open");
    await clock.advance(1_000);
    expect(await outcome(breaker.execute("ok", createTestContext({ clock })))).toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("a cancelled probe frees its slot at the abort, counts as neither, and its late result is ignored", async () => {
    const { inner, breaker, clock } = setup({ successThreshold: 1 });
    await outcome(breaker.execute("fail", createTestContext({ clock })));
    await clock.advance(1_000);
    const controller = new AbortController();
    const cancelled = timeout(breaker, { timeoutMs: 10_000 }).execute(
      "manual",
      createTestContext({ clock, signal: controller.signal }),
    );
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await expect(cancelled).rejects.toBe(reason);
    expect(breaker.state).toBe("half-open");

    // The slot is free: the next call is a probe (it would get "open:0" if the slot were still held).
    const next = outcome(breaker.execute("manual", createTestContext({ clock })));
    expect(inner.executions()).toBe(3);
    // The cancelled probe's late success neither closes the breaker nor frees a second slot.
    inner.pending[0]?.(true);
    await clock.advance(0);
    expect(breaker.state).toBe("half-open");
    expect(await outcome(breaker.execute("ok", createTestContext({ clock })))).toBe("open:0");
    inner.pending[1]?.(true);
    expect(await next).toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("a late failure of a timed-out probe does not extend the new open period", async () => {
    const { inner, breaker, clock, ctx } = setup({ successThreshold: 1 });
    const guarded = timeout(breaker, { timeoutMs: 100 });
    await outcome(guarded.execute("fail", ctx));
    await clock.advance(1_000);
    const probe = outcome(guarded.execute("manual", ctx));
    await clock.advance(100);
    expect(await probe).toBe("timeout");
    await clock.advance(500);
    inner.pending[0]?.(false);
    await clock.advance(500);
    expect(breaker.state).toBe("half-open");
  });

  it("a throwing isFailure on the probe's timeout re-opens it; a late failure rejects with what it threw", async () => {
    const bug = new Error("isFailure bug");
    const { inner, breaker, clock } = setup({
      isFailure: (e) => {
        if (e instanceof TimeoutError) throw bug;
        return true;
      },
    });
    await outcome(breaker.execute("fail", createTestContext({ clock })));
    await clock.advance(1_000);
    // A nested caller (no top-level race on the signal) sees what the breaker rejects with.
    let nested: Promise<string> | undefined;
    const caller = lambda((plan: Plan, c: WorkflowContext) => (nested = breaker.execute(plan, c)));
    const probe = caller.execute("manual", createTestContext({ clock, timeoutMs: 10 }));
    probe.catch(() => undefined);
    nested?.catch(() => undefined);
    await clock.advance(10);
    await expect(probe).rejects.toBeInstanceOf(TimeoutError);
    expect(breaker.state).toBe("open");
    inner.pending[0]?.(false);
    await expect(nested).rejects.toBe(bug);
  });

  it("listens to the probe's signal only while the probe runs: at most one listener more, none left after", async () => {
    const { inner, breaker, clock } = setup({ successThreshold: 40, recoveryTimeoutMs: 0 });
    const controller = new AbortController();
    const ctx = createTestContext({ clock, signal: controller.signal });
    const listeners = () => getEventListeners(controller.signal, "abort").length;
    const closedCall = breaker.execute("manual", ctx);
    const closedListeners = listeners(); // the top-level race of `execute` itself
    inner.pending[0]?.(false);
    await outcome(closedCall);
    expect(listeners()).toBe(0);
    for (let i = 1; i <= 30; i++) {
      const probe = breaker.execute("manual", ctx);
      expect(listeners()).toBeGreaterThanOrEqual(1);
      expect(listeners()).toBeLessThanOrEqual(closedListeners + 1);
      expect(await outcome(breaker.execute("ok", ctx))).toBe("open:0");
      inner.pending[i]?.(true);
      expect(await probe).toBe("late ok");
      expect(listeners()).toBe(0);
    }
    expect(breaker.state).toBe("half-open");
  });
});
