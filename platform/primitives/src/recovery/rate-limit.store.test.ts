import { describe, expect, it } from "vitest";
import { InvalidOptionsError, RateLimitedError } from "../core/index.js";
import { MockPrimitive, createTestContext, describePrimitiveContract } from "../testing/index.js";
import type { RateLimitDecision, RateLimitStore } from "./rate-limit.js";
import { rateLimit } from "./rate-limit.js";

/** A scripted external bucket: `tokens` left, refilled by hand; records every take. */
class FakeStore implements RateLimitStore {
  tokens: number;
  readonly capacity: number;
  readonly takes: { cost: number; now: number }[] = [];
  constructor(tokens: number, capacity = Infinity) {
    this.tokens = tokens;
    this.capacity = capacity;
  }
  take(cost: number, now: number): Promise<RateLimitDecision> {
    this.takes.push({ cost, now });
    if (cost > this.capacity) return Promise.resolve({ ok: false, retryAfterMs: Infinity });
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return Promise.resolve({ ok: true });
    }
    return Promise.resolve({ ok: false, retryAfterMs: 500 });
  }
}

describePrimitiveContract("rateLimit (store)", (inner) => rateLimit(inner, { store: new FakeStore(Infinity) }));

describe("rateLimit with an external store", () => {
  it("rejects tokensPerInterval/intervalMs with a store, and a store without take", () => {
    const store = new FakeStore(1);
    expect(() => rateLimit((x: number) => x, { store, tokensPerInterval: 1 })).toThrow(InvalidOptionsError);
    expect(() => rateLimit((x: number) => x, { store, intervalMs: 1 })).toThrow(/intervalMs/);
    expect(() => rateLimit((x: number) => x, { store: {} as RateLimitStore })).toThrow(/store/);
    expect(() => rateLimit((x: number) => x, {})).toThrow(/tokensPerInterval/);
  });

  it("charges cost(input) to the store on the context clock and runs when admitted", async () => {
    const store = new FakeStore(10);
    const inner = new MockPrimitive<number, number>({ impl: (x) => x * 2 });
    const limited = rateLimit(inner, { store, cost: (x: number) => x });
    const ctx = createTestContext();
    expect(await limited.execute(4, ctx)).toBe(8);
    expect(store.takes).toEqual([{ cost: 4, now: ctx.clock.now() }]);
    expect(store.tokens).toBe(6);
  });

  it("reject mode: RateLimitedError with the store's retryAfterMs, inner not run", async () => {
    const store = new FakeStore(1);
    const inner = new MockPrimitive<number, number>({ impl: (x) => x });
    const limited = rateLimit(inner, { store, mode: "reject" });
    await limited.execute(1, createTestContext());
    const error = await limited.execute(2, createTestContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(500);
    expect(inner.callCount).toBe(1);
  });

  it("wait mode: sleeps retryAfterMs on the context clock and asks again", async () => {
    const store = new FakeStore(0);
    const inner = new MockPrimitive<number, number>({ impl: (x) => x });
    const limited = rateLimit(inner, { store });
    const ctx = createTestContext();
    const pending = limited.execute(7, ctx);
    await ctx.clock.advance(500);
    store.tokens = 1;
    await ctx.clock.advance(500);
    expect(await pending).toBe(7);
    expect(store.takes.map((t) => t.now)).toEqual([0, 500, 1_000]);
  });

  it("a cost the store can never serve is rejected at once, even in wait mode", async () => {
    const limited = rateLimit((x: number) => x, { store: new FakeStore(10, 5), cost: () => 6 });
    await expect(limited.execute(1, createTestContext())).rejects.toMatchObject({ retryAfterMs: Infinity });
  });

  it("an abort while waiting rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const limited = rateLimit((x: number) => x, { store: new FakeStore(0) });
    const ctx = createTestContext({ signal: controller.signal });
    const pending = limited.execute(1, ctx);
    await ctx.clock.advance(100);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("cost 0 never asks the store", async () => {
    const store = new FakeStore(0);
    const limited = rateLimit((x: number) => x, { store, cost: () => 0 });
    expect(await limited.execute(3, createTestContext())).toBe(3);
    expect(store.takes).toEqual([]);
  });
});
