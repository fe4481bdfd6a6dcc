import type { WorkflowContext } from "@tta/primitives";
import { TimeoutError, subscribe } from "@tta/primitives";
import { createTestContext } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { coordinate } from "../coordinate.js";
import { timed } from "../test-support/coordinate-fixtures.js";

const OBSERVATION = [
  ["unobserved", false],
  ["observed", true],
] as const;

describe.each(OBSERVATION)('coordinate: strategy "settled" (%s)', (_label, observed) => {
  let unsubscribe: (() => void) | undefined;
  afterEach(() => unsubscribe?.());

  it("waits for every agent and keeps every outcome: a failure neither rejects nor aborts the others", async () => {
    if (observed) unsubscribe = subscribe(() => undefined);
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const boom = new Error("boom");
    const c = coordinate(
      { fast: timed(5, "a", seen, 0), broken: timed(10, boom, seen, 1, true), slow: timed(30, "c", seen, 2) },
      {
        strategy: "settled",
      },
    );
    const run = c.execute("q", ctx);
    await ctx.clock.advance(30);
    const result = await run;
    expect(result).toEqual({
      strategy: "settled",
      partial: false,
      outcomes: [
        { key: "fast", status: "fulfilled", value: "a:q" },
        { key: "broken", status: "rejected", error: boom },
        { key: "slow", status: "fulfilled", value: "c:q" },
      ],
      values: ["a:q", "c:q"],
    });
    expect(seen[2]?.signal.aborted).toBe(false); // the slow agent ran to its end after the failure
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("resolves with every failure when all fail, and never with a FallbackError", async () => {
    const ctx = createTestContext();
    const [e1, e2] = [new Error("one"), new Error("two")];
    const run = coordinate([timed(1, e1, [], 0, true), timed(2, e2, [], 1, true)], { strategy: "settled" }).execute(
      "q",
      ctx,
    );
    await ctx.clock.advance(2);
    const result = await run;
    expect(result.outcomes.map((o) => o.error)).toEqual([e1, e2]);
    expect(result.values).toEqual([]);
  });

  it("on timeoutMs keeps what finished, failures too, and aborts the rest", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const boom = new Error("boom");
    const run = coordinate([timed(5, "a", seen, 0), timed(6, boom, seen, 1, true), timed(500, "c", seen, 2)], {
      strategy: "settled",
      timeoutMs: 50,
    }).execute("q", ctx);
    await ctx.clock.advance(50);
    const result = await run;
    expect(result.partial).toBe(true);
    expect(result.outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "aborted"]);
    expect(result.outcomes[2]?.error).toBeInstanceOf(TimeoutError);
    expect(seen[2]?.signal.aborted).toBe(true);
  });

  it("still rejects with the caller's reason, unchanged, when the caller cancels", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const run = coordinate([timed(5, "a", [], 0), timed(50, "b", [], 1)], { strategy: "settled" }).execute("q", ctx);
    const reason = new Error("caller left");
    await ctx.clock.advance(5);
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
  });
});
