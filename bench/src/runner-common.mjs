// Scaffolding shared by the benchmark orchestrators (run.mjs, recovery-run.mjs, cache-run.mjs,
// model-run.mjs, observability-run.mjs): command-line flags, child-process spawning with the right
// Node flags, the machine header, paired per-round statistics, formatting, table and target printing,
// process checks, and writing the results JSON.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median, quantile } from "./harness.mjs";

export const srcDir = path.dirname(fileURLToPath(import.meta.url));
export const benchDir = path.resolve(srcDir, "..");

/** `--quick` and `--check` of the orchestrator's command line. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = new Set(argv);
  return { args, quick: args.has("--quick"), check: args.has("--check") };
}

/** Warm-up and rounds of the time processes (`--quick`: fewer, shorter rounds). */
export const timeConfig = (quick) =>
  quick ? { warmupMs: 150, roundMs: 100, rounds: 5 } : { warmupMs: 300, roundMs: 200, rounds: 9 };
/** Allocation batches: ~64 MB each, 5 of them, at most `maxOps` ops per batch. */
export const allocConfig = (maxOps) => ({ batchBytes: 64 * 1024 * 1024, batches: 5, maxOps });
export const SEMI_SPACE_MB = 256; // young generation big enough that no scavenge runs inside a batch
export const TIME_FLAGS = ["--expose-gc"];
export const ALLOC_FLAGS = [
  "--expose-gc",
  `--min-semi-space-size=${SEMI_SPACE_MB}`,
  `--max-semi-space-size=${SEMI_SPACE_MB}`,
];

/** The installed version of a package in bench/node_modules. */
export const libVersion = (name) => {
  try {
    return JSON.parse(readFileSync(path.join(benchDir, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "not installed";
  }
};

/** The environment of a child: no preloaded module (NODE_OPTIONS), no OTEL_* configuration. */
export function childEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith("OTEL_")) delete env[key];
  return env;
}

/**
 * Spawns `node ...nodeArgs` in bench/ and resolves with the JSON of the last line it prints on
 * stdout (stderr passes through). `name` names the child in error messages.
 */
export function spawnJsonChild(nodeArgs, { name, env = childEnv() }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: benchDir, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()));
      } catch (error) {
        reject(new Error(`${name} printed no result: ${String(error)}`));
      }
    });
  });
}

/**
 * Runs `src/<script> <kind> <mode> <config JSON>` with the time or allocation flags and config,
 * after printing `  … <label> <mode> node <flags>` on stderr. Resolves with the child's result
 * and the flags it ran with.
 */
export async function runModeChild({ script, kind, mode, label, name, time, alloc, env }) {
  const flags = mode === "time" ? TIME_FLAGS : ALLOC_FLAGS;
  const config = mode === "time" ? time : alloc;
  const nodeArgs = [...flags, path.join(srcDir, script), kind, mode, JSON.stringify(config)];
  process.stderr.write(`  … ${label} ${mode.padEnd(5)} node ${flags.join(" ")}\n`);
  const result = await spawnJsonChild(nodeArgs, { name: `${name} ${kind}/${mode}`, env });
  return { ...result, flags };
}

/**
 * A runner of `(kind, mode, tag)` children of `script` for a time plan: the result carries its tag,
 * padded to `labelWidth` in the progress line.
 */
export const taggedChildRunner =
  ({ script, name, labelWidth, time, alloc }) =>
  async (kind, mode, tag) => ({
    tag,
    ...(await runModeChild({ script, kind, mode, label: tag.padEnd(labelWidth), name, time, alloc })),
  });

/**
 * Runs the time processes of `timePlan` (`[kind, tag]` pairs, in order), then one allocation
 * process per kind of `allocPlan`, one after another.
 */
