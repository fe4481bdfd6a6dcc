import { createBudget } from "@tta/agent-context";
import { BUDGET_KEY, BudgetExceededError, createContext, subscribe } from "@tta/primitives";
import { model } from "@tta/primitives/orchestration";
import { MockLanguageModel, TestClock } from "@tta/primitives/testing";

const clock = new TestClock();
const run = createBudget({ name: "run", tokens: 1_000, costUsd: 0.5, timeMs: 60_000, soft: { tokens: 800 }, clock });
const stop = subscribe((e) => {
  if (e.type === "budget") console.log(`${e.level}: ${e.name} ${e.resource} ${e.spent}/${e.limit}`);
});

// A reservation holds an estimate until the call commits what it really spent (or releases it).
const call = run.reserve({ inputTokens: 300, outputTokens: 200 });
console.log(run.snapshot().reserved.tokens); // → 500
call.commit({ inputTokens: 320, outputTokens: 150 });
console.log(run.snapshot().spent.tokens, run.snapshot().remaining.tokens); // → 470 530

// A child carves its share out of what is left; its spend counts in the parent as it happens.
const research = run.child({ tokens: 400 }, { name: "research" });
console.log(run.snapshot().remaining.tokens); // → 130
research.reserve({ inputTokens: 350 }).commit({ inputTokens: 350 }); // → soft: run tokens 870/800
research.close(); // the unused 50 go back to the parent
console.log(run.snapshot().remaining.tokens); // → 180

// In flight reservations count: this estimate does not fit, so the call is never sent.
const lm = new MockLanguageModel({ responses: ["never sent"] });
const ctx = createContext().withValue(BUDGET_KEY, run);
try {
  // → hard: run tokens 820/1000
  await model(lm).execute({ messages: [{ role: "user", content: "x".repeat(400) }], maxTokens: 200 }, ctx);
} catch (error) {
  if (error instanceof BudgetExceededError) console.log(error.resource, error.limit, error.spent, error.requested); // → tokens 1000 820 300
}
console.log(lm.callCount); // → 0
stop();
