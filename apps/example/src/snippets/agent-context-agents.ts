import { agent, createBudget, tool, withAgent } from "@tta/agent-context";
import { type ModelRequest, createContext } from "@tta/primitives";
import { MockLanguageModel } from "@tta/primitives/testing";
import { z } from "zod";

const InvoiceArgs = z.object({ invoiceId: z.string().regex(/^INV-\d+$/) });
const lookupInvoice = tool({
  name: "lookup_invoice",
  description: "Looks up an invoice by id",
  parameters: InvoiceArgs, // validated before execute runs; the model gets the issues back if it errs
  jsonSchema: z.toJSONSchema(InvoiceArgs, { io: "input" }), // what the model is shown
  execute: ({ invoiceId }) => ({ id: invoiceId, amount: 120, charged: 2 }),
});

const billing = agent({
  name: "billing",
  description: "Invoices, charges and refunds",
  instructions: "You handle billing. Look invoices up before answering.",
  model: llm(),
  tools: [lookupInvoice],
});
const triage = agent({
  name: "triage",
  instructions: "Route billing questions to billing; answer the rest yourself.",
  model: llm(),
  handoffs: [billing], // offered to the model as the tool transfer_to_billing
});

// One budget for the whole conversation: both agents draw on it, and the handoff keeps it.
const budget = createBudget({ name: "ticket-42", tokens: 10_000, launches: 4 });
const result = await triage.execute(
  "Why was I charged twice on INV-7?",
  withAgent(createContext(), { name: "support", budget }),
);

console.log(result.agent, result.stopReason, result.steps, result.toolCalls); // → billing stop 3 1
console.log(result.handoffs.map((h) => `${h.from} → ${h.to}`)); // → [ 'triage → billing' ]
console.log(result.text); // → INV-7 was charged twice; a refund is on its way.
const { tokens, launches } = budget.snapshot().spent;
console.log(tokens, launches); // → 45 2

/** A scripted model standing in for a real one (`openAICompatible(...)` or a `modelRouter`). */
function llm(): MockLanguageModel {
  return new MockLanguageModel({
    reply: (request: ModelRequest) => {
      const system = request.messages[0]?.content ?? "";
      const last = request.messages.at(-1);
      const usage = { inputTokens: 10, outputTokens: 5 };
      if (system.startsWith("Route billing"))
        return {
          toolCalls: [{ id: "c1", name: "transfer_to_billing", arguments: { task: "Explain INV-7's double charge" } }],
          usage,
        };
      if (last?.role === "tool") return { text: "INV-7 was charged twice; a refund is on its way.", usage };
      return { toolCalls: [{ id: "c2", name: "lookup_invoice", arguments: { invoiceId: "INV-7" } }], usage };
    },
  });
}
