import { type RateLimitedError, type WorkflowContext, createContext } from "@tta/primitives";
import { rateLimit } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

const clock = new TestClock();
const ctx = createContext({ clock });
const model = (prompt: string, c: WorkflowContext) => {
  console.log(`${c.clock.now()} ms: ${prompt}`);
  return prompt.length;
};
const words = (prompt: string) => prompt.split(" ").length;

// A token bucket of 10 tokens, refilled at 10 per second; each call spends its prompt's word count.
const limited = rateLimit(model, { tokensPerInterval: 10, intervalMs: 1_000, cost: words });
const calls = [
  limited.execute("one two three four five six seven eight", ctx), // 8 tokens: runs at once, 2 left
  limited.execute("one two three four five six", ctx), // 6 tokens: waits 400 ms for the refill
  limited.execute("one", ctx), // 1 token would fit now, but FIFO: it waits behind the costlier call
];
await clock.advance(1_000);
await Promise.all(calls);
// → 0 ms: one two three four five six seven eight
// → 400 ms: one two three four five six
// → 500 ms: one

// mode "reject": no waiting; RateLimitedError says when enough tokens will be there (retry honours it).
const strict = rateLimit(model, { tokensPerInterval: 10, intervalMs: 1_000, cost: words, mode: "reject" });
await strict.execute("one two three four five six seven eight nine ten", ctx); // → 1000 ms: one two three four five six seven eight nine ten
const refused = (await strict.execute("one two", ctx).catch((error: unknown) => error)) as RateLimitedError;
console.log(refused.code, refused.retryAfterMs); // → RATE_LIMITED 200