export async function runPlan(title, timePlan, allocPlan, runChild) {
  process.stderr.write(`Running ${title} processes:\n`);
  const timeRuns = [];
  for (const [kind, tag] of timePlan) timeRuns.push(await runChild(kind, "time", tag));
  const allocRuns = [];
  for (const kind of allocPlan) allocRuns.push(await runChild(kind, "alloc", `${kind} alloc`));
  process.stderr.write("\n");
  return { timeRuns, allocRuns };
}

/** When the run started, the machine's CPUs and the load average before it: `{ started, cpu, loadBefore }`. */
export const runStart = () => ({ started: Date.now(), cpu: os.cpus(), loadBefore: os.loadavg() });

/** The header line naming Node, V8, the CPUs and the load average before the run. */
export const machineLine = ({ cpu, loadBefore }) =>
  `Node ${process.version} (V8 ${process.versions.v8}), ${cpu.length} × ${cpu[0]?.model ?? "?"}; ` +
  `load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`;

/**
 * The Method lines on the time processes of a runner whose processes all measure the baselines and
 * whose verdicts pool the rounds of two processes (`pooledOf`: "the two TTA processes").
 */
export const pairedTimeMethod = (plan, time, pooledOf) => [
  `  • Time: fresh processes (${plan.map(([, t]) => t).join(", ")}); every process measures the baselines, all rows`,
  `    interleaved round by round (${time.rounds} rounds of ~${time.roundMs} ms after ${time.warmupMs} ms warm-up, order alternating, full GC before`,
  "    each batch). ns/op = median of the rounds. Ratios and +ns are taken per round against the baseline of the same round;",
  `    noise = p25–p75 of the per-round differences. Verdicts pool the rounds of ${pooledOf}.`,
];

/** The fields an appended run starts with: when, how long, on what, under which load, which versions. */
export const runFields = ({ started, cpu, loadBefore }, { quick, loadAfter, versions }) => ({
  date: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  quick,
  node: process.version,
  v8: process.versions.v8,
  cpus: cpu.length,
  cpuModel: cpu[0]?.model,
  loadAvgBefore: loadBefore,
  loadAvgAfter: loadAfter,
  versions,
});

// ---------------------------------------------------------------------------------------------
/** The row `id` of a child's result. */
export const rowOf = (run, id) => run.rows.find((r) => r.id === id);

/**
 * Stats of row `id` in one time process against row `baseId` of the same process, paired by round:
 * `ratio` and `addedNs` are the medians of the per-round ratios and differences (the differences
 * divided by `scale`, e.g. per caller), `addedP25`/`addedP75` the spread of those differences.
 * Undefined when the process lacks either row.
 */
export function pairedStats(run, id, baseId, scale = 1) {
  const row = rowOf(run, id);
  const base = rowOf(run, baseId);
  if (!row || !base) return undefined;
  const diffs = row.samples.map((s, i) => (s - base.samples[i]) / scale);
  const ratios = row.samples.map((s, i) => s / base.samples[i]);
  return {
    id,
    label: row.label,
    process: run.tag,
    kind: run.kind,
    pid: run.pid,
    baseline: baseId,
    nsPerOp: row.median,
    minNs: row.min,
    maxNs: row.max,
    rounds: row.samples,
    opsPerRound: row.opsPerRound,
    baselineSameProcessNs: base.median,
    ratio: median(ratios),
    roundRatios: ratios,
    addedNs: id === baseId ? 0 : median(diffs),
    addedP25: quantile(diffs, 0.25),
    addedP75: quantile(diffs, 0.75),
    roundDiffs: diffs,
  };
}

/** `pick(pairedStats(run, id, baseId))` (an array: per-round values) of every run of `runs`, pooled. */
export const pooled = (runs, id, baseId, pick) => runs.flatMap((run) => pick(pairedStats(run, id, baseId)));

/** The medians of row `id` across `runs`: their min, max and max/min (the process-to-process noise). */
export function spreadOf(runs, id) {
  const xs = runs.map((r) => rowOf(r, id).median);
  return { min: Math.min(...xs), max: Math.max(...xs), spread: Math.max(...xs) / Math.min(...xs) };
}

