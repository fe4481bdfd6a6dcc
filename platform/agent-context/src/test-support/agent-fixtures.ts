/**
 * Fixtures of the agent, tool and handoff tests: scripted tool calls, the two-agent example (triage
 * hands off to billing, which looks up an invoice) and span helpers.
 */
import type { Message, ModelRequest, ToolCall } from "@tta/primitives";
import type { MockReply, RecordedSpan } from "@tta/primitives/testing";
import { MockLanguageModel } from "@tta/primitives/testing";
import { z } from "zod";
import type { AgentPrimitive } from "../agent.js";
import { agent } from "../agent.js";
import type { ToolPrimitive } from "../tool.js";
import { tool } from "../tool.js";

/** A tool call as a model makes it. */
export function call(name: string, args: unknown, id = `call-${name}`): ToolCall {
  return { id, name, arguments: args };
}

/** A reply that only calls tools. */
export function calls(...toolCalls: ToolCall[]): MockReply {
  return { text: "", toolCalls, usage: { inputTokens: 10, outputTokens: 5 } };
}

/** A final text reply with fixed usage. */
export function answer(text: string): MockReply {
  return { text, usage: { inputTokens: 10, outputTokens: 5 } };
}

/** The `tool` messages of a transcript. */
export function toolMessages(messages: readonly Message[]): Message[] {
  return messages.filter((m) => m.role === "tool");
}

/** The system prompt of a request. */
export function systemOf(request: ModelRequest): string {
  return request.messages.find((m) => m.role === "system")?.content ?? "";
}

/** User data planted in prompts, arguments and results, to check it never reaches telemetry. */
export const SECRET = "SECRET-CONTENT-4242";

export const InvoiceArgs = z.object({ invoiceId: z.string().regex(/^INV-\d+$/) });

/** The `lookup_invoice` tool of the two-agent example; records what it was asked. */
export function lookupInvoiceTool(
  seen: string[] = [],
): ToolPrimitive<z.output<typeof InvoiceArgs>, { id: string; amount: number; status: string }> {
  return tool({
    name: "lookup_invoice",
    description: "Looks up an invoice by id",
    parameters: InvoiceArgs,
    jsonSchema: z.toJSONSchema(InvoiceArgs, { io: "input" }),
    execute: ({ invoiceId }) => {
      seen.push(invoiceId);
      return { id: invoiceId, amount: 120, status: "paid twice" };
    },
  });
}

export const TRIAGE_PROMPT = "You are triage. Route billing questions to billing.";
export const BILLING_PROMPT = "You are billing. Look invoices up before answering.";

/**
 * The script of the two-agent example, by system prompt: triage hands off to billing; billing calls
 * `lookup_invoice`, then answers.
 */
export function twoAgentReply(request: ModelRequest): MockReply {
  const last = request.messages[request.messages.length - 1];
  if (systemOf(request) === TRIAGE_PROMPT)
    return calls(call("transfer_to_billing", { task: "Explain the double charge on INV-7" }, "call-transfer"));
  if (last?.role === "tool") return answer("INV-7 was charged twice; a refund is on its way.");
  return calls(call("lookup_invoice", { invoiceId: "INV-7" }, "call-lookup"));
}

/** The two agents of the example on one mock model. */
export function twoAgents(lm: MockLanguageModel = new MockLanguageModel({ reply: twoAgentReply })): {
  triage: AgentPrimitive;
  billing: AgentPrimitive;
  lm: MockLanguageModel;
  looked: string[];
} {
  const looked: string[] = [];
  const billing = agent({
    name: "billing",
    instructions: BILLING_PROMPT,
    description: "Invoices, charges and refunds",
    model: lm,
    tools: [lookupInvoiceTool(looked)],
  });
  const triage = agent({ name: "triage", role: "router", instructions: TRIAGE_PROMPT, model: lm, handoffs: [billing] });
  return { triage, billing, lm, looked };
}

/** Everything a span carries that could leak content: name, attributes, events. */
export function spanText(spans: readonly RecordedSpan[]): string {
  return JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
}
