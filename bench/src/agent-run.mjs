// Agent-context benchmark orchestrator: `node src/agent-run.mjs [--quick] [--check]` (run it through
// `pnpm bench` at the repo root, which builds @tta/primitives and @tta/agent-context first). Spawns
// fresh Node processes (src/agent-child.mjs), prints the tables and the targets of issue 12
// ("Performance"), and appends the run to results/agent.json.
//   --quick  fewer, shorter rounds (a smoke run; numbers are noisier)
//   --check  exit 1 when a target fails (default: always exit 0 after a complete run)
import os from "node:os";
import { median, quantile } from "./harness.mjs";
import {
  ACTUAL,
  AGENT_NAME,
  AGENT_SCENARIOS,
  BUDGET_LIMITS,
  ESTIMATE,
  MODEL,
  PROMPT,
  USAGE,
  WIDTH,
} from "./agent-scenarios.mjs";
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
  fmtNsFine as fmtNs,
  fmtX,
  libVersion,
  loadLine,
  machineLine,
  pairedStats,
  pairedTimeMethod,
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
  subscribersOf,
  taggedChildRunner,
  timeColumns,
  timeConfig,
} from "./runner-common.mjs";

const { quick, check } = parseArgs();

const TIME = timeConfig(quick);
// Up to 200 000 ops per batch (as the cache runner): the reserve/commit row allocates ~100 B, and small
// batches let a few KB of one-off allocation move it.
const ALLOC = allocConfig(200_000);
/** Time processes, in this order; the two agent processes decide the verdicts. */
const TIME_PLAN = [
  ["primitives", "primitives, first"],
  ["agent", "agent A"],
  ["agent", "agent B"],
  ["primitives", "primitives, last"],
];
/** Allocation: the agent process measures every row; the primitives one shows loading the package changes nothing. */
const ALLOC_PLAN = ["primitives", "agent"];

const runChild = taggedChildRunner({
  script: "agent-child.mjs",
  name: "agent child",
  labelWidth: 17,
  time: TIME,
  alloc: ALLOC,
});

// ---------------------------------------------------------------------------------------------
const start = runStart();
const { cpu, loadBefore } = start;
const versions = {
  "@tta/primitives": libVersion("@tta/primitives"),
  "@tta/agent-context": libVersion("@tta/agent-context"),
};
const M = AGENT_SCENARIOS.model;
const RS = AGENT_SCENARIOS.reserve;
const C = AGENT_SCENARIOS.coordinate;
const usd = (x) => `$${x.toExponential(2)}`;
console.log(
  [
    "",
    `TTA agent-context micro-benchmark: @tta/agent-context ${versions["@tta/agent-context"]} and @tta/primitives ${versions["@tta/primitives"]} (built dist): an agent and a budget on a model call, coordinate vs parallel`,
    machineLine(start),
    "",
    "Method",
    "  • No OpenTelemetry SDK and no TTA event subscriber (checked below): the primitives' span and event code costs its",
    '    checks only, and coordinate "all" takes its unobserved path (an inner parallel).',
    `  • Model: a trivial LanguageModel { provider: "${MODEL.provider}", modelId: "${MODEL.modelId}", generate } whose generate returns`,
    `    Promise.resolve(a prebuilt response, usage ${USAGE.inputTokens} + ${USAGE.outputTokens} tokens); request: one user message ${JSON.stringify(PROMPT)}.`,
    "    (a) model(lm).execute(request, ctx), ctx = createContext(); (b) the same with ctx = withAgent(createContext(),",
    `    { name: "${AGENT_NAME}", budget: createBudget(${JSON.stringify(BUDGET_LIMITS)}) }); contexts made once. Under (b) model() estimates`,
    `    (characters / 4: ${ESTIMATE.inputTokens} input tokens), prices the estimate and the usage from the default catalogue (${MODEL.modelId} is listed),`,
    "    reserves and commits. After the run each budget is checked: ops × 10 tokens committed, nothing reserved.",
    `  • (c) agentOf(ctx).budget.reserve(estimate, ctx).commit(actual) with the amounts model() uses (estimate ${ESTIMATE.inputTokens}/${ESTIMATE.outputTokens} tokens,`,
    `    ${usd(ESTIMATE.costUsd)}; actual ${ACTUAL.inputTokens}/${ACTUAL.outputTokens}, ${usd(ACTUAL.costUsd)}; objects made once), against the driver alone (an op returning 1).`,
    `  • Coordinate: ${WIDTH} agents lambda(async (x) => x + 1) per primitive (each row its own ${WIDTH}), input 0, no ctx (a root context`,
    `    per call) unless said. parallel(ten).execute(0) vs coordinate(ten).execute(0) (strategy "all"); "first" and "any",`,
    `    and both given a ctx made once, are informational. Also raw Promise.all(${WIDTH} fns.map((f) => f(0))).`,
    ...pairedTimeMethod(TIME_PLAN, TIME, "the two agent processes"),
    "    The primitives processes never load @tta/agent-context: their (a) and parallel rows show whether loading it changes",
    "    code that does not use it.",
    `  • Allocation: one process per kind with a ${SEMI_SPACE_MB} MB semi-space, no GC inside a batch (checked), heapUsed delta / ops,`,
    `    median of ${ALLOC.batches} batches; includes the driver loop's own await (the same for every row).`,
    "",
  ].join("\n"),
);

