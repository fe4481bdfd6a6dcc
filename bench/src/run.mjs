// Orchestrator: `node src/run.mjs [--quick] [--check]` (run it through `pnpm bench` at the repo
// root, which builds @tta/primitives first). Spawns one fresh Node process per library and mode,
// prints the tables and the TTA targets, and writes results/latest.json.
//   --quick  fewer, shorter rounds (a smoke run; numbers are noisier)
//   --check  exit 1 when a target fails (default: always exit 0 after a complete run)
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ALLOC_FLAGS,
  SEMI_SPACE_MB,
  TIME_FLAGS,
  allocConfig,
  childEnv as baseChildEnv,
  fmtB,
  fmtNs as fmtNsCommon,
  fmtX,
  libVersion,
  parseArgs,
  printRows,
  printTargets,
  processChecks,
  runModeChild,
  secondsSince,
  timeConfig,
  writeResults,
} from "./runner-common.mjs";
import { median } from "./harness.mjs";
import { SCENARIOS, WIDTH } from "./scenarios.mjs";

const { quick, check } = parseArgs();

const TIME = timeConfig(quick);
const ALLOC = allocConfig(20_000);

// maxRecordRatio: TTA's record-form parallel against its array form (time and allocation), issue 11 item 2.
// maxSequentialRatio: a 10-step sequential at top level against the raw await chain, issue 11 item 3.
const TARGETS = { maxTimeRatio: 3, maxAllocRatio: 1.5, maxRecordRatio: 1.2, maxSequentialRatio: 1.5 };
const PEERS = ["langchain", "effect"];

function childEnv() {
  // No telemetry SDK may be preloaded, and LangChain/LangSmith tracing is explicitly off.
  const env = baseChildEnv();
  env.LANGCHAIN_TRACING_V2 = "false";
  env.LANGSMITH_TRACING = "false";
  // NOT LANGCHAIN_TRACING=false: @langchain/core 1.4.0 treats any non-empty value of that legacy
  // variable as truthy (CallbackManager.configure) and builds a callback manager per step, which
  // doubles LCEL's allocation (~131 KB → ~280 KB per 10-step run) without tracing anything.
  delete env.LANGCHAIN_TRACING;
  delete env.LANGCHAIN_VERBOSE;
  return env;
}

const runChild = (library, mode) =>
  runModeChild({
    script: "child.mjs",
    kind: library,
    mode,
    label: library.padEnd(9),
    name: "child",
    time: TIME,
    alloc: ALLOC,
    env: childEnv(),
  });

// ---------------------------------------------------------------------------------------------
const started = Date.now();
const versions = {
  "@tta/primitives": libVersion("@tta/primitives"),
  "@langchain/core": libVersion("@langchain/core"),
  effect: libVersion("effect"),
};
const cpu = os.cpus();
const loadBefore = os.loadavg();
const header = [
  `TTA micro-benchmark: @tta/primitives ${versions["@tta/primitives"]} (built dist) vs hand-written baselines and peers`,
  `Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}, ${cpu.length} × ${cpu[0]?.model ?? "?"}`,
  `Load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(" ")} (other processes on this ${cpu.length}-vCPU machine skew time, not allocation)`,
  `Peers: @langchain/core ${versions["@langchain/core"]} (tracing off), effect ${versions.effect}. No telemetry SDK registered, no event subscriber.`,
  "",
  "Method",
  `  • Every library runs in fresh Node processes of its own (loading LangChain or Effect changes a process), and`,
  `    every process also runs the hand-written baseline of each scenario, interleaved with the library's row:`,
  `    "× raw" is the ratio to the baseline measured in the same process, in the same rounds. Extra raw-only`,
  `    processes run first and last; "× clean" is the ratio to their mean (process-to-process noise is ±30 %).`,
  `  • Time: warm-up ${TIME.warmupMs} ms per row, then ${TIME.rounds} rounds of ~${TIME.roundMs} ms per row (row order alternates, full GC`,
  `    before each batch); ns/op = median of the rounds; ops are awaited one after another (latency of one call).`,
  `  • Allocation: separate processes with a ${SEMI_SPACE_MB} MB semi-space (${ALLOC_FLAGS.slice(1).join(" ")}); after a full GC a batch`,
  `    of up to ${ALLOC.maxOps} ops runs with no GC (checked with a GC PerformanceObserver), B/op = heapUsed delta / ops,`,
  `    median of ${ALLOC.batches} batches. It includes the driver loop's own await (~250 B/op, the same for every row).`,
  `    Allocation is the reproducible metric on this VM kind; time moves by up to ±50 % between runs.`,
  "",
];
console.log(header.join("\n"));

process.stderr.write("Running benchmark processes:\n");
const timeRuns = [];
timeRuns.push({ tag: "raw, first", ...(await runChild("raw", "time")) });
for (const lib of ["tta", ...PEERS]) timeRuns.push({ tag: lib, ...(await runChild(lib, "time")) });
timeRuns.push({ tag: "raw, last", ...(await runChild("raw", "time")) });
const allocRuns = [];
for (const lib of ["tta", ...PEERS]) allocRuns.push({ tag: lib, ...(await runChild(lib, "alloc")) });
process.stderr.write("\n");

