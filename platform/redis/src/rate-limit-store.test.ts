import { Redis } from "ioredis";
import { rateLimit } from "@tta/primitives/recovery";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RedisStoreEvent } from "./connection.js";
import { LocalBucket, redisTokenBucket } from "./rate-limit-store.js";
import { runWorkers } from "./test-support/fork-worker.js";
import type { SilentServer, TestRedis } from "./test-support/redis-server.js";
import { redisSkipReason, startSilentServer, startTestRedis, uniqueName } from "./test-support/redis-server.js";

/** Refill so slow that no token comes back during a test: counts, not clocks, are asserted. */
const TINY = 0.000_001;

describe("redisTokenBucket options and local bucket", () => {
  it("validates options, naming the field", () => {
    const url = "redis://127.0.0.1:1";
    expect(() => redisTokenBucket({ url, key: "a:b", capacity: 1, refillPerSecond: 1 })).toThrow(/key/);
    expect(() => redisTokenBucket({ url, key: "k", capacity: 0, refillPerSecond: 1 })).toThrow(/capacity/);
    expect(() => redisTokenBucket({ url, key: "k", capacity: 1, refillPerSecond: 0 })).toThrow(/refillPerSecond/);
    expect(() => redisTokenBucket({ key: "k", capacity: 1, refillPerSecond: 1 })).toThrow(/client/);
    expect(() => redisTokenBucket({ connection: "http://x", key: "k", capacity: 1, refillPerSecond: 1 })).toThrow(
      /connection/,
    );
  });

  it("the local fallback bucket refills on the given clock and refuses costs above capacity", () => {
    const bucket = new LocalBucket(2, 1 / 1_000);
    expect(bucket.take(2, 0, false)).toEqual({ ok: true });
    expect(bucket.take(1, 0, false)).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(bucket.take(1, 1_000, false)).toEqual({ ok: true });
    expect(bucket.take(3, 1_000, false)).toEqual({ ok: false, retryAfterMs: Infinity });
  });
});

describe.skipIf(redisSkipReason !== undefined)("redisTokenBucket against redis-server", () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it("admits exactly capacity, charges token costs, and reports retryAfterMs", async () => {
    const bucket = redisTokenBucket({ client, key: uniqueName("b"), capacity: 100, refillPerSecond: 10 });
    expect(await bucket.take(60, 0)).toEqual({ ok: true });
    expect(await bucket.take(30, 0)).toEqual({ ok: true });
    const refused = await bucket.take(30, 0);
    expect(refused.ok).toBe(false);
    // 20 tokens missing at 10/s: about 2 s (a little less as time passes).
    expect(refused.ok ? 0 : refused.retryAfterMs).toBeGreaterThan(1_000);
    expect(refused.ok ? 0 : refused.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(await bucket.take(101, 0)).toEqual({ ok: false, retryAfterMs: Infinity });
  });

  it("takes `connection` (ioredis options) like remote() and serve()", async () => {
    const { hostname, port } = new URL(redis.url);
    const connection = { host: hostname, port: Number(port) };
    const bucket = redisTokenBucket({ connection, key: uniqueName("o"), capacity: 1, refillPerSecond: 1 / 60 });
    expect(await bucket.take(1, 0)).toEqual({ ok: true });
    expect((await bucket.take(1, 0)).ok).toBe(false);
    await bucket.close();
  });

  it("charge() spends actual usage unconditionally, possibly below zero", async () => {
    const bucket = redisTokenBucket({ client, key: uniqueName("c"), capacity: 10, refillPerSecond: TINY });
    await bucket.charge(15);
    const tokens = Number(await client.hget(bucket.redisKey, "tokens"));
    expect(tokens).toBeCloseTo(-5, 3);
    expect((await bucket.take(1, 0)).ok).toBe(false);
  });

  it("backs rateLimit(): two primitives in one process share the bucket", async () => {
    const store = redisTokenBucket({ client, key: uniqueName("p"), capacity: 3, refillPerSecond: TINY });
    const a = rateLimit((x: number) => x, { store, mode: "reject" });
    const b = rateLimit((x: number) => x, { store, mode: "reject", cost: () => 2 });
    expect(await a.execute(1)).toBe(1);
    expect(await b.execute(2)).toBe(2);
    await expect(a.execute(3)).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("three processes together hold the global limit", async () => {
    const key = uniqueName("global");
    // capacity 12 (see the worker), 3 × 10 attempts, no refill to speak of: exactly 12 admitted.
    const results = (await runWorkers(3, ["bucket", redis.url, key, "10"])) as number[];
    expect(results.reduce((sum, n) => sum + n, 0)).toBe(12);
  }, 60_000);
});

describe("redisTokenBucket degradation", () => {
  let silent: SilentServer | undefined;
  afterEach(async () => {
    await silent?.close();
    silent = undefined;
  });

  it("a hung Redis: decisions come from the local bucket within timeoutMs, reported once", async () => {
    silent = await startSilentServer();
    const events: RedisStoreEvent[] = [];
    const bucket = redisTokenBucket({
      url: silent.url,
      key: "hung",
      capacity: 2,
      refillPerSecond: 1,
      timeoutMs: 30,
      onEvent: (e) => events.push(e),
    });
    try {
      expect(await bucket.take(1, 0)).toEqual({ ok: true });
      expect(await bucket.take(1, 0)).toEqual({ ok: true });
      expect(await bucket.take(1, 0)).toEqual({ ok: false, retryAfterMs: 1_000 });
      expect(await bucket.take(1, 1_000)).toEqual({ ok: true });
      expect(events).toEqual([{ type: "unavailable", store: "rate-limit hung", op: "take", reason: "timeout" }]);
    } finally {
      await bucket.close();
    }
  });
});