const { timeRuns, allocRuns } = await runPlan("agent benchmark", TIME_PLAN, ALLOC_PLAN, runChild);

// ---------------------------------------------------------------------------------------------
const fmtSigned = signed(fmtNs);
const fmtSignedB = signed(fmtB);
const agentAlloc = allocRuns.find((r) => r.kind === "agent");
const primitivesAlloc = allocRuns.find((r) => r.kind === "primitives");
/** B/op of a row: from the agent allocation process (which measures every row). */
const allocOf = (id) => rowOf(agentAlloc, id)?.median;

/** A scenario's rows from every process: `raw.*` rows only from the primitives processes. */
function tableRows(ids, baseOf) {
  const rows = timeRuns.flatMap((run) =>
    ids.flatMap((id) => {
      if (id.startsWith("raw.") && run.kind !== "primitives") return [];
      const s = pairedStats(run, id, baseOf(id));
      return s ? [s] : [];
    }),
  );
  return rows.sort(byIdThenProcess(ids, TIME_PLAN));
}
const runOf = (r) => timeRuns.find((x) => x.tag === r.process);
const ratioTo = (baseId) => (r) => fmtX(pairedStats(runOf(r), r.id, baseId).ratio);

// Table 1: the model call under a plain context and under an agent with a budget.
const modelBaseOf = (id) => (id === M.agent ? M.baseline : id);
const modelRows = tableRows(M.rows, modelBaseOf);
const isModelBase = (r) => r.id !== M.agent;
printColumns(`Agent 1: ${M.title}`, modelRows, [
  ...timeColumns({ base: "(a)", isBase: isModelBase, fmt: fmtNs, heads: { added: "+ns vs (a)" } }),
  ["× raw generate", (r) => (r.id === "raw.generate" ? "" : ratioTo("raw.generate")(r))],
  ...allocColumns({
    bytesOf: allocOf,
    baseBytesOf: () => allocOf(M.baseline),
    isBase: isModelBase,
    heads: { added: "+B/op vs (a)" },
  }),
]);

// Table 2: reserve/commit alone, against the driver alone.
const reserveRows = tableRows(RS.rows, () => RS.baseline);
const isReserveBase = (r) => r.id === RS.baseline;
printColumns(`Agent 2: ${RS.title}`, reserveRows, [
  ...timeColumns({ base: "driver", isBase: isReserveBase, fmt: fmtNs, heads: { added: "+ns vs driver" } }),
  ...allocColumns({
    bytesOf: allocOf,
    baseBytesOf: () => allocOf(RS.baseline),
    isBase: isReserveBase,
    heads: { added: "+B/op vs driver" },
  }),
]);

// Table 3: coordinate vs parallel.
const coordBaseOf = (id) => C.baselineOf[id] ?? C.baseline;
const coordRows = tableRows(C.rows, coordBaseOf);
const isCoordBase = (r) => r.id === r.baseline;
printColumns(`Agent 3: ${C.title}`, coordRows, [
  ["vs", (r) => (isCoordBase(r) ? "" : r.baseline)],
  ...timeColumns({ base: "base", isBase: isCoordBase, fmt: fmtNs, heads: { base: "base same proc" } }),
  ["× raw Promise.all", (r) => (r.id === "raw.all" ? "" : ratioTo("raw.all")(r))],
  ...allocColumns({ bytesOf: allocOf, baseBytesOf: (r) => allocOf(r.baseline), isBase: isCoordBase }),
  ["alloc × base", (r) => (isCoordBase(r) ? "" : fmtX(allocOf(r.id) / allocOf(r.baseline)))],
]);

// ---------------------------------------------------------------------------------------------
const agentRuns = timeRuns.filter((r) => r.kind === "agent");
const primitivesRuns = timeRuns.filter((r) => r.kind === "primitives");
const diffs = (s) => s.roundDiffs;
const ratios = (s) => s.roundRatios;
const targets = [];

