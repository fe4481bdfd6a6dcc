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
 * - `breaker-fail <n>`, `breaker-call`, `breaker-probe`: through `circuitBreaker(…, { store: redisBreakerStore })`
 *   (failure threshold 3, recovery 60 s, success threshold 1): `n` failing calls; one succeeding call;
 *   one call whose work takes 1 s. Result: `{ outcomes, changes, state }`, outcomes "ran", "fail" or
 *   "open:<retryAfterMs>".
 *
 * Test-only: not built, not published.
 * @packageDocumentation
 */
import { Redis } from "ioredis";
import { cache } from "@tta/primitives/performance";
import { CircuitOpenError, circuitBreaker, rateLimit } from "@tta/primitives/recovery";
import { redisBreakerStore } from "../breaker-store.js";
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

async function breakerScenario(): Promise<unknown> {
  const store = redisBreakerStore({ url, name, failureThreshold: 3, successThreshold: 1, timeoutMs: 1_000 });
  const breaker = circuitBreaker(
    async () => {
      if (scenario === "breaker-fail") throw new Error("down");
      if (scenario === "breaker-probe") await new Promise((resolve) => setTimeout(resolve, 1_000));
      return "ran";
    },
    { store },
  );
  const changes: string[] = [];
  breaker.onStateChange(({ from, to }) => changes.push(`${from}>${to}`));
  await barrier();
  const outcomes: string[] = [];
  for (let i = 0; i < (scenario === "breaker-fail" ? Number(extra) : 1); i++)
    outcomes.push(
      await breaker
        .execute(undefined)
        .catch((e: unknown) => (e instanceof CircuitOpenError ? `open:${e.retryAfterMs}` : "fail")),
    );
  await store.close();
  return { outcomes, changes, state: breaker.state };
}

const result =
  scenario === "cache"
    ? await cacheScenario()
    : scenario === "bucket"
      ? await bucketScenario()
      : await breakerScenario();
process.send?.({ result }, () => process.exit(0));
