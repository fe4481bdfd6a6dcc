/**
 * A worker process for bench/src/remote-run.mjs: serves the bench primitive (`sleep(ms)` then echo)
 * with `CONCURRENCY` slots and says `ready` over IPC; closes on a `close` message.
 * Test/bench-only: not built, not published.
 */
import { lambda } from "@tta/primitives/core";
import type { WorkflowContext } from "@tta/primitives/core";
import { serve } from "../serve.js";

const step = lambda(async (input: { ms: number; n: number }, ctx: WorkflowContext) => {
  if (input.ms > 0) await ctx.clock.sleep(input.ms, ctx.signal);
  return input.n;
}, "bench-step");

const worker = await serve(process.env.QUEUE ?? "bench", step, {
  connection: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  concurrency: Number(process.env.CONCURRENCY ?? 16),
});
process.on("message", (message: { type?: string }) => {
  if (message.type === "close") void worker.close().then(() => process.exit(0));
});
process.send?.({ type: "ready" });
