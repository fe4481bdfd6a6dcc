/**
 * `createBudget`: validation, refusals, reservations, soft and hard events, time, launches, snapshots
 * and the model primitive drawing on it. Children are in `budget/child.test.ts`.
 */
import type { BudgetEvent, TtaEvent } from "@tta/primitives";
import { BUDGET_KEY, BudgetExceededError, InvalidOptionsError, model, subscribe } from "@tta/primitives";
import { MockLanguageModel, TestClock, createTestContext } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createBudget } from "./budget.js";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Collects the `budget` events reported from now until the end of the test. */
function budgetEvents(): BudgetEvent[] {
  const events: BudgetEvent[] = [];
  stops.push(subscribe((e: TtaEvent) => (e.type === "budget" ? events.push(e) : undefined)));
  return events;
}

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

function invalid(fn: () => unknown, option: string): InvalidOptionsError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(InvalidOptionsError);
  expect((error as InvalidOptionsError).option).toBe(option);
  return error as InvalidOptionsError;
}

function exceeded(fn: () => unknown): BudgetExceededError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(BudgetExceededError);
  return error as BudgetExceededError;
}

const LIMITS = ["tokens", "inputTokens", "outputTokens", "costUsd", "timeMs", "launches"] as const;
const SPEND_FIELDS = ["inputTokens", "outputTokens", "costUsd", "launches"] as const;
const BAD_AMOUNTS: readonly unknown[] = [Number.NaN, Infinity, -Infinity, -1, "100", {}, true];

describe("createBudget options", () => {
  it.each(LIMITS)("rejects a %s that is not a finite number ≥ 0, naming it", (key) => {
    for (const bad of BAD_AMOUNTS) invalid(() => createBudget({ [key]: bad }), key);
    expect(invalid(() => createBudget({ [key]: -1 }), key).message).toBe(
      `Expected \`${key}\` to be a finite number ≥ 0, got -1`,
    );
    expect(createBudget({ [key]: 0 }).snapshot().limits[key]).toBe(0);
    expect(createBudget({ [key]: -0 }).snapshot().limits[key]).toBe(0); // -0 is 0, not a negative limit
  });

  it("rejects unknown keys, a bad name, a bad clock and a non-object", () => {
    expect(invalid(() => createBudget({ tokenz: 5 } as never), "tokenz").message).toMatch(/Unknown option `tokenz`/);
    invalid(() => createBudget({ name: "" }), "name");
    invalid(() => createBudget({ name: 5 } as never), "name");
    invalid(() => createBudget({ clock: {} } as never), "clock");
    invalid(() => createBudget({ clock: Date.now } as never), "clock");
    invalid(() => createBudget(5 as never), "createBudget options");
  });

  it("checks soft limits like hard ones, and each against its hard limit", () => {
    invalid(() => createBudget({ soft: { costUsd: Number.NaN } }), "soft.costUsd");
    invalid(() => createBudget({ soft: { bogus: 1 } as never }), "soft.bogus");
    invalid(() => createBudget({ soft: 3 } as never), "soft");
    expect(invalid(() => createBudget({ tokens: 1000, soft: { tokens: 1200 } }), "soft.tokens").message).toBe(
      "Expected `soft.tokens` to be a finite number ≥ 0 and ≤ `tokens` (1000), got 1200",
    );
    expect(() => createBudget({ tokens: 1000, soft: { tokens: 1000 } })).not.toThrow();
    expect(() => createBudget({ soft: { tokens: 10 } })).not.toThrow();
  });

  it("defaults to an unlimited budget named 'budget' with no deadline", () => {
    const budget = createBudget();
    expect([budget.name, budget.deadline]).toEqual(["budget", undefined]);
    expect(budget.snapshot().limits).toEqual({
      tokens: Infinity,
      inputTokens: Infinity,
      outputTokens: Infinity,
      costUsd: Infinity,
      timeMs: Infinity,
      launches: Infinity,
    });
    budget.reserve({ inputTokens: 1e12, costUsd: 1e9 }).commit({ inputTokens: 1e12, costUsd: 1e9 });
    expect(budget.snapshot().spent.tokens).toBe(1e12);
  });
});

