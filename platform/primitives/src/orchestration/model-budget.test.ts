/**
 * `model(...)` and the budget contract (DESIGN §9): reserve an estimate before the provider is called,
 * commit the actual usage and cost, release on failure, and let a refusal through unchanged.
 */
import { describe, expect, it } from "vitest";
import type { Budget } from "../core/index.js";
import { BUDGET_KEY, BudgetExceededError, createContext, parallel } from "../core/index.js";
import { retry } from "../recovery/index.js";
import { MockLanguageModel, createTestContext } from "../testing/index.js";
import { recordEvents, track } from "../test-support/index.js";
import {
  OTHER_COST,
  TokenBudget,
  USAGE,
  catalog,
  modelCalls,
  providerError,
  request,
} from "../test-support/model-fixtures.js";
import { estimateTokens, model } from "./index.js";
import type { ModelRequest, ModelResponse } from "./index.js";

describe("budget", () => {
  it("reserves the default estimate before calling the provider, then commits the actual usage and cost", async () => {
    const budget = new TokenBudget(10_000);
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage: USAGE, model: "other-id" }] });
    const order: string[] = [];
    budget.onReserve = () => order.push(`reserve (provider calls so far: ${lm.callCount})`);
    // 8 + 3 characters → ceil(11 / 4) = 3 input tokens; maxTokens 100 → 100 output tokens.
    const req: ModelRequest = {
      messages: [
        { role: "system", content: "12345678" },
        { role: "user", content: "abc" },
      ],
      maxTokens: 100,
    };
    await model(lm, { catalog }).execute(req, createContext().withValue(BUDGET_KEY, budget));
    expect(order).toEqual(["reserve (provider calls so far: 0)"]);
    expect(lm.callCount).toBe(1);
    expect(estimateTokens(req)).toEqual({ inputTokens: 3, outputTokens: 100 });
    expect(budget.log).toEqual([
      [
        "reserve",
        {
          inputTokens: 3,
          outputTokens: 100,
          costUsd: catalog.cost("mock-model", { inputTokens: 3, outputTokens: 100 }),
        },
      ],
      ["commit", { inputTokens: 100, outputTokens: 50, costUsd: OTHER_COST }],
    ]);
    expect([budget.committed, budget.held]).toEqual([150, 0]);
  });

  it("passes the call's context to reserve, so a budget can report its events with the run's ids", async () => {
    const seen: (string | undefined)[] = [];
    const budget: Budget = {
      reserve(_estimate, ctx) {
        seen.push(ctx?.workflowId);
        return { commit() {}, release() {} };
      },
    };
    await model(new MockLanguageModel(), { catalog }).execute(
      request,
      createContext({ workflowId: "wf-budget" }).withValue(BUDGET_KEY, budget),
    );
    expect(seen).toEqual(["wf-budget"]);
  });

  it("estimates the output as 0 tokens when the request sets no maxTokens", async () => {
    const budget = new TokenBudget(10_000);
    await model(new MockLanguageModel(), { catalog }).execute(
      { messages: [{ role: "user", content: "x".repeat(17) }] },
      createContext().withValue(BUDGET_KEY, budget),
    );
    expect(budget.log[0]).toEqual(["reserve", expect.objectContaining({ inputTokens: 5, outputTokens: 0 })]);
  });

  it("uses a custom estimateTokens, given the request", async () => {
    const budget = new TokenBudget(10_000);
    const seen: ModelRequest[] = [];
    const estimate = (r: ModelRequest) => {
      seen.push(r);
      return { inputTokens: 1_000, outputTokens: 7 };
    };
    await model(new MockLanguageModel(), { catalog, estimateTokens: estimate }).execute(
      request,
      createContext().withValue(BUDGET_KEY, budget),
    );
    expect(seen).toEqual([request]);
    expect(budget.log[0]).toEqual([
      "reserve",
      {
        inputTokens: 1_000,
        outputTokens: 7,
        costUsd: catalog.cost("mock-model", { inputTokens: 1_000, outputTokens: 7 }),
      },
    ]);
  });

  it("releases the reservation when the call fails, and commits nothing", async () => {
    const budget = new TokenBudget(10_000);
    const error = providerError(500);
    const lm = new MockLanguageModel({ responses: [error] });
    await expect(model(lm, { catalog }).execute(request, createContext().withValue(BUDGET_KEY, budget))).rejects.toBe(
      error,
    );
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "release"]);
    expect([budget.committed, budget.held]).toEqual([0, 0]);
  });

  it("a BudgetExceededError from reserve propagates unchanged and the provider is never called", async () => {
    const refusal = new BudgetExceededError("no budget left", {
      resource: "tokens",
      limit: 10,
      spent: 10,
      requested: 5,
    });
    const budget: Budget = {
      reserve: () => {
        throw refusal;
      },
    };
    const events = recordEvents();
    const lm = new MockLanguageModel();
    await expect(model(lm, { catalog }).execute(request, createContext().withValue(BUDGET_KEY, budget))).rejects.toBe(
      refusal,
    );
    expect(lm.callCount).toBe(0);
    expect(modelCalls(events)).toEqual([]);
  });

  it("a budget refusal is not retried by retry (not retryable)", async () => {
    const budget = new TokenBudget(1);
    const lm = new MockLanguageModel();
    const error = await retry(model(lm, { catalog }), { initialDelayMs: 0 })
      .execute(request, createContext().withValue(BUDGET_KEY, budget))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(lm.callCount).toBe(0);
  });

  it("a parallel fan-out of 5 calls against a budget that fits 3 estimates runs exactly 3", async () => {
    const ctx = createTestContext();
    // 40 characters → 10 input tokens, + maxTokens 90 → an estimate of 100 tokens per call.
    const req: ModelRequest = { messages: [{ role: "user", content: "x".repeat(40) }], maxTokens: 90 };
    const budget = new TokenBudget(300);
    const lm = new MockLanguageModel({
      latencyMs: 100,
      clock: ctx.clock,
      responses: [{ text: "ok", usage: { inputTokens: 10, outputTokens: 5 } }],
    });
    const llm = model(lm, { catalog });
    const run = track(
      parallel([llm, llm, llm, llm, llm], { mode: "allSettled" }).execute(req, ctx.withValue(BUDGET_KEY, budget)),
    );
    await ctx.clock.advance(0);
    expect(lm.callCount).toBe(3);
    expect(budget.held).toBe(300);
    await ctx.clock.advance(100);
    expect(run.state).toBe("resolved");
    const results = run.value as PromiseSettledResult<ModelResponse>[];
    expect(results.map((r) => r.status).sort()).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "rejected",
    ]);
    for (const r of results)
      if (r.status === "rejected")
        expect(r.reason).toMatchObject({ code: "BUDGET_EXCEEDED", limit: 300, spent: 300, requested: 100 });
    expect(lm.callCount).toBe(3);
    expect([budget.committed, budget.held]).toEqual([45, 0]);
  });

  it("without a budget on the context, nothing is estimated", async () => {
    let estimates = 0;
    await model(new MockLanguageModel(), {
      catalog,
      estimateTokens: (r) => {
        estimates++;
        return estimateTokens(r);
      },
    }).execute(request);
    expect(estimates).toBe(0);
  });
});
