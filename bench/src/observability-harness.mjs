// timeRows (harness.mjs) with optional per-row `before()`/`after()` hooks that run outside the
// timed region, around each of the row's batches. The observability scenario uses them to have
// setupObservability's metrics subscribed only while the "(c)" rows run, so (b) and (c) are
// measured in the same process, interleaved round by round.
import { setImmediate as nextTurn } from "node:timers/promises";
import { gc, makeDriver, summarize, warmUp } from "./harness.mjs";

const hrtime = process.hrtime.bigint;

export async function timeRowsWithHooks(rows, { warmupMs, roundMs, rounds }) {
  const state = rows.map((row) => ({ ...row, drive: makeDriver(), n: 0, samples: [] }));
  for (const s of state) {
    await s.before?.();
    s.n = await warmUp(s, warmupMs, roundMs);
    await s.after?.();
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
  return state.map(summarize);
}
