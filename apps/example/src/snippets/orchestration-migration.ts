import { createContext } from "@tta/primitives";
import { createCatalog, model, modelRouter } from "@tta/primitives/orchestration";
import { circuitBreaker, fallback, retry, timeout } from "@tta/primitives/recovery";
import { MockLanguageModel } from "@tta/primitives/testing";

const catalog = createCatalog([
  {
    id: "primary",
    provider: "a",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    capabilities: [],
  },
  {
    id: "backup",
    provider: "b",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 0.75, outputPerMillion: 3 },
    capabilities: [],
  },
]);
const primary = new MockLanguageModel({ modelId: "primary", responses: ["from primary"] });
const backup = new MockLanguageModel({ modelId: "backup", responses: ["from backup"] });

// Before: the static stack, built by hand for each model.
const guarded = (lm: MockLanguageModel) =>
  retry(timeout(circuitBreaker(model(lm, { catalog })), { timeoutMs: 3_000 }), { maxRetries: 3 });
const before = fallback(guarded(primary), { fallbacks: guarded(backup) });

// After: one router. The fixed 3 s timeout becomes the cap of an adaptive one, the retries stay per
// candidate, the fallback order becomes the candidate list (cheapest first; `strategy: "ordered"` keeps yours).
const after = modelRouter({
  candidates: [primary, backup],
  catalog,
  preset: "cost",
  attemptTimeout: { maxMs: 3_000 },
  retry: { maxRetries: 3 },
});

const ask = { messages: [{ role: "user" as const, content: "Hi" }] };
const deadline = () => createContext({ timeoutMs: 10_000 }); // the caller's overall budget, for both
console.log((await before.execute(ask, deadline())).text, (await after.execute(ask, deadline())).text); // → from primary from primary
