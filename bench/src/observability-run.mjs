// Observability overhead of @tta/observability (issue 5): the 10-step workflow and a single
// primitive with (a) no SDK, (b) SDK + BatchSpanProcessor + no-op exporter, (c) (b) plus
// setupObservability's prom-client metrics and logger. `pnpm bench` runs it after the main tables
// (src/run.mjs); alone: `node src/observability-run.mjs [--quick] [--check]` (build
// @tta/primitives and @tta/observability first). Writes results/observability.json.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./harness.mjs";
import { printRows, printTargets, spawnJsonChild, srcDir, timeConfig, writeResults } from "./runner-common.mjs";

/** Targets of issue 5, item 5; the span ratios against the fair baseline of issue 11, item 1. */
export const OBSERVABILITY_TARGETS = Object.freeze({ maxSpanRatio: 1.3, maxMetricsRatio: 1.3 });
/** Processes, in this order: the two "sdk" processes decide the verdicts (median of their ratios). */
const PLAN = [
  ["nosdk", "(a) no SDK"],
  ["sdk", "(b)/(c) SDK + ALS, 1st"],
  ["sdk-noals", "(b)/(c) SDK, no ALS"],
  ["sdk", "(b)/(c) SDK + ALS, 2nd"],
];

function runChild(mode, config) {
  const argv = ["--expose-gc", path.join(srcDir, "observability-child.mjs"), mode, JSON.stringify(config)];
  process.stderr.write(`  … observability ${mode.padEnd(9)} node --expose-gc\n`);
  return spawnJsonChild(argv, { name: `observability child ${mode}` });
}

const fmtNs = (ns) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const fmtX = (x) => `×${x.toFixed(2)}`;

/**
 * Runs the observability processes, prints the table, the derived per-span / per-primitive costs
 * and the targets, writes results/observability.json, and returns `{ failed, targets }`.
 */
