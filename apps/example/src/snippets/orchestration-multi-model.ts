import { createCatalog, modelRouter, multiModel } from "@tta/primitives/orchestration";
import type { MultiModelClassification } from "@tta/primitives/orchestration";
import { MockLanguageModel } from "@tta/primitives/testing";

// Two scripted models: a cheap generalist and an expensive coder (only the coder has "code").
const catalog = createCatalog([
  {
    id: "small",
    provider: "mock",
    contextWindow: 16_000,
    pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 },
    capabilities: [],
  },
  {
    id: "coder",
    provider: "mock",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 3, outputPerMillion: 15 },
    capabilities: ["code"],
  },
]);
const small = new MockLanguageModel({ modelId: "small", responses: ["We are open 9 to 5."] });
const coder = new MockLanguageModel({
  modelId: "coder",
  responses: [
    { text: "Use a Map instead of the array.", usage: { inputTokens: 1_000, outputTokens: 200 } },
    { text: "const byId = new Map(items.map((i) => [i.id, i]));", usage: { inputTokens: 1_200, outputTokens: 300 } },
  ],
});
const router = modelRouter({ candidates: [small, coder], catalog });

// Any primitive or function `text → { complexity, needs, reasons }` classifies; classifyTask() is the built-in one.
const classifier = (text: string): MultiModelClassification =>
  /\b(code|function|refactor)\b/i.test(text)
    ? { complexity: "complex", needs: ["code"], reasons: ["mentions code"] }
    : { complexity: "simple", needs: [], reasons: [] };

// The router keeps the candidates that have every needed capability, cheapest first; an answer that fails
// `validate` is re-asked once with the validation error.
const codeFlow = multiModel({
  classifier,
  router,
  validate: (text) => /\b(const|let|function)\b/.test(text) || "Show the code itself, not a description.",
});
const refactor = await codeFlow.execute("Refactor this function to look items up by id");
console.log(refactor.model, refactor.classification.needs, refactor.attempts); // → coder [ 'code' ] 2
console.log(refactor.usage, refactor.costUsd?.toFixed(4)); // → { inputTokens: 2200, outputTokens: 500 } 0.0141
console.log(coder.calls[1]?.request.messages.at(-1)?.content.split("\n")[1]); // → - Show the code itself, not a description.

const hours = await multiModel({ classifier, router }).execute("When are you open?");
console.log(hours.model, hours.response.text); // → small We are open 9 to 5.
