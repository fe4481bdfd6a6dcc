import { FallbackError, TimeoutError, isTtaError, subscribe } from "@tta/primitives";
import type { WorkflowContext } from "@tta/primitives";
import { MockPrimitive, SpanRecorder, createTestContext } from "@tta/primitives/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { coordinate } from "./coordinate.js";
import type { AgentOutcome } from "./coordinate.js";
import { timed } from "./test-support/coordinate-fixtures.js";

function statuses(outcomes: readonly AgentOutcome<unknown>[]): string[] {
  return outcomes.map((o) => `${o.key}:${o.status}`);
}

describe("coordinate: strategy first", () => {
  it("first resolves with the fastest agent and the other four see their signals aborted", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const latencies = [30, 10, 50, 20, 40];
    const c = coordinate(
      latencies.map((ms, i) => timed(ms, `agent${i}`, seen, i)),
      { strategy: "first" },
    );
    const run = c.execute("q", ctx);
    await ctx.clock.advance(10);
    const result = await run;
    expect(result.winner).toBe("1");
    expect(result.values).toEqual(["agent1:q"]);
    expect(result.partial).toBe(false);
    expect(statuses(result.outcomes)).toEqual(["0:aborted", "1:fulfilled", "2:aborted", "3:aborted", "4:aborted"]);
    for (const i of [0, 2, 3, 4]) {
      expect(seen[i]?.signal.aborted).toBe(true);
      expect((seen[i]?.signal.reason as Error).name).toBe("AbortError");
    }
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("rejects when the first agent to finish failed, and aborts the rest", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const boom = new Error("boom");
    const c = coordinate([timed(20, "a", seen, 0), timed(5, boom, seen, 1, true), timed(30, "c", seen, 2)], {
      strategy: "first",
    });
    const run = c.execute("q", ctx);
    const settled = expect(run).rejects.toBe(boom);
    await ctx.clock.advance(5);
    await settled;
    expect(seen[0]?.signal.reason).toBe(boom);
    expect(seen[2]?.signal.aborted).toBe(true);
  });
});

/**
 * `"all"` without a timeout runs under an inner `parallel` when nothing observes the run, and on the
 * general path when something does (a subscriber, a tracer): both must behave the same.
 */
const OBSERVATION = [
  ["unobserved", false],
  ["observed", true],
] as const;

describe.each(OBSERVATION)("coordinate: strategy all (%s)", (_label, observed) => {
  let unsubscribe: (() => void) | undefined;
  beforeEach(() => {
    if (observed) unsubscribe = subscribe(() => undefined);
  });
  afterEach(() => unsubscribe?.());

  it("returns every value in agent order, whatever order they finish in", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const c = coordinate([timed(30, "a", seen, 0), timed(10, "b", seen, 1), timed(20, "c", seen, 2)]);
    const run = c.execute("q", ctx);
    await ctx.clock.advance(30);
    const result = await run;
    expect(result).toEqual({
      strategy: "all",
      partial: false,
      outcomes: [
        { key: "0", status: "fulfilled", value: "a:q" },
        { key: "1", status: "fulfilled", value: "b:q" },
        { key: "2", status: "fulfilled", value: "c:q" },
      ],
      values: ["a:q", "b:q", "c:q"],
    });
    expect("winner" in result).toBe(false);
  });

  it("keys outcomes by record key, in key order", async () => {
    const c = coordinate({ writer: (s: string) => s.toUpperCase(), counter: (s: string) => s.length });
    const result = await c.execute("abc", createTestContext());
    expect(result.outcomes).toEqual([
      { key: "writer", status: "fulfilled", value: "ABC" },
      { key: "counter", status: "fulfilled", value: 3 },
    ]);
    expect(result.values).toEqual(["ABC", 3]);
  });

  it("rejects with the first error, unchanged, and aborts the others with it", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const boom = new TypeError("boom");
    const c = coordinate([timed(20, "a", seen, 0), timed(5, boom, seen, 1, true), timed(30, "c", seen, 2)]);
    const run = c.execute("q", ctx);
    const settled = expect(run).rejects.toBe(boom);
    await ctx.clock.advance(5);
    await settled;
    expect(seen[0]?.signal.reason).toBe(boom);
    expect(seen[2]?.signal.reason).toBe(boom);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("wraps a non-Error throw as NON_ERROR_THROWN", async () => {
    const c = coordinate([
      () => {
        throw "plain string";
      },
    ]);
    const error: unknown = await c.execute("q", createTestContext()).catch((e: unknown) => e);
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
  });
});

