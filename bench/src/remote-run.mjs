// remote() round-trip throughput with 1, 2 and 4 worker processes vs the same primitive in-process.
//
// Runs @tta/redis from its TypeScript sources (no build needed): this script re-launches itself
// under platform/redis/src/test-support/ts-source-hooks.mjs with the `@tta/source` condition.
// Needs `redis-server` on PATH (or TTA_REDIS_URL). Runs in `pnpm bench` (after the other runners).
//
//   node bench/src/remote-run.mjs            # table on stdout
//   BENCH_CALLS=2000 node bench/src/remote-run.mjs
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const REDIS_SRC = new URL("../../platform/redis/src/", import.meta.url);
const HOOKS = fileURLToPath(new URL("test-support/ts-source-hooks.mjs", REDIS_SRC));
const register = `import { register } from "node:module"; register(${JSON.stringify(`file://${HOOKS}`)});`;
const EXEC_ARGV = ["--conditions=@tta/source", "--import", `data:text/javascript,${encodeURIComponent(register)}`];

if (process.env.TTA_REMOTE_BENCH_CHILD !== "1") {
  const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
    execArgv: EXEC_ARGV,
    env: { ...process.env, TTA_REMOTE_BENCH_CHILD: "1" },
    stdio: "inherit",
  });
  child.on("exit", (code) => process.exit(code ?? 1));
} else {
  await main();
}

async function main() {
  const { remote } = await import(new URL("remote.ts", REDIS_SRC).href);
  const { startTestRedis, uniqueName } = await import(new URL("test-support/redis-server.ts", REDIS_SRC).href);
  const { lambda, createContext } = await import("@tta/primitives/core");
  const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
  const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
  const SLOTS = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 16);
  const redis = await startTestRedis();
  const rows = [];
  try {
    for (const ms of [0, 10]) {
      const local = lambda(async (input, ctx) => {
        if (input.ms > 0) await ctx.clock.sleep(input.ms, ctx.signal);
        return input.n;
      }, "bench-step");
      // In-process baseline: the same primitive with the same slots one worker has.
      const inProcess = await measure(
        (n) => local.execute({ ms, n }, createContext({})),
        CALLS,
        Math.min(IN_FLIGHT, SLOTS),
      );
      rows.push({ stepMs: ms, setup: `in-process (${SLOTS} slots)`, ...inProcess, ratio: 1 });
      for (const workers of [1, 2, 4]) {
        const queue = uniqueName("bench");
        const children = await Promise.all(Array.from({ length: workers }, () => startWorker(redis.url, queue, SLOTS)));
        const call = remote(queue, { connection: redis.url });
        await call.ready();
        await measure((n) => call.execute({ ms, n }), 50, 8); // warm-up
        const r = await measure((n) => call.execute({ ms, n }), CALLS, IN_FLIGHT);
        rows.push({
          stepMs: ms,
          setup: `remote, ${workers} worker${workers > 1 ? "s" : ""} × ${SLOTS}`,
          ...r,
          ratio: r.perSecond / inProcess.perSecond,
        });
        await call.close();
        await Promise.all(children.map((c) => stopWorker(c)));
      }
      // Sequential round-trip latency (one call at a time), 1 worker.
      const queue = uniqueName("bench-lat");
      const one = await startWorker(redis.url, queue, SLOTS);
      const call = remote(queue, { connection: redis.url });
      await call.ready();
      const lat = await measure((n) => call.execute({ ms, n }), 200, 1);
      const localLat = await measure((n) => local.execute({ ms, n }, createContext({})), 200, 1);
      rows.push({ stepMs: ms, setup: "remote, sequential", ...lat, ratio: lat.perSecond / localLat.perSecond });
      await call.close();
      await stopWorker(one);
    }
  } finally {
    await redis.stop();
  }
  console.log(`\nremote() throughput: ${CALLS} calls, ${IN_FLIGHT} in flight (Node ${process.version})\n`);
  console.log("| step | setup | calls/s | p50 ms | p99 ms | vs in-process |");
  console.log("|---|---|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.stepMs} ms | ${r.setup} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.ratio.toFixed(3)}× |`,
    );
}

async function measure(call, total, inFlight) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const n = next++;
        const t = performance.now();
        await call(n);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: total / seconds, p50: at(0.5), p99: at(0.99) };
}

function startWorker(url, queue, slots) {
  const child = fork(fileURLToPath(new URL("test-support/worker-bench.ts", REDIS_SRC)), [], {
    execArgv: EXEC_ARGV,
    env: { ...process.env, REDIS_URL: url, QUEUE: queue, CONCURRENCY: String(slots) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", () => reject(new Error("bench worker exited")));
    child.on("message", (m) => m?.type === "ready" && resolve(child));
  });
}

function stopWorker(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.send({ type: "close" });
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  });
}
