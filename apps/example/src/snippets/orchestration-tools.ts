import { model, openAICompatible } from "@tta/primitives/orchestration";
import type { ToolSpec } from "@tta/primitives/orchestration";
import { startSimulatedProvider } from "@tta/primitives/testing";

// The simulated model calls the first tool it is offered, and answers JSON when asked for JSON.
await using server = await startSimulatedProvider({
  reply: (request) =>
    Array.isArray(request.body["tools"])
      ? { toolCalls: [{ name: "lookup_order", arguments: { orderId: "A-17" } }] }
      : '{"status":"shipped","eta_days":2}',
});
const llm = model(openAICompatible({ baseURL: server.baseURL, model: "sim-small" }));

const lookupOrder: ToolSpec = {
  name: "lookup_order",
  description: "Finds an order by id",
  parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
};
const first = await llm.execute({
  messages: [{ role: "user", content: "Where is order A-17?" }],
  tools: [lookupOrder],
});
const call = first.toolCalls[0];
console.log(first.finishReason, call?.name, call?.arguments); // → tool-calls lookup_order { orderId: 'A-17' }

// Answer the tool call, and ask for JSON (with a JSON Schema, providers that support it enforce it).
const second = await llm.execute({
  messages: [
    { role: "user", content: "Where is order A-17?" },
    { role: "assistant", content: "", toolCalls: first.toolCalls },
    { role: "tool", toolCallId: call?.id ?? "", content: JSON.stringify({ status: "shipped" }) },
  ],
  responseFormat: {
    type: "json",
    name: "order_status",
    schema: { type: "object", properties: { status: { type: "string" } } },
  },
});
console.log(JSON.parse(second.text)); // → { status: 'shipped', eta_days: 2 }
