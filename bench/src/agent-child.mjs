// One agent-benchmark process: `node --expose-gc src/agent-child.mjs <primitives|agent> <time|alloc> [json-config]`.
// Measures the baselines (the driver alone, the fake model called directly, a raw Promise.all) and
// the loaded libraries' rows, all interleaved round by round in this process, and prints one JSON
// line on stdout. Diagnostics go to stderr.
// (child.mjs is tied to scenarios.mjs, so the agent scenarios have their own child.)
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import { childArgs, measure, printResult, rowsResult } from "./harness.mjs";
import { AGENT_LIBRARIES, PROCESS_KINDS, baselineRows } from "./agent-scenarios.mjs";

const { name: kindName, kind, mode, config } = childArgs(PROCESS_KINDS);

// Network guard: nothing in a benchmark may talk to the network.
const network = installNetworkGuard();

const baselines = baselineRows();
const rows = [...baselines.rows];
const info = { baselines: baselines.info };
const budgetReports = [];
for (const lib of kind.libraries) {
  const loaded = await AGENT_LIBRARIES[lib].load();
  rows.push(...loaded.rows);
  if (loaded.budgets) budgetReports.push(loaded.budgets);
  info[lib] = loaded.info;
}

// Correctness first: every row's result is checked before anything is measured.
for (const row of rows) row.expect(await row.op());
for (const row of rows) row.check?.();

const measured = await measure(rows, mode, config);
// Every model row called its model once per op; every budget committed ops × the actual spend and holds nothing.
for (const row of rows) row.check?.();

printResult({
  ...rowsResult(kindName, mode, rows, measured),
  budgets: Object.assign({}, ...budgetReports.map((report) => report())),
  info: {
    ...info,
    tta: { eventSubscribers: info.agent?.eventSubscribers ?? info.primitives?.eventSubscribers },
    otel: otelState(),
    networkAttempts: network.attempts,
  },
});
