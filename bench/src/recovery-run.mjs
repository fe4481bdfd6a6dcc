// Recovery benchmark orchestrator: `node src/recovery-run.mjs [--quick] [--check]` (run it through
// `pnpm bench` at the repo root, which builds @tta/primitives first). Spawns fresh Node processes
// (src/recovery-child.mjs), prints the tables and the targets of issue 3 item 8, and appends the run
// to results/recovery.json.
//   --quick  fewer, shorter rounds (a smoke run; numbers are noisier)
//   --check  exit 1 when a target fails (default: always exit 0 after a complete run)
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./harness.mjs";
import { RECOVERY_SCENARIOS, TIMEOUT_MS } from "./recovery-scenarios.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, "..");
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");

const TIME = quick ? { warmupMs: 150, roundMs: 100, rounds: 5 } : { warmupMs: 300, roundMs: 200, rounds: 9 };
const ALLOC = { batchBytes: 64 * 1024 * 1024, batches: 5, maxOps: 20_000 };
const SEMI_SPACE_MB = 256;
const TIME_FLAGS = ["--expose-gc"];
const ALLOC_FLAGS = ["--expose-gc", `--min-semi-space-size=${SEMI_SPACE_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`];
/** Time processes, in this order; the two "both" processes decide the verdicts. */
const TIME_PLAN = [
  ["raw", "raw, first"],
  ["both", "both A"],
  ["tta", "tta only"],
  ["cockatiel", "cockatiel only"],
  ["both", "both B"],
  ["raw", "raw, last"],
];
const ALLOC_PLAN = ["tta", "cockatiel"];

