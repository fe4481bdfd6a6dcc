import { getEventListeners } from "node:events";
import { DiagLogLevel, diag } from "@opentelemetry/api";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { WorkflowContext } from "../core/context.js";
import { InvalidOptionsError, TimeoutError, isTtaError } from "../core/errors.js";
import { subscribe } from "../core/instrumentation.js";
import type { CacheEvent } from "../core/instrumentation.js";
import { lambda } from "../core/index.js";
import {
  MockPrimitive,
  SpanRecorder,
  TestClock,
  createTestContext,
  describePrimitiveContract,
} from "../testing/index.js";
import { CachePrimitive, DEFAULT_CACHE_OPTIONS, cache } from "./cache.js";
import type { CacheEntry, CacheStore } from "./cache-store.js";
import { InMemoryCacheStore } from "./cache-store.js";
import { invalidOption } from "../test-support/index.js";

/** A store that answers asynchronously, as a remote one would. */
class AsyncStore implements CacheStore {
  readonly map = new Map<string, CacheEntry>();
  readonly retains: number[] = [];
  failGet = false;
  failSet = false;
  async get(key: string): Promise<CacheEntry | undefined> {
    await Promise.resolve();
    if (this.failGet) throw new Error("store down");
    return this.map.get(key);
  }
  async set(key: string, entry: CacheEntry, retainMs: number): Promise<void> {
    await Promise.resolve();
    if (this.failSet) throw new Error("store down");
    this.retains.push(retainMs);
    this.map.set(key, entry);
  }
  async delete(key: string): Promise<void> {
    await Promise.resolve();
    this.map.delete(key);
  }
  async clear(): Promise<void> {
    await Promise.resolve();
    this.map.clear();
  }
}

afterEach(() => {
  diag.disable();
});

describePrimitiveContract("cache", (inner) => cache(inner));
describePrimitiveContract("cache with an async store", (inner) => cache(inner, { store: new AsyncStore() }));

describe("hits and misses", () => {
  it("a hit returns the cached value without running the inner primitive", async () => {
    const inner = new MockPrimitive<string, string>({ impl: (q) => `answer to ${q}` });
    const cached = cache(inner);
    const ctx = createTestContext();
    await expect(cached.execute("q1", ctx)).resolves.toBe("answer to q1");
    await expect(cached.execute("q1", ctx)).resolves.toBe("answer to q1");
    await expect(cached.execute("q2", ctx)).resolves.toBe("answer to q2");
    expect(inner.callCount).toBe(2);
    expect(cached.stats()).toEqual({
      hits: 1,
      misses: 2,
      coalesced: 0,
      hitRate: 1 / 3,
      size: 2,
      evictions: 0,
      expirations: 0,
    });
  });

  it("equal inputs up to key order share an entry", async () => {
    const inner = new MockPrimitive<object, number>({ returns: 7 });
    const cached = cache(inner);
    await cached.execute({ a: 1, b: [1, 2] }, createTestContext());
    await cached.execute({ b: [1, 2], a: 1 }, createTestContext());
    expect(inner.callCount).toBe(1);
  });

  it("undefined and null results are cached like any value", async () => {
    for (const value of [undefined, null]) {
      const inner = new MockPrimitive<string, null | undefined>({ impl: () => value });
      const cached = cache(inner);
      await expect(cached.execute("k", createTestContext())).resolves.toBe(value);
      await expect(cached.execute("k", createTestContext())).resolves.toBe(value);
      expect(inner.callCount).toBe(1);
    }
  });

  it("stats before any call: zeros and hitRate 0; DEFAULT_CACHE_OPTIONS are DESIGN's", () => {
    expect(cache(() => 1).stats()).toEqual({
      hits: 0,
      misses: 0,
      coalesced: 0,
      hitRate: 0,
      size: 0,
      evictions: 0,
      expirations: 0,
    });
    expect(DEFAULT_CACHE_OPTIONS).toMatchObject({ ttlMs: 3_600_000, maxEntries: 1_000, staleWhileRevalidateMs: 0 });
    expect(new CachePrimitive(() => 1).name).toBe("CachePrimitive");
    expect(cache(() => 1, { name: "llm-cache" }).name).toBe("llm-cache");
  });
});

