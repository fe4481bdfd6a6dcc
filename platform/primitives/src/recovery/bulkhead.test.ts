import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { BulkheadRejectedError, TimeoutError } from "../core/index.js";
import type { WorkflowContext } from "../core/index.js";
import { MockPrimitive, SpanRecorder, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { BulkheadPrimitive, DEFAULT_BULKHEAD_OPTIONS, bulkhead } from "./bulkhead.js";
import { timeout } from "./timeout.js";
import { invalidOption, recordEvents, track } from "../test-support/index.js";

describePrimitiveContract("bulkhead", (inner) => bulkhead(inner, { maxConcurrent: 1 }));
describePrimitiveContract("bulkhead (queue)", (inner) => bulkhead(inner, { maxConcurrent: 2, maxQueue: 5 }));

/** An inner primitive that counts executions in flight and waits `latency(input)` on the clock. */
function counted(latency: (input: number) => number) {
  const stats = { inFlight: 0, max: 0, started: [] as number[] };
  const inner = async (input: number, ctx: WorkflowContext): Promise<number> => {
    stats.inFlight++;
    stats.max = Math.max(stats.max, stats.inFlight);
    stats.started.push(input);
    try {
      await ctx.clock.sleep(latency(input), ctx.signal);
      return input;
    } finally {
      stats.inFlight--;
    }
  };
  return { inner, stats };
}

describe("bulkhead: concurrency", () => {
  it("never has more than maxConcurrent in flight under 1 000 concurrent calls, and serves them all", async () => {
    const ctx = createTestContext();
    const { inner, stats } = counted((i) => 1 + ((i * 7919) % 97));
    const guarded = bulkhead(inner, { maxConcurrent: 7, maxQueue: Infinity });
    const runs = Array.from({ length: 1_000 }, (_, i) => guarded.execute(i, ctx));
    expect(guarded.inFlight).toBe(7);
    expect(guarded.queued).toBe(993);
    await ctx.clock.runAll();
    await expect(Promise.all(runs)).resolves.toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(stats.max).toBe(7);
    expect(guarded.inFlight).toBe(0);
    expect(guarded.queued).toBe(0);
  });

  it("caps concurrency and starts queued calls in arrival order (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }),
        async (maxConcurrent, latencies) => {
          const ctx = createTestContext();
          const { inner, stats } = counted((i) => latencies[i] as number);
          const guarded = bulkhead(inner, { maxConcurrent, maxQueue: Infinity });
          const runs = latencies.map((_, i) => guarded.execute(i, ctx));
          await ctx.clock.runAll();
          await Promise.all(runs);
          expect(stats.max).toBeLessThanOrEqual(maxConcurrent);
          expect(stats.max).toBe(Math.min(maxConcurrent, latencies.length));
          // Admission is FIFO: the first maxConcurrent start at once, the rest in queue order.
          expect(stats.started).toEqual(latencies.map((_, i) => i));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("queued calls start in FIFO order as slots free up", async () => {
    const ctx = createTestContext();
    const { inner, stats } = counted((i) => (i === 0 ? 100 : 10));
    const guarded = bulkhead(inner, { maxConcurrent: 1, maxQueue: 10 });
    const runs = [0, 1, 2, 3, 4].map((i) => guarded.execute(i, ctx));
    await ctx.clock.advance(0);
    expect(stats.started).toEqual([0]);
    await ctx.clock.advance(100);
    expect(stats.started).toEqual([0, 1]);
    await ctx.clock.runAll();
    await Promise.all(runs);
    expect(stats.started).toEqual([0, 1, 2, 3, 4]);
  });

  it("a newcomer never overtakes the queue when a slot frees", async () => {
    const ctx = createTestContext();
    const { inner, stats } = counted(() => 10);
    const guarded = bulkhead(inner, { maxConcurrent: 1, maxQueue: 5 });
    const first = guarded.execute(0, ctx);
    const second = guarded.execute(1, ctx);
    await ctx.clock.advance(10); // 0 settles: the slot goes to 1
    const third = guarded.execute(2, ctx);
    expect(guarded.queued).toBe(1);
    await ctx.clock.runAll();
    await Promise.all([first, second, third]);
    expect(stats.started).toEqual([0, 1, 2]);
  });

  it("past the queue rejects with BulkheadRejectedError (not retryable) without running the inner", async () => {
    const ctx = createTestContext();
    const inner = new MockPrimitive<number, number>({ latencyMs: 10, returns: 1 });
    const guarded = bulkhead(inner, { maxConcurrent: 2, maxQueue: 1 });
    const runs = [1, 2, 3].map((i) => guarded.execute(i, ctx));
    const error = (await guarded.execute(4, ctx).catch((e: unknown) => e)) as BulkheadRejectedError;
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(error.code).toBe("BULKHEAD_REJECTED");
    expect(error.retryable).toBe(false);
    await ctx.clock.runAll();
    await Promise.all(runs);
    expect(inner.calls.map((c) => c.input)).toEqual([1, 2, 3]);
  });

  it("with the default maxQueue 0, a call that finds every slot busy is rejected", async () => {
    expect(DEFAULT_BULKHEAD_OPTIONS.maxQueue).toBe(0);
    const ctx = createTestContext();
    const guarded = bulkhead(new MockPrimitive<number, number>({ latencyMs: 10 }), { maxConcurrent: 1 });
    const first = guarded.execute(1, ctx);
    await expect(guarded.execute(2, ctx)).rejects.toBeInstanceOf(BulkheadRejectedError);
    await ctx.clock.advance(10);
    await first;
    const third = guarded.execute(3, ctx); // the slot is free again
    await ctx.clock.advance(10);
    await expect(third).resolves.toBeUndefined();
  });

  it("releases the slot when the inner call fails or is aborted", async () => {
    const ctx = createTestContext();
    const boom = new Error("boom");
    const guarded = bulkhead(new MockPrimitive<number, number>({ failTimes: 1, error: boom }), { maxConcurrent: 1 });
    await expect(guarded.execute(1, ctx)).rejects.toBe(boom);
    expect(guarded.inFlight).toBe(0);
    await expect(guarded.execute(2, ctx)).resolves.toBeUndefined();

    const controller = new AbortController();
    const aborting = createTestContext({ signal: controller.signal });
    const slow = bulkhead(new MockPrimitive<number, number>({ latencyMs: 1_000 }), { maxConcurrent: 1 });
    const run = slow.execute(1, aborting);
    run.catch(() => undefined);
    controller.abort(new Error("stop"));
    await expect(run).rejects.toThrow("stop");
    await aborting.clock.advance(0);
    expect(slow.inFlight).toBe(0);
  });

  it("Infinity maxConcurrent never queues", async () => {
    const ctx = createTestContext();
    const { inner, stats } = counted(() => 5);
    const guarded = bulkhead(inner, { maxConcurrent: Infinity });
    const runs = Array.from({ length: 50 }, (_, i) => guarded.execute(i, ctx));
    await ctx.clock.advance(0);
    expect(stats.inFlight).toBe(50);
    await ctx.clock.runAll();
    await Promise.all(runs);
  });
});

describe("bulkhead: cancellation while queued", () => {
  it("an aborted queued call leaves the queue at once with the reason; the next call gets the slot", async () => {
    const ctx = createTestContext();
    const controller = new AbortController();
    const queuedCtx = createTestContext({ signal: controller.signal, clock: ctx.clock });
    const { inner, stats } = counted(() => 100);
    const guarded = bulkhead(inner, { maxConcurrent: 1, maxQueue: 5 });
    const first = guarded.execute(0, ctx);
    const aborted = track(guarded.execute(1, queuedCtx));
    const third = guarded.execute(2, ctx);
    await ctx.clock.advance(0);
    expect(guarded.queued).toBe(2);
    const reason = new Error("gave up");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(aborted.state).toBe("rejected");
    expect(aborted.error).toBe(reason);
    expect(guarded.queued).toBe(1);
    await ctx.clock.advance(100);
    expect(stats.started).toEqual([0, 2]);
    await ctx.clock.runAll();
    await Promise.all([first, third]);
    expect(stats.started).toEqual([0, 2]);
  });

  it("only queued calls listen to their signal, and they stop listening once admitted", async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    const add = vi.spyOn(signal, "addEventListener");
    const remove = vi.spyOn(signal, "removeEventListener");
    const ctx = createTestContext({ signal });
    const guarded = bulkhead(new MockPrimitive<number, number>({ latencyMs: 10 }), { maxConcurrent: 1, maxQueue: 1 });
    // Run both as nested calls (inside one top-level call) so that only the bulkhead's listeners count.
    const outer = new MockPrimitive<number, unknown>({
      impl: (n, c) => Promise.all([guarded.execute(n, c), guarded.execute(n + 1, c)]),
    });
    const run = outer.execute(1, ctx);
    await ctx.clock.advance(0);
    // The top-level race, the mock's abortable sleep and the queued call share TTA's one listener on the signal.
    const addsWhileQueued = add.mock.calls.length;
    await ctx.clock.runAll();
    await run;
    expect(add.mock.calls.filter(([type]) => type === "abort")).toHaveLength(remove.mock.calls.length);
    expect(addsWhileQueued).toBe(1);
  });
});

describe("bulkhead: observability", () => {
  it("reports queued, dequeued and rejected events with inFlight and queued counts", async () => {
    const events = recordEvents();
    const ctx = createTestContext();
    const guarded = bulkhead(new MockPrimitive<number, number>({ latencyMs: 10 }), {
      maxConcurrent: 1,
      maxQueue: 1,
      name: "llm-pool",
    });
    const runs = [guarded.execute(1, ctx), guarded.execute(2, ctx)];
    await expect(guarded.execute(3, ctx)).rejects.toBeInstanceOf(BulkheadRejectedError);
    await ctx.clock.runAll();
    await Promise.all(runs);
    const bulkheadEvents = events
      .filter((e) => e.type === "bulkhead")
      .map((e) => ({ action: e.action, inFlight: e.inFlight, queued: e.queued, name: e.name, kind: e.kind }));
    expect(bulkheadEvents).toEqual([
      { action: "queued", inFlight: 1, queued: 1, name: "llm-pool", kind: "bulkhead" },
      { action: "rejected", inFlight: 1, queued: 1, name: "llm-pool", kind: "bulkhead" },
      { action: "dequeued", inFlight: 1, queued: 0, name: "llm-pool", kind: "bulkhead" },
    ]);
  });

  it("sets tta.bulkhead.in_flight and tta.bulkhead.queued on its span", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const ctx = createTestContext();
      const guarded = bulkhead(new MockPrimitive<number, number>({ latencyMs: 10 }), { maxConcurrent: 2, maxQueue: 1 });
      const runs = [1, 2, 3].map((i) => guarded.execute(i, ctx));
      await ctx.clock.runAll();
      await Promise.all(runs);
      const spans = recorder.spans.filter((s) => s.name === "tta.bulkhead");
      expect(spans.map((s) => [s.attributes["tta.bulkhead.in_flight"], s.attributes["tta.bulkhead.queued"]])).toEqual([
        [1, false],
        [2, false],
        [2, true],
      ]);
      for (const s of recorder.spans.filter((x) => x.name === "tta.mock"))
        expect(spans.map((b) => b.spanId)).toContain(s.parentSpanId);
    } finally {
      recorder.uninstall();
    }
  });
});

