import { type Budget, BUDGET_KEY, type Spend, BudgetExceededError, createContext, subscribe } from "@tta/primitives";
import { createCatalog, defaultCatalog, model } from "@tta/primitives/orchestration";
import { MockLanguageModel } from "@tta/primitives/testing";

// One catalogue holds every price; lookups are by exact id (never a prefix).
const mini = defaultCatalog.get("gpt-4o-mini");
console.log(defaultCatalog.pricesAsOf, mini?.pricing.inputPerMillion, mini?.pricing.outputPerMillion); // → 2025-09-01 0.15 0.6
console.log(defaultCatalog.cost("gpt-4o-mini", { inputTokens: 1_000_000, outputTokens: 100_000 })); // → 0.21
console.log(defaultCatalog.cost("gpt-4o-mini-2099", { inputTokens: 1, outputTokens: 1 })); // → undefined

// Prices drift: extend the shipped catalogue (or load your own JSON file with loadCatalog).
const catalog = defaultCatalog.extend([
  {
    id: "support-bot",
    provider: "mock",
    contextWindow: 32_000,
    pricing: { inputPerMillion: 1, outputPerMillion: 2 },
    capabilities: ["tools"],
  },
]);
console.log(createCatalog(catalog.models).has("support-bot")); // → true

// Every call reports a `model-call` event with tokens and cost (what @tta/observability turns into metrics).
const stop = subscribe((e) => {
  if (e.type === "model-call") console.log(e.model, e.inputTokens, e.outputTokens, e.costUsd, e.outcome);
});
const llm = model(new MockLanguageModel({ modelId: "support-bot", responses: ["Sure, let me check."] }), { catalog });
await llm.execute({ messages: [{ role: "user", content: "Can I get a refund, please?" }] }); // → support-bot 7 5 0.000017 success
stop();

// A budget on the context: every model call reserves an estimate first and commits what it really used.
let spentTokens = 0;
const tokenBudget = (limit: number): Budget => ({
  reserve(estimate: Spend) {
    const wanted = (estimate.inputTokens ?? 0) + (estimate.outputTokens ?? 0);
    if (spentTokens + wanted > limit)
      throw new BudgetExceededError("token budget exceeded", {
        resource: "tokens",
        limit,
        spent: spentTokens,
        requested: wanted,
      });
    spentTokens += wanted;
    return {
      commit: (actual: Spend) => void (spentTokens += (actual.inputTokens ?? 0) + (actual.outputTokens ?? 0) - wanted),
      release: () => void (spentTokens -= wanted),
    };
  },
});
const ctx = createContext().withValue(BUDGET_KEY, tokenBudget(40));
await llm.execute({ messages: [{ role: "user", content: "Hello" }], maxTokens: 10 }, ctx);
console.log(spentTokens); // → 7
const refused = await llm
  .execute({ messages: [{ role: "user", content: "Hi" }], maxTokens: 50 }, ctx)
  .catch((e: unknown) => e);
console.log(refused instanceof BudgetExceededError, (refused as BudgetExceededError).requested); // → true 51
