import { type TtaEvent, type WorkflowContext, createContext, subscribe } from "@tta/primitives";
import { circuitBreaker, retry, timeout } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

// A fake model: the first call hangs, the second is refused with `Retry-After: 2`, the third answers.
let calls = 0;
async function callModel(prompt: string, ctx: WorkflowContext): Promise<string> {
  calls++;
  if (calls === 1) await ctx.clock.sleep(60_000, ctx.signal); // hangs, but honours its signal
  if (calls === 2) throw Object.assign(new Error("429 Too Many Requests"), { headers: { "retry-after": "2" } });
  return `answer to ${prompt}`;
}

// The breaker innermost (it sees every real call), a timeout per attempt, retry outermost.
const llm = circuitBreaker(callModel, { failureThreshold: 5, name: "llm-breaker" });
const robust = retry(timeout(llm, { timeoutMs: 1_000 }), { maxRetries: 3, initialDelayMs: 100, jitter: "none" });

const stop = subscribe((event: TtaEvent) => {
  if (event.type === "timeout") console.log(`${event.at} ms: attempt timed out after ${event.timeoutMs} ms`);
  if (event.type === "retry")
    console.log(`${event.at} ms: attempt ${event.attempt} failed (${event.errorType}), next in ${event.delayMs} ms`);
});
const clock = new TestClock(); // fake time: the whole run takes no real time
const answer = robust.execute("hi", createContext({ clock }));
await clock.runAll();
console.log(await answer, `at ${clock.now()} ms after ${calls} calls; breaker ${llm.state}`);
stop();
// → 1000 ms: attempt timed out after 1000 ms
// → 1000 ms: attempt 1 failed (TIMEOUT), next in 100 ms
// → 1100 ms: attempt 2 failed (Error), next in 2000 ms
// → answer to hi at 3100 ms after 3 calls; breaker closed