describe("single-flight", () => {
  it("1 000 concurrent calls with the same key run the inner primitive once and all get the value", async () => {
    const inner = new MockPrimitive<object, string>({ latencyMs: 100, returns: "value" });
    const cached = cache(inner);
    const ctx = createTestContext();
    const runs = Array.from({ length: 1_000 }, (_, i) =>
      cached.execute(i % 2 === 0 ? { a: 1, b: 2 } : { b: 2, a: 1 }, ctx),
    );
    await ctx.clock.advance(100);
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 1_000 }, () => "value"));
    expect(inner.callCount).toBe(1);
    const stats = cached.stats();
    expect(stats).toMatchObject({ hits: 0, misses: 1, coalesced: 999, size: 1 });
    expect(stats.hitRate).toBeCloseTo(0.999, 10);
  });

  it("aborting one of 10 waiters rejects that waiter only, with its own reason; the others resolve; the entry is cached", async () => {
    for (const aborted of [0, 3]) {
      const clock = new TestClock();
      const inner = new MockPrimitive<string, string>({ latencyMs: 100, returns: "value" });
      const cached = cache(inner);
      const controllers = Array.from({ length: 10 }, () => new AbortController());
      const runs = controllers.map((c) => cached.execute("q", createTestContext({ clock, signal: c.signal })));
      for (const run of runs) run.catch(() => undefined);
      await clock.advance(10);
      const reason = new Error(`caller ${aborted} gave up`);
      (controllers[aborted] as AbortController).abort(reason);
      await expect(runs[aborted]).rejects.toBe(reason);
      expect(clock.now()).toBe(10); // rejected at once, not when the run ended
      await clock.advance(90);
      for (const [i, run] of runs.entries()) if (i !== aborted) await expect(run).resolves.toBe("value");
      await expect(cached.execute("q", createTestContext({ clock }))).resolves.toBe("value");
      expect(inner.callCount).toBe(1);
      expect(cached.stats()).toMatchObject({ hits: 1, misses: 1, coalesced: 9 });
    }
  });

  it("a nested waiter (no top-level race) also leaves on its own abort while the others resolve", async () => {
    const clock = new TestClock();
    const inner = new MockPrimitive<string, string>({ latencyMs: 100, returns: "value" });
    const cached = cache(inner);
    const nested: Promise<string>[] = [];
    const outer = lambda((q: string, ctx: WorkflowContext) => {
      const run = cached.execute(q, ctx);
      nested.push(run);
      return run;
    });
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    const runs = controllers.map((c) => outer.execute("q", createTestContext({ clock, signal: c.signal })));
    for (const run of [...runs]) run.catch(() => undefined);
    await clock.advance(1);
    const reason = new Error("stop");
    (controllers[1] as AbortController).abort(reason);
    await expect(nested[1]).rejects.toBe(reason);
    await clock.advance(99);
    await expect(nested[0]).resolves.toBe("value");
    await expect(nested[2]).resolves.toBe("value");
    expect(inner.callCount).toBe(1);
  });

  it("when every waiter aborts, the shared run goes on and still fills the cache", async () => {
    const clock = new TestClock();
    const inner = new MockPrimitive<string, string>({ latencyMs: 100, returns: "value" });
    const cached = cache(inner);
    const controller = new AbortController();
    const run = cached.execute("q", createTestContext({ clock, signal: controller.signal }));
    run.catch(() => undefined);
    await clock.advance(10);
    controller.abort(new Error("bye"));
    await expect(run).rejects.toThrow("bye");
    await clock.advance(90);
    await expect(cached.execute("q", createTestContext({ clock }))).resolves.toBe("value");
    expect(inner.callCount).toBe(1);
  });

  it("the shared run is detached: it sees the first caller's ids and state, a never-aborting signal and no deadline", async () => {
    const clock = new TestClock();
    let seen: WorkflowContext | undefined;
    const inner = new MockPrimitive<string, string>({
      impl: async (_q, ctx) => {
        seen = ctx;
        await ctx.clock.sleep(100);
        return "value";
      },
    });
    const cached = cache(inner);
    const controller = new AbortController();
    const ctx = createTestContext({ clock, signal: controller.signal, timeoutMs: 50, metadata: { user: "u1" } });
    ctx.state.set("step", 1);
    const run = cached.execute("q", ctx);
    run.catch(() => undefined);
    await clock.advance(10);
    controller.abort(new Error("first caller left"));
    await expect(run).rejects.toThrow("first caller left");
    expect(seen?.signal.aborted).toBe(false);
    expect(seen?.deadline).toBeUndefined();
    expect(seen?.workflowId).toBe(ctx.workflowId);
    expect(seen?.correlationId).toBe(ctx.correlationId);
    expect(seen?.metadata).toEqual({ user: "u1" });
    expect(seen?.state.get("step")).toBe(1);
  });

  it("a waiter's deadline rejects that waiter with a TimeoutError; the run continues and fills the cache", async () => {
    const clock = new TestClock();
    const inner = new MockPrimitive<string, string>({ latencyMs: 100, returns: "value" });
    const cached = cache(inner);
    const hurried = cached.execute("q", createTestContext({ clock, timeoutMs: 50 }));
    const patient = cached.execute("q", createTestContext({ clock }));
    hurried.catch(() => undefined);
    await clock.advance(50);
    await expect(hurried).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(50);
    await expect(patient).resolves.toBe("value");
    await expect(cached.execute("q", createTestContext({ clock }))).resolves.toBe("value");
    expect(inner.callCount).toBe(1);
  });

  it("a waiter's abort listener is removed when the run settles", async () => {
    const clock = new TestClock();
    const inner = new MockPrimitive<string, string>({ latencyMs: 100, returns: "value" });
    const cached = cache(inner);
    const controller = new AbortController();
    const run = cached.execute("q", createTestContext({ clock, signal: controller.signal }));
    await clock.advance(1);
    expect(getEventListeners(controller.signal, "abort").length).toBeGreaterThan(0);
    await clock.advance(99);
    await run;
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("errors are not cached: every current waiter gets the same error, the next call runs again", async () => {
    const boom = new Error("model down");
    const inner = new MockPrimitive<string, string>({ latencyMs: 10, failTimes: 1, error: boom, returns: "ok" });
    const cached = cache(inner);
    const ctx = createTestContext();
    const runs = Array.from({ length: 5 }, () => cached.execute("q", ctx));
    for (const run of runs) run.catch(() => undefined);
    await ctx.clock.advance(10);
    for (const run of runs) await expect(run).rejects.toBe(boom);
    expect(inner.callCount).toBe(1);
    const again = cached.execute("q", ctx);
    await ctx.clock.advance(10);
    await expect(again).resolves.toBe("ok");
    await expect(cached.execute("q", ctx)).resolves.toBe("ok");
    expect(inner.callCount).toBe(2);
    expect(cached.stats().size).toBe(1);
  });

  it("a non-Error throw reaches every waiter as one NON_ERROR_THROWN error", async () => {
    const inner = new MockPrimitive<string, string>({ latencyMs: 10, failTimes: 1, error: "plain" });
    const cached = cache(inner);
    const ctx = createTestContext();
    const runs = [cached.execute("q", ctx), cached.execute("q", ctx)];
    const settled = Promise.allSettled(runs);
    await ctx.clock.advance(10);
    const [a, b] = await settled;
    const errorA: unknown = a?.status === "rejected" ? a.reason : undefined;
    expect(isTtaError(errorA, "NON_ERROR_THROWN")).toBe(true);
    expect(b?.status === "rejected" ? b.reason : undefined).toBe(errorA);
  });
});

