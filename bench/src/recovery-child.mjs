// One recovery-benchmark process: `node --expose-gc src/recovery-child.mjs <raw|tta|cockatiel|both> <time|alloc> [json-config]`.
// Measures the hand-written baselines and the loaded libraries' rows, interleaved round by round in
// this process, and prints one JSON line on stdout. Diagnostics go to stderr.
// (child.mjs is tied to scenarios.mjs, so the recovery scenarios have their own child.)
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import { childArgs, measure, printResult, rowsResult } from "./harness.mjs";
import { PROCESS_KINDS, RECOVERY_LIBRARIES, baselineRows } from "./recovery-scenarios.mjs";

const { name: kindName, kind, mode, config } = childArgs(PROCESS_KINDS);

// Network guard: nothing in a benchmark may talk to the network.
const network = installNetworkGuard();

const rows = [...baselineRows()];
const checks = [];
const info = {};
for (const lib of kind.libraries) {
  const loaded = await RECOVERY_LIBRARIES[lib].load({ extras: kind.extras === true });
  rows.push(...loaded.rows);
  if (loaded.check) checks.push(loaded.check);
  info[lib] = loaded.info;
}

// Correctness first: every op must produce 1, and the breakers must be (and stay) closed.
for (const row of rows) {
  const value = await row.op();
  if (value !== 1) throw new Error(`${row.label} returned ${JSON.stringify(value)}`);
}
for (const check of checks) check();

const measured = await measure(rows, mode, config);
for (const check of checks) check();

printResult({
  ...rowsResult(kindName, mode, rows, measured),
  info: { ...info, otel: otelState(), networkAttempts: network.attempts },
});
