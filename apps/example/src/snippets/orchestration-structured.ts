import { StructuredOutputError, createCatalog, structured } from "@tta/primitives/orchestration";
import { MockLanguageModel } from "@tta/primitives/testing";
import { z } from "zod";

// Any Standard Schema object works (zod, valibot, ArkType, …); the result's type comes from it.
const Ticket = z.object({ category: z.enum(["billing", "bug", "other"]), urgent: z.boolean() });

// A scripted model stands in for a real one: its first answer misses a field.
const lm = new MockLanguageModel({
  modelId: "support-bot",
  responses: ['{"category":"billing"}', '{"category":"billing","urgent":true}'],
});
// The catalogue says the model has a JSON mode, so the request carries `responseFormat` with the schema.
const catalog = createCatalog([
  {
    id: "support-bot",
    provider: "mock",
    contextWindow: 32_000,
    pricing: { inputPerMillion: 1, outputPerMillion: 2 },
    capabilities: ["json"],
  },
]);

const triage = structured(lm, { schema: Ticket, jsonSchema: z.toJSONSchema(Ticket), catalog });
const ticket = await triage.execute("I was charged twice this month!"); // typed { category: …; urgent: boolean }
console.log(ticket); // → { category: 'billing', urgent: true }
console.log(lm.callCount, lm.calls[0]?.request.responseFormat?.type); // → 2 json

// The re-ask appends the model's answer and lists the issues (not the answer again).
console.log(lm.calls[1]?.request.messages.at(-1)?.content);
// → Your previous answer was rejected:
// → - at urgent: Invalid input: expected boolean, received undefined
// → Answer again with only the corrected JSON, no other text.

// Still wrong after `repairAttempts` re-asks (default 1): a StructuredOutputError with the issues.
const stubborn = new MockLanguageModel({ responses: ['{"category":"refund","urgent":"yes"}'] });
const error = await structured(stubborn, { schema: Ticket })
  .execute("Refund me")
  .catch((e: unknown) => e);
if (error instanceof StructuredOutputError) {
  console.log(error.code, error.issues.map((issue) => issue.path?.join(".")).join(", ")); // → STRUCTURED_OUTPUT category, urgent
  console.log(error.message); // → `StructuredPrimitive`: all 2 answers failed validation (last answer: 2 issues, see `error.issues`)
}
