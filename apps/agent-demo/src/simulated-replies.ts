/**
 * What the simulated providers answer: a scripted support model that calls `lookup_order` when it is
 * offered the tool and the ticket names an order, then answers from the tool's result. Deterministic,
 * so the demo and its tests see the same conversation every time.
 *
 * @packageDocumentation
 */
import type { SimulatedReply, SimulatedRequest } from "@tta/primitives/testing";
import { orderIdIn } from "./tickets.js";

/** A chat message as the OpenAI-compatible body carries it (only the fields read here). */
interface WireMessage {
  readonly role?: unknown;
  readonly content?: unknown;
}

const text = (message: WireMessage | undefined): string =>
  typeof message?.content === "string" ? message.content : "";

/** Names of the tools offered in the request body. */
function offeredTools(body: SimulatedRequest["body"]): string[] {
  const tools = Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : [];
  return tools.flatMap((tool) => {
    const name = (tool as { function?: { name?: unknown } } | null)?.function?.name;
    return typeof name === "string" ? [name] : [];
  });
}

/** The answer after `lookup_order` returned: a sentence built from the order record (or its error). */
function answerFromLookup(result: string): string {
  if (result.startsWith("Error")) return "I could not find that order. Could you double-check the order number?";
  try {
    const order = JSON.parse(result) as { orderId?: string; status?: string; etaDays?: number; note?: string };
    const eta = order.etaDays === undefined ? "" : `, expected in ${order.etaDays} days`;
    const note = order.note === undefined ? "" : ` (${order.note})`;
    return `Order ${order.orderId ?? "?"} is ${order.status ?? "unknown"}${eta}${note}. Anything else I can do?`;
  } catch {
    return "I looked the order up but could not read the result; a colleague will follow up.";
  }
}

/** A canned answer for a ticket that needs no order lookup, chosen by a few words of the ticket. */
function cannedAnswer(system: string, ticket: string): string {
  const lower = ticket.toLowerCase();
  if (system.includes("engineering"))
    return "Thanks for the report: I have filed it with our engineers and will update you when a fix ships.";
  if (lower.includes("password")) return "I have sent a new password reset link; please check your spam folder too.";
  if (lower.includes("email")) return "Go to Settings → Profile → Email, enter the new address and confirm it.";
  if (lower.includes("close")) return "Your account is scheduled for closure; saved addresses are deleted with it.";
  if (lower.includes("payment")) return "Business accounts can pay by card, bank transfer or invoice (30 days).";
  return "Thanks for reaching out; a colleague will get back to you within one business day.";
}

/**
 * The `reply` of both simulated providers: one step of a support agent's conversation.
 *
 * @example
 * ```ts
 * const server = await startSimulatedProvider({ reply: supportReply });
 * ```
 */
export function supportReply(request: SimulatedRequest): SimulatedReply {
  const messages = (Array.isArray(request.body["messages"]) ? request.body["messages"] : []) as WireMessage[];
  const system = messages[0]?.role === "system" ? text(messages[0]) : "";
  const last = messages.at(-1);
  if (last?.role === "tool") return { text: answerFromLookup(text(last)) };
  const ticket = text([...messages].reverse().find((m) => m.role === "user"));
  if (offeredTools(request.body).includes("lookup_order")) {
    const orderId = orderIdIn(ticket);
    if (orderId !== undefined) return { toolCalls: [{ name: "lookup_order", arguments: { orderId } }] };
    return { text: "Could you send me your order number? It looks like A-1234." };
  }
  return { text: cannedAnswer(system, ticket) };
}
