import { Redis } from "ioredis";
import { cache } from "@tta/primitives/performance";
import { TtaErrorCode, isTtaError } from "@tta/primitives/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { RedisStoreEvent } from "./connection.js";
import { redisCacheStore } from "./cache-store.js";
import { UnserializableValueError } from "./cache-store/codec.js";
import { hashKey } from "./keys.js";
import { runWorkers } from "./test-support/fork-worker.js";
import type { SilentServer, TestRedis } from "./test-support/redis-server.js";
import {
  freePort,
  redisSkipReason,
  startSilentServer,
  startTestRedis,
  uniqueName,
} from "./test-support/redis-server.js";

describe("redisCacheStore options", () => {
  it("validates options, naming the field", () => {
    expect(() => redisCacheStore({ url: "redis://127.0.0.1:1", namespace: "a b" })).toThrow(/namespace/);
    expect(() => redisCacheStore({ namespace: "n" })).toThrow(/client/);
    expect(() => redisCacheStore({ url: "http://x", namespace: "n" })).toThrow(/url/);
    expect(() => redisCacheStore({ url: "redis://127.0.0.1:1", namespace: "n", version: 0 })).toThrow(/version/);
    expect(() =>
      redisCacheStore({ url: "redis://127.0.0.1:1", namespace: "n", bogus: 1 } as unknown as { namespace: string }),
    ).toThrow(/bogus/);
    expect(() => redisCacheStore({ connection: "http://x", namespace: "n" })).toThrow(/connection/);
    expect(() => redisCacheStore({ connection: 42 as never, namespace: "n" })).toThrow(/connection/);
    expect(() => redisCacheStore({ connection: { keyPrefix: "p:" }, namespace: "n" })).toThrow(/keyPrefix/);
    expect(() =>
      redisCacheStore({ connection: "redis://127.0.0.1:1", url: "redis://127.0.0.1:1", namespace: "n" }),
    ).toThrow(/exactly one of `connection`/);
    try {
      redisCacheStore({ url: "redis://127.0.0.1:1", namespace: "n", lockTtlMs: -1 });
    } catch (error) {
      expect(isTtaError(error, "INVALID_OPTIONS")).toBe(true);
    }
  });
});

