import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BulkheadRejectedError,
  CircuitOpenError,
  InvalidOptionsError,
  RateLimitedError,
  TimeoutError,
  TtaError,
  isTtaError,
  subscribe,
} from "../core/index.js";
import type { Executable, TtaEvent, WorkflowContext } from "../core/index.js";
import { computeRetryDelay } from "./retry/backoff.js";
import {
  MockPrimitive,
  SpanRecorder,
  TestClock,
  createTestContext,
  describePrimitiveContract,
} from "../testing/index.js";
import { DEFAULT_RETRY_OPTIONS, RetryPrimitive, retry } from "./retry.js";
import type { RetryInfo, RetryJitter, RetryOptions } from "./retry.js";
import { invalidOption, track } from "../test-support/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Lets the run start, then fires every timer until none is left. */
async function drain(clock: TestClock): Promise<void> {
  await clock.advance(0);
  await clock.runAll(1_000_000_000);
}

/** Executes `subject` as a nested call (inside another primitive), so no top-level signal race helps it. */
function executeNested<I, O>(subject: Executable<I, O>, input: I, ctx: WorkflowContext): Promise<O> {
  let nested: Promise<O> | undefined;
  const outer = new MockPrimitive<I, O>({ impl: (i, c) => (nested = subject.execute(i, c)) });
  outer.execute(input, ctx).catch(() => undefined);
  if (nested === undefined) throw new Error("the outer mock did not call the subject synchronously");
  return nested;
}

/** A failing inner primitive whose errors carry `headers`. */
function failingWith(error: () => unknown, then: unknown = "ok", failures = 1): MockPrimitive<unknown, unknown> {
  let calls = 0;
  return new MockPrimitive({
    impl: () => {
      calls++;
      if (calls <= failures) throw error();
      return then;
    },
  });
}

describePrimitiveContract("retry (no retries, default delays)", (inner) => retry(inner, { maxRetries: 0 }));
describePrimitiveContract("retry (3 retries, zero delays)", (inner) => retry(inner, { initialDelayMs: 0 }));

