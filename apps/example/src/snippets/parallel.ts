import { type WorkflowContext, lambda, parallel } from "@tta/primitives";

const mood = (text: string) => (text.includes("!") ? "upset" : "calm");
const length = (text: string) => text.length;

// Every branch gets the same input. A tuple gives a tuple, a record gives a record.
console.log(await parallel([mood, length]).execute("Refund now!")); // → [ 'upset', 11 ]
console.log(await parallel({ mood, length }).execute("Thanks")); // → { mood: 'calm', length: 6 }

// "allSettled": every branch runs to the end; results are PromiseSettledResults, in branch order.
const failing = (): string => {
  throw new Error("model down");
};
const settled = await parallel([length, failing], { mode: "allSettled" }).execute("hi");
console.log(settled.map((r) => r.status)); // → [ 'fulfilled', 'rejected' ]

// "all" (the default): the first error rejects the parallel and aborts the other branches,
// with that error as their signal's reason.
const slow = lambda(async (_text: string, ctx: WorkflowContext) => {
  ctx.signal.addEventListener("abort", () => console.log("slow branch aborted:", String(ctx.signal.reason)));
  await ctx.clock.sleep(5_000, ctx.signal);
  return "done";
});
await parallel([slow, failing])
  .execute("hi")
  .catch((error: Error) => console.log(error.message));
// → slow branch aborted: Error: model down
// → model down

// At most `concurrency` branches in flight; the others start in branch order as slots free up.
console.log(await parallel([length, mood, length], { concurrency: 2 }).execute("ok")); // → [ 2, 'calm', 2 ]

// `.parallel()` appends to a tuple-form parallel (keeping its options); a record form is paired instead.
console.log(await lambda(length).parallel(mood).parallel(length).execute("hey")); // → [ 3, 'calm', 3 ]
console.log(await parallel({ mood }).parallel(length).execute("hey")); // → [ { mood: 'calm' }, 3 ]