describe("TTL", () => {
  it("an entry older than ttlMs is never served, and a fresh one is never recomputed (property, TestClock)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 25 }),
        async (ttlMs, steps) => {
          const clock = new TestClock(1_000);
          const storedAt: number[] = [];
          const inner = new MockPrimitive<string, number>({
            impl: () => storedAt.push(clock.now()) - 1,
          });
          const cached = cache(inner, { ttlMs });
          for (const step of steps) {
            await clock.advance(step);
            const runsBefore = storedAt.length;
            const latest = storedAt.at(-1);
            const freshBefore = latest !== undefined && clock.now() - latest < ttlMs;
            const value = await cached.execute("k", createTestContext({ clock }));
            // Never older than ttlMs when served …
            expect(clock.now() - (storedAt[value] as number)).toBeLessThan(ttlMs);
            // … and a fresh entry is served rather than recomputed.
            expect(storedAt.length).toBe(freshBefore ? runsBefore : runsBefore + 1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("age == ttlMs is expired, counted once as an expiration", async () => {
    const inner: MockPrimitive<string, number> = new MockPrimitive<string, number>({ impl: () => inner.callCount });
    const cached = cache(inner, { ttlMs: 100 });
    const ctx = createTestContext();
    await expect(cached.execute("k", ctx)).resolves.toBe(1);
    await ctx.clock.advance(99);
    await expect(cached.execute("k", ctx)).resolves.toBe(1);
    await ctx.clock.advance(1);
    await expect(cached.execute("k", ctx)).resolves.toBe(2);
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 2, expirations: 1, size: 1 });
  });

  it("ttlMs Infinity never expires", async () => {
    const inner = new MockPrimitive<string, number>({ returns: 1 });
    const cached = cache(inner, { ttlMs: Infinity });
    const ctx = createTestContext();
    await cached.execute("k", ctx);
    await ctx.clock.advance(10 ** 12);
    await cached.execute("k", ctx);
    expect(inner.callCount).toBe(1);
  });
});

describe("stale-while-revalidate", () => {
  it("serves the stale value at once and starts exactly one background refresh; beyond the window it is a miss", async () => {
    let runs = 0;
    const inner = new MockPrimitive<string, number>({ latencyMs: 50, impl: () => ++runs });
    const cached = cache(inner, { ttlMs: 100, staleWhileRevalidateMs: 1_000 });
    const ctx = createTestContext();
    const first = cached.execute("k", ctx);
    await ctx.clock.advance(50); // stored at 50
    await expect(first).resolves.toBe(1);
    await ctx.clock.advance(100); // age 100 = ttlMs: stale
    const stale = await Promise.all(Array.from({ length: 10 }, () => cached.execute("k", ctx)));
    expect(stale).toEqual(Array.from({ length: 10 }, () => 1));
    expect(inner.callCount).toBe(2); // one refresh for ten stale hits
    await ctx.clock.advance(50); // refresh stored at 200
    await expect(cached.execute("k", ctx)).resolves.toBe(2);
    expect(inner.callCount).toBe(2);
    await ctx.clock.advance(1_100); // age 1100 = ttl + window: expired
    const late = cached.execute("k", ctx);
    await ctx.clock.advance(50);
    await expect(late).resolves.toBe(3);
    expect(cached.stats()).toMatchObject({ hits: 11, misses: 2, expirations: 1 });
  });

  it("a failed refresh is reported through diag, the stale value keeps being served, and a later stale hit retries", async () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
    const inner = new MockPrimitive<string, string>({ sequence: ["v1", new Error("refresh failed"), "v2"] });
    const cached = cache(inner, { ttlMs: 100, staleWhileRevalidateMs: 1_000, name: "answers" });
    const ctx = createTestContext();
    await cached.execute("secret-input", ctx);
    await ctx.clock.advance(100);
    await expect(cached.execute("secret-input", ctx)).resolves.toBe("v1");
    await ctx.clock.advance(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('"answers"');
    expect(JSON.stringify(warn.mock.calls)).not.toContain("secret-input");
    await expect(cached.execute("secret-input", ctx)).resolves.toBe("v1");
    await ctx.clock.advance(0);
    expect(inner.callCount).toBe(3);
    await expect(cached.execute("secret-input", ctx)).resolves.toBe("v2");
  });
});

describe("LRU and stats", () => {
  it("evicts the least recently used entry at maxEntries and counts hits, misses, evictions, hitRate", async () => {
    const inner = new MockPrimitive<string, string>({ impl: (k) => k.toUpperCase() });
    const cached = cache(inner, { maxEntries: 2 });
    const ctx = createTestContext();
    for (const k of ["a", "b", "a", "c", "b"]) await cached.execute(k, ctx); // c evicts b; b evicts a
    expect(inner.calls.map((c) => c.input)).toEqual(["a", "b", "c", "b"]);
    const stats = cached.stats();
    expect(stats).toEqual({
      hits: 1,
      misses: 4,
      coalesced: 0,
      hitRate: 0.2,
      size: 2,
      evictions: 2,
      expirations: 0,
    });
    await cached.execute("c", ctx);
    expect(inner.callCount).toBe(4);
  });

  it("hitRate stays within 0..1 and equals (hits + coalesced) / requests (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), async (keys) => {
        const cached = cache((k: number) => k, { maxEntries: 3 });
        const ctx = createTestContext();
        for (const k of keys) await cached.execute(k, ctx);
        const s = cached.stats();
        expect(s.hits + s.misses + s.coalesced).toBe(keys.length);
        expect(s.hitRate).toBeGreaterThanOrEqual(0);
        expect(s.hitRate).toBeLessThanOrEqual(1);
        expect(s.size).toBeLessThanOrEqual(3);
        expect(s.hitRate).toBe(keys.length === 0 ? 0 : (s.hits + s.coalesced) / keys.length);
      }),
      { numRuns: 50 },
    );
  });

  it("clear() empties the entries and resets every counter", async () => {
    const inner = new MockPrimitive<string, string>({ returns: "v" });
    const cached = cache(inner, { maxEntries: 1, ttlMs: 10 });
    const ctx = createTestContext();
    await cached.execute("a", ctx);
    await cached.execute("b", ctx);
    await ctx.clock.advance(10);
    await cached.execute("b", ctx);
    expect(cached.stats()).toMatchObject({ misses: 3, evictions: 1, expirations: 1, size: 1 });
    await cached.clear();
    expect(cached.stats()).toEqual({
      hits: 0,
      misses: 0,
      coalesced: 0,
      hitRate: 0,
      size: 0,
      evictions: 0,
      expirations: 0,
    });
    await cached.execute("b", ctx);
    expect(inner.callCount).toBe(4);
  });

  it("clear() during a run: the waiters still get the value, but it is not stored", async () => {
    const inner = new MockPrimitive<string, string>({ latencyMs: 100, returns: "v" });
    const cached = cache(inner);
    const ctx = createTestContext();
    const run = cached.execute("q", ctx);
    await ctx.clock.advance(10);
    await cached.clear();
    await ctx.clock.advance(90);
    await expect(run).resolves.toBe("v");
    expect(cached.stats().size).toBe(0);
  });
});

