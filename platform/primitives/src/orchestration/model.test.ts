/**
 * `model(...)` (DESIGN §6.2 and "Model layer finer points"): retry hints, cancellation, options and the
 * primitive contract. The span and the `model-call` event are in `model-spans.test.ts`, the budget
 * contract (§9) in `model-budget.test.ts`.
 */
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowContext } from "../core/index.js";
import { BUDGET_KEY, createContext, sequential } from "../core/index.js";
import { retry } from "../recovery/index.js";
import { MockLanguageModel, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { invalidOption, recordEvents, track } from "../test-support/index.js";
import { TokenBudget, catalog, modelCalls, providerError, request } from "../test-support/model-fixtures.js";
import { model } from "./index.js";
import type { LanguageModel, ModelRequest, ModelResponse } from "./index.js";

describe("retry hints", () => {
  it("retry(model(lm)) waits exactly the provider's retryAfterMs after a 429, then answers", async () => {
    const ctx = createTestContext();
    const lm = new MockLanguageModel({ clock: ctx.clock, responses: [providerError(429, 1_000), "Hello!"] });
    const delays: number[] = [];
    const run = track(
      retry(model(lm, { catalog }), { onRetry: ({ delayMs }) => delays.push(delayMs) }).execute(request, ctx),
    );
    await ctx.clock.advance(0);
    expect(delays).toEqual([1_000]);
    await ctx.clock.advance(999);
    expect(run.state).toBe("pending");
    expect(lm.callCount).toBe(1);
    await ctx.clock.advance(1);
    expect(run).toMatchObject({ state: "resolved", value: { text: "Hello!" } });
    expect(lm.callCount).toBe(2);
    expect(lm.calls.map((c) => c.at)).toEqual([0, 1_000]);
  });

  it("a 400 is not retried", async () => {
    const error = providerError(400);
    const lm = new MockLanguageModel({ responses: [error, "never"] });
    await expect(
      retry(model(lm, { catalog }), { initialDelayMs: 0 }).execute(request, createTestContext()),
    ).rejects.toBe(error);
    expect(lm.callCount).toBe(1);
  });
});

describe("cancellation", () => {
  it("aborting mid-call rejects with the abort reason, reaches the provider, and reports outcome aborted", async () => {
    const events = recordEvents();
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const budget = new TokenBudget(10_000);
    const lm = new MockLanguageModel({ latencyMs: 1_000, clock: ctx.clock });
    const run = track(model(lm, { catalog }).execute(request, ctx.withValue(BUDGET_KEY, budget)));
    await ctx.clock.advance(300);
    const reason = new Error("user navigated away");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(run).toMatchObject({ state: "rejected", error: reason });
    // The provider saw the signal (its wait was cut short): the call is already reported and released.
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({ outcome: "aborted", durationMs: 300, inputTokens: 0, outputTokens: 0 }),
    ]);
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "release"]);
  });

  it("a nested call (inside another primitive) is cancelled cooperatively with the same reason", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const lm = new MockLanguageModel({ latencyMs: 1_000, clock: ctx.clock });
    let nested: Promise<ModelResponse> | undefined;
    const outer = sequential([
      (r: ModelRequest, c: WorkflowContext) => (nested = model(lm, { catalog }).execute(r, c)),
    ]);
    void outer.execute(request, ctx).catch(() => undefined);
    await ctx.clock.advance(10);
    const reason = new Error("stop");
    controller.abort(reason);
    const inner = track(nested as Promise<ModelResponse>);
    await ctx.clock.advance(0);
    expect(inner).toMatchObject({ state: "rejected", error: reason });
  });
});

describe("invalid options", () => {
  const lm = new MockLanguageModel();

  it("rejects a value that is not a LanguageModel, naming languageModel", () => {
    const bad: unknown[] = [
      undefined,
      null,
      "gpt-4o",
      {},
      { provider: "x", modelId: "m" },
      { provider: "x", modelId: "", generate: () => undefined },
      { modelId: "m", generate: () => undefined },
    ];
    for (const value of bad) expect(invalidOption(() => model(value as LanguageModel)).option).toBe("languageModel");
  });

  it("rejects an unknown option key by name (typo protection)", () => {
    expect(invalidOption(() => model(lm, { catalogue: catalog } as never)).option).toBe("catalogue");
  });

  it("rejects a bad catalog, name, estimateTokens or captureContent, naming it", () => {
    expect(invalidOption(() => model(lm, { catalog: {} as never })).option).toBe("catalog");
    expect(invalidOption(() => model(lm, { catalog: "default" as never })).option).toBe("catalog");
    expect(invalidOption(() => model(lm, { name: "" })).option).toBe("name");
    expect(invalidOption(() => model(lm, { estimateTokens: 4 as never })).option).toBe("estimateTokens");
    expect(invalidOption(() => model(lm, { captureContent: "yes" as never })).option).toBe("captureContent");
  });

  it("rejects options that are not a plain object", () => {
    invalidOption(() => model(lm, [] as never));
    invalidOption(() => model(lm, new Map() as never));
  });

  it("accepts null and undefined options as defaults", () => {
    expect(model(lm, { catalog: null, name: undefined } as never).name).toBe("ModelPrimitive");
  });

  it("rejects a request without a messages array, naming request.messages, before reserving or calling", async () => {
    const budget = new TokenBudget(10_000);
    const ctx = createContext().withValue(BUDGET_KEY, budget);
    for (const bad of [{}, { messages: "hi" }, null, "hi"]) {
      const error = await model(lm, { catalog })
        .execute(bad as ModelRequest, ctx)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "INVALID_OPTIONS", option: "request.messages" });
    }
    expect(lm.callCount).toBe(0);
    expect(budget.log).toEqual([]);
  });
});

// The conformance suite. The primitive's "inner work" is the provider: a MockLanguageModel whose
// reply runs the suite's MockPrimitive on the call's signal and clock. An AsyncLocalStorage context
// manager lets the provider's work nest under the model's span, as an instrumented HTTP client would.
describe("contract", () => {
  beforeAll(() => {
    context.disable();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  describePrimitiveContract(
    "model",
    (inner) => ({
      execute: (input: unknown, ctx?: WorkflowContext) => {
        const c = ctx ?? createTestContext();
        const lm = new MockLanguageModel({
          clock: c.clock,
          reply: async (req) => String(await inner.execute(req, createContext({ signal: c.signal, clock: c.clock }))),
        });
        return model(lm, { catalog }).execute(input as ModelRequest, c);
      },
    }),
    { input: { messages: [{ role: "user", content: "hello" }], maxTokens: 16 }, spanName: "chat mock-model" },
  );
});
