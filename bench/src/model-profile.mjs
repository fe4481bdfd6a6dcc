// CPU profile of one model-benchmark row: `node src/model-profile.mjs <row-id> [seconds] [baseURL]`, e.g.
// `node src/model-profile.mjs tta.stream 3` (rows: see src/model-scenarios.mjs; the HTTP rows need the
// URL of a running simulated provider, e.g. from `node src/model-server.mjs`). Runs the row in a loop
// under the V8 sampling profiler (src/profile-row.mjs, as src/profile.mjs does), prints the functions
// with the most self time and writes results/model-<row-id>.cpuprofile.
import { installNetworkGuard } from "./process-guard.mjs";
import { profileRow } from "./profile-row.mjs";
import { MODEL_LIBRARIES, baselineRows } from "./model-scenarios.mjs";

const [rowId, seconds = "3", baseURL] = process.argv.slice(2);
installNetworkGuard({ allowLoopback: baseURL !== undefined });
const libs = rowId?.startsWith("raw.") ? [] : baseURL !== undefined ? ["http"] : ["tta", "router"];
const rows = libs.length === 0 ? baselineRows().rows : [];
for (const lib of libs) rows.push(...(await MODEL_LIBRARIES[lib].load({ baseURL })).rows);
const row = rows.find((r) => r.id === rowId);
if (row === undefined) {
  console.error(
    `usage: node src/model-profile.mjs <row-id> [seconds] [baseURL]; rows: ${rows.map((r) => r.id).join(", ")}`,
  );
  process.exit(2);
}
row.expect(await row.op());

const warmEnd = process.hrtime.bigint() + 1_000_000_000n; // 1 s warm-up outside the profile
while (process.hrtime.bigint() < warmEnd) for (let i = 0; i < 16; i++) await row.op();

await profileRow(row, { seconds: Number(seconds), batch: 16, name: `model-${rowId}` });
