/**
 * `coordinate` and the caller's cancellation: the caller's abort (or its context's deadline) rejects with
 * its reason, aborts every agent, and leaves no timer behind, whatever the agents do.
 */
import { TimeoutError, subscribe } from "@tta/primitives";
import type { Executable, WorkflowContext } from "@tta/primitives";
import { createTestContext } from "@tta/primitives/testing";
import type { TestContext } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { coordinate } from "../coordinate.js";
import { nested, timed } from "../test-support/coordinate-fixtures.js";

describe("coordinate: cancellation", () => {
  let controller: AbortController;
  let ctx: TestContext;
  afterEach(() => controller.abort());

  function setup(): void {
    controller = new AbortController();
    ctx = createTestContext({ signal: controller.signal });
  }

  for (const [label, options, observed] of [
    ["all", {}, false],
    ["all (observed)", {}, true],
    ["all with a timeout", { timeoutMs: 1_000 }, false],
    ["first", { strategy: "first" }, false],
    ["any", { strategy: "any" }, false],
    ["quorum", { strategy: { quorum: 2 } }, false],
  ] as const) {
    it(`${label}: the caller's abort rejects with its reason unchanged and aborts every agent`, async () => {
      setup();
      const unsubscribe = observed ? subscribe(() => undefined) : undefined;
      try {
        const seen: WorkflowContext[] = [];
        // The first agent turns the abort into an error of its own: the caller still gets its reason.
        const rethrows = async (input: string, agentCtx: WorkflowContext): Promise<string> => {
          seen[0] = agentCtx;
          await agentCtx.clock.sleep(100, agentCtx.signal).catch(() => {
            throw new Error("cleanup failed");
          });
          return input;
        };
        // The others ignore their signal and never settle.
        const deaf = (index: number) => (_input: string, agentCtx: WorkflowContext) => {
          seen[index] = agentCtx;
          return new Promise<string>(() => undefined);
        };
        const c = coordinate([rethrows, deaf(1), deaf(2)], options);
        const run = nested(c, "q", ctx);
        const caught = run.catch((e: unknown) => e);
        await ctx.clock.advance(10);
        controller.abort("user cancelled");
        expect(await caught).toBe("user cancelled");
        expect(seen).toHaveLength(3);
        for (const agentCtx of seen) expect(agentCtx.signal.aborted).toBe(true);
      } finally {
        unsubscribe?.();
      }
    });
  }

  for (const [label, options] of [
    ["first", { strategy: "first" }],
    ["all with a timeout", { timeoutMs: 1_000 }],
  ] as const)
    it(`${label}: settles on the caller's abort, and clears its timer, even when no agent ever settles`, async () => {
      setup();
      // Executables that are not primitives: nothing races their promise against the signal.
      const deaf: Executable<string, string> = { execute: () => new Promise<string>(() => undefined) };
      let settled: unknown = "pending";
      nested(coordinate([deaf, deaf], options), "q", ctx).then(
        (value) => (settled = value),
        (error: unknown) => (settled = error),
      );
      controller.abort("user cancelled");
      await ctx.clock.advance(0);
      expect(settled).toBe("user cancelled");
      expect(ctx.clock.pendingTimers).toBe(0);
    });

  it("a context deadline rejects (it is the caller's), unlike timeoutMs", async () => {
    const deadlined = createTestContext({ timeoutMs: 20 });
    const seen: WorkflowContext[] = [];
    const c = coordinate([timed(5, "a", seen, 0), timed(100, "b", seen, 1)], { timeoutMs: 50 });
    const caught = nested(c, "q", deadlined).catch((e: unknown) => e);
    await deadlined.clock.advance(20);
    const error = await caught;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBe(deadlined.signal.reason);
  });
});