describe("bulkhead: bad input", () => {
  const inner = (n: number) => n;

  it("requires maxConcurrent, an integer ≥ 1 or Infinity", () => {
    expect(invalidOption(() => bulkhead(inner, undefined as never)).option).toBe("maxConcurrent");
    expect(invalidOption(() => bulkhead(inner, {} as never)).option).toBe("maxConcurrent");
    expect(invalidOption(() => bulkhead(inner, { maxConcurrent: null } as never)).option).toBe("maxConcurrent");
    for (const bad of [0, -1, 1.5, NaN, -Infinity, "2"])
      expect(invalidOption(() => bulkhead(inner, { maxConcurrent: bad as never })).option).toBe("maxConcurrent");
    expect(bulkhead(inner, { maxConcurrent: Infinity }).options.maxConcurrent).toBe(Infinity);
  });

  it("validates maxQueue (integer ≥ 0 or Infinity; null = default)", () => {
    for (const bad of [-1, 0.5, NaN, "1"])
      expect(invalidOption(() => bulkhead(inner, { maxConcurrent: 1, maxQueue: bad as never })).option).toBe(
        "maxQueue",
      );
    expect(bulkhead(inner, { maxConcurrent: 1, maxQueue: Infinity }).options.maxQueue).toBe(Infinity);
    expect(bulkhead(inner, { maxConcurrent: 1, maxQueue: null, name: null } as never).options).toEqual({
      maxConcurrent: 1,
      maxQueue: 0,
      name: "BulkheadPrimitive",
    });
  });

  it("rejects unknown options, non-object options, bad names and a bad inner", () => {
    expect(invalidOption(() => bulkhead(inner, { maxConcurrent: 1, maxQeue: 3 } as never)).option).toBe("maxQeue");
    for (const bad of [null, [], new Map(), 3]) invalidOption(() => bulkhead(inner, bad as never));
    expect(invalidOption(() => bulkhead(inner, { maxConcurrent: 1, name: "" })).option).toBe("name");
    expect(invalidOption(() => new BulkheadPrimitive(42 as never, { maxConcurrent: 1 })).option).toBe("inner");
  });
});

