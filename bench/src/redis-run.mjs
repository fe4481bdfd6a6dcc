// @tta/redis benchmark: `node src/redis-run.mjs [--quick] [--check]` (run it through `pnpm bench` at
// the repo root, which builds @tta/primitives and @tta/redis first). Issue 15 "Performance":
//   (a) a cache() hit on redisCacheStore vs the in-memory store (ns/op, bytes/op, ratio);
//   (b) a rateLimit() call on redisTokenBucket vs the in-memory bucket (ns/op, ratio);
//   (c) a successful circuitBreaker() call, closed, on redisBreakerStore with read-through off and on
//       (readThroughMs) vs the in-memory breaker.
// Baseline for both: one raw ioredis round trip (GET of the same entry), the floor any Redis-backed
// store pays. Starts its own redis-server on a free loopback port with @tta/redis's test helper (or uses
// TTA_REDIS_URL), and stops it (waiting for it to exit) before exiting. Calls are sequential (one in
// flight): latency, not throughput. Re-runs itself with --expose-gc, a 256 MB young generation (for
// bytes/op) and the repository's TypeScript module hooks (for the test helper).
//   --quick  fewer, shorter rounds      --check  exit 1 when a target fails
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { median } from "./harness.mjs";
import {
  ALLOC_FLAGS,
  fmtB,
  fmtNsFine as fmtNs,
  fmtX,
  libVersion,
  machineLine,
  parseArgs,
  printTable,
  printTargets,
  runStart,
} from "./runner-common.mjs";

// The redis-server is started by @tta/redis's own test helper (a TypeScript module), so the run needs
// the repository's TypeScript module hooks; the packages measured still resolve to their built dist.
const REDIS_SRC = new URL("../../platform/redis/src/", import.meta.url);
const HOOKS = fileURLToPath(new URL("test-support/ts-source-hooks.mjs", REDIS_SRC));
const REGISTER_HOOKS = `import { register } from "node:module"; register(${JSON.stringify(`file://${HOOKS}`)});`;

