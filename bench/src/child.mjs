// One benchmark process: `node --expose-gc src/child.mjs <library> <time|alloc> <json-config>`.
// Measures the raw baselines and (unless the library is "raw") the library's rows, interleaved,
// in this process, and prints one JSON line on stdout. Diagnostics go to stderr.
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import { LIBRARIES, SCENARIOS, rawOps } from "./scenarios.mjs";
import { allocRows, timeRows } from "./harness.mjs";

const [libName, mode, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson ?? "{}");
const lib = LIBRARIES[libName];
if (!lib || (mode !== "time" && mode !== "alloc")) {
  console.error("usage: node --expose-gc src/child.mjs <raw|tta|langchain|effect> <time|alloc> [json-config]");
  process.exit(2);
}

// Network guard: nothing in a benchmark may talk to the network.
const network = installNetworkGuard();

const raw = rawOps();
const loaded = await lib.load();

// Correctness first: every op must produce the scenario's result.
for (const [name, sc] of Object.entries(SCENARIOS)) {
  for (const row of [raw[name], loaded[name]]) {
    if (row === undefined) continue;
    const value = await row.op();
    if (!sc.expect(value)) throw new Error(`${row.label} returned ${JSON.stringify(value)}`);
  }
}

const result = { library: libName, mode, pid: process.pid, execArgv: process.execArgv, scenarios: {} };
for (const name of Object.keys(SCENARIOS)) {
  const rows = [{ ...raw[name], role: "baseline" }];
  if (loaded[name] !== undefined) rows.push({ ...loaded[name], role: "library" });
  const measured = mode === "time" ? await timeRows(rows, config) : (await allocRows(rows, config)).rows;
  result.scenarios[name] = measured.map((m, i) => ({ role: rows[i].role, ...m }));
}
result.info = { ...loaded.info, otel: otelState(), networkAttempts: network.attempts };
if (mode === "alloc") {
  const { default: v8 } = await import("node:v8");
  result.info.newSpaceBytes = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
