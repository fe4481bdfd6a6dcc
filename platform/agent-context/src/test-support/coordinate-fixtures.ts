/**
 * Fixtures of the coordinate tests: agents that answer on the test clock, and a way to run a primitive
 * as a nested step (so its own promise is observed, not a top-level call's race with its signal).
 */
import { lambda } from "@tta/primitives";
import type { Executable, WorkflowContext } from "@tta/primitives";

/** An agent that records the context it ran with, then answers `value` (or throws it) after `ms` on the clock. */
export function timed(ms: number, value: unknown, seen: WorkflowContext[], index: number, fails = false) {
  return async (input: string, ctx: WorkflowContext): Promise<string> => {
    seen[index] = ctx;
    await ctx.clock.sleep(ms, ctx.signal);
    if (fails) throw value;
    return `${String(value)}:${input}`;
  };
}

/** Runs `primitive` as a step of another one (so its own promise is observed, not a top-level race). */
export function nested<O>(primitive: Executable<string, O>, input: string, ctx: WorkflowContext): Promise<O> {
  let inner: Promise<O> | undefined;
  const host = lambda((x: string, c: WorkflowContext) => {
    inner = primitive.execute(x, c);
    return inner.then(
      () => undefined,
      () => undefined,
    );
  });
  host.execute(input, ctx).catch(() => undefined);
  if (inner === undefined) throw new Error("the host did not start the primitive synchronously");
  return inner;
}