if (process.env.TTA_REDIS_BENCH_CHILD !== "1") {
  const child = spawn(
    process.execPath,
    [
      ...ALLOC_FLAGS,
      "--import",
      `data:text/javascript,${encodeURIComponent(REGISTER_HOOKS)}`,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: "inherit", env: { ...process.env, TTA_REDIS_BENCH_CHILD: "1" } },
  );
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

async function main() {
  const { quick, check } = parseArgs();
  const ROUNDS = quick ? 3 : 7;
  const REDIS_OPS = quick ? 2_000 : 5_000;
  const LOCAL_OPS = quick ? 20_000 : 100_000;

  const { createContext, lambda } = await import("@tta/primitives/core");
  const { cache } = await import("@tta/primitives/performance");
  const { circuitBreaker, rateLimit } = await import("@tta/primitives/recovery");
  const { redisBreakerStore, redisCacheStore, redisTokenBucket } = await import("@tta/redis");
  const { Redis } = createRequire(createRequire(import.meta.url).resolve("@tta/redis"))("ioredis");

  const start = runStart();
  const redis = await startRedis();
  const client = new Redis(redis.url);
  const stores = [];
  try {
    const ns = `bench-${process.pid}`;
    const answer = { text: "The quick brown fox jumps over the lazy dog.", tokens: 12, model: "m" };
    const inner = lambda(async () => answer, "answer");
    const redisStore = redisCacheStore({ connection: redis.url, namespace: ns });
    const bucket = redisTokenBucket({ connection: redis.url, key: `${ns}-rl`, capacity: 1e12, refillPerSecond: 1e12 });
    const breakerOff = redisBreakerStore({ connection: redis.url, name: `${ns}-cb-off` });
    const breakerOn = redisBreakerStore({ connection: redis.url, name: `${ns}-cb-on`, readThroughMs: 100 });
    stores.push(redisStore, bucket, breakerOff, breakerOn);
    const memoryCached = cache(inner, { ttlMs: 3_600_000 }); // the default in-memory store;
    const redisCached = cache(inner, { store: redisStore, ttlMs: 3_600_000 });
    const memoryLimited = rateLimit(inner, { tokensPerInterval: 1e12, intervalMs: 1_000 });
    const redisLimited = rateLimit(inner, { store: bucket });
    const memoryBreaker = circuitBreaker(inner);
    const redisBreakerOff = circuitBreaker(inner, { store: breakerOff });
    const redisBreakerOn = circuitBreaker(inner, { store: breakerOn });
    const ctx = createContext({});
    const prompt = "What does the fox do?";
    await memoryCached.execute(prompt, ctx); // fill both caches: every measured call is a hit
    await redisCached.execute(prompt, ctx);
    await client.set(`${ns}-raw`, JSON.stringify({ s: Date.now(), v: answer }));

    const cases = [
      {
        id: "raw.get",
        label: "raw ioredis GET + JSON.parse",
        ops: REDIS_OPS,
        run: async () => JSON.parse(await client.get(`${ns}-raw`)),
      },
      {
        id: "cache.memory",
        label: "cache() hit, in-memory store",
        ops: LOCAL_OPS,
        run: () => memoryCached.execute(prompt, ctx),
      },
      {
        id: "cache.redis",
        label: "cache() hit, redisCacheStore",
        ops: REDIS_OPS,
        run: () => redisCached.execute(prompt, ctx),
      },
      {
        id: "rl.memory",
        label: "rateLimit() call, in-memory bucket",
        ops: LOCAL_OPS,
        run: () => memoryLimited.execute(prompt, ctx),
      },
      {
        id: "rl.redis",
        label: "rateLimit() call, redisTokenBucket",
        ops: REDIS_OPS,
        run: () => redisLimited.execute(prompt, ctx),
      },
      {
        id: "cb.memory",
        label: "circuitBreaker() closed call, in-memory",
        ops: LOCAL_OPS,
        run: () => memoryBreaker.execute(prompt, ctx),
      },
      {
        id: "cb.redis",
        label: "circuitBreaker() closed call, redisBreakerStore",
        ops: REDIS_OPS,
        run: () => redisBreakerOff.execute(prompt, ctx),
      },
      {
        id: "cb.redis-rt",
        label: "circuitBreaker() closed call, redisBreakerStore, readThroughMs 100",
        ops: LOCAL_OPS,
        run: () => redisBreakerOn.execute(prompt, ctx),
      },
    ];
    process.stderr.write(`Running ${cases.length} cases × ${ROUNDS} rounds (sequential calls)…\n`);
    for (const c of cases) for (let i = 0; i < Math.min(c.ops, 1_000); i++) await c.run(); // warm-up
    const ns_ = Object.fromEntries(cases.map((c) => [c.id, []]));
    for (let round = 0; round < ROUNDS; round++) for (const c of cases) ns_[c.id].push(await timePerOp(c.run, c.ops));
    const bytes = {};
    for (const c of cases) bytes[c.id] = await bytesPerOp(c.run, Math.min(c.ops, 2_000));
    const nsOf = (id) => median(ns_[id]);

    console.log(
      [
        "",
        `TTA Redis micro-benchmark: @tta/redis ${libVersion("@tta/redis")} and @tta/primitives ${libVersion("@tta/primitives")} (built dist), redis-server on loopback${redis.owned ? " (started by this run)" : " (TTA_REDIS_URL)"}`,
        machineLine(start),
        "",
        "Method",
        `  • One process, calls one at a time (latency, not throughput); ${ROUNDS} rounds of ${REDIS_OPS} Redis ops / ${LOCAL_OPS} in-memory ops,`,
        "    median ns/op shown with the rounds' min–max. bytes/op: heap growth over 2 000 ops after a full GC, with a 256 MB young",
        "    generation (no scavenge inside a batch); for Redis rows it includes ioredis' reply buffers and promises.",
        "  • Baseline: a raw ioredis GET of a same-sized JSON entry plus JSON.parse, i.e. one loopback round trip.",
        "  • redisCacheStore: every hit is a GET of the hashed key (no local read-through); redisTokenBucket: one EVALSHA per call.",
        "  • redisBreakerStore: read-through off = two EVALSHA per call (acquire, record); on (readThroughMs 100) = one EVALSHA per",
        "    100 ms for a healthy (closed, no failures) breaker, the rest answered locally.",
      ].join("\n"),
    );
    const row = (c) => {
      const memory = c.id.slice(0, c.id.indexOf(".")) + ".memory";
      const base = c.id.includes(".redis") ? nsOf(memory) : undefined;
      return [
        c.label,
        fmtNs(nsOf(c.id)),
        `${fmtNs(Math.min(...ns_[c.id]))}–${fmtNs(Math.max(...ns_[c.id]))}`,
        fmtB(bytes[c.id]),
        base === undefined ? "" : fmtX(nsOf(c.id) / base),
        c.id === "raw.get" ? "" : fmtX(nsOf(c.id) / nsOf("raw.get")),
      ];
    };
    printTable("Results", ["row", "ns/op (median)", "min–max", "bytes/op", "× in-memory", "× raw GET"], cases.map(row));

    const roundTrip = nsOf("raw.get");
    const targets = [
      {
        text: "cache() hit on redisCacheStore ≤ 2 × one raw Redis round trip (TTA adds at most one round trip's worth)",
        pass: nsOf("cache.redis") <= 2 * roundTrip,
        detail: `${fmtNs(nsOf("cache.redis"))} vs ${fmtNs(roundTrip)} (${fmtX(nsOf("cache.redis") / roundTrip)}); in-memory ${fmtNs(nsOf("cache.memory"))} (Redis ${fmtX(nsOf("cache.redis") / nsOf("cache.memory"))})`,
      },
      {
        text: "rateLimit() on redisTokenBucket ≤ 2 × one raw Redis round trip (one EVALSHA per call)",
        pass: nsOf("rl.redis") <= 2 * roundTrip,
        detail: `${fmtNs(nsOf("rl.redis"))} vs ${fmtNs(roundTrip)} (${fmtX(nsOf("rl.redis") / roundTrip)}); in-memory ${fmtNs(nsOf("rl.memory"))} (Redis ${fmtX(nsOf("rl.redis") / nsOf("rl.memory"))})`,
      },
      {
        text: "shared-breaker closed-state overhead ≤ one Redis round trip (read-through on)",
        pass: nsOf("cb.redis-rt") - nsOf("cb.memory") <= roundTrip,
        detail: `read-through on ${fmtNs(nsOf("cb.redis-rt"))}, off ${fmtNs(nsOf("cb.redis"))} (${fmtX(nsOf("cb.redis") / roundTrip)} raw GET: acquire + record), in-memory ${fmtNs(nsOf("cb.memory"))}; one round trip ${fmtNs(roundTrip)}`,
      },
    ];
    console.log("\nRedis targets (issue 15 Performance)");
    const failed = printTargets(targets, "Redis targets");
    console.log("");
    if (check && failed > 0) process.exitCode = 1;
  } finally {
    for (const store of stores) await store.close();
    client.disconnect();
    await redis.stop();
  }
}

/** Mean ns per call of `ops` sequential calls of `run`. */
async function timePerOp(run, ops) {
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) await run();
  return ((performance.now() - t0) * 1e6) / ops;
}

/** Heap growth per call over `ops` sequential calls, after a full GC (the median of 3 batches). */
async function bytesPerOp(run, ops) {
  const batches = [];
  for (let b = 0; b < 3; b++) {
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < ops; i++) await run();
    batches.push((process.memoryUsage().heapUsed - before) / ops);
  }
  return median(batches);
}

// ---------------------------------------------------------------------------------------------
/**
 * `{ url, owned, stop() }` from @tta/redis's test helper (TTA_REDIS_URL when set, else a redis-server
 * on a free loopback port), also stopped when this run is interrupted.
 */
async function startRedis() {
  const { startTestRedis } = await import(new URL("test-support/redis-server.ts", REDIS_SRC).href);
  const redis = await startTestRedis();
  // Ctrl-C or a kill of this run still stops the server (and waits for it to exit).
  const onSignal = () => void redis.stop().then(() => process.exit(130));
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  return {
    url: redis.url,
    owned: redis.owned,
    stop: () => {
      process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
      return redis.stop();
    },
  };
}
