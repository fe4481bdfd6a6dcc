// timeRows (harness.mjs) with optional per-row `before()`/`after()` hooks that run outside the
// timed region, around each of the row's batches. The observability scenario uses them to have
// setupObservability's metrics subscribed only while the "(c)" rows run, so (b) and (c) are
// measured in the same process, interleaved round by round.
import { setImmediate as nextTurn } from "node:timers/promises";
import { gc, median } from "./harness.mjs";

const hrtime = process.hrtime.bigint;

function makeDriver() {
  // eslint-disable-next-line no-new-func -- a fresh function literal per row, as in harness.mjs
  return new Function(
    "op",
    "n",
    "hrtime",
    `return (async () => {
       const t0 = hrtime();
       for (let i = 0; i < n; i++) await op();
       return Number(hrtime() - t0);
     })();`,
  );
}

export async function timeRowsWithHooks(rows, { warmupMs, roundMs, rounds }) {
  const state = rows.map((row) => ({ ...row, drive: makeDriver(), n: 0, samples: [] }));
  for (const s of state) {
    await s.before?.();
    let n = 8;
    let elapsed = 0;
    let ops = 0;
    const t0 = hrtime();
    while (Number(hrtime() - t0) < warmupMs * 1e6) {
      elapsed += await s.drive(s.op, n, hrtime);
      ops += n;
      n = Math.min(n * 2, 1 << 16);
    }
    await s.after?.();
    s.n = Math.max(16, Math.round((roundMs * 1e6) / (elapsed / ops)));
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? state : [...state].reverse();
    for (const s of order) {
      await s.before?.();
      gc();
      await nextTurn();
      const ns = await s.drive(s.op, s.n, hrtime);
      s.samples.push(ns / s.n);
      await s.after?.();
    }
  }
  return state.map((s) => ({
    label: s.label,
    opsPerRound: s.n,
    samples: s.samples,
    median: median(s.samples),
    min: Math.min(...s.samples),
    max: Math.max(...s.samples),
  }));
}
