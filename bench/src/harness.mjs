// A small benchmark harness for async operations: warm-up, interleaved rounds, medians, an
// allocation probe that runs a batch with no garbage collection in it, and the command line and
// result line shared by the benchmark child processes.
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import v8 from "node:v8";

const hrtime = process.hrtime.bigint;

/**
 * A driver of its own per row: compiled separately, so the `await op()` call site has its own
 * type feedback and stays monomorphic (a shared driver would go polymorphic across rows and
 * slow all of them a little, in an order-dependent way).
 */
export function makeDriver() {
  // eslint-disable-next-line no-new-func -- a fresh function literal per row (see above)
  return new Function(
    "op",
    "n",
    "hrtime",
    `return (async () => {
       const t0 = hrtime();
       for (let i = 0; i < n; i++) await op();
       return Number(hrtime() - t0);
     })();`,
  );
}

export function gc() {
  if (typeof globalThis.gc !== "function") throw new Error("run node with --expose-gc");
  globalThis.gc();
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile of xs (0 ≤ q ≤ 1), interpolating linearly between the closest ranks. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Times `rows` (each `{label, op}`) against each other: warm-up, then `rounds` rounds; each round
 * runs every row for ~`roundMs` (row order alternates between rounds), with a full GC before
 * each row's batch. Returns per row: the ns/op of every round and their median.
 */
export async function timeRows(rows, { warmupMs, roundMs, rounds }) {
  const state = rows.map((row) => ({ ...row, drive: makeDriver(), n: 0, samples: [] }));
  for (const s of state) s.n = await warmUp(s, warmupMs, roundMs);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? state : [...state].reverse();
    for (const s of order) {
      gc();
      await nextTurn();
      const ns = await s.drive(s.op, s.n, hrtime);
      s.samples.push(ns / s.n);
    }
  }
  return state.map(summarize);
}

/**
 * Warm-up of one row (lets the JIT settle): runs `s.drive(s.op, n)` doubling n until warmupMs
 * have passed. Returns the ops per round that make a round last ~roundMs.
 */
export async function warmUp(s, warmupMs, roundMs) {
  let n = 8;
  let elapsed = 0;
  let ops = 0;
  const t0 = hrtime();
  while (Number(hrtime() - t0) < warmupMs * 1e6) {
    elapsed += await s.drive(s.op, n, hrtime);
    ops += n;
    n = Math.min(n * 2, 1 << 16);
  }
  const nsPerOp = elapsed / ops;
  return Math.max(16, Math.round((roundMs * 1e6) / nsPerOp));
}

/** A timed row's result: its ns/op per round, their median, min and max. */
export const summarize = (s) => ({
  label: s.label,
  opsPerRound: s.n,
  samples: s.samples,
  median: median(s.samples),
  min: Math.min(...s.samples),
  max: Math.max(...s.samples),
});

/**
 * Bytes allocated per op: run a batch of N ops with no GC inside it (the process must run with a
 * young generation large enough to hold the whole batch: --min/--max-semi-space-size), and read
 * `process.memoryUsage().heapUsed` before and after. A PerformanceObserver counts GC events; a
 * batch during which any GC ran is discarded and retried smaller. Median of `batches` batches.
 * `warmupOps` (default 2 000) ops run first, unmeasured (fewer for slow ops such as HTTP requests).
 */
export async function allocRows(rows, { batchBytes, batches, maxOps, warmupOps = 2000 }) {
  let gcEvents = 0;
  const obs = new PerformanceObserver((list) => {
    gcEvents += list.getEntries().length;
  });
  obs.observe({ entryTypes: ["gc"] });
  const out = [];
  try {
    for (const row of rows) {
      const drive = makeDriver();
      await drive(row.op, warmupOps, hrtime); // warm-up: JIT and lazy initialisation out of the way
      const measureBatch = async (n) => {
        gc();
        await nextTurn();
        await nextTurn();
        const events0 = gcEvents;
        const before = process.memoryUsage().heapUsed;
        await drive(row.op, n, hrtime);
        const after = process.memoryUsage().heapUsed;
        await nextTurn();
        await nextTurn();
        return gcEvents === events0 ? (after - before) / n : undefined;
      };
      // Probe, then size the batches to ~batchBytes.
      let probe;
      for (let n = 64; probe === undefined && n >= 4; n >>= 1) probe = await measureBatch(n);
      if (probe === undefined) throw new Error(`${row.label}: a GC ran in every probe batch`);
      let n = Math.max(50, Math.min(maxOps, Math.floor(batchBytes / Math.max(probe, 1))));
      const samples = [];
      let discarded = 0;
      while (samples.length < batches) {
        const b = await measureBatch(n);
        if (b === undefined) {
          discarded++;
          if (discarded > 20) throw new Error(`${row.label}: GC kept running inside the batches`);
          n = Math.max(10, n >> 1);
        } else samples.push(b);
      }
      out.push({ label: row.label, opsPerBatch: n, samples, median: median(samples), discardedBatches: discarded });
    }
  } finally {
    obs.disconnect();
  }
  return { rows: out, newSpaceBytes: newSpace().space_size };
}

const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");

// ---------------------------------------------------------------------------------------------
/**
 * The command line of a benchmark child, `<kind> <time|alloc> [json-config]`: `{ name, kind, mode,
 * config }` (`kind` = `kinds[name]`). Prints the usage and exits 2 on an unknown kind or mode.
 */
export function childArgs(kinds) {
  const [name, mode, configJson] = process.argv.slice(2);
  const config = JSON.parse(configJson ?? "{}");
  const kind = kinds[name];
  if (!kind || (mode !== "time" && mode !== "alloc")) {
    const script = path.basename(process.argv[1]);
    console.error(`usage: node --expose-gc src/${script} <${Object.keys(kinds).join("|")}> <time|alloc> [json-config]`);
    process.exit(2);
  }
  return { name, kind, mode, config };
}

/** Times `rows` (mode `time`) or measures their allocation (`alloc`); one result per row, in order. */
export async function measure(rows, mode, config) {
  return mode === "time" ? await timeRows(rows, config) : (await allocRows(rows, config)).rows;
}

/**
 * What every rows child's result starts with: `{ kind, mode, pid, execArgv, rows }`, each measured row
 * with its row's id (the child adds its own fields, and `info`).
 */
export const rowsResult = (kind, mode, rows, measured) => ({
  kind,
  mode,
  pid: process.pid,
  execArgv: process.execArgv,
  rows: measured.map((m, i) => ({ id: rows[i].id, ...m })),
});

/** Prints a child's result as its one line of JSON on stdout; in alloc mode with `info.newSpaceBytes`. */
export function printResult(result) {
  if (result.mode === "alloc") result.info.newSpaceBytes = newSpace().space_size;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
