// Recovery benchmark orchestrator: `node src/recovery-run.mjs [--quick] [--check]` (run it through
// `pnpm bench` at the repo root, which builds @tta/primitives first). Spawns fresh Node processes
// (src/recovery-child.mjs), prints the tables and the targets of issue 3 item 8, and appends the run
// to results/recovery.json.
//   --quick  fewer, shorter rounds (a smoke run; numbers are noisier)
//   --check  exit 1 when a target fails (default: always exit 0 after a complete run)
import os from "node:os";
import { median } from "./harness.mjs";
import { RECOVERY_SCENARIOS, TIMEOUT_MS } from "./recovery-scenarios.mjs";
import {
  ALLOC_FLAGS,
  SEMI_SPACE_MB,
  TIME_FLAGS,
  allocColumns,
  allocConfig,
  appendRun,
  busyNote,
  byIdThenProcess,
  fmtB,
  fmtNs,
  fmtX,
  libVersion,
  loadLine,
  machineLine,
  pairedStats,
  parseArgs,
  pooled,
  printColumns,
  printTargets,
  processChecks,
  rowOf,
  runFields,
  runPlan,
  runStart,
  signed,
  spreadOf,
  taggedChildRunner,
  timeColumns,
  timeConfig,
} from "./runner-common.mjs";

const { quick, check } = parseArgs();

const TIME = timeConfig(quick);
const ALLOC = allocConfig(20_000);
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

const runChild = taggedChildRunner({
  script: "recovery-child.mjs",
  name: "recovery child",
  labelWidth: 15,
  time: TIME,
  alloc: ALLOC,
});

// ---------------------------------------------------------------------------------------------
const start = runStart();
const { cpu, loadBefore } = start;
const versions = { "@tta/primitives": libVersion("@tta/primitives"), cockatiel: libVersion("cockatiel") };
console.log(
  [
    "",
    `TTA recovery micro-benchmark: @tta/primitives ${versions["@tta/primitives"]} (built dist) vs raw calls, a hand-written timeout and cockatiel ${versions.cockatiel}`,
    machineLine(start),
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

const { timeRuns, allocRuns } = await runPlan("recovery benchmark", TIME_PLAN, ALLOC_PLAN, runChild);

// ---------------------------------------------------------------------------------------------
const fmtSigned = signed(fmtNs);

const allocOf = (id) => {
  for (const run of allocRuns) {
    const row = rowOf(run, id);
    if (row && !id.startsWith("raw.")) return row.median;
  }
  return rowOf(allocRuns[0], id)?.median;
};
const rawAllocB = rowOf(allocRuns[0], "raw.call").median;

/**
 * Stats of one row in one process against that process's raw call, paired by round (pairedStats);
 * "× raw" here is the ratio of the two medians (`rawSameProcessNs`: as in the earlier runs' JSON).
 */
function stats(run, id) {
  const s = pairedStats(run, id, "raw.call");
  if (!s) return undefined;
  const { roundRatios: _perRound, ...rest } = s;
  return { ...rest, rawSameProcessNs: s.baselineSameProcessNs, ratio: s.nsPerOp / s.baselineSameProcessNs };
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

const isRawCall = (r) => r.id === "raw.call";
const columns = [
  ...timeColumns({ base: "raw", isBase: isRawCall }),
  ...allocColumns({ bytesOf: allocOf, baseBytesOf: () => rawAllocB, isBase: isRawCall }),
];
const printTable = (title, ids) => printColumns(title, tableRows(ids).sort(byIdThenProcess(ids, TIME_PLAN)), columns);

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
const targets = [];
for (const [name, sc] of Object.entries(RECOVERY_SCENARIOS)) {
  const t = sc.target;
  if (t.kind === "peer-added") {
    const ttaDiffs = pooled(bothRuns, sc.tta, "raw.call", (s) => s.roundDiffs);
    const peerDiffs = pooled(bothRuns, sc.peer, "raw.call", (s) => s.roundDiffs);
    const ttaAdded = median(ttaDiffs);
    const peerAdded = median(peerDiffs);
    // Head to head, round by round (the raw call cancels out).
    const h2h = pooled(bothRuns, sc.tta, sc.peer, (s) => s.roundDiffs);
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
    const ratios = pooled(bothRuns, sc.tta, sc.hand, (s) => s.roundRatios);
    const ratio = median(ratios);
    // Per process: the ratio of the medians.
    const perProcess = timeRuns
      .flatMap((run) => pairedStats(run, sc.tta, sc.hand) ?? [])
      .map(
        (s) =>
          `${s.process}: ${fmtNs(s.nsPerOp)} vs ${fmtNs(s.baselineSameProcessNs)} (${fmtX(s.nsPerOp / s.baselineSameProcessNs)})`,
      )
      .join("; ");
    const peer = pooled(bothRuns, sc.peer, sc.tta, (s) => [s.nsPerOp / s.baselineSameProcessNs]);
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
const failed = printTargets(targets, "recovery targets");
console.log(
  `  Allocation per op (raw call ${fmtB(rawAllocB)}): TTA retry ${allocTarget("tta.retry")}, breaker ${allocTarget("tta.breaker")}, ` +
    `timeout ${allocTarget("tta.timeout")}; cockatiel retry ${allocTarget("cockatiel.retry")}, breaker ${allocTarget("cockatiel.breaker")}, ` +
    `timeout ${allocTarget("cockatiel.timeout")}; hand-written timeout ${allocTarget("raw.timeout")}`,
);

// Noise: the raw call across processes, and the spread of the per-round differences.
const rawCalls = spreadOf(timeRuns, "raw.call");
const rawSpread = rawCalls.spread;
const loadAfter = os.loadavg();
console.log(
  `  Noise: raw await inc(0) measured ${fmtNs(rawCalls.min)}–${fmtNs(rawCalls.max)} across the ${timeRuns.length} time processes ` +
    `(${fmtX(rawSpread)}); ${loadLine(loadBefore, loadAfter, cpu.length)}` +
    busyNote(rawSpread, loadBefore, "; allocation is stable"),
);
const { checks, network, otel } = processChecks([...timeRuns, ...allocRuns], (r) => `${r.kind}/${r.mode}`);
console.log(
  `  Checks: network attempts ${network}; OpenTelemetry: ${otel}; ` +
    `TTA event subscribers: ${timeRuns.find((r) => r.kind === "tta").info.tta.eventSubscribers}`,
);

// ---------------------------------------------------------------------------------------------
const scenarios = {};
for (const name of Object.keys(RECOVERY_SCENARIOS))
  scenarios[name] = tableRows(scenarioIds[name]).map((s) => ({ ...s, bytesPerOp: allocOf(s.id) }));
appendRun(
  "recovery.json",
  {
    ...runFields(start, { quick, loadAfter, versions }),
    config: { time: TIME, alloc: ALLOC, timeFlags: TIME_FLAGS, allocFlags: ALLOC_FLAGS, timePlan: TIME_PLAN },
    scenarios,
    extra: tableRows(["tta.lambda", "tta.retryLambda", "tta.retryCtx"]).map((s) => ({
      ...s,
      bytesPerOp: allocOf(s.id),
    })),
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
  },
  start.started,
);
if (check && failed > 0) process.exit(1);
