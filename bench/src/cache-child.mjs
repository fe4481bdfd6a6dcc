// One cache-benchmark process: `node --expose-gc src/cache-child.mjs <raw|tta> <time|alloc> [json-config]`.
// Measures the baselines (raw call, bare lru-cache get, shared promise, hand-written single-flight)
// and, in a `tta` process, TTA's cache rows, all interleaved round by round in this process, and
// prints one JSON line on stdout. Diagnostics go to stderr.
// (child.mjs is tied to scenarios.mjs, so the cache scenarios have their own child.)
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import { childArgs, measure, printResult, rowsResult } from "./harness.mjs";
import { CACHE_LIBRARIES, PROCESS_KINDS, baselineRows } from "./cache-scenarios.mjs";

const { name: kindName, kind, mode, config } = childArgs(PROCESS_KINDS);

// Network guard: nothing in a benchmark may talk to the network.
const network = installNetworkGuard();

const baselines = await baselineRows();
const rows = [...baselines.rows];
const checks = [];
const cacheStats = [];
const info = { baselines: baselines.info };
for (const lib of kind.libraries) {
  const loaded = await CACHE_LIBRARIES[lib].load();
  rows.push(...loaded.rows);
  checks.push(loaded.check);
  if (loaded.cacheStats) cacheStats.push(loaded.cacheStats);
  info[lib] = loaded.info;
}

// Correctness first: every op must produce 1 (a single-flight op checks every caller's value and
// that the inner work ran once), and the caches' counters must show what the rows claim.
for (const row of rows) {
  const value = await row.op(true);
  if (value !== 1) throw new Error(`${row.label} returned ${JSON.stringify(value)}`);
}
for (const check of checks) check();

const measured = await measure(rows, mode, config);
for (const check of checks) check();

const flights = Object.fromEntries(rows.filter((r) => r.flight).map((r) => [r.id, r.flight.stats()]));
for (const [id, s] of Object.entries(flights))
  if (s.innerRuns !== s.ops) throw new Error(`${id}: ${s.innerRuns} inner runs for ${s.ops} single-flight ops`);

printResult({
  ...rowsResult(kindName, mode, rows, measured),
  flights,
  cacheStats: Object.assign({}, ...cacheStats.map((f) => f())),
  info: { ...info, otel: otelState(), networkAttempts: network.attempts },
});
