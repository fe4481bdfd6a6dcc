import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidOptionsError, RateLimitedError, TimeoutError, subscribe } from "../core/index.js";
import type { TtaEvent } from "../core/index.js";
import {
  MockPrimitive,
  SpanRecorder,
  TestClock,
  createTestContext,
  describePrimitiveContract,
} from "../testing/index.js";
import { DEFAULT_RATE_LIMIT_OPTIONS, RateLimitPrimitive, rateLimit } from "./rate-limit.js";
import { timeout } from "./timeout.js";
import type { RateLimitOptions } from "./rate-limit.js";
import { invalidOption, track } from "../test-support/index.js";

describePrimitiveContract("rateLimit", (inner) => rateLimit(inner, { tokensPerInterval: 10, intervalMs: 1_000 }));
describePrimitiveContract("rateLimit (reject)", (inner) =>
  rateLimit(inner, { tokensPerInterval: 10, intervalMs: 1_000, mode: "reject" }),
);

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function setup<I = number>(options: RateLimitOptions<I>) {
  const ctx = createTestContext();
  const inner = new MockPrimitive<I, I>({ impl: (input) => input });
  const limited = rateLimit(inner, options);
  const startTimes = (): number[] => inner.calls.map((c) => c.at);
  return { ctx, inner, limited, startTimes };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("rateLimit: wait mode", () => {
  it("N calls within capacity pass at once; the next waits exactly the refill time", async () => {
    const { ctx, limited, startTimes } = setup({ tokensPerInterval: 5, intervalMs: 1_000 });
    const runs = Array.from({ length: 6 }, (_, i) => limited.execute(i, ctx));
    await ctx.clock.advance(0);
    expect(startTimes()).toEqual([0, 0, 0, 0, 0]);
    await ctx.clock.advance(199);
    expect(startTimes()).toHaveLength(5);
    await ctx.clock.advance(1);
    expect(startTimes()).toEqual([0, 0, 0, 0, 0, 200]);
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("refills continuously and never above capacity", async () => {
    const { ctx, limited, startTimes } = setup({ tokensPerInterval: 4, intervalMs: 1_000 });
    await Promise.all([1, 2, 3, 4].map((i) => limited.execute(i, ctx)));
    await ctx.clock.advance(500); // 2 tokens back
    const runs = [5, 6, 7].map((i) => limited.execute(i, ctx));
    await ctx.clock.advance(0);
    expect(startTimes()).toEqual([0, 0, 0, 0, 500, 500]);
    await ctx.clock.advance(250);
    expect(startTimes().at(-1)).toBe(750);
    await Promise.all(runs);
    await ctx.clock.advance(60_000); // long idle: the bucket holds 4, not 240
    const burst = Array.from({ length: 5 }, (_, i) => limited.execute(i, ctx));
    await ctx.clock.advance(0);
    expect(startTimes().filter((t) => t === 60_750)).toHaveLength(4);
    await ctx.clock.runAll();
    await Promise.all(burst);
    expect(startTimes().at(-1)).toBe(61_000);
  });

  it("serves waiters in FIFO order, so a costly call is not starved by cheap ones behind it", async () => {
    const { ctx, limited, inner } = setup<{ id: string; cost: number }>({
      tokensPerInterval: 5,
      intervalMs: 1_000,
      cost: (r) => r.cost,
    });
    await limited.execute({ id: "drain", cost: 5 }, ctx);
    const big = limited.execute({ id: "big", cost: 5 }, ctx);
    await ctx.clock.advance(300); // 1.5 tokens: enough for a small call, but the big one is first in line
    const smalls = ["s1", "s2"].map((id) => limited.execute({ id, cost: 1 }, ctx));
    await ctx.clock.runAll();
    await Promise.all([big, ...smalls]);
    expect(inner.calls.map((c) => [c.input.id, c.at])).toEqual([
      ["drain", 0],
      ["big", 1_000],
      ["s1", 1_200],
      ["s2", 1_400],
    ]);
  });

  it("an abort while waiting rejects with the reason and spends no tokens", async () => {
    const { ctx, limited, startTimes } = setup({ tokensPerInterval: 1, intervalMs: 1_000 });
    await limited.execute(0, ctx);
    const controller = new AbortController();
    const waiting = track(limited.execute(1, createTestContext({ signal: controller.signal, clock: ctx.clock })));
    await ctx.clock.advance(500);
    expect(limited.waiting).toBe(1);
    const reason = new Error("user left");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(waiting.state).toBe("rejected");
    expect(waiting.error).toBe(reason);
    expect(limited.waiting).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
    // The token refilling since t = 0 was not taken by the aborted call, nor given back twice.
    const next = limited.execute(2, ctx);
    await ctx.clock.advance(499);
    expect(startTimes()).toEqual([0]);
    await ctx.clock.advance(1);
    expect(startTimes()).toEqual([0, 1_000]);
    await next;
  });

  it("when the first waiter aborts, the next one is served as soon as the bucket allows", async () => {
    const { ctx, limited, inner } = setup<number>({ tokensPerInterval: 5, intervalMs: 1_000, cost: (n) => n });
    await limited.execute(5, ctx);
    const controller = new AbortController();
    const big = limited.execute(5, createTestContext({ signal: controller.signal, clock: ctx.clock }));
    big.catch(() => undefined);
    const small = limited.execute(1, ctx);
    await ctx.clock.advance(300); // 1.5 tokens
    expect(inner.callCount).toBe(1);
    controller.abort(new Error("no"));
    await ctx.clock.advance(0);
    expect(inner.calls.map((c) => [c.input, c.at])).toEqual([
      [5, 0],
      [1, 300],
    ]);
    await small;
  });

  it("tokens are spent, not held: work that never settles blocks nothing, and an aborted call gets no refund", async () => {
    const ctx = createTestContext();
    const started: number[] = [];
    // Never looks at its signal and never settles.
    const limited = rateLimit((n: number) => new Promise<number>(() => void started.push(n)), {
      tokensPerInterval: 1,
      intervalMs: 200,
    });
    const first = track(timeout(limited, { timeoutMs: 50 }).execute(1, ctx));
    await ctx.clock.advance(50);
    expect(first.error).toBeInstanceOf(TimeoutError);
    void limited.execute(2, ctx);
    await ctx.clock.advance(149);
    expect(started).toEqual([1]);
    await ctx.clock.advance(1);
    expect(started).toEqual([1, 2]);
    expect(limited.waiting).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("a waiter whose deadline passes leaves the queue with a TimeoutError", async () => {
    const { ctx, limited } = setup({ tokensPerInterval: 1, intervalMs: 10_000 });
    await limited.execute(0, ctx);
    const waiting = track(limited.execute(1, createTestContext({ timeoutMs: 100, clock: ctx.clock })));
    await ctx.clock.advance(100);
    expect(waiting.error).toBeInstanceOf(TimeoutError);
    expect(limited.waiting).toBe(0);
  });

  it("waits match the token-bucket model for random costs and arrivals (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 300 }), cost: fc.integer({ min: 0, max: 10 }) }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (capacity, arrivals) => {
          const intervalMs = 1_000;
          const ctx = createTestContext();
          const starts = new Map<number, number>();
          const limited = rateLimit((r: { i: number; cost: number }) => void starts.set(r.i, ctx.clock.now()), {
            tokensPerInterval: capacity,
            intervalMs,
            cost: (r) => r.cost,
          });
          const runs: Promise<unknown>[] = [];
          for (const [i, a] of arrivals.entries()) {
            await ctx.clock.advance(a.gap);
            runs.push(limited.execute({ i, cost: a.cost }, ctx).catch((e: unknown) => e));
          }
          await ctx.clock.runAll();
          const results = await Promise.all(runs);
          // Reference model: FIFO token bucket (cost 0 never waits; cost > capacity rejected).
          let tokens = capacity;
          let last = 0;
          let now = 0;
          let free = 0; // when the previous waiter got its tokens
          const expected: (number | "rejected")[] = [];
          for (const a of arrivals) {
            now += a.gap;
            if (a.cost > capacity) {
              expected.push("rejected");
              continue;
            }
            if (a.cost === 0) {
              expected.push(now);
              continue;
            }
            let t = Math.max(now, free);
            tokens = Math.min(capacity, tokens + ((t - last) * capacity) / intervalMs);
            last = t;
            if (tokens < a.cost) {
              const wait = Math.ceil(((a.cost - tokens) * intervalMs) / capacity - 1e-6);
              t += wait;
              tokens = Math.min(capacity, tokens + (wait * capacity) / intervalMs);
              last = t;
            }
            tokens -= a.cost;
            free = t;
            expected.push(t);
          }
          const actual = results.map((r, i) => (r instanceof RateLimitedError ? "rejected" : starts.get(i)));
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("rateLimit: reject mode", () => {
  it("rejects with RateLimitedError whose retryAfterMs is exact, and admits after that long", async () => {
    const { ctx, limited, startTimes } = setup({ tokensPerInterval: 5, intervalMs: 1_000, mode: "reject" });
    await Promise.all([1, 2, 3, 4, 5].map((i) => limited.execute(i, ctx)));
    const first = (await rejection(limited.execute(6, ctx))) as RateLimitedError;
    expect(first).toBeInstanceOf(RateLimitedError);
    expect(first.code).toBe("RATE_LIMITED");
    expect(first.retryAfterMs).toBe(200);
    await ctx.clock.advance(50);
    expect(((await rejection(limited.execute(7, ctx))) as RateLimitedError).retryAfterMs).toBe(150);
    await ctx.clock.advance(149);
    expect(((await rejection(limited.execute(8, ctx))) as RateLimitedError).retryAfterMs).toBe(1);
    await ctx.clock.advance(1);
    await expect(limited.execute(9, ctx)).resolves.toBe(9);
    expect(startTimes()).toEqual([0, 0, 0, 0, 0, 200]);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("rounds a fractional retryAfterMs up to the first whole ms with enough tokens", async () => {
    const { ctx, limited } = setup({ tokensPerInterval: 3, intervalMs: 1_000, mode: "reject" });
    await Promise.all([1, 2, 3].map((i) => limited.execute(i, ctx)));
    const error = (await rejection(limited.execute(4, ctx))) as RateLimitedError;
    expect(error.retryAfterMs).toBe(334);
    await ctx.clock.advance(333);
    await expect(limited.execute(5, ctx)).rejects.toBeInstanceOf(RateLimitedError);
    await ctx.clock.advance(1);
    await expect(limited.execute(6, ctx)).resolves.toBe(6);
  });

  it("a rejected call spends no tokens", async () => {
    const { ctx, limited } = setup<number>({
      tokensPerInterval: 10,
      intervalMs: 1_000,
      mode: "reject",
      cost: (n) => n,
    });
    await limited.execute(8, ctx);
    await expect(limited.execute(5, ctx)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(limited.execute(2, ctx)).resolves.toBe(2);
  });
});

describe("rateLimit: cost", () => {
  it("LLM-style: cost(input) spends the estimated tokens of the request", async () => {
    const estimate = (req: { prompt: string }) => Math.ceil(req.prompt.length / 4);
    const { ctx, limited, startTimes } = setup<{ prompt: string }>({
      tokensPerInterval: 1_000,
      intervalMs: 60_000,
      cost: estimate,
    });
    await limited.execute({ prompt: "x".repeat(3_200) }, ctx); // 800 tokens
    const next = limited.execute({ prompt: "y".repeat(1_600) }, ctx); // 400 tokens: 200 missing = 12 s
    await ctx.clock.advance(11_999);
    expect(startTimes()).toEqual([0]);
    await ctx.clock.advance(1);
    expect(startTimes()).toEqual([0, 12_000]);
    await next;
  });

  it("a cost above capacity is rejected at once with retryAfterMs Infinity, in both modes", async () => {
    for (const mode of ["wait", "reject"] as const) {
      const { ctx, limited, inner } = setup<number>({ tokensPerInterval: 10, intervalMs: 1_000, mode, cost: (n) => n });
      const error = (await rejection(limited.execute(11, ctx))) as RateLimitedError;
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error.retryAfterMs).toBe(Infinity);
      expect(inner.callCount).toBe(0);
      await expect(limited.execute(10, ctx)).resolves.toBe(10); // nothing was spent
    }
  });

  it("a cost of 0 never waits, even behind waiters", async () => {
    const { ctx, limited, startTimes } = setup<number>({ tokensPerInterval: 1, intervalMs: 1_000, cost: (n) => n });
    await limited.execute(1, ctx);
    const waiting = limited.execute(1, ctx);
    await expect(limited.execute(0, ctx)).resolves.toBe(0);
    expect(startTimes()).toEqual([0, 0]);
    await ctx.clock.runAll();
    await waiting;
  });

  it("a cost that is not a finite number ≥ 0 rejects the call with InvalidOptionsError naming cost", async () => {
    for (const bad of [-1, NaN, Infinity, "3", undefined]) {
      const { ctx, limited, inner } = setup<number>({
        tokensPerInterval: 10,
        intervalMs: 1_000,
        cost: () => bad as never,
      });
      const error = (await rejection(limited.execute(1, ctx))) as InvalidOptionsError;
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error.option).toBe("cost");
      expect(inner.callCount).toBe(0);
    }
  });

  it("an error thrown by cost passes through unchanged", async () => {
    const boom = new Error("cannot estimate");
    const { ctx, limited } = setup<number>({
      tokensPerInterval: 10,
      intervalMs: 1_000,
      cost: () => {
        throw boom;
      },
    });
    await expect(limited.execute(1, ctx)).rejects.toBe(boom);
  });
});

describe("rateLimit: fast path and observability", () => {
  it("a call with tokens available creates no timer and adds no listener", async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, "addEventListener");
    const ctx = createTestContext({ signal: controller.signal });
    const limited = rateLimit((n: number) => n, { tokensPerInterval: 100, intervalMs: 1_000 });
    const outer = new MockPrimitive<number, unknown>({
      impl: (n, c) => Promise.all(Array.from({ length: 50 }, (_, i) => limited.execute(n + i, c))),
    });
    const run = outer.execute(0, ctx);
    expect(ctx.clock.pendingTimers).toBe(0);
    await run;
    expect(add).toHaveBeenCalledTimes(1); // the top-level call's own race only
  });

  it("reports waited (actual wait) and rejected (retryAfterMs) events with the cost", async () => {
    const events: TtaEvent[] = [];
    stops.push(subscribe((e) => events.push(e)));
    const clock = new TestClock();
    const waiting = rateLimit((n: number) => n, {
      tokensPerInterval: 2,
      intervalMs: 1_000,
      cost: (n) => n,
      name: "tpm",
    });
    const rejecting = rateLimit((n: number) => n, { tokensPerInterval: 2, intervalMs: 1_000, mode: "reject" });
    const ctx = createTestContext({ clock });
    await waiting.execute(2, ctx);
    const run = waiting.execute(1, ctx);
    await clock.advance(500);
    await run;
    await rejecting.execute(1, ctx);
    await rejecting.execute(1, ctx);
    await expect(rejecting.execute(1, ctx)).rejects.toBeInstanceOf(RateLimitedError);
    expect(
      events
        .filter((e) => e.type === "rate-limit")
        .map((e) => ({ action: e.action, waitMs: e.waitMs, cost: e.cost, name: e.name, kind: e.kind })),
    ).toEqual([
      { action: "waited", waitMs: 500, cost: 1, name: "tpm", kind: "rate-limit" },
      { action: "rejected", waitMs: 500, cost: 1, name: "RateLimitPrimitive", kind: "rate-limit" },
    ]);
  });

  it("sets tta.rate_limit.cost and tta.rate_limit.wait_ms on its span", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const ctx = createTestContext();
      const limited = rateLimit(new MockPrimitive<number, number>(), { tokensPerInterval: 1, intervalMs: 100 });
      const runs = [limited.execute(1, ctx), limited.execute(2, ctx)];
      await ctx.clock.runAll();
      await Promise.all(runs);
      const spans = recorder.spans.filter((s) => s.name === "tta.rate-limit");
      expect(spans.map((s) => [s.attributes["tta.rate_limit.cost"], s.attributes["tta.rate_limit.wait_ms"]])).toEqual([
        [1, 0],
        [1, 100],
      ]);
    } finally {
      recorder.uninstall();
    }
  });
});

describe("rateLimit: bad input", () => {
  const inner = (n: number) => n;
  const ok = { tokensPerInterval: 1, intervalMs: 1_000 };

  it("requires tokensPerInterval (integer ≥ 1) and intervalMs (finite, > 0)", () => {
    expect(invalidOption(() => rateLimit(inner, undefined as never)).option).toBe("tokensPerInterval");
    expect(invalidOption(() => rateLimit(inner, { intervalMs: 1 })).option).toBe("tokensPerInterval");
    expect(invalidOption(() => rateLimit(inner, { tokensPerInterval: 1 })).option).toBe("intervalMs");
    for (const bad of [0, -1, 1.5, NaN, Infinity, "5"])
      expect(invalidOption(() => rateLimit(inner, { ...ok, tokensPerInterval: bad as never })).option).toBe(
        "tokensPerInterval",
      );
    for (const bad of [0, -1, -0, NaN, Infinity, 2 ** 31, "100"])
      expect(invalidOption(() => rateLimit(inner, { ...ok, intervalMs: bad as never })).option).toBe("intervalMs");
  });

  it("validates cost, mode and name; null values mean defaults", () => {
    expect(invalidOption(() => rateLimit(inner, { ...ok, cost: 3 as never })).option).toBe("cost");
    expect(invalidOption(() => rateLimit(inner, { ...ok, mode: "drop" as never })).option).toBe("mode");
    expect(invalidOption(() => rateLimit(inner, { ...ok, name: "" })).option).toBe("name");
    const limited = rateLimit(inner, { ...ok, cost: null, mode: null, name: null } as never);
    expect(limited.options).toEqual({ ...ok, cost: undefined, ...DEFAULT_RATE_LIMIT_OPTIONS });
  });

  it("rejects unknown options, non-object options and a bad inner", () => {
    expect(invalidOption(() => rateLimit(inner, { ...ok, tokensPerInterva: 1 } as never)).option).toBe(
      "tokensPerInterva",
    );
    for (const bad of [null, [], new Map(), 5]) invalidOption(() => rateLimit(inner, bad as never));
    expect(invalidOption(() => new RateLimitPrimitive("x" as never, ok)).option).toBe("inner");
  });
});
