import { getEventListeners } from "node:events";
import fc from "fast-check";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import type { WorkflowContext } from "../core/context.js";
import { createContext } from "../core/context.js";
import { TimeoutError, isTtaError } from "../core/errors.js";
import {
  MockPrimitive,
  SpanRecorder,
  TestClock,
  createTestContext,
  describePrimitiveContract,
} from "../testing/index.js";
import { DEFAULT_TIMEOUT_OPTIONS, TimeoutPrimitive, timeout } from "./timeout.js";
import type { TimeoutOptions } from "./timeout.js";
import { invalidOption, recordEvents, track } from "../test-support/index.js";

/** Work that never settles and never looks at its signal. */
const hang = (): Promise<never> => new Promise<never>(() => undefined);

describePrimitiveContract("timeout", (inner) => timeout(inner, { timeoutMs: 600_000 }));
describePrimitiveContract("timeout with a fallback", (inner) =>
  timeout(inner, { timeoutMs: 600_000, fallback: () => "fallback" }),
);

describe("before the deadline", () => {
  it("returns the inner result and leaves no timer behind", async () => {
    const ctx = createTestContext();
    const inner = new MockPrimitive<string, string>({ latencyMs: 99, returns: "done" });
    const run = timeout(inner, { timeoutMs: 100 }).execute("q", ctx);
    await ctx.clock.advance(99);
    await expect(run).resolves.toBe("done");
    expect(inner.calls[0]?.input).toBe("q");
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("an immediately resolving inner clears the timer at once", async () => {
    const ctx = createTestContext();
    await expect(timeout(async (n: number) => n * 2, { timeoutMs: 1_000 }).execute(21, ctx)).resolves.toBe(42);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("passes an inner error through unchanged, without running the fallback, and clears the timer", async () => {
    const ctx = createTestContext();
    const error = new Error("model overloaded");
    const fallbackRun = new MockPrimitive<string, string>({ returns: "fallback" });
    const run = track(
      timeout(new MockPrimitive<string, string>({ latencyMs: 10, failTimes: 1, error }), {
        timeoutMs: 100,
        fallback: fallbackRun,
      }).execute("q", ctx),
    );
    await ctx.clock.advance(10);
    expect(run.error).toBe(error);
    expect(fallbackRun.callCount).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("the inner signal is not aborted after a success (no late abort)", async () => {
    const ctx = createTestContext();
    let signal: AbortSignal | undefined;
    await timeout(
      (_: number, c: WorkflowContext) => {
        signal = c.signal;
        return 1;
      },
      { timeoutMs: 10 },
    ).execute(0, ctx);
    await ctx.clock.advance(1_000);
    expect(signal?.aborted).toBe(false);
  });
});

describe("at the deadline", () => {
  it("aborts the inner signal at exactly timeoutMs (not 1 ms earlier) with this primitive's TimeoutError", async () => {
    const ctx = createTestContext();
    let signal: AbortSignal | undefined;
    const inner = (_: string, c: WorkflowContext): Promise<string> => {
      signal = c.signal;
      return c.clock.sleep(60_000, c.signal).then(() => "late");
    };
    const run = timeout(inner, { timeoutMs: 250 }).execute("q", ctx);
    const state = track(run);
    await ctx.clock.advance(249);
    expect(signal?.aborted).toBe(false);
    expect(state.settled).toBe(false);
    await ctx.clock.advance(1);
    expect(signal?.aborted).toBe(true);
    expect(state.settled).toBe(true);
    const error = state.error as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isTtaError(error, "TIMEOUT")).toBe(true);
    expect(error.timeoutMs).toBe(250);
    expect(error.retryable).toBe(true);
    expect(signal?.reason).toBe(error);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("rejects at the deadline even when the inner work ignores its signal", async () => {
    const ctx = createTestContext();
    const run = timeout(hang, { timeoutMs: 500 }).execute(undefined, ctx);
    const state = track(run);
    await ctx.clock.advance(499);
    expect(state.settled).toBe(false);
    await ctx.clock.advance(1);
    expect(state.error).toBeInstanceOf(TimeoutError);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("rejects at the deadline when nested in another primitive (it races its own deadline)", async () => {
    const ctx = createTestContext();
    const guarded = timeout(hang, { timeoutMs: 500 });
    const outer = new MockPrimitive<undefined, unknown>({ impl: (input, c) => guarded.execute(input, c) });
    const state = track(outer.execute(undefined, ctx));
    await ctx.clock.advance(500);
    expect(state.error).toBeInstanceOf(TimeoutError);
  });

  it("ignores the inner work's late result or late rejection", async () => {
    const ctx = createTestContext();
    const late = timeout(
      (n: number, c: WorkflowContext) => c.clock.sleep(1_000).then(() => (n > 0 ? n : Promise.reject(new Error("x")))),
      { timeoutMs: 100 },
    );
    const ok = track(late.execute(1, ctx));
    const failing = track(late.execute(-1, ctx));
    await ctx.clock.advance(2_000);
    expect(ok.error).toBeInstanceOf(TimeoutError);
    expect(failing.error).toBeInstanceOf(TimeoutError);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("each execution has its own deadline and its own TimeoutError", async () => {
    const ctx = createTestContext();
    const guarded = timeout(hang, { timeoutMs: 100 });
    const first = track(guarded.execute(undefined, ctx));
    await ctx.clock.advance(50);
    const second = track(guarded.execute(undefined, ctx));
    await ctx.clock.advance(50);
    expect(first.error).toBeInstanceOf(TimeoutError);
    expect(second.settled).toBe(false);
    await ctx.clock.advance(50);
    expect(second.error).toBeInstanceOf(TimeoutError);
    expect(second.error).not.toBe(first.error);
  });

  it("outcome is the inner's when it finishes before timeoutMs, a TimeoutError otherwise (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.boolean(),
        async (timeoutMs, latencyMs, fails) => {
          const ctx = createTestContext({ clock: new TestClock(1_700_000_000_000) });
          const error = new Error("inner failed");
          const inner = new MockPrimitive<number, number>({ latencyMs, returns: 7, failTimes: fails ? 1 : 0, error });
          const state = track(timeout(inner, { timeoutMs }).execute(0, ctx));
          await ctx.clock.advance(Math.min(latencyMs, timeoutMs));
          expect(state.settled).toBe(true);
          if (latencyMs < timeoutMs) {
            if (fails) expect(state.error).toBe(error);
            else expect(state.value).toBe(7);
          } else {
            expect((state.error as TimeoutError).timeoutMs).toBe(timeoutMs);
          }
          expect(ctx.clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("deadlines of the inner context", () => {
  it("gives the inner context deadline = now + timeoutMs when the caller has none", async () => {
    const ctx = createTestContext({ clock: new TestClock(5_000) });
    let deadline: number | undefined;
    await timeout((_: number, c: WorkflowContext) => (deadline = c.deadline), { timeoutMs: 300 }).execute(0, ctx);
    expect(deadline).toBe(5_300);
    expect(ctx.deadline).toBeUndefined();
  });

  it("a shorter caller deadline wins: the inner deadline is the minimum", async () => {
    const ctx = createTestContext({ clock: new TestClock(5_000), timeoutMs: 100 });
    let deadline: number | undefined;
    await timeout((_: number, c: WorkflowContext) => (deadline = c.deadline), { timeoutMs: 300 }).execute(0, ctx);
    expect(deadline).toBe(5_100);
    ctx.dispose();
  });

  it("nested timeouts: the inner context gets the shorter of the two, whichever is outside", async () => {
    const seen: (number | undefined)[] = [];
    const probe = (_: number, c: WorkflowContext): number => {
      seen.push(c.deadline);
      return 0;
    };
    const ctx = createTestContext();
    await timeout(timeout(probe, { timeoutMs: 500 }), { timeoutMs: 200 }).execute(0, ctx);
    await timeout(timeout(probe, { timeoutMs: 200 }), { timeoutMs: 500 }).execute(0, ctx);
    expect(seen).toEqual([200, 200]);
  });

  it("a shorter caller deadline aborts the inner work with the caller's reason; no fallback runs", async () => {
    const ctx = createTestContext({ timeoutMs: 50 });
    const fallbackRun = new MockPrimitive<number, string>({ returns: "fallback" });
    const inner = new MockPrimitive<number, string>({ latencyMs: 10_000, returns: "late" });
    const events = recordEvents();
    const run = track(timeout(inner, { timeoutMs: 100, fallback: fallbackRun }).execute(0, ctx));
    await ctx.clock.advance(50);
    expect(run.error).toBeInstanceOf(TimeoutError);
    expect((run.error as TimeoutError).timeoutMs).toBeUndefined(); // the context's deadline error, not ours
    await ctx.clock.advance(1_000);
    expect(fallbackRun.callCount).toBe(0);
    expect(events.some((e) => e.type === "timeout")).toBe(false);
    expect(ctx.clock.pendingTimers).toBe(0);
  });
});

describe("TimeoutErrors thrown inside", () => {
  it("a nested timeout's TimeoutError passes through unchanged and does not trigger the outer fallback", async () => {
    const ctx = createTestContext();
    const fallbackRun = new MockPrimitive<string, string>({ returns: "fallback" });
    const inner = timeout(new MockPrimitive<string, string>({ latencyMs: 10_000 }), { timeoutMs: 50 });
    const outer = timeout(inner, { timeoutMs: 100, fallback: fallbackRun });
    const run = track(outer.execute("q", ctx));
    await ctx.clock.advance(50);
    expect(run.error).toBeInstanceOf(TimeoutError);
    expect((run.error as TimeoutError).timeoutMs).toBe(50);
    await ctx.clock.advance(1_000);
    expect(fallbackRun.callCount).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("a TimeoutError the inner work throws itself (a socket timeout) is rethrown, not mistaken for this one", async () => {
    const ctx = createTestContext();
    const socketTimeout = new TimeoutError("socket timed out", { timeoutMs: 5 });
    const fallbackRun = new MockPrimitive<string, string>({ returns: "fallback" });
    const run = timeout(
      () => {
        throw socketTimeout;
      },
      { timeoutMs: 100, fallback: fallbackRun },
    ).execute("q", ctx);
    await expect(run).rejects.toBe(socketTimeout);
    expect(fallbackRun.callCount).toBe(0);
  });

  it("an outer timeout shorter than the inner one fires first; the inner one then rethrows the outer's error", async () => {
    const ctx = createTestContext();
    const innerFallback = new MockPrimitive<string, string>({ returns: "inner fallback" });
    let innerError: unknown;
    const inner = timeout(new MockPrimitive<string, string>({ latencyMs: 10_000 }), {
      timeoutMs: 500,
      fallback: innerFallback,
    });
    const watched = (input: string, c: WorkflowContext): Promise<string> =>
      inner.execute(input, c).catch((e: unknown) => {
        innerError = e;
        throw e;
      });
    const run = track(timeout(watched, { timeoutMs: 100 }).execute("q", ctx));
    await ctx.clock.advance(100);
    expect((run.error as TimeoutError).timeoutMs).toBe(100);
    await ctx.clock.advance(1_000);
    expect(innerError).toBe(run.error);
    expect(innerFallback.callCount).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });
});

describe("fallback", () => {
  it("runs on this primitive's timeout with the same input and the caller's context; its result is the result", async () => {
    const ctx = createTestContext({ metadata: { user: "u1" } });
    let fallbackCtx: WorkflowContext | undefined;
    const fallbackRun = new MockPrimitive<{ q: string }, string>({
      impl: (input, c) => {
        fallbackCtx = c;
        return `fallback for ${input.q}`;
      },
    });
    const input = { q: "hello" };
    const run = track(timeout(hang, { timeoutMs: 100, fallback: fallbackRun }).execute(input, ctx));
    await ctx.clock.advance(100);
    expect(run.value).toBe("fallback for hello");
    expect(fallbackRun.calls[0]?.input).toBe(input);
    expect(fallbackRun.calls[0]?.at).toBe(100);
    expect(fallbackRun.calls[0]?.context.metadata).toEqual({ user: "u1" });
    // The caller's context: no deadline of this timeout, and a signal that did not abort.
    expect(fallbackCtx?.deadline).toBeUndefined();
    expect(fallbackCtx?.signal.aborted).toBe(false);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("the primitive settles with the fallback's outcome, waiting for it", async () => {
    const ctx = createTestContext();
    const fallbackRun = new MockPrimitive<number, string>({ latencyMs: 30, returns: "slow fallback" });
    const run = track(timeout(hang, { timeoutMs: 100, fallback: fallbackRun }).execute(0, ctx));
    await ctx.clock.advance(100);
    expect(run.settled).toBe(false);
    await ctx.clock.advance(30);
    expect(run.value).toBe("slow fallback");
  });

  it("a failing fallback's error is the rejection, unchanged", async () => {
    const ctx = createTestContext();
    const error = new Error("fallback failed too");
    const run = track(
      timeout(hang, {
        timeoutMs: 100,
        fallback: () => {
          throw error;
        },
      }).execute(0, ctx),
    );
    await ctx.clock.advance(100);
    expect(run.error).toBe(error);
  });

  it("accepts a function, a primitive or an object with execute", async () => {
    const ctx = createTestContext();
    const viaObject = { execute: (n: number) => Promise.resolve(n + 1) };
    const results = [
      track(timeout(hang, { timeoutMs: 10, fallback: (n: number) => n + 2 }).execute(1, ctx)),
      track(timeout(hang, { timeoutMs: 10, fallback: viaObject }).execute(1, ctx)),
    ];
    await ctx.clock.advance(10);
    expect(results.map((r) => r.value)).toEqual([3, 2]);
  });
});

describe("cancellation by the caller", () => {
  it("nested: the inner work sees the caller's abort and the timeout rejects with its reason when the work settles", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const ctx = createTestContext({ signal: controller.signal });
    const fallbackRun = new MockPrimitive<number, string>({ returns: "fallback" });
    let innerSignal: AbortSignal | undefined;
    const guarded = timeout(
      (_: number, c: WorkflowContext) => {
        innerSignal = c.signal;
        return c.clock.sleep(10_000, c.signal).then(() => "late");
      },
      { timeoutMs: 1_000, fallback: fallbackRun },
    );
    let nested: Promise<string> | undefined;
    const outer = new MockPrimitive<number, unknown>({ impl: (input, c) => (nested = guarded.execute(input, c)) });
    track(outer.execute(0, ctx));
    await ctx.clock.advance(10);
    controller.abort(reason);
    const state = track(nested as Promise<string>);
    await ctx.clock.advance(0);
    expect(innerSignal?.reason).toBe(reason);
    expect(state.error).toBe(reason);
    expect(fallbackRun.callCount).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("nested, work ignoring the signal: it races the caller's signal and rejects at once with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const ctx = createTestContext({ signal: controller.signal });
    const fallbackRun = new MockPrimitive<number, string>({ returns: "fallback" });
    const events = recordEvents();
    const guarded = timeout(hang, { timeoutMs: 100, fallback: fallbackRun });
    let nested: Promise<unknown> | undefined;
    const outer = new MockPrimitive<number, unknown>({ impl: (input, c) => (nested = guarded.execute(input, c)) });
    track(outer.execute(0, ctx));
    await ctx.clock.advance(10);
    controller.abort(reason);
    const state = track(nested as Promise<unknown>);
    await ctx.clock.advance(0);
    expect(state.error).toBe(reason); // DESIGN §10: a timeout races its signal, nested or not
    await ctx.clock.advance(1_000);
    expect(fallbackRun.callCount).toBe(0);
    expect(events.some((e) => e.type === "timeout")).toBe(false);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("top-level: rejects at once with the caller's reason and clears its timer once the work settles", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const ctx = createTestContext({ signal: controller.signal });
    const run = track(timeout(new MockPrimitive({ latencyMs: 10_000 }), { timeoutMs: 1_000 }).execute(0, ctx));
    await ctx.clock.advance(10);
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(run.error).toBe(reason);
    expect(ctx.clock.pendingTimers).toBe(0);
  });
});

describe("links to the caller's signal", () => {
  it("releases every per-execution link to a long-lived caller signal, on success, error and timeout", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const reading = (mode: number, c: WorkflowContext): Promise<number> => {
      void c.signal; // materialise the lazy child signal, linking it to the caller's
      if (mode === 0) return Promise.resolve(1);
      if (mode === 1) return Promise.reject(new Error("failed"));
      return hang();
    };
    const guarded = timeout(reading, { timeoutMs: 10 });
    const outer = new MockPrimitive<number, unknown>({
      impl: (mode, c) => guarded.execute(mode, c).catch((e: unknown) => e),
    });
    const runs = Array.from({ length: 300 }, (_, i) => outer.execute(i % 3, ctx));
    await ctx.clock.advance(10);
    const results = await Promise.all(runs);
    expect(results.filter((r) => r instanceof TimeoutError)).toHaveLength(100);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });
});

describe("events and spans", () => {
  let recorder: SpanRecorder | undefined;
  afterEach(() => recorder?.uninstall());

  it("reports a timeout event only when this deadline fires", async () => {
    const events = recordEvents();
    const ctx = createTestContext({ workflowId: "wf-t" });
    await timeout(() => 1, { timeoutMs: 100, name: "quick" }).execute(0, ctx);
    const run = track(timeout(hang, { timeoutMs: 100, name: "llm-deadline" }).execute(0, ctx));
    await ctx.clock.advance(100);
    expect(run.error).toBeInstanceOf(TimeoutError);
    expect(events.filter((e) => e.type === "timeout")).toEqual([
      {
        type: "timeout",
        timeoutMs: 100,
        kind: "timeout",
        name: "llm-deadline",
        workflowId: "wf-t",
        correlationId: ctx.correlationId,
        at: 100,
      },
    ]);
  });

  it("sets tta.timeout.ms on every execution and tta.timeout.fired only when this deadline fires", async () => {
    recorder = new SpanRecorder().install();
    const ctx = createTestContext();
    await timeout(() => 1, { timeoutMs: 100 }).execute(0, ctx);
    const run = track(timeout(new MockPrimitive({ latencyMs: 1_000 }), { timeoutMs: 200 }).execute(0, ctx));
    await ctx.clock.advance(200);
    expect(run.error).toBeInstanceOf(TimeoutError);
    const spans = recorder.spans.filter((s) => s.name === "tta.timeout");
    expect(spans.map((s) => s.attributes["tta.timeout.ms"])).toEqual([100, 200]);
    expect(spans.map((s) => s.attributes["tta.timeout.fired"])).toEqual([undefined, true]);
    expect(spans[1]?.attributes["error.type"]).toBe("TIMEOUT");
    expect(spans.every((s) => s.ended)).toBe(true);
  });

  it("nests the inner work and the fallback under the timeout span", async () => {
    recorder = new SpanRecorder().install();
    const ctx = createTestContext();
    const run = track(
      timeout(new MockPrimitive({ latencyMs: 1_000 }), { timeoutMs: 100, fallback: (n: number) => n }).execute(0, ctx),
    );
    await ctx.clock.advance(100);
    expect(run.value).toBe(0);
    expect(recorder.tree()).toBe("tta.timeout\n  tta.mock\n  tta.lambda");
  });
});

describe("options", () => {
  it("resolves options once into a frozen object; exposes the inner primitive", () => {
    const inner = new MockPrimitive();
    const guarded = new TimeoutPrimitive(inner, { timeoutMs: 1_500 });
    expect(guarded.options).toEqual({ timeoutMs: 1_500, fallback: undefined, name: "TimeoutPrimitive" });
    expect(Object.isFrozen(guarded.options)).toBe(true);
    expect(guarded.inner).toBe(inner);
    expect(guarded.name).toBe("TimeoutPrimitive");
    expect(guarded.kind).toBe("timeout");
    expect(DEFAULT_TIMEOUT_OPTIONS).toEqual({ fallback: undefined, name: "TimeoutPrimitive" });
    expect(Object.isFrozen(DEFAULT_TIMEOUT_OPTIONS)).toBe(true);
    expect(timeout(inner, { timeoutMs: 1, name: "llm" }).name).toBe("llm");
  });

  it("null for an optional option means its default", () => {
    const guarded = timeout(() => 1, { timeoutMs: 10, fallback: null, name: null } as unknown as TimeoutOptions<
      number,
      number
    >);
    expect(guarded.options.fallback).toBeUndefined();
    expect(guarded.name).toBe("TimeoutPrimitive");
  });

  it("accepts the largest timer delay, 2^31 − 1 ms", () => {
    expect(timeout(() => 1, { timeoutMs: 2_147_483_647 }).options.timeoutMs).toBe(2_147_483_647);
    expect(timeout(() => 1, { timeoutMs: 0.5 }).options.timeoutMs).toBe(0.5);
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["zero", 0],
    ["negative zero", -0],
    ["negative", -1],
    ["NaN", Number.NaN],
    ["Infinity", Infinity],
    ["above 2^31 − 1", 2_147_483_648],
    ["a string", "100"],
  ])("rejects timeoutMs %s, naming the option", (_label, timeoutMs) => {
    const error = invalidOption(() => timeout(() => 1, { timeoutMs } as unknown as TimeoutOptions<number, number>));
    expect(error.option).toBe("timeoutMs");
    expect(error.message).toContain("timeoutMs");
  });

  it("rejects a missing, null or non-object options argument", () => {
    const make = (options: unknown) => () => new TimeoutPrimitive(() => 1, options as TimeoutOptions<number, number>);
    expect(invalidOption(make(undefined)).option).toBe("timeoutMs");
    expect(invalidOption(make(null)).option).toBe("timeout options");
    expect(invalidOption(make(100)).option).toBe("timeout options");
    expect(invalidOption(make([100])).option).toBe("timeout options");
    expect(invalidOption(make(new Map([["timeoutMs", 100]]))).option).toBe("timeout options");
  });

  it("rejects unknown keys (typo protection), naming the key", () => {
    const error = invalidOption(() =>
      timeout(() => 1, { timeoutMs: 10, timeoutMS: 10 } as unknown as TimeoutOptions<number, number>),
    );
    expect(error.option).toBe("timeoutMS");
  });

  it("rejects an invalid fallback, name or inner", () => {
    const bad = (options: unknown) => () => timeout(() => 1, options as TimeoutOptions<number, number>);
    expect(invalidOption(bad({ timeoutMs: 10, fallback: 42 })).option).toBe("fallback");
    expect(invalidOption(bad({ timeoutMs: 10, fallback: {} })).option).toBe("fallback");
    expect(invalidOption(bad({ timeoutMs: 10, name: "" })).option).toBe("name");
    expect(invalidOption(bad({ timeoutMs: 10, name: 7 })).option).toBe("name");
    expect(invalidOption(() => timeout(42 as never, { timeoutMs: 10 })).option).toBe("inner");
  });

  it("works with a user context on the system clock (a real, immediately cleared timer)", async () => {
    const ctx = createContext();
    await expect(timeout(async (s: string) => s.toUpperCase(), { timeoutMs: 60_000 }).execute("a", ctx)).resolves.toBe(
      "A",
    );
  });
});

describe("types", () => {
  it("input and output types flow through, and the fallback must produce the same output type", () => {
    const guarded = timeout(async (s: string) => s.length, { timeoutMs: 10, fallback: (s) => s.length * 2 });
    expectTypeOf(guarded).toEqualTypeOf<TimeoutPrimitive<string, number>>();
    expectTypeOf(guarded.execute).parameter(0).toEqualTypeOf<string>();
    // @ts-expect-error -- a fallback returning a string does not fit a number-producing timeout
    timeout(async (s: string) => s.length, { timeoutMs: 10, fallback: (s: string) => s });
  });
});