describe("attempts and errors", () => {
  it("returns the first success without waiting, drawing a random number or leaving a timer", async () => {
    const random = vi.spyOn(Math, "random");
    const inner = new MockPrimitive<string, string>({ returns: "ok" });
    const ctx = createTestContext();
    await expect(retry(inner).execute("q", ctx)).resolves.toBe("ok");
    expect(inner.callCount).toBe(1);
    expect(random).not.toHaveBeenCalled();
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("retries until success, waiting the computed delay before each retry (not earlier)", async () => {
    const inner = new MockPrimitive<number, string>({ failTimes: 2, returns: "third time" });
    const ctx = createTestContext();
    const run = track(retry(inner, { jitter: "none" }).execute(1, ctx));
    await ctx.clock.advance(99);
    expect(inner.callCount).toBe(1);
    await ctx.clock.advance(1);
    expect(inner.callCount).toBe(2);
    await ctx.clock.advance(199);
    expect(inner.callCount).toBe(2);
    await ctx.clock.advance(1);
    expect(run).toMatchObject({ settled: true, value: "third time" });
    expect(inner.calls.map((c) => c.at)).toEqual([0, 100, 300]);
    expect(inner.calls.map((c) => c.input)).toEqual([1, 1, 1]);
  });

  it("makes maxRetries + 1 attempts and rethrows the last original error (same object)", async () => {
    const errors = [new Error("e1"), new Error("e2"), new Error("e3"), new Error("e4"), new Error("e5")];
    for (const maxRetries of [0, 1, 3]) {
      const inner = new MockPrimitive({ sequence: errors });
      const ctx = createTestContext();
      const run = track(retry(inner, { maxRetries, jitter: "none" }).execute(0, ctx));
      await drain(ctx.clock);
      expect(inner.callCount).toBe(maxRetries + 1);
      expect(run.error).toBe(errors[maxRetries]);
    }
  });

  it("defaults to 4 attempts", async () => {
    const inner = new MockPrimitive({ failTimes: Infinity });
    const ctx = createTestContext();
    const run = track(retry(inner).execute(0, ctx));
    await drain(ctx.clock);
    expect(inner.callCount).toBe(4);
    expect((run.error as Error).message).toBe("MockPrimitive failure 4");
  });

  it("wraps a non-Error throw as NON_ERROR_THROWN, passing the same wrapper to onRetry and the caller", async () => {
    let n = 0;
    const seen: unknown[] = [];
    const inner = new MockPrimitive({
      impl: () => {
        throw `plain ${++n}`;
      },
    });
    const ctx = createTestContext();
    const run = track(
      retry(inner, { maxRetries: 1, initialDelayMs: 0, onRetry: (info) => seen.push(info.error) }).execute(0, ctx),
    );
    await drain(ctx.clock);
    expect(isTtaError(run.error, "NON_ERROR_THROWN")).toBe(true);
    expect((run.error as Error).cause).toBe("plain 2");
    expect(isTtaError(seen[0], "NON_ERROR_THROWN")).toBe(true);
    expect((seen[0] as Error).cause).toBe("plain 1");
  });

  it.each<[string, () => unknown]>([
    ["retryable: false on a plain error", () => Object.assign(new Error("no"), { retryable: false })],
    ["a TtaError with retryable: false", () => new TtaError("TIMEOUT", "do not", { retryable: false })],
    ["CircuitOpenError", () => new CircuitOpenError("open", 5_000)],
    ["InvalidOptionsError", () => new InvalidOptionsError("x", "bad")],
    ["BulkheadRejectedError", () => new BulkheadRejectedError()],
    ["a DOMException AbortError", () => new DOMException("aborted", "AbortError")],
    ["an Error named AbortError", () => Object.assign(new Error("aborted"), { name: "AbortError" })],
  ])("does not retry %s and rethrows it at once", async (_label, make) => {
    const error = make();
    const retryOn = vi.fn(() => true);
    const inner = new MockPrimitive({ failTimes: Infinity, error });
    const ctx = createTestContext();
    await expect(retry(inner, { retryOn }).execute(0, ctx)).rejects.toBe(error);
    expect(inner.callCount).toBe(1);
    expect(retryOn).not.toHaveBeenCalled();
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("retries a TimeoutError thrown by the inner work (it is retryable)", async () => {
    const inner = new MockPrimitive({ sequence: [new TimeoutError("slow"), "ok"] });
    const ctx = createTestContext();
    const run = track(retry(inner, { jitter: "none" }).execute(0, ctx));
    await ctx.clock.advance(100);
    expect(run.value).toBe("ok");
  });
});

describe("retryOn", () => {
  it("gets the error and the 1-based number of the attempt that just failed, not after the last attempt", async () => {
    const errors = [new Error("a"), new Error("b"), new Error("c")];
    const retryOn = vi.fn((_e: unknown, _attempt: number) => true);
    const ctx = createTestContext();
    const run = track(
      retry(new MockPrimitive({ sequence: errors }), { maxRetries: 2, jitter: "none", retryOn }).execute(0, ctx),
    );
    await drain(ctx.clock);
    expect(run.error).toBe(errors[2]);
    expect(retryOn.mock.calls).toEqual([
      [errors[0], 1],
      [errors[1], 2],
    ]);
  });

  it("false stops retrying and rethrows that error; a promise of false too", async () => {
    for (const answer of [false, Promise.resolve(false)]) {
      const error = new Error("fatal");
      const inner = new MockPrimitive({ failTimes: Infinity, error });
      const ctx = createTestContext();
      await expect(retry(inner, { retryOn: () => answer }).execute(0, ctx)).rejects.toBe(error);
      expect(inner.callCount).toBe(1);
    }
  });

  it("a promise of true retries", async () => {
    const inner = new MockPrimitive({ failTimes: 1, returns: "ok" });
    const ctx = createTestContext();
    const run = track(retry(inner, { jitter: "none", retryOn: async () => true }).execute(0, ctx));
    await ctx.clock.advance(100);
    expect(run.value).toBe("ok");
  });

  it("a throwing predicate rejects the retry with the predicate's error", async () => {
    const bug = new Error("predicate bug");
    const inner = new MockPrimitive({ failTimes: Infinity });
    const subject = retry(inner, {
      retryOn: () => {
        throw bug;
      },
    });
    await expect(subject.execute(0, createTestContext())).rejects.toBe(bug);
    expect(inner.callCount).toBe(1);
  });
});

describe("delays", () => {
  it("follow the formula for random options and never exceed maxDelayMs (property)", async () => {
    const jitterArb = fc.constantFrom<RetryJitter>("full", "equal", "decorrelated", "none");
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxRetries: fc.integer({ min: 0, max: 6 }),
          initialDelayMs: fc.integer({ min: 0, max: 2_000 }),
          backoffFactor: fc.double({ min: 1, max: 4, noNaN: true }),
          maxDelayMs: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constant(Infinity)),
          jitter: jitterArb,
        }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 8 }),
        async (options, randoms) => {
          let r = 0;
          vi.spyOn(Math, "random").mockImplementation(() => randoms[r++ % randoms.length] as number);
          try {
            const delays: number[] = [];
            const inner = new MockPrimitive({ failTimes: Infinity });
            const ctx = createTestContext();
            const subject = retry(inner, { ...options, onRetry: (i) => delays.push(i.delayMs) });
            const run = track(subject.execute(0, ctx));
            await drain(ctx.clock);
            expect(run.settled).toBe(true);
            expect(inner.callCount).toBe(options.maxRetries + 1);
            // Reference model: same randoms, previous = initialDelayMs, previous = last computed wait.
            let previous = options.initialDelayMs;
            let k = 0;
            const expected = delays.map((_, i) => {
              const random = options.jitter === "none" ? 0 : (randoms[k++ % randoms.length] as number);
              previous = computeRetryDelay(options, i + 1, previous, random);
              return previous;
            });
            expect(delays).toEqual(expected);
            for (const [i, delay] of delays.entries()) {
              expect(delay).toBeLessThanOrEqual(options.maxDelayMs);
              expect(delay).toBeGreaterThanOrEqual(0);
              const gap = (inner.calls[i + 1]?.at ?? NaN) - (inner.calls[i]?.at ?? NaN);
              expect(gap).toBeCloseTo(delay, 6);
            }
          } finally {
            vi.restoreAllMocks();
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it("jittered delays stay within the formula's bounds with the real random source (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<RetryJitter>("full", "equal"),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        async (jitter, initialDelayMs, maxDelayMs) => {
          const delays: number[] = [];
          const ctx = createTestContext();
          const options: RetryOptions = { jitter, initialDelayMs, maxDelayMs, maxRetries: 5 };
          const run = retry(new MockPrimitive({ failTimes: Infinity }), {
            ...options,
            onRetry: (i) => delays.push(i.delayMs),
          }).execute(0, ctx);
          run.catch(() => undefined);
          await drain(ctx.clock);
          for (const [i, delay] of delays.entries()) {
            const d = Math.min(maxDelayMs, initialDelayMs * 2 ** i);
            expect(delay).toBeLessThanOrEqual(d);
            expect(delay).toBeGreaterThanOrEqual(jitter === "equal" ? d / 2 : 0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a zero delay retries at once, without a timer", async () => {
    const inner = new MockPrimitive({ failTimes: 2, returns: "ok" });
    const ctx = createTestContext();
    await expect(retry(inner, { initialDelayMs: 0 }).execute(0, ctx)).resolves.toBe("ok");
    expect(inner.callCount).toBe(3);
  });
});

describe("Retry-After", () => {
  it("a `Retry-After: 2` header makes the next attempt wait exactly 2 s (not before), even above maxDelayMs", async () => {
    const inner = failingWith(() => Object.assign(new Error("429"), { headers: { "retry-after": "2" } }));
    const ctx = createTestContext();
    const delays: number[] = [];
    const run = track(retry(inner, { maxDelayMs: 50, onRetry: (i) => delays.push(i.delayMs) }).execute(0, ctx));
    await ctx.clock.advance(1_999);
    expect(inner.callCount).toBe(1);
    await ctx.clock.advance(1);
    expect(inner.callCount).toBe(2);
    expect(run.value).toBe("ok");
    expect(delays).toEqual([2_000]);
  });

  it("honours the HTTP-date form, relative to the context clock", async () => {
    const start = Date.parse("2026-03-01T12:00:00Z");
    const ctx = createTestContext({ clock: new TestClock(start) });
    const inner = failingWith(() =>
      Object.assign(new Error("503"), {
        response: { headers: new Headers({ "Retry-After": "Sun, 01 Mar 2026 12:00:05 GMT" }) },
      }),
    );
    const run = track(retry(inner).execute(0, ctx));
    await ctx.clock.advance(4_999);
    expect(inner.callCount).toBe(1);
    await ctx.clock.advance(1);
    expect(run.value).toBe("ok");
    expect(inner.calls[1]?.at).toBe(start + 5_000);
  });

  it("honours error.retryAfterMs (e.g. RateLimitedError) and the retry-after-ms header", async () => {
    for (const make of [
      () => new RateLimitedError("slow down", 750),
      () => Object.assign(new Error("x"), { headers: { "retry-after-ms": "750" } }),
    ]) {
      const inner = failingWith(make);
      const ctx = createTestContext();
      const run = track(retry(inner).execute(0, ctx));
      await ctx.clock.advance(749);
      expect(inner.callCount).toBe(1);
      await ctx.clock.advance(1);
      expect(run.value).toBe("ok");
    }
  });

  it("above maxRetryAfterMs gives up at once and rethrows that error", async () => {
    const error = Object.assign(new Error("wait a minute"), { retryAfterMs: 61_000 });
    const inner = new MockPrimitive({ failTimes: Infinity, error });
    const ctx = createTestContext();
    await expect(retry(inner).execute(0, ctx)).rejects.toBe(error);
    expect(inner.callCount).toBe(1);
    expect(ctx.clock.pendingTimers).toBe(0);
    const longer = failingWith(() => Object.assign(new Error("x"), { retryAfterMs: 61_000 }));
    const ctx2 = createTestContext();
    const run = track(retry(longer, { maxRetryAfterMs: Infinity }).execute(0, ctx2));
    await ctx2.clock.advance(61_000);
    expect(run.value).toBe("ok");
    // Even an unbounded limit stops at the longest wait a timer can express.
    const huge = Object.assign(new Error("next year"), { retryAfterMs: 2 ** 31 });
    const hugeInner = new MockPrimitive({ failTimes: Infinity, error: huge });
    await expect(retry(hugeInner, { maxRetryAfterMs: Infinity }).execute(0, createTestContext())).rejects.toBe(huge);
    expect(hugeInner.callCount).toBe(1);
  });

  it("is ignored with respectRetryAfter: false, and when unparsable", async () => {
    for (const [options, headers] of [
      [{ respectRetryAfter: false }, { "retry-after": "2" }],
      [{}, { "retry-after": "whenever" }],
    ] as const) {
      const inner = failingWith(() => Object.assign(new Error("x"), { headers }));
      const ctx = createTestContext();
      const run = track(retry(inner, { ...options, jitter: "none" }).execute(0, ctx));
      await ctx.clock.advance(100);
      expect(run.value).toBe("ok");
    }
  });

  it("a past date means no wait; decorrelated jitter ignores Retry-After waits", async () => {
    const delays: number[] = [];
    let n = 0;
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const inner = new MockPrimitive({
      impl: () => {
        n++;
        if (n === 2) throw Object.assign(new Error("429"), { retryAfterMs: 5_000 });
        if (n === 3)
          throw Object.assign(new Error("429"), { headers: { "retry-after": "Thu, 01 Jan 1970 00:00:00 GMT" } });
        if (n < 5) throw new Error(`fail ${n}`);
        return "ok";
      },
    });
    const ctx = createTestContext();
    const run = track(
      retry(inner, { jitter: "decorrelated", maxRetries: 5, onRetry: (i) => delays.push(i.delayMs) }).execute(0, ctx),
    );
    await drain(ctx.clock);
    expect(run.value).toBe("ok");
    // 100 → uniform[100, 300] at 0.5 = 200; Retry-After 5000; past date 0; then from previous = 200: uniform[100, 600] = 350.
    expect(delays).toEqual([200, 5_000, 0, 350]);
  });
});

describe("cancellation and deadline", () => {
  it("an abort during the backoff rejects at once with the signal's reason and starts no new attempt", async () => {
    for (const nested of [false, true]) {
      const controller = new AbortController();
      const ctx = createTestContext({ signal: controller.signal });
      const inner = new MockPrimitive({ failTimes: Infinity });
      const subject = retry(inner, { jitter: "none", initialDelayMs: 1_000 });
      const run = track(nested ? executeNested(subject, 0, ctx) : subject.execute(0, ctx));
      await ctx.clock.advance(500);
      expect(inner.callCount).toBe(1);
      const reason = new Error("user cancelled");
      controller.abort(reason);
      await ctx.clock.advance(0);
      expect(run).toMatchObject({ settled: true, error: reason });
      expect(ctx.clock.pendingTimers).toBe(0);
      await ctx.clock.advance(10_000);
      expect(inner.callCount).toBe(1);
    }
  });

  it("does not retry an error once the signal has aborted, and rejects with the reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const inner = new MockPrimitive({
      impl: () => {
        controller.abort(reason);
        throw new Error("own failure");
      },
    });
    const ctx = createTestContext({ signal: controller.signal });
    const onRetry = vi.fn();
    await expect(executeNested(retry(inner, { initialDelayMs: 0, onRetry }), 0, ctx)).rejects.toBe(reason);
    expect(inner.callCount).toBe(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it("an abort from onRetry cancels the wait", async () => {
    const controller = new AbortController();
    const reason = new Error("enough");
    const inner = new MockPrimitive({ failTimes: Infinity });
    const ctx = createTestContext({ signal: controller.signal });
    const subject = retry(inner, { onRetry: () => controller.abort(reason) });
    await expect(executeNested(subject, 0, ctx)).rejects.toBe(reason);
    expect(inner.callCount).toBe(1);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("gives up with the last error when the next wait would reach the context deadline", async () => {
    const errors = [new Error("first"), new Error("second"), new Error("third")];
    const inner = new MockPrimitive({ sequence: errors });
    const ctx = createTestContext({ timeoutMs: 300 });
    const run = track(retry(inner, { jitter: "none" }).execute(0, ctx));
    await ctx.clock.advance(100);
    // At t=100 the second attempt fails; 100 + 200 >= 300, so no wait past the deadline.
    expect(run).toMatchObject({ settled: true, error: errors[1] });
    expect(inner.callCount).toBe(2);
    expect(ctx.clock.now()).toBe(100);
  });

  it("a Retry-After that reaches the deadline gives up too", async () => {
    const error = Object.assign(new Error("429"), { retryAfterMs: 1_000 });
    const inner = new MockPrimitive({ failTimes: Infinity, error });
    const ctx = createTestContext({ timeoutMs: 1_000 });
    await expect(retry(inner).execute(0, ctx)).rejects.toBe(error);
    expect(inner.callCount).toBe(1);
  });
});

describe("observability", () => {
  it("one tta.retry span with a tta.mock child per attempt, retry events before each wait, and tta.retry.attempts", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const inner = new MockPrimitive({ failTimes: 2, returns: "ok" });
      const ctx = createTestContext();
      const run = track(retry(inner, { jitter: "none", name: "llm-retry" }).execute(0, ctx));
      await drain(ctx.clock);
      expect(run.value).toBe("ok");
      expect(recorder.tree()).toBe("tta.retry\n  tta.mock\n  tta.mock\n  tta.mock");
      const span = recorder.spans.find((s) => s.name === "tta.retry");
      expect(span?.attributes["tta.primitive.name"]).toBe("llm-retry");
      expect(span?.attributes["tta.retry.attempts"]).toBe(3);
      expect(span?.events.filter((e) => e.name === "retry").map((e) => e.attributes)).toEqual([
        { "tta.retry.attempt": 1, "tta.retry.delay_ms": 100, "error.type": "Error" },
        { "tta.retry.attempt": 2, "tta.retry.delay_ms": 200, "error.type": "Error" },
      ]);
    } finally {
      recorder.uninstall();
    }
  });

  it("sets tta.retry.attempts on a first success and on a final failure", async () => {
    const recorder = new SpanRecorder().install();
    try {
      await retry(new MockPrimitive({ returns: 1 })).execute(0, createTestContext());
      const ctx = createTestContext();
      const run = retry(new MockPrimitive({ failTimes: Infinity, error: new TimeoutError() }), {
        maxRetries: 2,
        initialDelayMs: 0,
      }).execute(0, ctx);
      await expect(run).rejects.toBeInstanceOf(TimeoutError);
      const spans = recorder.spans.filter((s) => s.name === "tta.retry");
      expect(spans.map((s) => s.attributes["tta.retry.attempts"])).toEqual([1, 3]);
      expect(spans[1]?.events.filter((e) => e.name === "retry").map((e) => e.attributes?.["error.type"])).toEqual([
        "TIMEOUT",
        "TIMEOUT",
      ]);
    } finally {
      recorder.uninstall();
    }
  });

  it("reports a retry event to subscribers and calls onRetry with { attempt, delayMs, error }", async () => {
    const events: TtaEvent[] = [];
    const infos: RetryInfo[] = [];
    const stop = subscribe((e) => events.push(e));
    try {
      const errors = [new Error("one"), new CircuitOpenError("later", 1)];
      const inner = new MockPrimitive({ sequence: errors });
      const ctx = createTestContext();
      const run = track(
        retry(inner, { jitter: "none", name: "r", onRetry: (i) => void infos.push(i) }).execute(0, ctx),
      );
      await drain(ctx.clock);
      expect(run.error).toBe(errors[1]);
      expect(infos).toEqual([{ attempt: 1, delayMs: 100, error: errors[0] }]);
      expect(infos[0]?.error).toBe(errors[0]);
      const retries = events.filter((e) => e.type === "retry");
      expect(retries).toEqual([
        expect.objectContaining({
          type: "retry",
          kind: "retry",
          name: "r",
          attempt: 1,
          delayMs: 100,
          errorType: "Error",
          at: 0,
        }),
      ]);
    } finally {
      stop();
    }
  });

  it("a throwing or rejecting onRetry does not break the retry", async () => {
    for (const onRetry of [
      () => {
        throw new Error("listener bug");
      },
      () => Promise.reject(new Error("async listener bug")),
    ]) {
      const inner = new MockPrimitive({ failTimes: 2, returns: "ok" });
      await expect(retry(inner, { initialDelayMs: 0, onRetry }).execute(0, createTestContext())).resolves.toBe("ok");
      expect(inner.callCount).toBe(3);
    }
  });
});

describe("options", () => {
  it("has the DESIGN defaults, resolved once and frozen; class and factory are equivalent", async () => {
    expect(DEFAULT_RETRY_OPTIONS).toEqual({
      maxRetries: 3,
      initialDelayMs: 100,
      backoffFactor: 2,
      maxDelayMs: 30_000,
      jitter: "full",
      retryOn: undefined,
      respectRetryAfter: true,
      maxRetryAfterMs: 60_000,
      onRetry: undefined,
      name: "RetryPrimitive",
    });
    const a = retry(() => 1);
    const b = new RetryPrimitive(() => 1);
    expect(a).toBeInstanceOf(RetryPrimitive);
    expect(a.options).toEqual(DEFAULT_RETRY_OPTIONS);
    expect(b.options).toEqual(DEFAULT_RETRY_OPTIONS);
    expect(Object.isFrozen(a.options)).toBe(true);
    expect(a.name).toBe("RetryPrimitive");
    expect(a.kind).toBe("retry");
    const recovery = await import("./index.js");
    expect(recovery.retry).toBe(retry);
    expect(recovery.RetryPrimitive).toBe(RetryPrimitive);
  });

  it("null means the default; Infinity is accepted for maxDelayMs and maxRetryAfterMs; zero delays are fine", () => {
    const nulls = Object.fromEntries(Object.keys(DEFAULT_RETRY_OPTIONS).map((k) => [k, null])) as RetryOptions;
    expect(retry(() => 1, nulls).options).toEqual(DEFAULT_RETRY_OPTIONS);
    const o = retry(() => 1, {
      maxDelayMs: Infinity,
      maxRetryAfterMs: Infinity,
      initialDelayMs: 0,
      maxRetries: 0,
    }).options;
    expect(o).toMatchObject({ maxDelayMs: Infinity, maxRetryAfterMs: Infinity, initialDelayMs: 0, maxRetries: 0 });
    expect(retry(() => 1, { backoffFactor: 1, jitter: "decorrelated" }).options.backoffFactor).toBe(1);
  });

  it.each<[string, unknown]>([
    ["maxRetries", -1],
    ["maxRetries", 1.5],
    ["maxRetries", Infinity],
    ["maxRetries", NaN],
    ["maxRetries", "3"],
    ["initialDelayMs", -1],
    ["initialDelayMs", NaN],
    ["initialDelayMs", Infinity],
    ["initialDelayMs", 2 ** 31],
    ["backoffFactor", 0.5],
    ["backoffFactor", 0],
    ["backoffFactor", NaN],
    ["backoffFactor", Infinity],
    ["backoffFactor", "2"],
    ["maxDelayMs", -1],
    ["maxDelayMs", NaN],
    ["maxDelayMs", -Infinity],
    ["maxRetryAfterMs", -1],
    ["maxRetryAfterMs", NaN],
    ["jitter", "random"],
    ["jitter", true],
    ["retryOn", true],
    ["onRetry", 42],
    ["respectRetryAfter", "yes"],
    ["respectRetryAfter", 1],
    ["name", ""],
    ["name", 7],
  ])("rejects %s = %s with an InvalidOptionsError naming it", (option, value) => {
    const error = invalidOption(() => retry(() => 1, Object.fromEntries([[option, value]]) as RetryOptions));
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
  });

  it("rejects unknown keys (typos) and non-object options", () => {
    expect(invalidOption(() => retry(() => 1, { maxRetry: 3 } as RetryOptions)).option).toBe("maxRetry");
    for (const bad of [null, [], new Map(), "fast", 3])
      expect(invalidOption(() => retry(() => 1, bad as RetryOptions)).message).toMatch(/retry options/);
  });

  it("rejects an inner that is not a primitive or a function, naming `inner`", () => {
    for (const bad of [undefined, null, 42, {}, { execute: 1 }])
      expect(invalidOption(() => retry(bad as never)).option).toBe("inner");
  });

  it("accepts a plain function and an executable object", async () => {
    await expect(retry((n: number) => n + 1).execute(1)).resolves.toBe(2);
    const executable = { execute: (n: number) => Promise.resolve(n * 2) };
    await expect(retry(executable).execute(4)).resolves.toBe(8);
  });
});
