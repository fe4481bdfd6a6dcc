// One benchmark process: `node --expose-gc src/child.mjs <library> <time|alloc> <json-config>`.
// Measures the raw baselines and (unless the library is "raw") the library's rows, interleaved,
// in this process, and prints one JSON line on stdout. Diagnostics go to stderr.
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import { LIBRARIES, SCENARIOS, rawOps } from "./scenarios.mjs";
import { childArgs, measure, printResult } from "./harness.mjs";

const { name: libName, kind: lib, mode, config } = childArgs(LIBRARIES);

// Network guard: nothing in a benchmark may talk to the network.
const network = installNetworkGuard();

const raw = rawOps();
const loaded = await lib.load();

// Correctness first: every op must produce the scenario's result.
const extrasOf = (name) => loaded.extras?.[name] ?? [];
for (const [name, sc] of Object.entries(SCENARIOS)) {
  for (const row of [raw[name], loaded[name], ...extrasOf(name)]) {
    if (row === undefined) continue;
    const value = await row.op();
    if (!sc.expect(value)) throw new Error(`${row.label} returned ${JSON.stringify(value)}`);
  }
}

const result = { library: libName, mode, pid: process.pid, execArgv: process.execArgv, scenarios: {} };
for (const name of Object.keys(SCENARIOS)) {
  const rows = [{ ...raw[name], role: "baseline" }];
  if (loaded[name] !== undefined) rows.push({ ...loaded[name], role: "library" });
  // Extra rows of the library (role "extra", with their id), interleaved with the two above.
  for (const extra of extrasOf(name)) rows.push({ ...extra, role: "extra" });
  const measured = await measure(rows, mode, config);
  result.scenarios[name] = measured.map((m, i) => ({ role: rows[i].role, id: rows[i].id, ...m }));
}
result.info = { ...loaded.info, otel: otelState(), networkAttempts: network.attempts };
printResult(result);
