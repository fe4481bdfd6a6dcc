// One model-benchmark process: `node --expose-gc src/model-child.mjs <raw|tta|http> <time|alloc> [json-config]`.
// raw/tta: the fake model called directly and (tta) through model()/streamModel(), all rows
// interleaved round by round. http: the OpenAI-compatible provider, the `openai` client and plain
// `fetch` against the simulated provider at `config.baseURL` (loopback only; the server runs in a
// process of its own). Prints one JSON line on stdout; diagnostics go to stderr.
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import { childArgs, measure, printResult, rowsResult } from "./harness.mjs";
import { MODEL_LIBRARIES, PROCESS_KINDS, baselineRows } from "./model-scenarios.mjs";

const { name: kindName, kind, mode, config } = childArgs(PROCESS_KINDS);

// Network guard: nothing in a benchmark may talk to the network; the HTTP process may reach loopback.
const network = installNetworkGuard({ allowLoopback: kind.loopback === true });

const rows = [];
const info = {};
if (kind.baselines !== false) {
  const baselines = baselineRows();
  rows.push(...baselines.rows);
  info.baselines = baselines.info;
}
const closers = [];
for (const lib of kind.libraries) {
  const loaded = await MODEL_LIBRARIES[lib].load(config);
  rows.push(...loaded.rows);
  if (loaded.close) closers.push(loaded.close);
  info[lib] = loaded.info;
}

// Correctness first: every row's result is checked before anything is measured.
for (const row of rows) row.expect(await row.op());

const measured = await measure(rows, mode, config);
// Every row called its model (or server) once per op.
for (const row of rows) row.check?.();
for (const close of closers) await close();

printResult({
  ...rowsResult(kindName, mode, rows, measured),
  // Calls of each row's op (checks, warm-up and measurement): the HTTP rows' sum is checked
  // against the requests the simulated provider answered.
  opCounts: Object.fromEntries(rows.filter((r) => r.ops).map((r) => [r.id, r.ops()])),
  info: { ...info, otel: otelState(), networkAttempts: network.attempts, loopbackConnections: network.loopback },
});
