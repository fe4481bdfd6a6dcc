// CPU profile of one benchmark row: `node src/profile.mjs [tta|langchain|effect|raw] [sequential|parallel] [seconds]`
// (or `pnpm --filter @tta/bench run bench:profile tta parallel`). Runs the row in a loop under the V8
// sampling profiler (node:inspector, 50 µs interval) and prints the functions with the most self
// time; the raw .cpuprofile is written to results/ (open it in Chrome DevTools or speedscope).
import { profileRow } from "./profile-row.mjs";
import { LIBRARIES, rawOps } from "./scenarios.mjs";

const [libName = "tta", scenario = "sequential", seconds = "3"] = process.argv.slice(2);
const lib = LIBRARIES[libName];
if (!lib || !["sequential", "parallel"].includes(scenario)) {
  console.error("usage: node src/profile.mjs [raw|tta|langchain|effect] [sequential|parallel] [seconds]");
  process.exit(2);
}
const row = libName === "raw" ? rawOps()[scenario] : (await lib.load())[scenario];

for (let i = 0; i < 20_000; i++) await row.op(); // warm-up outside the profile

await profileRow(row, { seconds: Number(seconds), batch: 256, name: `${libName}-${scenario}` });