describe("estimates and actuals", () => {
  it.each(SPEND_FIELDS)("rejects a bad estimate.%s or actual.%s and holds nothing", (field) => {
    const budget = createBudget({ tokens: 100 });
    for (const bad of BAD_AMOUNTS) invalid(() => budget.reserve({ [field]: bad }), `estimate.${field}`);
    expect(budget.snapshot().reserved.tokens).toBe(0);
    const reservation = budget.reserve({ inputTokens: 10 });
    invalid(() => reservation.commit({ [field]: -5 }), `actual.${field}`);
    // The bad commit took no effect: the reservation is still open and can be released.
    expect(budget.snapshot().reserved.tokens).toBe(10);
    reservation.release();
    expect(budget.snapshot().reserved.tokens).toBe(0);
  });

  it("rejects a non-object estimate or actual", () => {
    const budget = createBudget();
    invalid(() => budget.reserve(null as never), "estimate");
    invalid(() => budget.reserve(5 as never), "estimate");
    invalid(() => budget.reserve({}).commit(undefined as never), "actual");
  });
});

describe("reserve", () => {
  const cases = [
    {
      resource: "tokens",
      limit: 1000,
      first: { inputTokens: 600, outputTokens: 300 },
      second: { inputTokens: 100, outputTokens: 50 },
      spent: 900,
      requested: 150,
    },
    {
      resource: "inputTokens",
      limit: 500,
      first: { inputTokens: 400 },
      second: { inputTokens: 101 },
      spent: 400,
      requested: 101,
    },
    {
      resource: "outputTokens",
      limit: 500,
      first: { outputTokens: 500 },
      second: { outputTokens: 1 },
      spent: 500,
      requested: 1,
    },
    { resource: "costUsd", limit: 2, first: { costUsd: 1.5 }, second: { costUsd: 0.75 }, spent: 1.5, requested: 0.75 },
    { resource: "launches", limit: 3, first: { launches: 2 }, second: { launches: 2 }, spent: 2, requested: 2 },
  ] as const;

  it.each(cases)("refuses $resource past the limit, counting reservations in flight", (c) => {
    const budget = createBudget({ name: "run", [c.resource]: c.limit });
    const first = budget.reserve(c.first);
    const error = exceeded(() => budget.reserve(c.second));
    expect(error).toMatchObject({ resource: c.resource, limit: c.limit, spent: c.spent, requested: c.requested });
    expect(error.message).toContain("'run'");
    expect(error.message).toContain(c.resource);
    // Nothing was committed yet: the in-flight estimate alone refused it. Released, it fits.
    expect(budget.snapshot().spent[c.resource]).toBe(0);
    first.release();
    expect(() => budget.reserve(c.second)).not.toThrow();
  });

  it("admits an estimate that lands exactly on the limit, and treats a missing field as 0", () => {
    const budget = createBudget({ tokens: 100, costUsd: 1 });
    budget.reserve({ inputTokens: 60, outputTokens: 40, costUsd: 1 });
    expect(() => budget.reserve({ launches: 0 })).not.toThrow();
    expect(exceeded(() => budget.reserve({ outputTokens: 1 })).resource).toBe("tokens");
  });

  it("compares dollar amounts up to rounding: $0.1 + $0.2 fit $0.3, and nothing stays held once settled", () => {
    const budget = createBudget({ costUsd: 0.3 });
    const first = budget.reserve({ costUsd: 0.1 });
    const second = budget.reserve({ costUsd: 0.2 }); // 0.1 + 0.2 is 0.30000000000000004 in floats
    expect(exceeded(() => budget.reserve({ costUsd: 0.01 })).resource).toBe("costUsd");
    expect(exceeded(() => budget.reserve({ launches: 1 })).resource).toBe("costUsd"); // nothing left
    first.release();
    second.release();
    expect(budget.snapshot().reserved.costUsd).toBe(0);
    expect(budget.snapshot().remaining.costUsd).toBe(0.3);
  });

  it("is all-or-nothing: an estimate refused on one resource holds none of the others", () => {
    const budget = createBudget({ tokens: 1000, costUsd: 1 });
    expect(exceeded(() => budget.reserve({ inputTokens: 10, costUsd: 2 })).resource).toBe("costUsd");
    expect(budget.snapshot().reserved).toMatchObject({ tokens: 0, inputTokens: 0, costUsd: 0 });
  });

  it("lets N parallel callers through only as far as the headroom goes", () => {
    const budget = createBudget({ tokens: 1000 });
    const admitted = [];
    for (let i = 0; i < 10; i++) {
      try {
        admitted.push(budget.reserve({ inputTokens: 300 }));
      } catch (error) {
        expect(error).toBeInstanceOf(BudgetExceededError);
      }
    }
    expect(admitted).toHaveLength(3);
    expect(budget.snapshot().reserved.tokens).toBe(900);
  });

  it("refuses once the budget is closed", () => {
    const budget = createBudget({ name: "run" });
    const inFlight = budget.reserve({ inputTokens: 5 });
    budget.close();
    budget.close();
    expect(exceeded(() => budget.reserve({})).message).toBe("Budget 'run' is closed");
    inFlight.commit({ inputTokens: 7 });
    expect(budget.snapshot().spent.tokens).toBe(7);
  });
});

