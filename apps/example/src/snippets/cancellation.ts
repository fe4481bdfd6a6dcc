import { setTimeout as delay } from "node:timers/promises";
import { type WorkflowContext, createContext, isTtaError, lambda } from "@tta/primitives";

// A cooperative step: it hands ctx.signal to whatever it waits on (fetch, an SDK call, a timer).
const slowModel = lambda(async (prompt: string, ctx: WorkflowContext) => {
  await delay(10_000, undefined, { signal: ctx.signal }); // stands in for fetch(url, { signal: ctx.signal })
  return `answer to ${prompt}`;
}, "slow-model");

// The caller cancels: the run rejects with the signal's reason, unchanged.
const controller = new AbortController();
const run = slowModel.execute("hi", createContext({ signal: controller.signal }));
controller.abort(new Error("user pressed stop"));
await run.catch((error: Error) => console.log(error.message)); // → user pressed stop

// A deadline: the context's signal aborts with a TimeoutError (code TIMEOUT).
try {
  await slowModel.execute("hi", createContext({ timeoutMs: 50 }));
} catch (error) {
  console.log(isTtaError(error, "TIMEOUT")); // → true
}

// A top-level execute rejects at the deadline even if the work ignores the signal.
const stubborn = lambda(() => new Promise<string>((resolve) => setTimeout(() => resolve("late"), 200)));
{
  using ctx = createContext({ timeoutMs: 20 }); // `using` disposes the context (its timer) at block end
  await stubborn.execute("hi", ctx).catch((error: Error) => console.log(error.name)); // → TimeoutError
}
