// CPU profile of one benchmark row, shared by src/profile.mjs and src/model-profile.mjs: runs the row
// in a loop under the V8 sampling profiler (node:inspector, 50 µs interval), prints the functions with
// the most self time and writes the raw .cpuprofile to results/ (open it in Chrome DevTools or
// speedscope). The caller warms the row up first, outside the profile.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "results");

/**
 * Profiles `row.op` for `seconds`, awaiting it `batch` times between clock reads, and writes
 * results/<name>.cpuprofile.
 */
export async function profileRow(row, { seconds, batch, name }) {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 50 });
  await session.post("Profiler.start");
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let ops = 0;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < batch; i++) await row.op();
    ops += batch;
  }
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();

  // Self time per function (by name + location), from the sample counts.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map();
  for (const [id, count] of hits) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const where = url ? `${url.replace(/^.*\/(node_modules|platform)\//, "$1/")}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + count);
  }
  const total = profile.samples.length;
  const usPerOp = (seconds * 1e6) / ops;
  console.log(
    `${row.label}: ${ops} ops in ${seconds} s (≈${(usPerOp * 1000).toFixed(0)} ns/op under the profiler), ${total} samples`,
  );
  console.log("self time  ns/op  function");
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    const share = count / total;
    console.log(
      `${(share * 100).toFixed(1).padStart(8)} %  ${(share * usPerOp * 1000).toFixed(0).padStart(5)}  ${key}`,
    );
  }
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`profile: ${path.relative(process.cwd(), file)}`);
}
