/**
 * A worker process for the cross-process tests of the shared-state stores, started with
 * {@link forkWorker} (`node:child_process` fork, TypeScript sources through `ts-source-hooks.mjs`).
 *
 * Protocol (IPC): the worker sends `{ ready: true }` once loaded, waits for `{ go: true }` (a barrier,
 * so all workers act together), runs its scenario, sends `{ result }` and exits.
 *
 * Scenarios (argv: scenario, redis URL, name):
 * - `cache`: one `cache()` call with a Redis store; the inner work `INCR`s `<name>:runs` and takes
 *   300 ms. Result: the value it got.
 * - `bucket <attempts>`: `attempts` calls through `rateLimit(…, { store: redisTokenBucket, mode: "reject" })`
 *   on a bucket of capacity 12 with a negligible refill. Result: how many were admitted.
 *
 * Test-only: not built, not published.
 * @packageDocumentation
 */
import { Redis } from "ioredis";
import { cache } from "@tta/primitives/performance";
import { rateLimit } from "@tta/primitives/recovery";
import { redisCacheStore } from "../cache-store.js";
import { redisTokenBucket } from "../rate-limit-store.js";

const [scenario, url, name, extra] = process.argv.slice(2) as [string, string, string, string | undefined];

function barrier(): Promise<void> {
  return new Promise((resolve) => {
    process.on("message", (message: { go?: boolean }) => {
      if (message.go === true) resolve();
    });
    process.send?.({ ready: true });
  });
}

async function cacheScenario(): Promise<unknown> {
  const client = new Redis(url);
  const store = redisCacheStore({ client, namespace: name, timeoutMs: 1_000, lockPollMs: 20 });
  const cached = cache(
    async (input: { q: string }) => {
      await client.incr(`${name}:runs`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { answer: input.q.toUpperCase(), by: process.pid };
    },
    { store },
  );
  await barrier();
  try {
    return await cached.execute({ q: "shared" });
  } finally {
    client.disconnect();
  }
}

async function bucketScenario(): Promise<unknown> {
  const bucket = redisTokenBucket({ url, key: name, capacity: 12, refillPerSecond: 0.000_001, timeoutMs: 1_000 });
  const limited = rateLimit(() => "ok", { store: bucket, mode: "reject" });
  await barrier();
  let admitted = 0;
  for (let i = 0; i < Number(extra); i++) {
    try {
      await limited.execute(undefined);
      admitted++;
    } catch {
      // rejected
    }
  }
  await bucket.close();
  return admitted;
}

const result = scenario === "cache" ? await cacheScenario() : await bucketScenario();
process.send?.({ result }, () => process.exit(0));
