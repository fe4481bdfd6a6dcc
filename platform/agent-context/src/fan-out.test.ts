/**
 * Issue 12's "done when": a fan-out of 5 agents under a 1,000-token hard budget stops launching once the
 * budget is spent and rejects with a `BudgetExceededError` carrying the spend.
 */
import { BUDGET_KEY, BudgetExceededError, isTtaError, parallel } from "@tta/primitives";
import { model } from "@tta/primitives/orchestration";
import { MockLanguageModel, createTestContext } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { agent } from "./agent.js";
import { createBudget } from "./budget.js";
import { coordinate } from "./coordinate.js";

/** Five agents on one model whose calls each estimate and spend 250 tokens (200 in, 50 out). */
function fiveAgents(): { agents: ReturnType<typeof agent>[]; lm: MockLanguageModel } {
  const usage = { inputTokens: 200, outputTokens: 50 };
  const lm = new MockLanguageModel({ reply: () => ({ text: "done", usage }) });
  const llm = model(lm, { estimateTokens: () => usage });
  const agents = ["a", "b", "c", "d", "e"].map((name) => agent({ name, instructions: "research", model: llm }));
  return { agents, lm };
}

describe("a fan-out of 5 agents under a 1,000-token budget", () => {
  it("launched one after another: four spend the budget, the fifth is refused at launch with the spend", async () => {
    const { agents, lm } = fiveAgents();
    const budget = createBudget({ name: "fan-out", tokens: 1_000 });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    const error: unknown = await parallel(agents, { concurrency: 1 })
      .execute("topic", ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ resource: "tokens", limit: 1_000, spent: 1_000 });
    expect(lm.calls).toHaveLength(4); // the fifth agent never called its model
    expect(budget.snapshot().spent).toMatchObject({ tokens: 1_000, launches: 4 });
  });

  it("launched together: the four in-flight reservations hold the budget, so the fifth is refused at launch", async () => {
    const { agents, lm } = fiveAgents();
    const budget = createBudget({ name: "fan-out", tokens: 1_000 });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    const result = await coordinate(agents, { strategy: "all" })
      .execute("topic", ctx)
      .catch((e: unknown) => e);
    expect(isTtaError(result, "BUDGET_EXCEEDED")).toBe(true);
    // spent = committed + reserved: the other four calls' estimates, still in flight.
    expect(result).toMatchObject({ resource: "tokens", limit: 1_000, spent: 1_000, requested: 0 });
    // The four that launched all called their model (their estimates are what refused the fifth); it never did.
    expect(lm.calls).toHaveLength(4);
    expect(budget.snapshot().spent.launches).toBe(4);
    // Committed spend never passes the limit when every actual is within its estimate.
    expect(budget.snapshot().spent.tokens).toBeLessThanOrEqual(1_000);
  });
});
