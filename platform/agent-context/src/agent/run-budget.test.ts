/**
 * What an agent run leaves held in the context's budget, on every way a run can end: nothing. An
 * agent with `budget` limits carves a child out of the context's budget; the child must be closed (its
 * carve-out back in the parent) and no reservation left open, whether the run answers, hands off,
 * runs out of steps, or fails.
 */
import { BUDGET_KEY, BudgetExceededError, ProviderError } from "@tta/primitives";
import type { Spend, WorkflowContext } from "@tta/primitives";
import type { MockReply } from "@tta/primitives/testing";
import { MockLanguageModel, createTestContext } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import type { AnyAgent } from "../agent.js";
import { agent } from "../agent.js";
import { createBudget } from "../budget.js";
import { answer, call, calls, systemOf } from "../test-support/agent-fixtures.js";
import { tool } from "../tool.js";
import type { AgentBudget, BudgetLimits } from "../types.js";

const NOTHING_HELD = { tokens: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, launches: 0 };

/** Runs agent `a` (with a child budget of its own) under a context budget; returns the outcome and the books. */
async function runUnder(
  build: (controller: AbortController) => AnyAgent,
  limits: { launches?: number } = {},
): Promise<{ outcome: unknown; budget: AgentBudget }> {
  const budget = createBudget({ name: "run", tokens: 10_000, ...limits });
  const controller = new AbortController();
  const ctx = createTestContext({ signal: controller.signal }).withValue(BUDGET_KEY, budget);
  const outcome = await build(controller)
    .execute("go", ctx)
    .then(
      (result) => result.stopReason,
      (error: unknown) => error,
    );
  return { outcome, budget };
}

/** An agent on a scripted model, with a child budget of 500 tokens per run. */
function scripted(reply: (request: Parameters<typeof systemOf>[0]) => MockReply, extra: object = {}): AnyAgent {
  return agent({
    name: "a",
    instructions: "a",
    model: new MockLanguageModel({ reply }),
    budget: { tokens: 500 },
    ...extra,
  });
}

describe("an agent run with its own budget leaves nothing held in the context's budget", () => {
  it("when it answers, and when it runs out of steps", async () => {
    for (const [reply, stop] of [
      [() => answer("ok"), "stop"],
      [() => calls(call("nope", {})), "max-steps"],
    ] as const) {
      const { outcome, budget } = await runUnder(() => scripted(reply, { maxSteps: 2 }));
      expect(outcome).toBe(stop);
      expect(budget.snapshot().reserved).toMatchObject(NOTHING_HELD);
    }
  });

  it("when a tool throws (answered to the model), and when a tool's BudgetExceededError ends the run", async () => {
    const exceeded = new BudgetExceededError("inner budget spent", { resource: "tokens" });
    for (const [thrown, expected] of [
      [new Error("db down"), "stop"],
      [exceeded, exceeded],
    ] as const) {
      const failing = tool({
        name: "failing",
        parameters: { type: "object" },
        execute: () => {
          throw thrown;
        },
      });
      const { outcome, budget } = await runUnder(() =>
        scripted((r) => (r.messages.at(-1)?.role === "tool" ? answer("ok") : calls(call("failing", {}))), {
          tools: [failing],
        }),
      );
      expect(outcome).toBe(expected);
      expect(budget.snapshot().reserved).toMatchObject(NOTHING_HELD);
    }
  });

  it("when the model call fails, and when the caller aborts in the middle of a step", async () => {
    const providerDown = new ProviderError("mock m: 503", { provider: "mock", model: "m", status: 503 });
    const failing = await runUnder(() =>
      agent({
        name: "a",
        instructions: "a",
        model: { execute: () => Promise.reject(providerDown) },
        budget: { tokens: 500 },
      }),
    );
    expect(failing.outcome).toBe(providerDown);
    expect(failing.budget.snapshot().reserved).toMatchObject(NOTHING_HELD);

    const reason = new Error("user left");
    const aborted = await runUnder((controller) => {
      const stop = tool({
        name: "stop",
        parameters: { type: "object" },
        execute: () => void controller.abort(reason),
      });
      return scripted(() => calls(call("stop", {})), { tools: [stop] });
    });
    expect(aborted.outcome).toBe(reason);
    expect(aborted.budget.snapshot().reserved).toMatchObject(NOTHING_HELD);
  });

  it("as soon as the caller aborts, even while a tool that ignores its signal never settles", async () => {
    const reason = new Error("user left");
    const { outcome, budget } = await runUnder((controller) => {
      const hangs = tool({
        name: "hangs",
        parameters: { type: "object" },
        execute: () => {
          controller.abort(reason);
          return new Promise<never>(() => undefined);
        },
      });
      return scripted(() => calls(call("hangs", {})), { tools: [hangs] });
    });
    expect(outcome).toBe(reason);
    expect(budget.snapshot().reserved).toMatchObject(NOTHING_HELD);
    expect(budget.snapshot().remaining.tokens).toBe(10_000 - 15); // the one model call, nothing else
  });

  it("when it hands off, and when the receiver is refused its launch", async () => {
    // The receiver launches on the sender's own budget: with no launch in it, it is refused.
    for (const launches of [10, 0]) {
      const { outcome, budget } = await runUnder(() => {
        const lm = new MockLanguageModel({
          reply: (r) => (systemOf(r) === "a" ? calls(call("transfer_to_b", { task: "yours" })) : answer("ok")),
        });
        const b = agent({ name: "b", instructions: "b", model: lm, budget: { tokens: 100 } });
        return agent({ name: "a", instructions: "a", model: lm, handoffs: [b], budget: { tokens: 500, launches } });
      });
      if (launches === 0) expect(outcome).toBeInstanceOf(BudgetExceededError);
      else expect(outcome).toBe("stop");
      expect(budget.snapshot().reserved).toMatchObject(NOTHING_HELD);
    }
  });

  it("when the context's budget fails to commit the launch after the carve-out", async () => {
    const books = createBudget({ tokens: 1_000, launches: 5 });
    // A budget of its own kind (`child` from ours) whose commit throws: the run must hold nothing after.
    const flaky = {
      reserve: (estimate: Spend, c?: WorkflowContext) => {
        const held = books.reserve(estimate, c);
        return {
          commit: () => {
            throw new Error("ledger offline");
          },
          release: () => held.release(),
        };
      },
      child: (limits: BudgetLimits, options?: { name?: string }) => books.child(limits, options),
    };
    const lm = new MockLanguageModel({ responses: [answer("never")] });
    const ctx = createTestContext().withValue(BUDGET_KEY, flaky);
    const run = agent({ name: "a", instructions: "i", model: lm, budget: { tokens: 100 } }).execute("x", ctx);
    await expect(run).rejects.toThrow("ledger offline");
    expect(books.snapshot().reserved).toMatchObject(NOTHING_HELD);
    expect(lm.calls).toHaveLength(0);
  });
});
