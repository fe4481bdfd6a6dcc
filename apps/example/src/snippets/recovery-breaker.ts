import { type WorkflowContext, createContext } from "@tta/primitives";
import { circuitBreaker } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

const clock = new TestClock();
const ctx = createContext({ clock });
let healthy = false;
let executions = 0;
async function callModel(prompt: string, c: WorkflowContext): Promise<string> {
  executions++;
  await c.clock.sleep(100, c.signal); // 100 ms per call
  if (!healthy) throw new Error("502 Bad Gateway");
  return `answer to ${prompt}`;
}

const llm = circuitBreaker(callModel, { failureThreshold: 2, recoveryTimeoutMs: 30_000, successThreshold: 2 });
llm.onStateChange(({ from, to }) => console.log(`${clock.now()} ms: ${from} → ${to}`));
const call = (): Promise<string> =>
  llm.execute("q", ctx).catch((error: { code: string; retryAfterMs: number }) => `${error.code} ${error.retryAfterMs}`);

// Two consecutive failures open the breaker; while open, calls fail fast without running the model.
for (let i = 0; i < 2; i++) {
  const failed = call();
  await clock.advance(100);
  await failed;
}
// → 200 ms: closed → open
console.log(await call(), executions); // → CIRCUIT_OPEN 30000 2

// After recoveryTimeoutMs it is half-open: ONE probe runs (halfOpenMaxConcurrent: 1), the rest fail fast.
await clock.advance(30_000);
healthy = true;
const burst = [call(), call(), call()]; // → 30200 ms: open → half-open
await clock.advance(100);
console.log(await Promise.all(burst), executions); // → [ 'answer to q', 'CIRCUIT_OPEN 0', 'CIRCUIT_OPEN 0' ] 3

// successThreshold (2) probe successes close it.
const probe = call();
await clock.advance(100); // → 30400 ms: half-open → closed
await probe;
console.log(llm.state); // → closed
