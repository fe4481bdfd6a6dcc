/**
 * `budget.child`: carve-outs held in the parent, pass-through of resources the child does not limit,
 * commits counted up the chain, `close`, deadlines and nesting.
 */
import type { BudgetEvent, TtaEvent } from "@tta/primitives";
import { BudgetExceededError, InvalidOptionsError, subscribe } from "@tta/primitives";
import { TestClock } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { createBudget } from "../budget.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("budget.child", () => {
  it("validates its limits and options", () => {
    const budget = createBudget({ tokens: 1000 });
    for (const [fn, option] of [
      [() => budget.child({ tokens: -1 }), "limits.tokens"],
      [() => budget.child({ costUsd: Number.NaN }), "limits.costUsd"],
      [() => budget.child({ launches: Infinity }), "limits.launches"],
      [() => budget.child({ soft: {} } as never), "limits.soft"],
      [() => budget.child(3 as never), "limits"],
      [() => budget.child({}, { name: "" }), "name"],
      [() => budget.child({}, { label: "x" } as never), "label"],
    ] as const) {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe(option);
    }
    expect(budget.snapshot().reserved.tokens).toBe(0);
  });

  it("holds the carve-out in the parent and refuses one that does not fit what is left", () => {
    const run = createBudget({ name: "run", tokens: 1000, costUsd: 1 });
    const a = run.child({ tokens: 600 }, { name: "a" });
    expect(run.snapshot()).toMatchObject({ reserved: { tokens: 600 }, remaining: { tokens: 400 } });
    expect(a.snapshot()).toMatchObject({ name: "a", limits: { tokens: 600 }, remaining: { tokens: 600 } });
    const error = thrown(() => run.child({ tokens: 600, costUsd: 0.5 }, { name: "b" }));
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ resource: "tokens", limit: 1000, spent: 600, requested: 600 });
    expect((error as Error).message).toBe("Child budget 'b' asks for 600 tokens, parent 'run' has 400 left");
    // Refused as a whole: the cost it asked for is not held either.
    expect(run.snapshot().reserved.costUsd).toBe(0);
    expect(run.child({}).name).toBe("run.child");
  });

  it("counts a child's commits as spent in the child and the parent, out of the carve-out", () => {
    const run = createBudget({ tokens: 1000 });
    const child = run.child({ tokens: 600 });
    const r = child.reserve({ inputTokens: 200 });
    expect(run.snapshot().reserved.tokens).toBe(600);
    r.commit({ inputTokens: 150 });
    expect(child.snapshot()).toMatchObject({
      spent: { tokens: 150 },
      reserved: { tokens: 0 },
      remaining: { tokens: 450 },
    });
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 150 },
      reserved: { tokens: 450 },
      remaining: { tokens: 400 },
    });
    // Refused by the child's own limit, even though the parent alone would have room.
    expect(thrown(() => child.reserve({ inputTokens: 451 }))).toMatchObject({ resource: "tokens", limit: 600 });
  });

  it("passes reservations of resources the child does not limit through to the parent's limits", () => {
    const run = createBudget({ name: "run", tokens: 1000, costUsd: 1 });
    const child = run.child({ tokens: 100 }, { name: "c" });
    const r = child.reserve({ inputTokens: 10, costUsd: 0.75 });
    expect(run.snapshot().reserved.costUsd).toBe(0.75);
    expect(child.snapshot().remaining.costUsd).toBe(0.25);
    const error = thrown(() => child.reserve({ costUsd: 0.5 }));
    expect(error).toMatchObject({ resource: "costUsd", limit: 1, spent: 0.75, requested: 0.5 });
    expect((error as Error).message).toContain("'run'");
    expect(thrown(() => run.reserve({ costUsd: 0.5 }))).toBeInstanceOf(BudgetExceededError);
    r.commit({ inputTokens: 10, costUsd: 0.5 });
    expect(run.snapshot()).toMatchObject({ spent: { costUsd: 0.5 }, reserved: { costUsd: 0 } });
  });

  it("close returns the unused carve-out, keeps in-flight estimates held, and refuses new reservations", () => {
    const run = createBudget({ tokens: 1000 });
    const child = run.child({ tokens: 600 }, { name: "c" });
    child.reserve({ inputTokens: 100 }).commit({ inputTokens: 100 });
    const inFlight = child.reserve({ inputTokens: 200 });
    child.close();
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 100 },
      reserved: { tokens: 200 },
      remaining: { tokens: 700 },
    });
    expect(thrown(() => child.reserve({}))).toBeInstanceOf(BudgetExceededError);
    expect(thrown(() => child.child({}))).toBeInstanceOf(BudgetExceededError);
    inFlight.commit({ inputTokens: 50 });
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 150 },
      reserved: { tokens: 0 },
      remaining: { tokens: 850 },
    });
  });

  it("an overshooting child commit counts in full in the parent", () => {
    const run = createBudget({ tokens: 1000 });
    const child = run.child({ tokens: 100 });
    child.reserve({ inputTokens: 100 }).commit({ inputTokens: 250 });
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 250 },
      reserved: { tokens: 0 },
      remaining: { tokens: 750 },
    });
    expect(child.snapshot().remaining.tokens).toBe(0);
  });

  it("keeps holding a child's in-flight estimates in the parent after the child overshoots", () => {
    const run = createBudget({ tokens: 1000 });
    const child = run.child({ tokens: 100 });
    const first = child.reserve({ inputTokens: 50 });
    const second = child.reserve({ inputTokens: 50 });
    first.commit({ inputTokens: 100 });
    // The carve-out is used up, but the second call is still in flight: the parent keeps its 50.
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 100 },
      reserved: { tokens: 50 },
      remaining: { tokens: 850 },
    });
    second.commit({ inputTokens: 50 });
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 150 },
      reserved: { tokens: 0 },
      remaining: { tokens: 850 },
    });
  });

  it("nests: grandchild commits count in every ancestor, and closing a budget closes its children", () => {
    const run = createBudget({ tokens: 1000, launches: 5 });
    const team = run.child({ tokens: 500 }, { name: "team" });
    const member = team.child({ tokens: 200, launches: 2 }, { name: "member" });
    expect(run.snapshot().reserved).toMatchObject({ tokens: 500, launches: 2 });
    expect(team.snapshot().reserved).toMatchObject({ tokens: 200, launches: 2 });
    member.reserve({ inputTokens: 50, launches: 1 }).commit({ inputTokens: 50, launches: 1 });
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 50, launches: 1 },
      reserved: { tokens: 450, launches: 1 },
    });
    expect(team.snapshot()).toMatchObject({ spent: { tokens: 50 }, reserved: { tokens: 150 } });
    team.close();
    expect(thrown(() => member.reserve({}))).toBeInstanceOf(BudgetExceededError);
    expect(run.snapshot()).toMatchObject({
      spent: { tokens: 50 },
      reserved: { tokens: 0, launches: 0 },
      remaining: { tokens: 950 },
    });
  });

  it("ends a child's time at the earlier of the parent's deadline and its own", async () => {
    const clock = new TestClock();
    const run = createBudget({ timeMs: 1_000, clock });
    await clock.advance(200);
    expect(run.child({ timeMs: 300 }).deadline).toBe(500);
    expect(run.child({ timeMs: 5_000 }).deadline).toBe(1_000);
    const inherits = run.child({});
    expect(inherits.deadline).toBe(1_000);
    expect(createBudget({ clock }).child({ timeMs: 100 }).deadline).toBe(300);
    await clock.advance(800);
    expect(thrown(() => inherits.reserve({}))).toMatchObject({ resource: "timeMs", limit: 800, spent: 800 });
    expect(thrown(() => run.child({}))).toMatchObject({ resource: "timeMs" });
  });

  it("reports the parent's soft limit when children's commits reach it", () => {
    const events: BudgetEvent[] = [];
    const stop = subscribe((e: TtaEvent) => (e.type === "budget" ? events.push(e) : undefined));
    try {
      const run = createBudget({ name: "run", tokens: 1000, soft: { tokens: 100 } });
      run.child({ tokens: 300 }).reserve({ inputTokens: 120 }).commit({ inputTokens: 120 });
      expect(events).toEqual([expect.objectContaining({ name: "run", resource: "tokens", level: "soft", limit: 100 })]);
      thrown(() => run.child({ tokens: 2_000 }, { name: "big" }));
      expect(events[1]).toMatchObject({ name: "run", level: "hard", resource: "tokens", requested: 2_000 });
    } finally {
      stop();
    }
  });
});