// Target 1: (b) − (a), pooled per-round differences of the two agent processes.
const modelDiffs = pooled(agentRuns, M.agent, M.baseline, diffs);
const modelAdded = median(modelDiffs);
const modelAllocAdded = allocOf(M.agent) - allocOf(M.baseline);
const reserveDiffs = pooled(agentRuns, RS.row, RS.baseline, diffs);
const reserveAdded = median(reserveDiffs);
const reserveAllocAdded = allocOf(RS.row) - allocOf(RS.baseline);
const modelPerProcess = agentRuns
  .map((run) => pairedStats(run, M.agent, M.baseline))
  .map((s) => `${s.process}: ${fmtNs(s.baselineSameProcessNs)} → ${fmtNs(s.nsPerOp)} (${fmtSigned(s.addedNs)})`)
  .join("; ");
targets.push({
  id: "model.agent-budget",
  text: M.text,
  pass: modelAdded <= M.maxAddedNs,
  addedNs: modelAdded,
  maxAddedNs: M.maxAddedNs,
  addedP25: quantile(modelDiffs, 0.25),
  addedP75: quantile(modelDiffs, 0.75),
  rounds: modelDiffs.length,
  bytesPlain: allocOf(M.baseline),
  bytesAgent: allocOf(M.agent),
  addedBytes: modelAllocAdded,
  reserveCommit: { addedNs: reserveAdded, addedBytes: reserveAllocAdded },
  detail:
    `(b) − (a) ${fmtSigned(modelAdded)}/op (median of per-round differences, ${modelDiffs.length} rounds; ${modelPerProcess}; ` +
    `noise p25–p75 ${fmtSigned(quantile(modelDiffs, 0.25))}…${fmtSigned(quantile(modelDiffs, 0.75))}); allocation ` +
    `${fmtSignedB(modelAllocAdded)}/op ((a) ${fmtB(allocOf(M.baseline))}, (b) ${fmtB(allocOf(M.agent))}); ` +
    `(c) agentOf + reserve/commit alone ${fmtSigned(reserveAdded)}/op and ${fmtSignedB(reserveAllocAdded)}/op over the driver alone`,
});

// Target 2: coordinate "all" / parallel, pooled per-round ratios of the two agent processes.
const coordRatios = pooled(agentRuns, C.row, C.baseline, ratios);
const coordRatio = median(coordRatios);
const coordAllocRatio = allocOf(C.row) / allocOf(C.baseline);
const coordPerProcess = agentRuns
  .map((run) => pairedStats(run, C.row, C.baseline))
  .map((s) => `${s.process}: ${fmtNs(s.nsPerOp)} vs ${fmtNs(s.baselineSameProcessNs)} (${fmtX(s.ratio)})`)
  .join("; ");
targets.push({
  id: "coordinate.all",
  text: C.text,
  pass: coordRatio <= C.maxRatio,
  ratio: coordRatio,
  maxRatio: C.maxRatio,
  rounds: coordRatios.length,
  addedNs: median(pooled(agentRuns, C.row, C.baseline, diffs)),
  bytesCoordinate: allocOf(C.row),
  bytesParallel: allocOf(C.baseline),
  allocRatio: coordAllocRatio,
  detail:
    `${fmtX(coordRatio)} (median per-round ratio, ${coordRatios.length} rounds; ${coordPerProcess}); ` +
    `${fmtSigned(median(pooled(agentRuns, C.row, C.baseline, diffs)))}/op; allocation ${fmtX(coordAllocRatio)} ` +
    `(${fmtB(allocOf(C.row))} vs ${fmtB(allocOf(C.baseline))}/op, ${fmtSignedB(allocOf(C.row) - allocOf(C.baseline))})`,
});

console.log("Agent targets (issue 12 Performance; verdicts from the two agent processes, rounds pooled)");
const failed = printTargets(targets, "agent targets");

// Informational: the other strategies, and the ctx-given pair.
const informational = C.informational.map((id) => {
  const baseId = coordBaseOf(id);
  return {
    id,
    baseline: baseId,
    ratio: median(pooled(agentRuns, id, baseId, ratios)),
    addedNs: median(pooled(agentRuns, id, baseId, diffs)),
    nsPerOp: median(agentRuns.map((run) => rowOf(run, id).median)),
    bytesPerOp: allocOf(id),
    allocRatio: allocOf(id) / allocOf(baseId),
  };
});
const info = Object.fromEntries(informational.map((i) => [i.id, i]));
const infoText = (i) =>
  `${fmtX(i.ratio)} (${fmtNs(i.nsPerOp)}, ${fmtSigned(i.addedNs)}/op; ${fmtB(i.bytesPerOp)}/op, alloc ${fmtX(i.allocRatio)})`;