// ---------------------------------------------------------------------------------------------
// Negative values (a row faster than its baseline) stay in ns.
const fmtNs = (ns) => (ns < 0 ? `${ns.toFixed(0)} ns` : fmtNsCommon(ns));

const scenarios = {};
for (const [name, sc] of Object.entries(SCENARIOS)) {
  const cleanRows = timeRuns.filter((r) => r.library === "raw").map((r) => r.scenarios[name][0].median);
  const cleanRaw = cleanRows.reduce((a, b) => a + b, 0) / cleanRows.length;
  const rows = [];
  for (const run of timeRuns) {
    const [base, lib] = run.scenarios[name];
    const alloc = allocRuns.find((a) => a.library === run.library)?.scenarios[name];
    /** A table row of `timed` (a row of this process), with `allocated` (its allocation row, if any). */
    const entry = (timed, allocated) => ({
      library: run.library,
      process: run.tag,
      pid: run.pid,
      label: timed.label,
      nsPerOp: timed.median,
      minNs: timed.min,
      maxNs: timed.max,
      rounds: timed.samples,
      opsPerRound: timed.opsPerRound,
      rawSameProcessNs: base.median,
      ratio: timed.median / base.median,
      addedNs: timed.median - base.median,
      ratioClean: timed.median / cleanRaw,
      bytesPerOp: allocated?.median,
      rawBytesPerOp: alloc ? alloc[0].median : undefined,
      allocRatio: allocated && alloc ? allocated.median / alloc[0].median : undefined,
      allocSamples: allocated?.samples,
    });
    rows.push(entry(lib ?? base, lib && alloc ? alloc[1] : undefined));
    // The library's extra rows (e.g. TTA's record-form parallel), measured in the same rounds: also
    // compared with the library's own row of this process (time: median of the per-round ratios).
    for (const extra of run.scenarios[name].slice(2)) {
      const allocated = alloc?.find((a) => a.id === extra.id);
      rows.push({
        ...entry(extra, allocated),
        id: extra.id,
        vsLibraryRatio: median(extra.samples.map((ns, i) => ns / lib.samples[i])),
        vsLibraryAllocRatio: allocated ? allocated.median / alloc[1].median : undefined,
      });
    }
  }
  // The raw rows' allocation: from the TTA allocation process (every process measures it; they agree).
  const rawAlloc = allocRuns[0].scenarios[name][0];
  for (const r of rows)
    if (r.library === "raw")
      Object.assign(r, { bytesPerOp: rawAlloc.median, rawBytesPerOp: rawAlloc.median, allocRatio: 1 });
  const rawSpread = Math.max(...cleanRows) / Math.min(...cleanRows);
  scenarios[name] = { title: sc.title, cleanRawNs: cleanRaw, rawSpread, rows };
}

function printTable(name, index) {
  const sc = scenarios[name];
  console.log(`Scenario ${index}: ${sc.title}`);
  const head = [
    "row",
    "process",
    "ns/op",
    "rounds min–max",
    "raw same proc",
    "× raw",
    "+ns/op",
    "× clean",
    "alloc/op",
    "× raw alloc",
  ];
  const body = sc.rows.map((r) => [
    r.label,
    r.process,
    fmtNs(r.nsPerOp),
    `${fmtNs(r.minNs)}–${fmtNs(r.maxNs)}`,
    r.library === "raw" ? "" : fmtNs(r.rawSameProcessNs),
    r.library === "raw" ? "" : fmtX(r.ratio),
    r.library === "raw" ? "" : `${r.addedNs >= 0 ? "+" : ""}${fmtNs(r.addedNs)}`,
    fmtX(r.ratioClean),
    r.bytesPerOp === undefined ? "" : fmtB(r.bytesPerOp),
    r.allocRatio === undefined ? "" : fmtX(r.allocRatio),
  ]);
  printRows(head, body);
  console.log(`  clean raw baseline (mean of the raw-only processes): ${fmtNs(sc.cleanRawNs)}`);
  if (sc.rawSpread > 1.3)
    console.log(
      `  ! the raw-only processes disagree by ${fmtX(sc.rawSpread)}: the machine was busy or noisy during this run; ` +
        `"× clean" is unreliable, trust "× raw" (same process, interleaved) and allocation`,
    );
  console.log("");
}
printTable("sequential", 1);
printTable("parallel", 2);