describe("coordinate: strategy any", () => {
  it("resolves with the first success, keeping earlier failures and aborting the rest", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const early = new Error("early");
    const c = coordinate(
      { a: timed(5, early, seen, 0, true), b: timed(20, "b", seen, 1), c: timed(10, "c", seen, 2) },
      { strategy: "any" },
    );
    const run = c.execute("q", ctx);
    await ctx.clock.advance(10);
    const result = await run;
    expect(result.winner).toBe("c");
    expect(result.values).toEqual(["c:q"]);
    expect(result.outcomes[0]).toEqual({ key: "a", status: "rejected", error: early });
    expect(statuses(result.outcomes)).toEqual(["a:rejected", "b:aborted", "c:fulfilled"]);
    expect(seen[1]?.signal.aborted).toBe(true);
  });

  it("counts an agent whose execute throws synchronously as rejected", async () => {
    const sync = new Error("sync");
    const broken = {
      execute: (): Promise<string> => {
        throw sync;
      },
    };
    const result = await coordinate([broken, async () => "ok"], { strategy: "any" }).execute("q", createTestContext());
    expect(result.outcomes[0]).toEqual({ key: "0", status: "rejected", error: sync });
    expect(result.winner).toBe("1");
  });

  it("rejects with a FallbackError holding every error in agent order when all fail", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const errors = [new Error("secret prompt 0"), new RangeError("secret prompt 1"), new Error("secret prompt 2")];
    const c = coordinate(
      [timed(30, errors[0], seen, 0, true), timed(10, errors[1], seen, 1, true), timed(20, errors[2], seen, 2, true)],
      { strategy: "any", name: "panel" },
    );
    const run = c.execute("q", ctx);
    const caught = run.catch((e: unknown) => e);
    await ctx.clock.advance(30);
    const error = await caught;
    expect(error).toBeInstanceOf(FallbackError);
    expect((error as FallbackError).errors).toEqual(errors);
    expect((error as FallbackError).message).not.toContain("secret");
    expect((error as FallbackError).message).toContain("panel");
  });

  it("on timeout with no success yet, resolves partial without a winner", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const oops = new Error("oops");
    const c = coordinate([timed(5, oops, seen, 0, true), timed(100, "b", seen, 1)], {
      strategy: "any",
      timeoutMs: 50,
    });
    const run = c.execute("q", ctx);
    await ctx.clock.advance(50);
    const result = await run;
    expect(result.partial).toBe(true);
    expect(result.winner).toBeUndefined();
    expect(result.values).toEqual([]);
    expect(statuses(result.outcomes)).toEqual(["0:rejected", "1:aborted"]);
  });
});

describe("coordinate: quorum", () => {
  it("resolves once n agents succeeded and aborts the rest", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const c = coordinate(
      [timed(10, "a", seen, 0), timed(40, "b", seen, 1), timed(20, "c", seen, 2), timed(50, "d", seen, 3)],
      { strategy: { quorum: 2 } },
    );
    const run = c.execute("q", ctx);
    await ctx.clock.advance(20);
    const result = await run;
    expect(result.strategy).toEqual({ quorum: 2 });
    expect(result.values).toEqual(["a:q", "c:q"]);
    expect(statuses(result.outcomes)).toEqual(["0:fulfilled", "1:aborted", "2:fulfilled", "3:aborted"]);
    expect(seen[1]?.signal.aborted).toBe(true);
    expect(seen[3]?.signal.aborted).toBe(true);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("counts a failure, and still succeeds while the quorum stays reachable", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const c = coordinate([timed(5, new Error("x"), seen, 0, true), timed(10, "b", seen, 1), timed(20, "c", seen, 2)], {
      strategy: { quorum: 2 },
    });
    const run = c.execute("q", ctx);
    await ctx.clock.advance(20);
    expect(statuses((await run).outcomes)).toEqual(["0:rejected", "1:fulfilled", "2:fulfilled"]);
  });

  it("rejects as soon as the quorum became impossible, without waiting for the others", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const e0 = new Error("e0");
    const e2 = new Error("e2");
    const c = coordinate(
      [timed(10, e0, seen, 0, true), timed(100, "b", seen, 1), timed(5, e2, seen, 2, true), timed(100, "d", seen, 3)],
      { strategy: { quorum: 3 } },
    );
    const run = c.execute("q", ctx);
    const caught = run.catch((e: unknown) => e);
    await ctx.clock.advance(10);
    const error = await caught;
    expect(error).toBeInstanceOf(FallbackError);
    expect((error as FallbackError).errors).toEqual([e0, e2]);
    expect(ctx.clock.now()).toBe(10);
    expect(seen[1]?.signal.reason).toBe(error);
    expect(seen[3]?.signal.aborted).toBe(true);
  });
});