console.log(
  `  Informational (agent processes, against parallel of the same process): coordinate "first" ` +
    `${infoText(info["tta.coordinate.first"])}; "any" ${infoText(info["tta.coordinate.any"])}; ` +
    `"all" with a ctx made once, against parallel with it: ${infoText(info["tta.coordinate.all.ctx"])}.`,
);

// Does loading @tta/agent-context change code that does not use it? (Across processes: noise-bound for time.)
const acrossKinds = (id) => {
  const meanOf = (runs) => runs.reduce((sum, run) => sum + rowOf(run, id).median, 0) / runs.length;
  return {
    primitivesNs: meanOf(primitivesRuns),
    agentNs: meanOf(agentRuns),
    primitivesBytes: rowOf(primitivesAlloc, id).median,
    agentBytes: rowOf(agentAlloc, id).median,
  };
};
const loading = { [M.baseline]: acrossKinds(M.baseline), [C.baseline]: acrossKinds(C.baseline) };
const loadingText = (l) =>
  `${fmtNs(l.primitivesNs)} vs ${fmtNs(l.agentNs)}, ${fmtB(l.primitivesBytes)} vs ${fmtB(l.agentBytes)}/op`;
console.log(
  `  Loading @tta/agent-context (primitives processes vs agent processes, time across processes): ` +
    `(a) ${loadingText(loading[M.baseline])}; parallel ${loadingText(loading[C.baseline])}.`,
);

// Noise: the baselines across processes.
const generateSpread = spreadOf(timeRuns, "raw.generate");
const allSpread = spreadOf(timeRuns, "raw.all");
const loadAfter = os.loadavg();
console.log(
  `  Noise: lm.generate ${fmtNs(generateSpread.min)}–${fmtNs(generateSpread.max)} (${fmtX(generateSpread.spread)}), ` +
    `raw Promise.all ${fmtNs(allSpread.min)}–${fmtNs(allSpread.max)} (${fmtX(allSpread.spread)}) across the ` +
    `${timeRuns.length} time processes; ${loadLine(loadBefore, loadAfter, cpu.length)}` +
    busyNote(Math.max(generateSpread.spread, allSpread.spread), loadBefore, "; allocation is stable"),
);
const budgetRuns = [...timeRuns, ...allocRuns].filter((r) => r.kind === "agent");
const budgetLine = (id) => {
  const calls = budgetRuns.reduce((n, run) => n + run.budgets[id].ops, 0);
  const tokens = budgetRuns.reduce((n, run) => n + run.budgets[id].spentTokens, 0);
  const reserved = budgetRuns.reduce((n, run) => n + run.budgets[id].reservedTokens, 0);
  return `${calls.toLocaleString("en")} calls, ${tokens.toLocaleString("en")} tokens committed, ${reserved} reserved`;
};
const { checks, network, otel } = processChecks(
  [...timeRuns, ...allocRuns],
  (r) => `${r.tag}/${r.mode}`,
  (r) => ({ eventSubscribers: r.info.tta?.eventSubscribers, currentAgent: r.info.agent?.currentAgent }),
);
console.log(
  `  Checks: network attempts ${network}; OpenTelemetry: ${otel}; TTA event subscribers: ${subscribersOf(checks)}; ` +
    `budgets (every agent process, checked in the child): (b) ${budgetLine(M.agent)}; (c) ${budgetLine(RS.row)}.`,
);

// ---------------------------------------------------------------------------------------------
const withBytes = (s) => ({ ...s, bytesPerOp: allocOf(s.id) });
appendRun(
  "agent.json",
  {
    ...runFields(start, { quick, loadAfter, versions }),
    config: {
      time: TIME,
      alloc: ALLOC,
      timeFlags: TIME_FLAGS,
      allocFlags: ALLOC_FLAGS,
      timePlan: TIME_PLAN,
      allocPlan: ALLOC_PLAN,
      width: WIDTH,
      model: MODEL,
      usage: USAGE,
      budget: BUDGET_LIMITS,
      estimate: ESTIMATE,
      actual: ACTUAL,
    },
    scenarios: {
      model: modelRows.map(withBytes),
      reserve: reserveRows.map(withBytes),
      coordinate: coordRows.map(withBytes),
    },
    allocation: Object.fromEntries(
      allocRuns.map((run) => [
        run.kind,
        Object.fromEntries(run.rows.map((r) => [r.id, { median: r.median, samples: r.samples }])),
      ]),
    ),
    informational,
    loadingAgentContext: loading,
    noise: { generate: generateSpread, promiseAll: allSpread },
    targets,
    checks,
    processes: { time: timeRuns, alloc: allocRuns },
  },
  start.started,
);
if (check && failed > 0) process.exit(1);
