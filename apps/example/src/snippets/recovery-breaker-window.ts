import { type WorkflowContext, createContext } from "@tta/primitives";
import { circuitBreaker } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

const clock = new TestClock();
const ctx = createContext({ clock });

// Each fake request says how long the model takes and whether it fails.
async function callModel(request: { ms: number; fail?: boolean }, c: WorkflowContext): Promise<string> {
  await c.clock.sleep(request.ms, c.signal);
  if (request.fail) throw new Error("500 Internal Server Error");
  return `ok in ${request.ms} ms`;
}

// Failure rate over the last 10 calls, judged once 4 calls are in; a success slower than 2 s counts as a failure.
const llm = circuitBreaker(callModel, {
  window: { kind: "count", size: 10, minimumCalls: 4, failureRateThreshold: 0.5 },
  slowCallMs: 2_000,
});
llm.onStateChange(({ from, to }) => console.log(`${clock.now()} ms: ${from} → ${to}`));

for (const request of [{ ms: 100 }, { ms: 3_000 }, { ms: 100 }, { ms: 100, fail: true }]) {
  const result = llm.execute(request, ctx).catch((error: Error) => error.message);
  await clock.advance(request.ms);
  console.log(await result);
}
// → ok in 100 ms
// → ok in 3000 ms
// → ok in 100 ms
// → 3300 ms: closed → open
// → 500 Internal Server Error
// The slow success still returned its result, but counted: 2 failures in 4 calls = 50 % ≥ 50 %, so it opened.
console.log(await llm.execute({ ms: 100 }, ctx).catch((error: Error) => error.name)); // → CircuitOpenError