describe.skipIf(redisSkipReason !== undefined)("redisCacheStore against redis-server", () => {
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

  it("round-trips entries under a versioned, namespaced, hashed key with a PX TTL", async () => {
    const namespace = uniqueName("rt");
    const store = redisCacheStore({ client, namespace, version: 3 });
    await store.set("user secret prompt", { value: { a: [1, "x", null], b: true }, storedAt: 42 }, 5_000);
    await store.set("undef", { value: undefined, storedAt: 7 }, Infinity);
    expect(await store.get("user secret prompt")).toEqual({ value: { a: [1, "x", null], b: true }, storedAt: 42 });
    expect(await store.get("undef")).toEqual({ value: undefined, storedAt: 7 });
    expect(await store.get("absent")).toBeUndefined();
    const key = `tta:cache:v3:${namespace}:${hashKey("user secret prompt")}`;
    const pttl = await client.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(5_000);
    expect(await client.pttl(`tta:cache:v3:${namespace}:${hashKey("undef")}`)).toBe(-1);
    const keys = await client.keys(`*${namespace}*`);
    expect(keys.some((k) => k.includes("secret"))).toBe(false);
    await store.delete("undef");
    expect(await store.get("undef")).toBeUndefined();
    await store.clear();
    expect(await client.keys(`tta:cache:v3:${namespace}:*`)).toEqual([]);
  });

  it("takes `connection` as remote() and serve() do: a URL or ioredis options, closed by close()", async () => {
    const { hostname, port } = new URL(redis.url);
    for (const connection of [redis.url, { host: hostname, port: Number(port) }]) {
      const namespace = uniqueName("conn");
      const store = redisCacheStore({ connection, namespace });
      await store.set("k", { value: 1, storedAt: 5 }, 5_000);
      expect(await store.get("k")).toEqual({ value: 1, storedAt: 5 });
      expect(await client.exists(`tta:cache:v1:${namespace}:${hashKey("k")}`)).toBe(1);
      await store.close();
    }
  });

  it("rejects values JSON cannot round-trip before writing, with a typed error", async () => {
    const namespace = uniqueName("bad");
    const store = redisCacheStore({ client, namespace });
    for (const value of [new Date(0), new Map(), 1n, Number.NaN, () => 1, [undefined], { d: new Date(0) }]) {
      await expect(store.set("k", { value, storedAt: 0 }, 1_000)).rejects.toBeInstanceOf(UnserializableValueError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error: unknown = await Promise.resolve(store.set("k", { value: cyclic, storedAt: 0 }, 1_000)).catch(
      (e: unknown) => e,
    );
    expect(isTtaError(error, TtaErrorCode.UNSERIALIZABLE_VALUE)).toBe(true);
    expect(error).toMatchObject({ name: "UnserializableValueError", retryable: false, path: "value.self" });
    expect(await client.keys(`tta:cache:v1:${namespace}:*`)).toEqual([]);
  });

  it("treats a corrupt value as a miss, deletes it and emits one event with the hashed key only", async () => {
    const namespace = uniqueName("corrupt");
    const events: RedisStoreEvent[] = [];
    const store = redisCacheStore({ client, namespace, onEvent: (e) => events.push(e) });
    const key = `tta:cache:v1:${namespace}:${hashKey("k")}`;
    for (const raw of ["{not json", '{"v":1}', "[1]", '{"s":"x","v":1}']) {
      await client.set(key, raw);
      expect(await store.get("k")).toBeUndefined();
      expect(await client.exists(key)).toBe(0);
    }
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({ type: "corrupt", keyHash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(JSON.stringify(events)).not.toContain('"k"');
  });

  it("grants the lock once, with growing fencing tokens, and releases only its own token", async () => {
    const namespace = uniqueName("lock");
    const store = redisCacheStore({ client, namespace, lockTtlMs: 10_000 });
    const first = await store.lock("k");
    expect(first).toBeDefined();
    expect(await store.lock("k")).toBeUndefined();
    await first?.release();
    const second = await store.lock("k");
    expect(second?.token).toBeGreaterThan(first?.token ?? Infinity);
    await first?.release(); // stale holder: releases nothing
    expect(await store.lock("k")).toBeUndefined();
    await second?.release();
  });

  it("a crashed holder blocks the key at most the lock TTL", async () => {
    const namespace = uniqueName("ttl");
    const store = redisCacheStore({ client, namespace, lockTtlMs: 50 });
    expect(await store.lock("k")).toBeDefined(); // never released: the holder "crashed"
    await vi.waitFor(async () => expect(await store.lock("k")).toBeDefined(), { timeout: 2_000, interval: 20 });
  });

  it("backs cache(): a second primitive in this process gets the first one's result", async () => {
    const namespace = uniqueName("prim");
    const store = redisCacheStore({ client, namespace });
    let runs = 0;
    const work = (q: string): string => {
      runs++;
      return q.toUpperCase();
    };
    expect(await cache(work, { store }).execute("a")).toBe("A");
    expect(await cache(work, { store }).execute("a")).toBe("A");
    expect(runs).toBe(1);
  });

  it("single-flight across three worker processes: the work runs once", async () => {
    const name = uniqueName("sf");
    const results = await runWorkers(3, ["cache", redis.url, name]);
    expect(await client.get(`${name}:runs`)).toBe("1");
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]).toMatchObject({ answer: "SHARED" });
  }, 60_000);
});

describe("redisCacheStore degradation", () => {
  let silent: SilentServer | undefined;
  const stores: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await silent?.close();
    silent = undefined;
  });

  it("a hung Redis: get is a miss, set a no-op, lock rejects, all within timeoutMs; reported once", async () => {
    silent = await startSilentServer();
    const events: RedisStoreEvent[] = [];
    const store = redisCacheStore({
      url: silent.url,
      namespace: "hung",
      timeoutMs: 30,
      onEvent: (e) => events.push(e),
    });
    stores.push(store);
    expect(await store.get("k")).toBeUndefined();
    await store.set("k", { value: 1, storedAt: 0 }, 1_000);
    await store.delete("k");
    await store.clear();
    await expect(store.lock("k")).rejects.toThrow(/unavailable/);
    expect(events).toEqual([{ type: "unavailable", store: "cache hung", op: "get", reason: "timeout" }]);
  });

  it("an unreachable Redis: cache() still answers, computing locally", async () => {
    const port = await freePort();
    const store = redisCacheStore({ url: `redis://127.0.0.1:${port}`, namespace: "down", timeoutMs: 50 });
    stores.push(store);
    let runs = 0;
    const cached = cache(() => ++runs, { store });
    expect(await cached.execute("x")).toBe(1);
    expect(await cached.execute("y")).toBe(2);
  });
});
