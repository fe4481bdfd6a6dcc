/**
 * The two-agent example over real HTTP: triage hands off to billing, which calls `lookup_invoice`,
 * against the simulated OpenAI-compatible provider through `openAICompatible`, in one trace.
 */
import { BUDGET_KEY, openAICompatible } from "@tta/primitives";
import type { SimulatedProvider, SimulatedReply, SimulatedRequest } from "@tta/primitives/testing";
import { SpanRecorder, createTestContext, startSimulatedProvider } from "@tta/primitives/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { agent } from "./agent.js";
import { createBudget } from "./budget.js";
import { BILLING_PROMPT, SECRET, TRIAGE_PROMPT, lookupInvoiceTool, spanText } from "./test-support/agent-fixtures.js";

interface WireMessage {
  readonly role: string;
  readonly content: string | null;
  readonly tool_call_id?: string;
}

/** The script, by system prompt: triage transfers; billing looks the invoice up, then answers. */
function reply(request: SimulatedRequest): SimulatedReply {
  const messages = request.body.messages as readonly WireMessage[];
  const system = messages.find((m) => m.role === "system")?.content;
  if (system === TRIAGE_PROMPT)
    return { toolCalls: [{ name: "transfer_to_billing", arguments: { task: "Explain the double charge on INV-7" } }] };
  if (messages.at(-1)?.role === "tool") return { text: "INV-7 was charged twice; a refund is on its way." };
  return { toolCalls: [{ name: "lookup_invoice", arguments: { invoiceId: "INV-7" } }] };
}

let provider: SimulatedProvider;
let recorder: SpanRecorder | undefined;

beforeAll(async () => {
  provider = await startSimulatedProvider({ models: ["sim-agent"], reply });
});
afterAll(async () => {
  await provider.close();
});
afterEach(() => {
  recorder?.uninstall();
  recorder = undefined;
});

function example(): { triage: ReturnType<typeof agent>; looked: string[] } {
  const llm = openAICompatible({ baseURL: provider.baseURL, model: "sim-agent" });
  const looked: string[] = [];
  const billing = agent({
    name: "billing",
    instructions: BILLING_PROMPT,
    model: llm,
    tools: [lookupInvoiceTool(looked)],
  });
  const triage = agent({ name: "triage", instructions: TRIAGE_PROMPT, model: llm, handoffs: [billing] });
  return { triage, looked };
}

describe("the two-agent example against the simulated provider", () => {
  it("hands off, calls the tool over the wire, and answers from billing", async () => {
    const { triage, looked } = example();
    const budget = createBudget({ tokens: 100_000, launches: 2 });
    const result = await triage.execute(
      "Why was I charged twice on INV-7?",
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    expect(result).toMatchObject({
      text: "INV-7 was charged twice; a refund is on its way.",
      agent: "billing",
      steps: 3,
      toolCalls: 1,
      stopReason: "stop",
      handoffs: [{ from: "triage", to: "billing" }],
    });
    expect(looked).toEqual(["INV-7"]);
    // The tool's result went back answering the provider's own call id.
    const last = provider.requests.at(-1)?.body.messages as readonly WireMessage[];
    const toolAnswer = last.filter((m) => m.role === "tool").at(-1);
    expect(toolAnswer?.tool_call_id).toMatch(/^call_\d+$/);
    expect(toolAnswer?.content).toBe('{"id":"INV-7","amount":120,"status":"paid twice"}');
    // Every HTTP call was charged, and both agents launched.
    expect(budget.snapshot().spent.launches).toBe(2);
    expect(budget.snapshot().spent.tokens).toBeGreaterThan(0);
  });

  it("keeps the whole run in one trace tree, with no content in the spans", async () => {
    recorder = new SpanRecorder().install();
    const { triage } = example();
    await triage.execute(`Charged twice on INV-7 ${SECRET}`);
    expect(recorder.tree()).toBe(
      [
        "tta.agent",
        "  tta.agent-step",
        "    chat sim-agent",
        "  tta.agent",
        "    tta.agent-step",
        "      chat sim-agent",
        "      execute_tool lookup_invoice",
        "    tta.agent-step",
        "      chat sim-agent",
      ].join("\n"),
    );
    expect(new Set(recorder.spans.map((s) => s.traceId)).size).toBe(1);
    const tool = recorder.spans.find((s) => s.name === "execute_tool lookup_invoice");
    expect(tool?.attributes["gen_ai.tool.call.id"]).toMatch(/^call_\d+$/);
    expect(spanText(recorder.spans)).not.toContain(SECRET);
  });
});