/** The end of a noise line when the baselines spread by more than 30 % or the machine was loaded. */
export const busyNote = (spread, loadBefore, more = "") =>
  spread > 1.3 || loadBefore[0] > 1
    ? ` ! busy or noisy machine: compare several runs before acting on a time verdict${more}.`
    : "";

// ---------------------------------------------------------------------------------------------
/** ns as ns or µs, by magnitude; `fine`: one decimal below 100 ns. */
const formatNs = (ns, fine) =>
  Math.abs(ns) >= 100_000
    ? `${(ns / 1000).toFixed(0)} µs`
    : Math.abs(ns) >= 10_000
      ? `${(ns / 1000).toFixed(1)} µs`
      : !fine || Math.abs(ns) >= 100
        ? `${ns.toFixed(0)} ns`
        : `${ns.toFixed(1)} ns`;
export const fmtNs = (ns) => formatNs(ns, false);
export const fmtNsFine = (ns) => formatNs(ns, true);
export const fmtB = (b) => (Math.abs(b) >= 10_000 ? `${(b / 1024).toFixed(1)} KiB` : `${b.toFixed(0)} B`);
export const fmtX = (x) => (x >= 100 ? `×${x.toFixed(0)}` : `×${x.toFixed(2)}`);
/** A formatter of signed values: "+" or "−", then `fmt` of the magnitude. */
export const signed = (fmt) => (v) => `${v >= 0 ? "+" : "−"}${fmt(Math.abs(v))}`;

