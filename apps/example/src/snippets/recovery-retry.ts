import { type ContextInit, type WorkflowContext, createContext, isTtaError } from "@tta/primitives";
import { retry } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

/** Runs `work` on a fresh fake clock; returns its result (or error) and the fake time at which it settled. */
async function onFakeTime<T>(work: (ctx: WorkflowContext) => Promise<T>, init: ContextInit = {}) {
  const clock = new TestClock();
  using ctx = createContext({ ...init, clock });
  const settled = work(ctx).then(
    (value) => ({ outcome: value as T | Error, ms: clock.now() }),
    (error: unknown) => ({ outcome: error as Error, ms: clock.now() }),
  );
  await clock.advance(60_000); // fires every timer due in the next (fake) minute, in order
  return settled;
}

// Exponential backoff: 100, 200, 400 ms (no jitter here), then the LAST original error is rethrown.
let calls = 0;
const failing = (): Promise<string> => Promise.reject(new Error(`503 (call ${++calls})`));
const backoff = retry(failing, {
  jitter: "none",
  onRetry: ({ attempt, delayMs }) => console.log(`attempt ${attempt} failed, waiting ${delayMs} ms`),
});
const gaveUp = await onFakeTime((ctx) => backoff.execute(undefined, ctx));
console.log(String(gaveUp.outcome), `after ${gaveUp.ms} ms`);
// → attempt 1 failed, waiting 100 ms
// → attempt 2 failed, waiting 200 ms
// → attempt 3 failed, waiting 400 ms
// → Error: 503 (call 4) after 700 ms

// A Retry-After (here an HTTP header on error.response) replaces the computed wait exactly, even above maxDelayMs.
const throttled = Object.assign(new Error("429"), { response: { headers: new Headers({ "retry-after": "2" }) } });
let first = true;
const rateLimitedApi = (): Promise<string> => {
  if (!first) return Promise.resolve("ok");
  first = false;
  return Promise.reject(throttled);
};
const polite = await onFakeTime((ctx) => retry(rateLimitedApi, { maxDelayMs: 500 }).execute(undefined, ctx));
console.log(polite.outcome, `after ${polite.ms} ms`); // → ok after 2000 ms

// A Retry-After above maxRetryAfterMs gives up at once; so do errors marked `retryable: false`.
const tooLong = Object.assign(new Error("503"), { retryAfterMs: 120_000 });
const impatient = await onFakeTime((ctx) => retry(() => Promise.reject(tooLong)).execute(undefined, ctx));
console.log(impatient.outcome === tooLong, `after ${impatient.ms} ms`); // → true after 0 ms
const fatal = Object.assign(new Error("400 Bad Request"), { retryable: false });
const notRetried = await onFakeTime((ctx) => retry(() => Promise.reject(fatal)).execute(undefined, ctx));
console.log(notRetried.outcome === fatal, `after ${notRetried.ms} ms`); // → true after 0 ms

// Deadline-aware: a wait that would reach the context's deadline is not started; the last error is rethrown now.
const slowBackoff = retry(failing, { initialDelayMs: 800, jitter: "none" });
const bounded = await onFakeTime((ctx) => slowBackoff.execute(undefined, ctx), { timeoutMs: 2_000 });
console.log(String(bounded.outcome), isTtaError(bounded.outcome, "TIMEOUT"), `after ${bounded.ms} ms`);
// → Error: 503 (call 6) false after 800 ms