const libVersion = (name) => {
  try {
    return JSON.parse(readFileSync(path.join(benchDir, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "not installed";
  }
};

function childEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith("OTEL_")) delete env[key];
  return env;
}

function runChild(kind, mode, tag) {
  const flags = mode === "time" ? TIME_FLAGS : ALLOC_FLAGS;
  const config = mode === "time" ? TIME : ALLOC;
  const argv = [...flags, path.join(here, "recovery-child.mjs"), kind, mode, JSON.stringify(config)];
  process.stderr.write(`  … ${tag.padEnd(15)} ${mode.padEnd(5)} node ${flags.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: benchDir,
      env: childEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`recovery child ${kind}/${mode} exited with ${code}`));
      try {
        resolve({ tag, ...JSON.parse(out.trim().split("\n").pop()), flags });
      } catch (error) {
        reject(new Error(`recovery child ${kind}/${mode} printed no result: ${String(error)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
const started = Date.now();
const versions = { "@tta/primitives": libVersion("@tta/primitives"), cockatiel: libVersion("cockatiel") };
const cpu = os.cpus();
const loadBefore = os.loadavg();
console.log(
  [
    "",
    `TTA recovery micro-benchmark: @tta/primitives ${versions["@tta/primitives"]} (built dist) vs raw calls, a hand-written timeout and cockatiel ${versions.cockatiel}`,
    `Node ${process.version} (V8 ${process.versions.v8}), ${cpu.length} × ${cpu[0]?.model ?? "?"}; load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`,
    "",
    "Method",
    "  • Inner work: async (x) => x + 1, input 0. TTA wraps an executable object { execute: (x) => inc(x) } (the wrapper calls",
    "    the user's code directly, as cockatiel's policy.execute(fn) does; a plain function would be lifted into a lambda",
    "    primitive: see the extra rows); cockatiel runs a closure () => inc(0) made once. One top-level call per op, no context given.",
    "  • cockatiel: retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }); circuitBreaker(handleAll,",
    `    { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) }); timeout(${TIMEOUT_MS}, TimeoutStrategy.Cooperative). TTA: defaults,`,
    `    timeout({ timeoutMs: ${TIMEOUT_MS} }). Hand-written timeout: new Promise + setTimeout, Promise.race, finally(clearTimeout).`,
    `  • Time: fresh processes (${TIME_PLAN.map(([, t]) => t).join(", ")}); every process measures the raw call and the hand-written`,
    `    timeout too, all rows interleaved round by round (${TIME.rounds} rounds of ~${TIME.roundMs} ms after ${TIME.warmupMs} ms warm-up, order alternating,`,
    "    full GC before each batch). ns/op = median of the rounds. +ns/op = median over the rounds of (row − raw call in the same",
    "    round); noise = p25–p75 of those per-round differences. Verdicts pool the rounds of the two 'both' processes, where TTA",
    "    and cockatiel rows alternate with each other and with the baselines in the same process.",
    `  • Allocation: one process per library with a ${SEMI_SPACE_MB} MB semi-space, no GC inside a batch (checked), heapUsed delta / ops,`,
    `    median of ${ALLOC.batches} batches; includes the driver loop's own await (the same for every row).`,
    "",
  ].join("\n"),
);

process.stderr.write("Running recovery benchmark processes:\n");
const timeRuns = [];
for (const [kind, tag] of TIME_PLAN) timeRuns.push(await runChild(kind, "time", tag));
const allocRuns = [];
for (const kind of ALLOC_PLAN) allocRuns.push(await runChild(kind, "alloc", `${kind} alloc`));
process.stderr.write("\n");

// ---------------------------------------------------------------------------------------------
const fmtNs = (ns) =>
  Math.abs(ns) >= 100_000
    ? `${(ns / 1000).toFixed(0)} µs`
    : Math.abs(ns) >= 10_000
      ? `${(ns / 1000).toFixed(1)} µs`
      : `${ns.toFixed(0)} ns`;
const fmtSigned = (ns) => `${ns >= 0 ? "+" : "−"}${fmtNs(Math.abs(ns))}`;
const fmtB = (b) => (b >= 10_000 ? `${(b / 1024).toFixed(1)} KiB` : `${b.toFixed(0)} B`);
const fmtX = (x) => (x >= 100 ? `×${x.toFixed(0)}` : `×${x.toFixed(2)}`);

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const rowOf = (run, id) => run.rows.find((r) => r.id === id);
const allocOf = (id) => {
  for (const run of allocRuns) {
    const row = rowOf(run, id);
    if (row && !id.startsWith("raw.")) return row.median;
  }
  return rowOf(allocRuns[0], id)?.median;
};
const rawAllocB = rowOf(allocRuns[0], "raw.call").median;

/** Stats of one row in one process, against that process's raw call (paired by round). */
function stats(run, id) {
  const row = rowOf(run, id);
  const raw = rowOf(run, "raw.call");
  if (!row) return undefined;
  const diffs = row.samples.map((s, i) => s - raw.samples[i]);
  return {
    id,
    label: row.label,
    process: run.tag,
    kind: run.kind,
    pid: run.pid,
    nsPerOp: row.median,
    minNs: row.min,
    maxNs: row.max,
    rounds: row.samples,
    opsPerRound: row.opsPerRound,
    rawSameProcessNs: raw.median,
    ratio: row.median / raw.median,
    addedNs: id === "raw.call" ? 0 : median(diffs),
    addedP25: quantile(diffs, 0.25),
    addedP75: quantile(diffs, 0.75),
    roundDiffs: diffs,
  };
}

const tableRows = (ids) =>
  timeRuns.flatMap((run) =>
    ids.flatMap((id) => {
      const s = stats(run, id);
      if (!s) return [];
      // The raw call of a library's process is its "raw same proc" column; as a row, only from the raw-only processes.
      if (id === "raw.call" && run.kind !== "raw") return [];
      return [s];
    }),
  );

function printTable(title, ids) {
  const rows = tableRows(ids).sort(
    (a, b) =>
      ids.indexOf(a.id) - ids.indexOf(b.id) ||
      TIME_PLAN.findIndex(([, t]) => t === a.process) - TIME_PLAN.findIndex(([, t]) => t === b.process),
  );
  console.log(title);
  const head = [
    "row",
    "process",
    "ns/op",
    "rounds min–max",
    "raw same proc",
    "× raw",
    "+ns/op",
    "noise p25–p75",
    "alloc/op",
    "+B/op",
  ];
  const body = rows.map((r) => {
    const isRawCall = r.id === "raw.call";
    const bytes = allocOf(r.id);
    return [
      r.label,
      r.process,
      fmtNs(r.nsPerOp),
      `${fmtNs(r.minNs)}–${fmtNs(r.maxNs)}`,
      isRawCall ? "" : fmtNs(r.rawSameProcessNs),
      isRawCall ? "" : fmtX(r.ratio),
      isRawCall ? "" : fmtSigned(r.addedNs),
      isRawCall ? "" : `${fmtSigned(r.addedP25)}…${fmtSigned(r.addedP75)}`,
      bytes === undefined ? "" : fmtB(bytes),
      bytes === undefined || isRawCall ? "" : fmtSigned(bytes - rawAllocB).replace(" ns", " B"),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => "  " + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(head));
  console.log("  " + widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
  console.log("");
}

const scenarioIds = {
  retry: ["raw.call", "tta.retry", "cockatiel.retry"],
  breaker: ["raw.call", "tta.breaker", "cockatiel.breaker"],
  timeout: ["raw.call", "raw.timeout", "tta.timeout", "cockatiel.timeout"],
};
let n = 1;
for (const [name, sc] of Object.entries(RECOVERY_SCENARIOS))
  printTable(`Recovery ${n++}: ${sc.title}`, scenarioIds[name]);
printTable(
  "Recovery extra (TTA only, diagnostics): a plain function as inner is lifted into lambda() (its own top-level execute cost, and retry around it); retry given a context made once (no root context per call)",
  ["raw.call", "tta.lambda", "tta.retryLambda", "tta.retry", "tta.retryCtx"],
);

// ---------------------------------------------------------------------------------------------
const bothRuns = timeRuns.filter((r) => r.kind === "both");
const pooled = (id, fn) => bothRuns.flatMap((run) => fn(stats(run, id), run));
const targets = [];
for (const [name, sc] of Object.entries(RECOVERY_SCENARIOS)) {
  const t = sc.target;
  if (t.kind === "peer-added") {
    const ttaDiffs = pooled(sc.tta, (s) => s.roundDiffs);
    const peerDiffs = pooled(sc.peer, (s) => s.roundDiffs);
    const ttaAdded = median(ttaDiffs);
    const peerAdded = median(peerDiffs);
    // Head to head, round by round (the raw call cancels out).
    const h2h = bothRuns.flatMap((run) => {
      const a = rowOf(run, sc.tta).samples;
      const b = rowOf(run, sc.peer).samples;
      return a.map((x, i) => x - b[i]);
    });
    const wins = h2h.filter((d) => d <= 0).length;
    const sep = {
      tta: stats(
        timeRuns.find((r) => r.kind === "tta"),
        sc.tta,
      ).addedNs,
      peer: stats(
        timeRuns.find((r) => r.kind === "cockatiel"),
        sc.peer,
      ).addedNs,
    };
    const perProcess = bothRuns
      .map((run) => `${run.tag}: ${fmtSigned(stats(run, sc.tta).addedNs)} vs ${fmtSigned(stats(run, sc.peer).addedNs)}`)
      .join("; ");
    targets.push({
      id: `${name}.vs-cockatiel`,
      text: t.text,
      pass: ttaAdded <= peerAdded,
      ttaAddedNs: ttaAdded,
      cockatielAddedNs: peerAdded,
      ttaFasterRounds: wins,
      rounds: h2h.length,
      separateProcesses: {
        ttaAddedNs: sep.tta,
        cockatielAddedNs: sep.peer,
        agrees: sep.tta <= sep.peer === ttaAdded <= peerAdded,
      },
      detail:
        `TTA ${fmtSigned(ttaAdded)} vs cockatiel ${fmtSigned(peerAdded)} per op (pooled, ${ttaDiffs.length} rounds; ${perProcess}); ` +
        `TTA faster in ${wins}/${h2h.length} head-to-head rounds (median TTA − cockatiel ${fmtSigned(median(h2h))}); ` +
        `separate processes: TTA ${fmtSigned(sep.tta)} vs cockatiel ${fmtSigned(sep.peer)}${sep.tta <= sep.peer === ttaAdded <= peerAdded ? "" : " (disagrees: noise-bound)"}`,
    });
  } else {
    const ratios = pooled(sc.tta, (_s, run) => {
      const a = rowOf(run, sc.tta).samples;
      const h = rowOf(run, sc.hand).samples;
      return a.map((x, i) => x / h[i]);
    });
    const ratio = median(ratios);
    const perProcess = timeRuns
      .filter((r) => rowOf(r, sc.tta))
      .map(
        (run) =>
          `${run.tag}: ${fmtNs(rowOf(run, sc.tta).median)} vs ${fmtNs(rowOf(run, sc.hand).median)} (${fmtX(rowOf(run, sc.tta).median / rowOf(run, sc.hand).median)})`,
      )
      .join("; ");
    const peer = pooled(sc.peer, (s, run) => [s.nsPerOp / rowOf(run, sc.tta).median]);
    targets.push({
      id: `${name}.vs-hand-written`,
      text: t.text,
      pass: ratio <= t.maxRatio,
      ratio,
      cockatielOverTta: median(peer),
      detail: `${fmtX(ratio)} (median per-round ratio, ${ratios.length} rounds; ${perProcess}); cockatiel's cooperative timeout is ${fmtX(median(peer))} TTA's time`,
    });
  }
}
const allocTarget = (id) => `${fmtB(allocOf(id))}`;
console.log("Recovery targets (issue 3 item 8; verdicts from the head-to-head processes, see Method)");
for (const t of targets) console.log(`  [${t.pass ? "PASS" : "FAIL"}] ${t.text}: ${t.detail}`);
const failed = targets.filter((t) => !t.pass).length;
console.log(`  ${targets.length - failed} of ${targets.length} recovery targets pass`);
console.log(
  `  Allocation per op (raw call ${fmtB(rawAllocB)}): TTA retry ${allocTarget("tta.retry")}, breaker ${allocTarget("tta.breaker")}, ` +
    `timeout ${allocTarget("tta.timeout")}; cockatiel retry ${allocTarget("cockatiel.retry")}, breaker ${allocTarget("cockatiel.breaker")}, ` +
    `timeout ${allocTarget("cockatiel.timeout")}; hand-written timeout ${allocTarget("raw.timeout")}`,
);

// Noise: the raw call across processes, and the spread of the per-round differences.
const rawCalls = timeRuns.map((r) => rowOf(r, "raw.call").median);
const rawSpread = Math.max(...rawCalls) / Math.min(...rawCalls);
const loadAfter = os.loadavg();
console.log(
  `  Noise: raw await inc(0) measured ${fmtNs(Math.min(...rawCalls))}–${fmtNs(Math.max(...rawCalls))} across the ${timeRuns.length} time processes ` +
    `(${fmtX(rawSpread)}); load average ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after, on ${cpu.length} vCPUs.` +
    (rawSpread > 1.3 || loadBefore[0] > 1
      ? " ! busy or noisy machine: compare several runs before acting on a time verdict; allocation is stable."
      : ""),
);
const checks = [...timeRuns, ...allocRuns].map((r) => ({
  process: `${r.kind}/${r.mode}`,
  otel: r.info.otel,
  networkAttempts: r.info.networkAttempts,
}));
const noNetwork = checks.every((c) => c.networkAttempts === 0);
console.log(
  `  Checks: network attempts ${noNetwork ? "0" : "SOME (see JSON)"}; OpenTelemetry: ${[...new Set(checks.map((c) => c.otel))].join(" / ")}; ` +
    `TTA event subscribers: ${timeRuns.find((r) => r.kind === "tta").info.tta.eventSubscribers}`,
);

// ---------------------------------------------------------------------------------------------
mkdirSync(path.join(benchDir, "results"), { recursive: true });
const outFile = path.join(benchDir, "results", "recovery.json");
let history = { runs: [] };
if (existsSync(outFile)) {
  try {
    const previous = JSON.parse(readFileSync(outFile, "utf8"));
    if (Array.isArray(previous?.runs)) history = previous;
  } catch {
    process.stderr.write(`warning: ${outFile} was not valid JSON; starting a new history\n`);
  }
}
const scenarios = {};
for (const name of Object.keys(RECOVERY_SCENARIOS))
  scenarios[name] = tableRows(scenarioIds[name]).map((s) => ({ ...s, bytesPerOp: allocOf(s.id) }));
history.runs.push({
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
  config: { time: TIME, alloc: ALLOC, timeFlags: TIME_FLAGS, allocFlags: ALLOC_FLAGS, timePlan: TIME_PLAN },
  scenarios,
  extra: tableRows(["tta.lambda", "tta.retryLambda", "tta.retryCtx"]).map((s) => ({ ...s, bytesPerOp: allocOf(s.id) })),
  allocation: Object.fromEntries(
    allocRuns.flatMap((run) =>
      run.rows
        .filter((r) => !r.id.startsWith("raw.") || run === allocRuns[0])
        .map((r) => [r.id, { median: r.median, samples: r.samples }]),
    ),
  ),
  rawCallSpread: rawSpread,
  targets,
  checks,
  processes: { time: timeRuns, alloc: allocRuns },
});
writeFileSync(outFile, `${JSON.stringify(history, null, 2)}\n`);
console.log(
  `Appended run ${history.runs.length} to ${path.relative(process.cwd(), outFile)} in ${((Date.now() - started) / 1000).toFixed(0)} s total`,
);
if (args.has("--check") && failed > 0) process.exit(1);
