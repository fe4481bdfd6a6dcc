import { type WorkflowContext, createContext } from "@tta/primitives";
import { timeout } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

const clock = new TestClock();
const ctx = createContext({ clock });

// A slow call that honours its signal, as fetch(url, { signal: ctx.signal }) would.
async function slowSearch(query: string, c: WorkflowContext): Promise<string> {
  c.signal.addEventListener("abort", () => console.log(`  search aborted: ${(c.signal.reason as Error).message}`));
  await c.clock.sleep(5_000, c.signal);
  return `results for ${query}`;
}

// This timeout's own deadline: the inner signal aborts, and `fallback` provides the result.
const guarded = timeout(slowSearch, { timeoutMs: 1_000, fallback: () => "cached results", name: "search-timeout" });
const first = guarded.execute("tta", ctx);
await clock.advance(1_000);
console.log(await first);
// →   search aborted: `search-timeout` timed out after 1000 ms
// → cached results

// A nested timeout fires first: its TimeoutError passes through the outer one, whose fallback does NOT run.
const inner = timeout(slowSearch, { timeoutMs: 200, name: "inner" });
const outer = timeout(inner, { timeoutMs: 1_000, fallback: () => "cached results", name: "outer" });
const second = outer.execute("tta", ctx).catch((error: Error) => `${error.name}: ${error.message}`);
await clock.advance(200);
console.log(await second);
// →   search aborted: `inner` timed out after 200 ms
// → TimeoutError: `inner` timed out after 200 ms

// Work that ignores its signal cannot be stopped, but the caller still gets the TimeoutError at the deadline.
const stubborn = timeout(() => new Promise<string>(() => undefined), { timeoutMs: 300 });
const third = stubborn.execute("tta", ctx).catch((error: Error) => error.name);
await clock.advance(300);
console.log(await third, clock.pendingTimers); // → TimeoutError 0
