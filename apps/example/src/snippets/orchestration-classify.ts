import { classifyTask, delegate, model, modelClassifier } from "@tta/primitives/orchestration";
import { MockLanguageModel } from "@tta/primitives/testing";

// Keyword rules match whole words only: "classify" is not "class", so this is no coding task.
const classify = classifyTask();
console.log(await classify.execute("Please classify these documents")); // → { complexity: 'simple', needs: [], reasons: [] }
const task = await classify.execute("Write a Python function that parses ISO dates");
console.log(task.complexity, task.needs, task.reasons); // → moderate [ 'code' ] [ 'matched "python" → code' ]

// Add your own words to the defaults (or replace them with `rules`).
const billing = classifyTask({ extraRules: [{ words: ["refund", "invoice"], need: "tools" }] });
console.log((await billing.execute("Refund invoice 42, then show the SQL")).needs); // → [ 'tools', 'code' ]

// Or let a small model classify; the rules remain the fallback when its answer is not valid.
const judge = new MockLanguageModel({ modelId: "gpt-4o-mini", responses: ['{"complexity":"complex","needs":[]}'] });
const byModel = classifyTask({ classify: modelClassifier(judge) });
console.log((await byModel.execute("Is this contract fair to both sides?")).reasons); // → [ 'classified by model "gpt-4o-mini"' ]

// Delegate each request to the model id a selector picks, here from the task's complexity.
const answer = delegate({
  executors: {
    "gpt-4o-mini": model(new MockLanguageModel({ modelId: "gpt-4o-mini" })),
    "o4-mini": model(new MockLanguageModel({ modelId: "o4-mini" })),
  },
  select: async (request, ctx) =>
    (await classify.execute(request, ctx)).complexity === "complex" ? "o4-mini" : "gpt-4o-mini",
});
const ask = async (content: string) => (await answer.execute({ messages: [{ role: "user", content }] })).model;
console.log(await ask("What is the capital of France?"), await ask("Prove that √2 is irrational")); // → gpt-4o-mini o4-mini
