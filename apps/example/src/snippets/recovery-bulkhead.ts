import { type WorkflowContext, createContext } from "@tta/primitives";
import { bulkhead } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

const clock = new TestClock();
const ctx = createContext({ clock });
async function search(query: string, c: WorkflowContext): Promise<string> {
  console.log(`${c.clock.now()} ms: start ${query}`);
  await c.clock.sleep(100, c.signal);
  return query;
}

// At most 2 searches in flight, 1 waiting; a call past the queue fails fast.
const pool = bulkhead(search, { maxConcurrent: 2, maxQueue: 1 });
const a = pool.execute("a", ctx); // → 0 ms: start a
const b = pool.execute("b", ctx); // → 0 ms: start b
const controller = new AbortController();
const c = pool.execute("c", createContext({ clock, signal: controller.signal })); // queued
const d = pool.execute("d", ctx).catch((error: { code: string }) => error.code);
console.log(await d, pool.inFlight, pool.queued); // → BULKHEAD_REJECTED 2 1

// A queued call whose signal aborts leaves the queue at once; `search` never runs for it.
controller.abort(new Error("user left"));
console.log(await c.catch((error: Error) => error.message), pool.queued); // → user left 0

// Slots go to queued calls in FIFO order as running ones finish.
const e = pool.execute("e", ctx);
await clock.advance(200); // → 100 ms: start e
console.log(await Promise.all([a, b, e])); // → [ 'a', 'b', 'e' ]