describe("custom key and invalidate", () => {
  interface Req {
    readonly id: number;
    readonly noise: number;
  }

  it("a custom key (sync or async) decides what is shared and receives the caller's context", async () => {
    for (const async of [false, true]) {
      const seen: unknown[] = [];
      const inner = new MockPrimitive<Req, number>({ impl: (r) => r.noise });
      const cached = cache(inner, {
        key: (r: Req, ctx) => {
          seen.push(ctx.metadata.tenant);
          return async ? Promise.resolve(`id:${r.id}`) : `id:${r.id}`;
        },
      });
      const ctx = createTestContext({ metadata: { tenant: "t1" } });
      await expect(cached.execute({ id: 1, noise: 1 }, ctx)).resolves.toBe(1);
      await expect(cached.execute({ id: 1, noise: 2 }, ctx)).resolves.toBe(1);
      await expect(cached.execute({ id: 2, noise: 3 }, ctx)).resolves.toBe(3);
      expect(inner.callCount).toBe(2);
      expect(seen).toEqual(["t1", "t1", "t1"]);
    }
  });

  it("a key function that returns a non-string rejects with InvalidOptionsError naming `key`, without the value", async () => {
    const cached = cache((n: number) => n, { key: (n) => n as unknown as string });
    const error: unknown = await cached.execute(424242, createTestContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("key");
    expect((error as Error).message).not.toContain("424242");
    const asyncBad = cache((n: number) => n, { key: async () => null as unknown as string });
    await expect(asyncBad.execute(1, createTestContext())).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it("invalidate(input) removes the entry; the next call runs again", async () => {
    const inner: MockPrimitive<object, number> = new MockPrimitive<object, number>({ impl: () => inner.callCount });
    const cached = cache(inner);
    const ctx = createTestContext();
    await cached.execute({ a: 1, b: 2 }, ctx);
    await cached.invalidate({ b: 2, a: 1 });
    await expect(cached.execute({ a: 1, b: 2 }, ctx)).resolves.toBe(2);
    await expect(cached.execute({ a: 1, b: 2 }, ctx)).resolves.toBe(2);
  });

  it("invalidate passes its ctx, or a fresh root context, to a custom key", async () => {
    const contexts: WorkflowContext[] = [];
    const cached = cache((r: Req) => r.noise, {
      key: (r: Req, ctx) => {
        contexts.push(ctx);
        return String(r.id);
      },
    });
    const ctx = createTestContext({ metadata: { tenant: "t9" } });
    await cached.invalidate({ id: 1, noise: 0 }, ctx);
    await cached.invalidate({ id: 1, noise: 0 });
    expect(contexts[0]).toBe(ctx);
    expect(typeof contexts[1]?.workflowId).toBe("string");
    expect(contexts[1]).not.toBe(ctx);
  });

  it("invalidate during a run detaches it: its waiters get the value, the cache does not keep it", async () => {
    const inner: MockPrimitive<string, number> = new MockPrimitive<string, number>({
      latencyMs: 100,
      impl: () => inner.callCount,
    });
    const cached = cache(inner);
    const ctx = createTestContext();
    const run = cached.execute("q", ctx);
    await ctx.clock.advance(10);
    await cached.invalidate("q");
    await ctx.clock.advance(90);
    await expect(run).resolves.toBe(1);
    const next = cached.execute("q", ctx);
    await ctx.clock.advance(100);
    await expect(next).resolves.toBe(2);
  });

  it("invalidate with an unserialisable input rejects with UNSERIALIZABLE_KEY", async () => {
    const cached = cache((x: unknown) => x);
    const error: unknown = await cached.invalidate({ f: () => 1 }).catch((e: unknown) => e);
    expect(isTtaError(error, "UNSERIALIZABLE_KEY")).toBe(true);
  });
});

describe("bad input", () => {
  it("rejects invalid options with InvalidOptionsError naming the option", () => {
    const cases: [unknown, string][] = [
      [{ maxEntries: 0 }, "maxEntries"],
      [{ maxEntries: -1 }, "maxEntries"],
      [{ maxEntries: 1.5 }, "maxEntries"],
      [{ maxEntries: Infinity }, "maxEntries"],
      [{ ttlMs: 0 }, "ttlMs"],
      [{ ttlMs: -5 }, "ttlMs"],
      [{ ttlMs: Number.NaN }, "ttlMs"],
      [{ ttlMs: "1000" }, "ttlMs"],
      [{ staleWhileRevalidateMs: -1 }, "staleWhileRevalidateMs"],
      [{ staleWhileRevalidateMs: Infinity }, "staleWhileRevalidateMs"],
      [{ key: "id" }, "key"],
      [{ store: {} }, "store"],
      [{ store: new AsyncStore(), maxEntries: 10 }, "maxEntries"],
      [{ name: "" }, "name"],
      [{ ttl: 5 }, "ttl"],
    ];
    for (const [options, option] of cases)
      expect(invalidOption(() => cache(() => 1, options as never)).option, JSON.stringify(options)).toBe(option);
    for (const options of [5, "x", [], new Map()])
      expect(invalidOption(() => cache(() => 1, options as never)).message).toContain("plain object");
    expect(invalidOption(() => cache(42 as never)).option).toBe("inner");
  });

  it("null option values mean the defaults (null options are invalid, DESIGN §10); Infinity ttlMs is fine", () => {
    expect(invalidOption(() => cache(() => 1, null as never)).message).toContain("plain object");
    expect(cache(() => 1, undefined).options).toMatchObject({ ttlMs: 3_600_000, maxEntries: 1_000 });
    expect(cache(() => 1, { ttlMs: null, maxEntries: null } as never).options).toMatchObject({
      ttlMs: 3_600_000,
      maxEntries: 1_000,
    });
    expect(cache(() => 1, { ttlMs: Infinity, staleWhileRevalidateMs: 0 }).options.ttlMs).toBe(Infinity);
    expect(Object.isFrozen(cache(() => 1).options)).toBe(true);
  });

  it("unserialisable inputs reject with a typed error naming the problem, before the inner primitive runs", async () => {
    const inner = new MockPrimitive<unknown, string>({ returns: "v" });
    const cached = cache(inner);
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    const cases: [unknown, string][] = [
      [{ tools: [{ handler: () => 1 }] }, "input.tools[0].handler is a function"],
      [{ kind: Symbol("x") }, "input.kind is a symbol"],
      [cyclic, "input.me is a circular reference"],
    ];
    for (const [input, text] of cases) {
      const error: unknown = await cached.execute(input, createTestContext()).catch((e: unknown) => e);
      expect(isTtaError(error, "UNSERIALIZABLE_KEY")).toBe(true);
      expect((error as Error).message).toContain(text);
    }
    expect(inner.callCount).toBe(0);
    await expect(cached.execute({ big: 2n ** 70n }, createTestContext())).resolves.toBe("v");
    await expect(cached.execute({ big: 2n ** 70n }, createTestContext())).resolves.toBe("v");
    expect(inner.callCount).toBe(1);
  });
});

describe("observability: hashed keys only", () => {
  it("spans carry tta.cache.hit and tta.cache.result; no raw key anywhere in them", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const inner = new MockPrimitive<string, string>({ latencyMs: 10, returns: "v" });
      const cached = cache(inner);
      const ctx = createTestContext();
      const first = cached.execute("top secret prompt", ctx);
      const second = cached.execute("top secret prompt", ctx);
      await ctx.clock.advance(10);
      await Promise.all([first, second]);
      await cached.execute("top secret prompt", ctx);
      const spans = recorder.spans.filter((s) => s.name === "tta.cache");
      expect(spans.map((s) => [s.attributes["tta.cache.hit"], s.attributes["tta.cache.result"]])).toEqual([
        [false, "miss"],
        [false, "coalesced"],
        [true, "hit"],
      ]);
      expect(JSON.stringify(recorder.spans.map((s) => [s.name, s.attributes, s.events]))).not.toContain("secret");
    } finally {
      recorder.uninstall();
    }
  });

  it("reports cache events (miss, coalesced, hit, stale) with a 16-hex keyHash, never the key", async () => {
    const events: CacheEvent[] = [];
    const stop = subscribe((e) => {
      if (e.type === "cache") events.push(e);
    });
    try {
      const inner = new MockPrimitive<string, string>({ latencyMs: 10, returns: "v" });
      const cached = cache(inner, { ttlMs: 100, staleWhileRevalidateMs: 100, name: "answers" });
      const ctx = createTestContext();
      const runs = [cached.execute("top secret prompt", ctx), cached.execute("top secret prompt", ctx)];
      await ctx.clock.advance(10);
      await Promise.all(runs);
      await cached.execute("top secret prompt", ctx);
      await ctx.clock.advance(100);
      await cached.execute("top secret prompt", ctx);
      expect(events.map((e) => e.result)).toEqual(["miss", "coalesced", "hit", "stale"]);
      expect(new Set(events.map((e) => e.keyHash)).size).toBe(1);
      expect(events[0]?.keyHash).toMatch(/^[0-9a-f]{16}$/);
      expect(events[0]).toMatchObject({ kind: "cache", name: "answers", workflowId: ctx.workflowId });
      expect(JSON.stringify(events)).not.toContain("secret");
    } finally {
      stop();
    }
  });
});

describe("CacheStore", () => {
  it("an async store works: misses, hits, single-flight across its awaits, and retainMs = ttlMs + window", async () => {
    const store = new AsyncStore();
    const inner = new MockPrimitive<string, string>({ latencyMs: 10, returns: "v" });
    const cached = cache(inner, { store, ttlMs: 1_000, staleWhileRevalidateMs: 500 });
    const ctx = createTestContext();
    const runs = Array.from({ length: 100 }, () => cached.execute("q", ctx));
    await ctx.clock.advance(10);
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 100 }, () => "v"));
    await expect(cached.execute("q", ctx)).resolves.toBe("v");
    expect(inner.callCount).toBe(1);
    expect(store.retains).toEqual([1_500]);
    expect(store.map.get("q")).toEqual({ value: "v", storedAt: 10 });
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 1, coalesced: 99, size: 0, evictions: 0 });
  });

  it("a failing store never fails the call: a get error is a miss, a set error leaves the value uncached", async () => {
    diag.setLogger({ warn: vi.fn(), error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() });
    const store = new AsyncStore();
    store.failGet = true;
    store.failSet = true;
    const inner = new MockPrimitive<string, string>({ returns: "v" });
    const cached = cache(inner, { store });
    await expect(cached.execute("q", createTestContext())).resolves.toBe("v");
    await expect(cached.execute("q", createTestContext())).resolves.toBe("v");
    expect(inner.callCount).toBe(2);
  });

  it("InMemoryCacheStore validates maxEntries and counts only evictions", () => {
    expect(invalidOption(() => new InMemoryCacheStore({ maxEntries: 0 })).option).toBe("maxEntries");
    const store = new InMemoryCacheStore<number>({ maxEntries: 1 });
    store.set("a", { value: 1, storedAt: 0 });
    store.set("a", { value: 2, storedAt: 0 });
    store.delete("a");
    store.set("b", { value: 3, storedAt: 0 });
    store.set("c", { value: 4, storedAt: 0 });
    expect(store.evictions).toBe(1);
    expect(store.get("b")).toBeUndefined();
    expect(store.get("c")).toEqual({ value: 4, storedAt: 0 });
    expect(store.size).toBe(1);
  });
});
