import { MockLanguageModel, simulatedCatalog } from "@tta/primitives/testing";
import { expect, it } from "vitest";
import { ask, createSupportAgent } from "./agent.js";

it("looks the order up, then answers with what the tool returned", async () => {
  // A scripted model: no server, no key. It asks for the tool first, then answers.
  const llm = new MockLanguageModel({
    modelId: "sim-small", // router candidates must be in the catalogue
    responses: [
      { toolCalls: [{ id: "call-1", name: "lookup_order", arguments: { orderId: "A-1001" } }] },
      "Order A-1001 has shipped and arrives Thursday.",
    ],
  });
  const support = createSupportAgent({ candidates: [llm], catalog: simulatedCatalog });

  const result = await ask(support, "Where is my order A-1001?");

  expect(result.text).toBe("Order A-1001 has shipped and arrives Thursday.");
  expect(result).toMatchObject({ steps: 2, toolCalls: 1, stopReason: "stop" });
  // The second call carried the tool's result back to the model.
  const toolResult = llm.calls[1]?.request.messages.at(-1);
  expect(toolResult?.role).toBe("tool");
  expect(toolResult?.content).toContain('"status":"shipped"');
});