describe("commit and release", () => {
  it("commit turns the estimate into spend, replacing it with the actual", () => {
    const budget = createBudget({ tokens: 1000 });
    const reservation = budget.reserve({ inputTokens: 100, outputTokens: 200, costUsd: 0.5, launches: 1 });
    reservation.commit({ inputTokens: 80, outputTokens: 20, launches: 1 });
    const { spent, reserved } = budget.snapshot();
    expect(spent).toMatchObject({ tokens: 100, inputTokens: 80, outputTokens: 20, costUsd: 0, launches: 1 });
    expect(reserved).toMatchObject({ tokens: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, launches: 0 });
  });

  it("takes the first of commit or release and ignores every later call", () => {
    const budget = createBudget({ tokens: 1000 });
    const a = budget.reserve({ inputTokens: 100 });
    a.commit({ inputTokens: 100 });
    a.commit({ inputTokens: 100 });
    a.release();
    const b = budget.reserve({ inputTokens: 100 });
    b.release();
    b.commit({ inputTokens: 100 });
    b.release();
    expect(budget.snapshot()).toMatchObject({
      spent: { tokens: 100 },
      reserved: { tokens: 0 },
      remaining: { tokens: 900 },
    });
  });

  it("accepts an actual above its estimate (the documented overshoot), then refuses what no longer fits", () => {
    const budget = createBudget({ tokens: 200 });
    budget.reserve({ inputTokens: 100 }).commit({ inputTokens: 300 });
    const snapshot = budget.snapshot();
    expect([snapshot.spent.tokens, snapshot.remaining.tokens]).toEqual([300, 0]);
    expect(exceeded(() => budget.reserve({ inputTokens: 1 }))).toMatchObject({ spent: 300, requested: 1 });
  });
});

describe("launches", () => {
  it("refuses a launch when any limited resource has nothing left, while other reservations with nothing to ask still pass", () => {
    const budget = createBudget({ name: "run", costUsd: 1, launches: 10 });
    budget.reserve({ costUsd: 1 }).commit({ costUsd: 1 });
    const error = exceeded(() => budget.reserve({ launches: 1 }));
    expect(error).toMatchObject({ resource: "costUsd", limit: 1, spent: 1, requested: 0 });
    expect(error.message).toBe("Budget 'run' refused a launch: no costUsd left (1 of 1 spent or reserved)");
    expect(() => budget.reserve({ inputTokens: 10 })).not.toThrow();
  });

  it("refuses launches past the launch limit", () => {
    const budget = createBudget({ launches: 2 });
    budget.reserve({ launches: 1 }).commit({ launches: 1 });
    budget.reserve({ launches: 1 });
    expect(exceeded(() => budget.reserve({ launches: 1 }))).toMatchObject({ resource: "launches", spent: 2 });
  });
});

describe("time", () => {
  it("sets the deadline from the clock and refuses every reservation once it is reached", async () => {
    const clock = new TestClock(5_000);
    const budget = createBudget({ name: "run", timeMs: 1_000, clock });
    expect(budget.deadline).toBe(6_000);
    await clock.advance(999);
    const inFlight = budget.reserve({ inputTokens: 1 });
    await clock.advance(1);
    const error = exceeded(() => budget.reserve({}));
    expect(error).toMatchObject({ resource: "timeMs", limit: 1_000, spent: 1_000, requested: 0 });
    expect(error.message).toBe("Budget 'run' is out of time: 1000 ms elapsed of 1000");
    inFlight.commit({ inputTokens: 1 });
    expect(budget.snapshot().spent).toMatchObject({ tokens: 1, timeMs: 1_000 });
    expect(budget.snapshot().remaining.timeMs).toBe(0);
  });
});