describe("coordinate: timeoutMs", () => {
  it("a timeout with 2 of 4 agents done returns those 2 marked partial", async () => {
    const ctx = createTestContext();
    const seen: WorkflowContext[] = [];
    const c = coordinate(
      [timed(10, "a", seen, 0), timed(100, "b", seen, 1), timed(20, "c", seen, 2), timed(100, "d", seen, 3)],
      { timeoutMs: 50 },
    );
    const run = c.execute("q", ctx);
    await ctx.clock.advance(50);
    const result = await run;
    expect(result.partial).toBe(true);
    expect(result.values).toEqual(["a:q", "c:q"]);
    expect(statuses(result.outcomes)).toEqual(["0:fulfilled", "1:aborted", "2:fulfilled", "3:aborted"]);
    const aborted = result.outcomes[1];
    expect(aborted?.error).toBeInstanceOf(TimeoutError);
    expect(seen[1]?.signal.reason).toBe(aborted?.error);
    expect(seen[3]?.signal.aborted).toBe(true);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("does not fire once the strategy is satisfied in time", async () => {
    const ctx = createTestContext();
    const c = coordinate([new MockPrimitive<string, string>({ returns: "a", latencyMs: 10 })], { timeoutMs: 50 });
    const run = c.execute("q", ctx);
    await ctx.clock.advance(10);
    expect((await run).partial).toBe(false);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("ignores what an aborted agent does afterwards", async () => {
    const ctx = createTestContext();
    let finishLate: ((value: string) => void) | undefined;
    const stubborn = {
      execute: (): Promise<string> => new Promise<string>((resolve) => (finishLate = resolve)),
    };
    const c = coordinate([stubborn, async () => "fast"], { timeoutMs: 50 });
    const run = c.execute("q", ctx);
    await ctx.clock.advance(50);
    const result = await run;
    finishLate?.("late");
    await ctx.clock.advance(0);
    expect(statuses(result.outcomes)).toEqual(["0:aborted", "1:fulfilled"]);
    expect(result.values).toEqual(["fast"]);
  });
});

describe("coordinate: spans", () => {
  it("opens tta.coordinate with strategy, agent count, completed and partial; agents nest under it", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const ctx = createTestContext();
      const seen: WorkflowContext[] = [];
      const c = coordinate([timed(10, "a", seen, 0), timed(100, "b", seen, 1), timed(20, "c", seen, 2)], {
        strategy: { quorum: 2 },
      });
      const run = c.execute("q", ctx);
      await ctx.clock.advance(20);
      await run;
      const span = recorder.spans.find((s) => s.name === "tta.coordinate");
      expect(span?.attributes).toMatchObject({
        "tta.primitive.kind": "coordinate",
        "tta.coordinate.strategy": "quorum",
        "tta.coordinate.agents": 3,
        "tta.coordinate.completed": 2,
        "tta.coordinate.partial": false,
      });
      const lambdas = recorder.spans.filter((s) => s.name === "tta.lambda");
      expect(lambdas).toHaveLength(3);
      for (const child of lambdas) expect(child.parentSpanId).toBe(span?.spanId);
    } finally {
      recorder.uninstall();
    }
  });
});