/** Prints a table: the first two columns left-aligned, the others right-aligned. */
export function printRows(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => "  " + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(head));
  console.log("  " + widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

/** Prints the title, the table and a blank line. */
export function printTable(title, head, body) {
  console.log(title);
  printRows(head, body);
  console.log("");
}

/** Prints a table of `rows` with the columns `[head, cell(row)]` after "row" (the label) and "process". */
export function printColumns(title, rows, columns) {
  printTable(
    title,
    ["row", "process", ...columns.map(([head]) => head)],
    rows.map((r) => [r.label, r.process, ...columns.map(([, cell]) => cell(r))]),
  );
}

/**
 * The time columns of `pairedStats` rows against the baseline named `base`: time per op (or per
 * `per`-th of an op, named `unit`: a chunk, a caller), the rounds' min–max, the baseline of the same
 * process, × baseline, the added time and the noise (p25–p75 of the per-round differences); the last
 * four blank on the baseline's own rows (`isBase`). `diffPer` divides the differences instead of `per`
 * (1 when the stats divided them already: `pairedStats(..., scale)`). `heads` renames columns (`ns`,
 * `base`, `added`).
 */
export function timeColumns({ base, isBase, fmt = fmtNs, per = 1, diffPer = per, unit = "op", heads = {} }) {
  const sign = signed(fmt);
  const perUnit = per === 1 ? "" : ` /${unit}`;
  const unlessBase = (cell) => (r) => (isBase(r) ? "" : cell(r));
  return [
    [heads.ns ?? `ns/${unit}`, (r) => fmt(r.nsPerOp / per)],
    [`rounds min–max${perUnit}`, (r) => `${fmt(r.minNs / per)}–${fmt(r.maxNs / per)}`],
    [heads.base ?? `${base} same proc${perUnit}`, unlessBase((r) => fmt(r.baselineSameProcessNs / per))],
    [`× ${base}`, unlessBase((r) => fmtX(r.ratio))],
    [heads.added ?? `+ns/${unit}`, unlessBase((r) => sign(r.addedNs / diffPer))],
    ["noise p25–p75", unlessBase((r) => `${sign(r.addedP25 / diffPer)}…${sign(r.addedP75 / diffPer)}`)],
  ];
}

/**
 * The allocation columns: B per op (or per `per`-th of an op, named `unit`) from `bytesOf(id)`, and
 * the difference to `baseBytesOf(row)`, blank on the baseline's own rows (`isBase`) and where a row
 * has no allocation measurement. `heads` renames columns (`bytes`, `added`).
 */
export function allocColumns({ bytesOf, baseBytesOf, isBase, per = 1, unit = "op", heads = {} }) {
  const sign = signed(fmtB);
  return [
    [heads.bytes ?? `alloc/${unit}`, (r) => (bytesOf(r.id) === undefined ? "" : fmtB(bytesOf(r.id) / per))],
    [
      heads.added ?? `+B/${unit}`,
      (r) => (bytesOf(r.id) === undefined || isBase(r) ? "" : sign((bytesOf(r.id) - baseBytesOf(r)) / per)),
    ],
  ];
}

/** Sorts rows by their id's place in `ids`, then by their process's place in the time plan. */
export const byIdThenProcess = (ids, plan) => (a, b) =>
  ids.indexOf(a.id) - ids.indexOf(b.id) ||
  plan.findIndex(([, t]) => t === a.process) - plan.findIndex(([, t]) => t === b.process);

/** Prints `[PASS]`/`[FAIL]` per target and the `N of M <noun> pass` line; returns the failures. */
export function printTargets(targets, noun = "targets") {
  for (const t of targets) console.log(`  [${t.pass ? "PASS" : "FAIL"}] ${t.text}: ${t.detail}`);
  const failed = targets.filter((t) => !t.pass).length;
  console.log(`  ${targets.length - failed} of ${targets.length} ${noun} pass`);
  return failed;
}

/** Network and OpenTelemetry checks of every process, `processOf(run)` naming each. */
export function processChecks(runs, processOf, extra = () => ({})) {
  const checks = runs.map((r) => ({
    process: processOf(r),
    otel: r.info.otel,
    networkAttempts: r.info.networkAttempts,
    ...extra(r),
  }));
  return {
    checks,
    network: checks.every((c) => c.networkAttempts === 0) ? "0" : "SOME (see JSON)",
    otel: [...new Set(checks.map((c) => c.otel))].join(" / "),
  };
}

/** The TTA event-subscriber states that `processChecks(..., extra)` recorded, distinct, joined by " / ". */
export const subscribersOf = (checks) =>
  [...new Set(checks.flatMap((c) => (c.eventSubscribers ? [c.eventSubscribers] : [])))].join(" / ");

/** The end of a noise line: load average before and after, on how many vCPUs. */
export const loadLine = (loadBefore, loadAfter, cpus) =>
  `load average ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after, on ${cpus} vCPUs.`;

/** Seconds since `started`, for the last line. */
export const secondsSince = (started) => ((Date.now() - started) / 1000).toFixed(0);

/** Writes `data` as JSON to bench/results/<file>; returns the path. */
export function writeResults(file, data) {
  mkdirSync(path.join(benchDir, "results"), { recursive: true });
  const outFile = path.join(benchDir, "results", file);
  writeFileSync(outFile, `${JSON.stringify(data, null, 2)}\n`);
  return outFile;
}

/** Appends `run` to the `runs` history in bench/results/<file> and prints where, how long it took. */
export function appendRun(file, run, started) {
  const outFile = path.join(benchDir, "results", file);
  let history = { runs: [] };
  if (existsSync(outFile)) {
    try {
      const previous = JSON.parse(readFileSync(outFile, "utf8"));
      if (Array.isArray(previous?.runs)) history = previous;
    } catch {
      process.stderr.write(`warning: ${outFile} was not valid JSON; starting a new history\n`);
    }
  }
  history.runs.push(run);
  writeResults(file, history);
  console.log(
    `Appended run ${history.runs.length} to ${path.relative(process.cwd(), outFile)} in ${secondsSince(started)} s total`,
  );
}