describe("events", () => {
  it("reports a refusal as a hard budget event with the run's ids", async () => {
    const events = budgetEvents();
    const ctx = createTestContext({ workflowId: "wf-1" });
    await ctx.clock.advance(42);
    const budget = createBudget({ name: "run", tokens: 100, clock: ctx.clock });
    budget.reserve({ inputTokens: 80 }, ctx);
    exceeded(() => budget.reserve({ inputTokens: 30 }, ctx));
    exceeded(() => budget.reserve({ inputTokens: 30 }));
    expect(events).toEqual([
      {
        type: "budget",
        kind: "budget",
        name: "run",
        workflowId: "wf-1",
        correlationId: ctx.correlationId,
        at: 42,
        resource: "tokens",
        level: "hard",
        limit: 100,
        spent: 80,
        requested: 30,
      },
      expect.objectContaining({ workflowId: "", correlationId: "", level: "hard" }),
    ]);
  });

  it("reports each soft limit once, when committed spend reaches it, and refuses nothing", () => {
    const events = budgetEvents();
    const budget = createBudget({ name: "run", tokens: 1000, soft: { tokens: 500, costUsd: 0.5 } });
    budget.reserve({ inputTokens: 400 }).commit({ inputTokens: 400 });
    expect(events).toEqual([]);
    const open = budget.reserve({ inputTokens: 50 });
    budget.reserve({ inputTokens: 100 }).commit({ inputTokens: 150 });
    budget.reserve({ inputTokens: 100 }).commit({ inputTokens: 100, costUsd: 0.6 });
    expect(events).toEqual([
      expect.objectContaining({ name: "run", resource: "tokens", level: "soft", limit: 500, spent: 600, requested: 0 }),
      expect.objectContaining({ resource: "costUsd", level: "soft", limit: 0.5, spent: 0.6 }),
    ]);
    open.release();
  });

  it("reports the soft time limit at the first reservation after it", async () => {
    const events = budgetEvents();
    const clock = new TestClock();
    const budget = createBudget({ timeMs: 1_000, soft: { timeMs: 600 }, clock });
    await clock.advance(700);
    budget.reserve({});
    budget.reserve({});
    expect(events).toEqual([expect.objectContaining({ resource: "timeMs", level: "soft", limit: 600, spent: 700 })]);
  });
});

describe("snapshot", () => {
  it("reports limits, spend, reservations, what is left and the time elapsed", async () => {
    const clock = new TestClock();
    const budget = createBudget({ name: "run", tokens: 1000, costUsd: 2, timeMs: 10_000, clock });
    budget
      .reserve({ inputTokens: 100, outputTokens: 50, costUsd: 0.5 })
      .commit({ inputTokens: 120, outputTokens: 30, costUsd: 0.25 });
    budget.reserve({ inputTokens: 200, costUsd: 0.5 });
    await clock.advance(2_500);
    expect(budget.snapshot()).toEqual({
      name: "run",
      limits: {
        tokens: 1000,
        inputTokens: Infinity,
        outputTokens: Infinity,
        costUsd: 2,
        timeMs: 10_000,
        launches: Infinity,
      },
      spent: { tokens: 150, inputTokens: 120, outputTokens: 30, costUsd: 0.25, timeMs: 2_500, launches: 0 },
      reserved: { tokens: 200, inputTokens: 200, outputTokens: 0, costUsd: 0.5, timeMs: 0, launches: 0 },
      remaining: {
        tokens: 650,
        inputTokens: Infinity,
        outputTokens: Infinity,
        costUsd: 1.25,
        timeMs: 7_500,
        launches: Infinity,
      },
    });
    expect(Object.isFrozen(budget.snapshot().spent)).toBe(true);
    budget.close();
    expect(Object.values(budget.snapshot().remaining)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("with the model primitive", () => {
  it("charges each model call's actual usage, and refuses a call that no longer fits", async () => {
    const budget = createBudget({ tokens: 200 });
    const lm = new MockLanguageModel({ responses: [{ text: "ok", usage: { inputTokens: 100, outputTokens: 50 } }] });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    const request = { messages: [{ role: "user" as const, content: "hello" }], maxTokens: 60 };
    await model(lm).execute(request, ctx);
    expect(budget.snapshot()).toMatchObject({ spent: { inputTokens: 100, outputTokens: 50 }, reserved: { tokens: 0 } });
    await expect(model(lm).execute(request, ctx)).rejects.toMatchObject({ resource: "tokens", spent: 150 });
    expect(lm.callCount).toBe(1);
  });
});