// ---------------------------------------------------------------------------------------------
const get = (name, lib) => scenarios[name].rows.find((r) => r.library === lib && r.id === undefined);
const getExtra = (name, id) => scenarios[name].rows.find((r) => r.id === id);
const targets = [];
for (const name of Object.keys(SCENARIOS)) {
  const tta = get(name, "tta");
  const base = SCENARIOS[name].baselineLabel;
  targets.push({
    id: `${name}.time`,
    text: `${name}: TTA ≤ ${TARGETS.maxTimeRatio}× ${base}`,
    pass: tta.ratio <= TARGETS.maxTimeRatio,
    detail: `${fmtX(tta.ratio)} (${fmtNs(tta.nsPerOp)} vs ${fmtNs(tta.rawSameProcessNs)} in the same process; ${fmtX(tta.ratioClean)} vs the raw-only processes)`,
  });
  const peers = PEERS.map((p) => get(name, p));
  targets.push({
    id: `${name}.peers`,
    text: `${name}: TTA faster than Effect 3 and LangChain`,
    pass: peers.every((p) => tta.nsPerOp < p.nsPerOp),
    detail: `TTA ${fmtNs(tta.nsPerOp)}; ${peers.map((p) => `${p.library} ${fmtNs(p.nsPerOp)} (${fmtX(p.nsPerOp / tta.nsPerOp)} TTA)`).join("; ")}`,
  });
}
const seqTta = get("sequential", "tta");
targets.push({
  id: "sequential.time.tight",
  text: `sequential at top level (no context passed): TTA ≤ ${TARGETS.maxSequentialRatio}× raw await chain (issue 11 item 3)`,
  pass: seqTta.ratio <= TARGETS.maxSequentialRatio,
  detail: `${fmtX(seqTta.ratio)} (${fmtNs(seqTta.nsPerOp)} vs ${fmtNs(seqTta.rawSameProcessNs)} in the same process)`,
});
targets.push({
  id: "sequential.alloc",
  text: `allocation per ${WIDTH}-step execution: TTA ≤ ${TARGETS.maxAllocRatio}× the raw chain's`,
  pass: seqTta.allocRatio <= TARGETS.maxAllocRatio,
  detail: `${fmtX(seqTta.allocRatio)} (${fmtB(seqTta.bytesPerOp)} vs ${fmtB(seqTta.rawBytesPerOp)})`,
});
const parArray = get("parallel", "tta");
const parRecord = getExtra("parallel", "parallelRecord");
const recordFigures = `${fmtNs(parRecord.nsPerOp)} vs ${fmtNs(parArray.nsPerOp)}, ${fmtB(parRecord.bytesPerOp)} vs ${fmtB(parArray.bytesPerOp)}`;
targets.push({
  id: "parallel.record.time",
  text: `parallel record form: TTA parallel({b0..b9}) ≤ ${TARGETS.maxRecordRatio}× the array form's time (same process)`,
  pass: parRecord.vsLibraryRatio <= TARGETS.maxRecordRatio,
  detail: `${fmtX(parRecord.vsLibraryRatio)}, median of the per-round ratios (${recordFigures})`,
});
targets.push({
  id: "parallel.record.alloc",
  text: `parallel record form: TTA parallel({b0..b9}) ≤ ${TARGETS.maxRecordRatio}× the array form's allocation`,
  pass: parRecord.vsLibraryAllocRatio <= TARGETS.maxRecordRatio,
  detail: `${fmtX(parRecord.vsLibraryAllocRatio)} (${recordFigures})`,
});

console.log("TTA targets (time ratios use the baseline measured in the same process)");
const failed = printTargets(targets);
const noisy = Object.values(scenarios).some((sc) => sc.rawSpread > 1.3);
if (noisy)
  console.log(
    "  ! noisy run (the raw-only processes disagree by more than 30 %): time verdicts near a limit can flip; " +
      "repeat the run on an idle machine before acting on them (allocation verdicts are stable)",
  );

const { checks, network, otel } = processChecks([...timeRuns, ...allocRuns], (r) => `${r.library}/${r.mode}`);
const ttaInfo = timeRuns.find((r) => r.library === "tta").info;
console.log("");
console.log(
  `Checks: network attempts in all benchmark processes: ${network}; ` +
    `OpenTelemetry: ${otel}; TTA event subscribers: ${ttaInfo.eventSubscribers}`,
);
console.log(`TTA loaded from ${path.relative(process.cwd(), fileURLToPath(ttaInfo.resolved))}`);

const outFile = writeResults("latest.json", {
  date: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  node: process.version,
  v8: process.versions.v8,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: cpu.length,
  cpuModel: cpu[0]?.model,
  loadAvgBefore: loadBefore,
  loadAvgAfter: os.loadavg(),
  versions,
  config: { time: TIME, alloc: ALLOC, timeFlags: TIME_FLAGS, allocFlags: ALLOC_FLAGS, targets: TARGETS },
  scenarios,
  targets,
  noisy,
  checks,
  processes: { time: timeRuns, alloc: allocRuns },
});
console.log(`Wrote ${path.relative(process.cwd(), outFile)} in ${secondsSince(started)} s total`);

// Scenario 3, observability overhead (@tta/observability): its own processes, table and targets.
console.log("");
const { runObservabilityBench } = await import("./observability-run.mjs");
const observability = await runObservabilityBench({ quick });
if (check && (failed > 0 || observability.failed > 0)) process.exit(1);