describe("bulkhead: foreign executables", () => {
  it("frees the slot when the inner's execute throws synchronously", async () => {
    const boom = new Error("sync");
    const guarded = bulkhead(
      {
        execute: (): Promise<number> => {
          throw boom;
        },
      },
      { maxConcurrent: 1 },
    );
    await expect(guarded.execute(1)).rejects.toBe(boom);
    expect(guarded.inFlight).toBe(0);
    await expect(guarded.execute(2)).rejects.toBe(boom);
  });
});

describe("bulkhead: work that ignores its signal (ADR 0009)", () => {
  it("an aborted caller does not free the slot: it frees when the work settles, and the queue moves on", async () => {
    const ctx = createTestContext();
    const finish: (() => void)[] = [];
    const started: number[] = [];
    // Never looks at its signal: keeps loading the dependency after its caller gave up.
    const deaf = (n: number): Promise<number> =>
      new Promise((resolve) => {
        started.push(n);
        finish.push(() => resolve(n));
      });
    const pool = bulkhead(deaf, { maxConcurrent: 1, maxQueue: 1 });
    const timed = timeout(pool, { timeoutMs: 100 });
    const first = timed.execute(1, ctx);
    first.catch(() => undefined);
    await ctx.clock.advance(100);
    await expect(first).rejects.toBeInstanceOf(TimeoutError);
    expect(pool.inFlight).toBe(1);
    const second = pool.execute(2, ctx);
    await ctx.clock.advance(0);
    expect(pool.queued).toBe(1);
    expect(started).toEqual([1]);
    finish[0]?.();
    await ctx.clock.advance(0);
    expect(started).toEqual([1, 2]);
    finish[1]?.();
    await expect(second).resolves.toBe(2);
    expect(pool.inFlight).toBe(0);
  });
});
