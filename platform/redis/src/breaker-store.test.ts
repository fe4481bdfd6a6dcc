import { Redis } from "ioredis";
import { TestClock, createTestContext } from "@tta/primitives/testing";
import { circuitBreaker } from "@tta/primitives/recovery";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LocalBreaker, redisBreakerStore } from "./breaker-store.js";
import type { RedisStoreEvent } from "./connection.js";
import { runWorkers } from "./test-support/fork-worker.js";
import type { SilentServer, TestRedis } from "./test-support/redis-server.js";
import { redisSkipReason, startSilentServer, startTestRedis, uniqueName } from "./test-support/redis-server.js";

interface WorkerResult {
  readonly outcomes: string[];
  readonly changes: string[];
  readonly state: string;
}

describe("redisBreakerStore options and local breaker", () => {
  it("validates options, naming the field", () => {
    const url = "redis://127.0.0.1:1";
    expect(() => redisBreakerStore({ url, name: "a:b" })).toThrow(/name/);
    expect(() => redisBreakerStore({ url, name: "n", failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => redisBreakerStore({ url, name: "n", recoveryTimeoutMs: -1 })).toThrow(/recoveryTimeoutMs/);
    expect(() => redisBreakerStore({ url, name: "n", probeTimeoutMs: 0 })).toThrow(/probeTimeoutMs/);
    expect(() => redisBreakerStore({ url, name: "n", readThroughMs: -1 })).toThrow(/readThroughMs/);
    expect(() => redisBreakerStore({ name: "n" })).toThrow(/client/);
  });

  it("the local fallback breaker opens, grants one probe after the recovery time, and closes", () => {
    const local = new LocalBreaker({ failureThreshold: 2, recoveryTimeoutMs: 100, successThreshold: 1 });
    expect(local.record("failure", false, 0)).toEqual({ state: "closed" });
    expect(local.record("failure", false, 0)).toEqual({ state: "open", transition: { from: "closed", to: "open" } });
    expect(local.acquire(40)).toEqual({ allowed: false, state: "open", probe: false, retryAfterMs: 60 });
    expect(local.acquire(100)).toMatchObject({ allowed: true, probe: true, transition: { to: "half-open" } });
    expect(local.acquire(100)).toEqual({ allowed: false, state: "half-open", probe: false, retryAfterMs: 0 });
    expect(local.record("success", true, 100)).toEqual({
      state: "closed",
      transition: { from: "half-open", to: "closed" },
    });
  });
});

describe.skipIf(redisSkipReason !== undefined)("redisBreakerStore against redis-server", () => {
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

  it("counts consecutive failures on Redis, opens, and a success resets the count", async () => {
    const store = redisBreakerStore({ client, name: uniqueName("count"), failureThreshold: 2 });
    expect(await store.record("failure", false, 0)).toEqual({ state: "closed" });
    expect(await store.record("success", false, 0)).toEqual({ state: "closed" });
    expect(await client.exists(store.redisKeys[0])).toBe(0);
    await store.record("failure", false, 0);
    expect(await store.record("failure", false, 0)).toEqual({
      state: "open",
      transition: { from: "closed", to: "open" },
    });
    const refused = await store.acquire(0);
    expect(refused).toMatchObject({ allowed: false, state: "open", probe: false });
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    await store.reset();
    expect(await store.acquire(0)).toEqual({ allowed: true, state: "closed", probe: false, retryAfterMs: 0 });
  });

  it("one probe slot cluster-wide; an expired slot goes to the next caller and the late result is ignored", async () => {
    const name = uniqueName("probe");
    const a = redisBreakerStore({ client, name, failureThreshold: 1, recoveryTimeoutMs: 0, probeTimeoutMs: 50 });
    const b = redisBreakerStore({ client, name, failureThreshold: 1, recoveryTimeoutMs: 0, probeTimeoutMs: 50 });
    await a.record("failure", false, 0);
    expect(await a.acquire(0)).toMatchObject({ allowed: true, probe: true, transition: { from: "open" } });
    expect(await b.acquire(0)).toEqual({ allowed: false, state: "half-open", probe: false, retryAfterMs: 0 });
    await vi.waitFor(async () => expect((await b.acquire(0)).probe).toBe(true), { timeout: 5_000, interval: 20 });
    expect(await a.record("failure", true, 0)).toEqual({ state: "half-open" }); // a's slot expired: ignored
    expect(await b.record("success", true, 0)).toEqual({ state: "half-open" }); // successThreshold 2
    expect((await a.acquire(0)).probe).toBe(true);
    expect(await a.record("success", true, 0)).toEqual({
      state: "closed",
      transition: { from: "half-open", to: "closed" },
    });
  });

  it("read-through: a healthy breaker's successful calls send no Redis command; a failure always does", async () => {
    const own = new Redis(redis.url);
    try {
      await own.ping();
      const sent = vi.spyOn(own, "sendCommand");
      const store = redisBreakerStore({ client: own, name: uniqueName("rt"), failureThreshold: 3, readThroughMs: 100 });
      const clock = new TestClock(1_000);
      const ctx = createTestContext({ clock });
      let fail = false;
      const breaker = circuitBreaker(() => (fail ? Promise.reject(new Error("down")) : Promise.resolve("ok")), {
        store,
      });
      for (let i = 0; i < 20; i++) await expect(breaker.execute(undefined, ctx)).resolves.toBe("ok");
      expect(sent).toHaveBeenCalledTimes(1); // the first acquire read the healthy state
      await clock.advance(100); // stale: the next call asks Redis again, once
      for (let i = 0; i < 5; i++) await breaker.execute(undefined, ctx);
      expect(sent).toHaveBeenCalledTimes(2);
      fail = true;
      await expect(breaker.execute(undefined, ctx)).rejects.toThrow("down");
      expect(sent).toHaveBeenCalledTimes(3); // the failure went to Redis (failures = 1: no longer healthy)
      fail = false;
      await breaker.execute(undefined, ctx); // acquire and the resetting success both go to Redis
      expect(sent).toHaveBeenCalledTimes(5);
      expect(await client.exists(store.redisKeys[0])).toBe(0);
      await breaker.execute(undefined, ctx); // healthy again, read by the success's answer
      expect(sent).toHaveBeenCalledTimes(5);
    } finally {
      own.disconnect();
    }
  });

  it("read-through: a failure opens the breaker for every process; others see it at most readThroughMs late", async () => {
    const name = uniqueName("rtopen");
    const other = new Redis(redis.url);
    try {
      const a = redisBreakerStore({ client, name, failureThreshold: 1, readThroughMs: 500 });
      const b = redisBreakerStore({ client: other, name, failureThreshold: 1, readThroughMs: 500 });
      expect(await b.acquire(0)).toEqual({ allowed: true, state: "closed", probe: false, retryAfterMs: 0 });
      expect(await a.acquire(0)).toMatchObject({ allowed: true, state: "closed" });
      expect(await a.record("failure", false, 10)).toEqual({
        state: "open",
        transition: { from: "closed", to: "open" },
      });
      expect(await client.hget(a.redisKeys[0], "state")).toBe("open");
      expect(await a.acquire(11)).toMatchObject({ allowed: false, state: "open" }); // the opener knows at once
      expect(await b.acquire(499)).toMatchObject({ allowed: true, state: "closed" }); // b's read is still fresh
      const refused = await b.acquire(500); // stale after readThroughMs: b asks Redis
      expect(refused).toMatchObject({ allowed: false, state: "open", probe: false });
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      await a.reset();
    } finally {
      other.disconnect();
    }
  });

  it("failures in one process open the breaker in the others", async () => {
    const name = uniqueName("xproc");
    const [opener] = (await runWorkers(1, ["breaker-fail", redis.url, name, "3"])) as WorkerResult[];
    expect(opener).toEqual({ outcomes: ["fail", "fail", "fail"], changes: ["closed>open"], state: "open" });
    const others = (await runWorkers(2, ["breaker-call", redis.url, name])) as WorkerResult[];
    for (const other of others) {
      expect(other.outcomes).toHaveLength(1);
      expect(other.outcomes[0]).toMatch(/^open:\d+$/);
      expect(Number(other.outcomes[0]?.slice(5))).toBeGreaterThan(0);
      expect(other).toMatchObject({ changes: [], state: "open" });
    }
  }, 60_000);

  it("only one process gets the half-open probe", async () => {
    const name = uniqueName("xprobe");
    // Open, and due for a probe: as if recoveryTimeoutMs had passed.
    await client.hset(`tta:cb:${name}`, "state", "open", "until", "0");
    const results = (await runWorkers(3, ["breaker-probe", redis.url, name])) as WorkerResult[];
    const outcomes = results.flatMap((r) => r.outcomes).sort();
    expect(outcomes).toEqual(["open:0", "open:0", "ran"]);
    const prober = results.find((r) => r.outcomes[0] === "ran");
    expect(prober?.changes).toContain("half-open>closed");
    expect(await client.exists(`tta:cb:${name}`)).toBe(0);
  }, 60_000);
});

describe("redisBreakerStore degradation", () => {
  let silent: SilentServer | undefined;
  afterEach(async () => {
    await silent?.close();
    silent = undefined;
  });

  it("a hung Redis: the breaker runs on local state within timeoutMs, reported once", async () => {
    silent = await startSilentServer();
    const events: RedisStoreEvent[] = [];
    const store = redisBreakerStore({
      url: silent.url,
      name: "hung",
      failureThreshold: 2,
      recoveryTimeoutMs: 1_000,
      timeoutMs: 30,
      onEvent: (e) => events.push(e),
    });
    try {
      const breaker = circuitBreaker(() => Promise.reject(new Error("down")), { store });
      const ctx = createTestContext({ clock: new TestClock(5_000) });
      await expect(breaker.execute(undefined, ctx)).rejects.toThrow("down");
      await expect(breaker.execute(undefined, ctx)).rejects.toThrow("down");
      expect(breaker.state).toBe("open");
      await expect(breaker.execute(undefined, ctx)).rejects.toMatchObject({
        code: "CIRCUIT_OPEN",
        retryAfterMs: 1_000,
      });
      expect(events).toEqual([
        { type: "unavailable", store: "circuit-breaker hung", op: "acquire", reason: "timeout" },
      ]);
    } finally {
      await store.close();
    }
  });
});