export async function runObservabilityBench({ quick = false } = {}) {
  const config = timeConfig(quick);
  const started = Date.now();
  const loadBefore = os.loadavg();
  process.stderr.write("Running observability benchmark processes:\n");
  const runs = [];
  for (const [mode, tag] of PLAN) runs.push({ tag, ...(await runChild(mode, config)) });
  process.stderr.write("\n");

  const spans = runs[0].spansPerWorkflow;
  const get = (run, id) => run.rows.find((r) => r.id === id)?.median;
  console.log(
    `Scenario 3: observability overhead (@tta/observability), ${spans}-span workflow = sequential of 10 lambdas`,
  );
  console.log(
    `  (a) no SDK · (b) NodeTracerProvider + BatchSpanProcessor + no-op exporter (+ AsyncLocalStorage context manager` +
      ` unless "no ALS") · (c) (b) + setupObservability({ tracing: false, metrics: {}, logging: info }) subscribed.` +
      ` Rows of a process are interleaved round by round; ratios use rows of the same process.`,
  );
  const head = ["row", "process", "ns/op", "rounds min–max", "× raw chain"];
  const body = [];
  for (const run of runs) {
    const rawChain = get(run, "raw.chain");
    for (const row of run.rows) {
      const isChain = row.id.includes("chain");
      body.push([
        row.label,
        run.tag,
        fmtNs(row.median),
        `${fmtNs(row.min)}–${fmtNs(row.max)}`,
        isChain && row.id !== "raw.chain" ? fmtX(row.median / rawChain) : "",
      ]);
    }
  }
  printRows(head, body);

  // Derived numbers, from the "sdk" processes (median of the two) and the no-SDK process.
  const sdkRuns = runs.filter((r) => r.mode === "sdk");
  const noals = runs.find((r) => r.mode === "sdk-noals");
  const nosdk = runs.find((r) => r.mode === "nosdk");
  const med = (fn) => median(sdkRuns.map(fn));
  const ratio = (run, a, b) => get(run, a) / get(run, b);
  const derived = {
    spanCostNs: med((r) => (get(r, "bare.chain") - get(r, "raw.chain")) / spans),
    attrSpanCostNs: med((r) => (get(r, "bare.chain.attrs") - get(r, "raw.chain")) / spans),
    primitiveCostNsB: med((r) => (get(r, "tta.chain.b") - get(r, "raw.chain")) / spans),
    primitiveCostNsA: (get(nosdk, "tta.chain.a") - get(nosdk, "raw.chain")) / spans,
    primitiveOverSpanNs: med((r) => (get(r, "tta.chain.b") - get(r, "bare.chain.attrs")) / spans),
    eventEmissionNs: med((r) => (get(r, "tta.chain.noop") - get(r, "tta.chain.b")) / spans),
    metricsNs: med((r) => (get(r, "tta.chain.c") - get(r, "tta.chain.b")) / spans),
    alsRawChainRatio: med((r) => get(r, "raw.chain")) / get(noals, "raw.chain"),
    chainB: med((r) => ratio(r, "tta.chain.b", "bare.chain.attrs")),
    singleB: med((r) => ratio(r, "tta.single.b", "bare.single.attrs")),
    // For information: against bare spans that set no attributes (the baseline before issue 11).
    chainBNoAttrs: med((r) => ratio(r, "tta.chain.b", "bare.chain")),
    singleBNoAttrs: med((r) => ratio(r, "tta.single.b", "bare.single")),
    chainC: med((r) => ratio(r, "tta.chain.c", "tta.chain.b")),
    singleC: med((r) => ratio(r, "tta.single.c", "tta.single.b")),
    noAls: {
      chainB: ratio(noals, "tta.chain.b", "bare.chain.attrs"),
      singleB: ratio(noals, "tta.single.b", "bare.single.attrs"),
      chainC: ratio(noals, "tta.chain.c", "tta.chain.b"),
      singleC: ratio(noals, "tta.single.c", "tta.single.b"),
    },
  };
  console.log("");
  console.log("  Per span / per primitive (median of the two SDK + ALS processes):");
  console.log(`    SDK span, bare startActiveSpan (b):          ${fmtNs(derived.spanCostNs)} per span`);
  console.log(`    SDK span + 4 tta.* attributes (b):           ${fmtNs(derived.attrSpanCostNs)} per span`);
  console.log(`    TTA primitive execution (b):                 ${fmtNs(derived.primitiveCostNsB)} per primitive`);
  console.log(`      of which above a bare span + attributes:   ${fmtNs(derived.primitiveOverSpanNs)}`);
  console.log(`    TTA primitive execution, no SDK (a):         ${fmtNs(derived.primitiveCostNsA)} per primitive`);
  console.log(`    (c) metrics + log subscriber:                ${fmtNs(derived.metricsNs)} per primitive`);
  console.log(
    `      of which the primitives' event emission:   ${fmtNs(derived.eventEmissionNs)} (a no-op subscriber)`,
  );
  console.log(
    `    AsyncLocalStorage tax on the raw chain:      ${fmtX(derived.alsRawChainRatio)} (SDK + ALS vs SDK, no ALS)`,
  );
  console.log(
    `    TTA/bare span without attributes (old baseline): ${fmtX(derived.chainBNoAttrs)} (chain),` +
      ` ${fmtX(derived.singleBNoAttrs)} (single), for information`,
  );
  console.log(
    `    without ALS: TTA/bare+attrs ${fmtX(derived.noAls.chainB)} (chain), ${fmtX(derived.noAls.singleB)} (single);` +
      ` (c)/(b) ${fmtX(derived.noAls.chainC)} (chain), ${fmtX(derived.noAls.singleC)} (single)`,
  );

  const { maxSpanRatio, maxMetricsRatio } = OBSERVABILITY_TARGETS;
  const targets = [
    {
      id: "observability.b.chain",
      text: `(b) TTA 10-step workflow ≤ ${maxSpanRatio}× the same chain of bare startActiveSpan spans with the 4 tta.* attributes`,
      pass: derived.chainB <= maxSpanRatio,
      detail: `${fmtX(derived.chainB)} (per process: ${sdkRuns.map((r) => fmtX(ratio(r, "tta.chain.b", "bare.chain.attrs"))).join(", ")})`,
    },
    {
      id: "observability.b.single",
      text: `(b) one TTA primitive execution ≤ ${maxSpanRatio}× one bare startActiveSpan with the 4 tta.* attributes around the same function`,
      pass: derived.singleB <= maxSpanRatio,
      detail: `${fmtX(derived.singleB)} (per process: ${sdkRuns.map((r) => fmtX(ratio(r, "tta.single.b", "bare.single.attrs"))).join(", ")})`,
    },
    {
      id: "observability.c.chain",
      text: `(c) metrics add ≤ ${Math.round((maxMetricsRatio - 1) * 100)} % to (b), 10-step workflow`,
      pass: derived.chainC <= maxMetricsRatio,
      detail: `${fmtX(derived.chainC)} (per process: ${sdkRuns.map((r) => fmtX(ratio(r, "tta.chain.c", "tta.chain.b"))).join(", ")})`,
    },
    {
      id: "observability.c.single",
      text: `(c) metrics add ≤ ${Math.round((maxMetricsRatio - 1) * 100)} % to (b), single primitive`,
      pass: derived.singleC <= maxMetricsRatio,
      detail: `${fmtX(derived.singleC)} (per process: ${sdkRuns.map((r) => fmtX(ratio(r, "tta.single.c", "tta.single.b"))).join(", ")})`,
    },
  ];
  console.log("");
  console.log("Observability targets (same-process ratios)");
  const failed = printTargets(targets);
  const network = runs.reduce((n, r) => n + r.networkAttempts, 0);
  console.log(`  Network attempts in the observability processes: ${network}`);

  const outFile = writeResults("observability.json", {
    date: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    node: process.version,
    loadAvgBefore: loadBefore,
    loadAvgAfter: os.loadavg(),
    config,
    targets,
    derived,
    runs,
  });
  console.log(`Wrote ${path.relative(process.cwd(), outFile)}`);
  return { failed, targets, derived };
}

// Run directly: `node src/observability-run.mjs [--quick] [--check]`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  const { failed } = await runObservabilityBench({ quick: args.has("--quick") });
  if (args.has("--check") && failed > 0) process.exit(1);
}
