/**
 * Handoffs: the model's `transfer_to_<agent>` calls (transcript, envelope, payload validation, cycles
 * and the hop limit, budget and trace kept), and one trace across a handoff of either kind (the
 * code-driven `handoff(to)` itself: `handoff-primitive.test.ts`).
 */
import { BUDGET_KEY, BudgetExceededError } from "@tta/primitives";
import type { ModelRequest } from "@tta/primitives";
import type { MockReply } from "@tta/primitives/testing";
import { MockLanguageModel, SpanRecorder, createTestContext } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { AgentInput } from "./agent.js";
import { agent } from "./agent.js";
import { agentOf } from "./agent-context.js";
import { createBudget } from "./budget.js";
import { handoff } from "./handoff.js";
import {
  BILLING_PROMPT,
  SECRET,
  TRIAGE_PROMPT,
  answer,
  call,
  calls,
  spanText,
  systemOf,
  toolMessages,
  twoAgents,
} from "./test-support/agent-fixtures.js";
import { tool } from "./tool.js";
import type { HandoffEnvelope } from "./types.js";

let recorder: SpanRecorder | undefined;
afterEach(() => {
  recorder?.uninstall();
  recorder = undefined;
});

describe("a model's transfer_to_<agent> call", () => {
  it("ends the sender and gives the final answer from the target, with the chain counted", async () => {
    const { triage, looked } = twoAgents();
    const ctx = createTestContext();
    await ctx.clock.advance(1_000);
    const result = await triage.execute("Why was I charged twice on INV-7?", ctx);
    expect(result).toMatchObject({
      text: "INV-7 was charged twice; a refund is on its way.",
      agent: "billing",
      steps: 3,
      toolCalls: 1,
      handoffs: [{ from: "triage", to: "billing", at: 1_000 }],
      stopReason: "stop",
    });
    expect(looked).toEqual(["INV-7"]);
  });

  it("offers one transfer tool per target, with its description and { task, payload }", async () => {
    const { triage, lm } = twoAgents();
    await triage.execute("hi");
    const spec = lm.calls[0]?.request.tools?.find((t) => t.name === "transfer_to_billing");
    expect(spec?.description).toContain("Invoices, charges and refunds");
    expect(spec?.parameters).toMatchObject({
      type: "object",
      required: ["task"],
      properties: { task: { type: "string" } },
    });
  });

  it("starts the target's transcript with its own instructions, the conversation (transfer answered) and the task", async () => {
    const { triage, lm } = twoAgents();
    const result = await triage.execute("Why was I charged twice on INV-7?");
    const billingFirst = lm.calls[1]?.request as ModelRequest;
    expect(systemOf(billingFirst)).toBe(BILLING_PROMPT);
    expect(billingFirst.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "user"]);
    expect(billingFirst.messages.some((m) => m.content === TRIAGE_PROMPT)).toBe(false);
    expect(billingFirst.messages[3]).toEqual({
      role: "tool",
      content: 'Transferred to agent "billing".',
      toolCallId: "call-transfer",
    });
    expect(billingFirst.messages[4]).toEqual({ role: "user", content: "Explain the double charge on INV-7" });
    // The result's transcript is the final agent's.
    expect(result.messages[0]).toEqual({ role: "system", content: BILLING_PROMPT });
  });

  it("runs the target as a child agent: agentOf gives its name, the sender as parent, and the history", async () => {
    const seen: unknown[] = [];
    const lm = new MockLanguageModel({
      reply: (request) =>
        systemOf(request) === "t"
          ? calls(call("transfer_to_b", { task: "do it" }))
          : request.messages.at(-1)?.role === "tool"
            ? answer("ok")
            : calls(call("probe", {})),
    });
    const probe = tool({
      name: "probe",
      parameters: { type: "object" },
      execute: (_a, ctx) =>
        void seen.push({
          name: agentOf(ctx)?.name,
          parent: agentOf(ctx)?.parentId !== undefined,
          history: agentOf(ctx)?.handoffs,
        }),
    });
    const b = agent({ name: "b", instructions: "b", model: lm, tools: [probe] });
    await agent({ name: "t", instructions: "t", model: lm, handoffs: [b] }).execute("x", createTestContext());
    expect(seen).toEqual([{ name: "b", parent: true, history: [{ from: "t", to: "b", at: 0 }] }]);
  });

  it("gives the target an envelope with the payload, the traceparent of the sender's span and the budget left", async () => {
    recorder = new SpanRecorder().install();
    const envelopes: AgentInput[] = [];
    const lm = new MockLanguageModel({
      reply: (request) =>
        systemOf(request) === "s" ? calls(call("transfer_to_r", { task: "t", payload: { n: 1 } })) : answer("done"),
    });
    const receiver = agent({ name: "r", instructions: "r", model: lm });
    const execute = receiver.execute.bind(receiver);
    receiver.execute = (input, ctx) => {
      envelopes.push(input);
      return execute(input, ctx);
    };
    const budget = createBudget({ tokens: 10_000 });
    await agent({ name: "s", instructions: "s", model: lm, handoffs: [receiver] }).execute(
      "x",
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    const envelope = envelopes[0] as HandoffEnvelope;
    const sender = recorder.spans.find((s) => s.name === "tta.agent" && s.attributes["tta.agent.name"] === "s");
    expect(envelope).toMatchObject({
      from: "s",
      to: "r",
      task: "t",
      payload: { n: 1 },
      history: [{ from: "s", to: "r" }],
    });
    expect(envelope.traceparent).toBe(`00-${sender?.traceId}-${sender?.spanId}-01`);
    expect(envelope.budgetRemaining?.tokens).toBe(10_000 - 15); // after the sender's one model call
    expect(Object.isFrozen(envelope)).toBe(true);
  });

  it("answers a payload that fails the target's schema with the issues, and the sender goes on", async () => {
    const Refund = z.object({ invoiceId: z.string(), amount: z.number().positive() });
    const replies: MockReply[] = [
      calls(call("transfer_to_refunds", { task: "refund", payload: { invoiceId: "INV-1", amount: -5 } }, "bad")),
      calls(call("transfer_to_refunds", { task: "refund", payload: { invoiceId: "INV-1", amount: 5 } }, "good")),
      answer("refunded"),
    ];
    const lm = new MockLanguageModel({ responses: replies });
    const refunds = agent({
      name: "refunds",
      instructions: "r",
      model: lm,
      payload: Refund,
      payloadJsonSchema: z.toJSONSchema(Refund),
    });
    const result = await agent({ name: "triage", instructions: "t", model: lm, handoffs: [refunds] }).execute("x");
    const bad = (lm.calls[1]?.request.messages ?? []).find((m) => m.toolCallId === "bad");
    expect(bad?.content).toContain("- at payload.amount:");
    expect(result).toMatchObject({ agent: "refunds", text: "refunded", handoffs: [{ from: "triage", to: "refunds" }] });
    // The target's payload schema is what the transfer tool shows, and it is then required.
    expect(lm.calls[0]?.request.tools?.[0]?.parameters).toMatchObject({
      required: ["task", "payload"],
      properties: { payload: { type: "object", required: ["invoiceId", "amount"] } },
    });
  });

  it("answers a transfer without a task, or with arguments that are not JSON, as an error", async () => {
    const lm = new MockLanguageModel({
      responses: [
        calls(call("transfer_to_b", { payload: {} }, "1"), call("transfer_to_b", "{nope", "2")),
        answer("stayed"),
      ],
    });
    const b = agent({ name: "b", instructions: "b", model: lm });
    const result = await agent({ name: "a", instructions: "a", model: lm, handoffs: [b] }).execute("x");
    expect(result.agent).toBe("a");
    expect(toolMessages(result.messages).map((m) => m.content)).toEqual([
      expect.stringContaining("- at task:"),
      expect.stringContaining("Expected a JSON object"),
    ]);
  });

  it("takes the first valid transfer of a response and answers every other call", async () => {
    const lm = new MockLanguageModel({
      reply: (request) =>
        systemOf(request) === "a"
          ? calls(call("transfer_to_b", { task: "1" }, "t1"), call("transfer_to_c", { task: "2" }, "t2"))
          : answer(systemOf(request)),
    });
    const b = agent({ name: "b", instructions: "b", model: lm });
    const c = agent({ name: "c", instructions: "c", model: lm });
    const result = await agent({ name: "a", instructions: "a", model: lm, handoffs: [b, c] }).execute("x");
    expect(result.agent).toBe("b");
    const answers = toolMessages(result.messages);
    expect(answers.map((m) => m.toolCallId)).toEqual(["t1", "t2"]);
    expect(answers[1]?.content).toContain("only one handoff per turn");
  });
});

describe("cycles and the hop limit", () => {
  /** Two agents that always hand the conversation to each other. */
  function pingPong(maxHandoffs?: number): { ping: ReturnType<typeof agent>; lm: MockLanguageModel } {
    const lm = new MockLanguageModel({
      reply: (request) =>
        calls(call(systemOf(request) === "ping" ? "transfer_to_pong" : "transfer_to_ping", { task: "yours" })),
    });
    const opts = maxHandoffs === undefined ? {} : { maxHandoffs };
    const ping: ReturnType<typeof agent> = agent({
      name: "ping",
      instructions: "ping",
      model: lm,
      handoffs: () => [pong],
      ...opts,
    });
    const pong: ReturnType<typeof agent> = agent({
      name: "pong",
      instructions: "pong",
      model: lm,
      handoffs: () => [ping],
      ...opts,
    });
    return { ping, lm };
  }

  it("allows cycles (handoffs given as a function) and ends a ping-pong with stop reason max-handoffs", async () => {
    const { ping, lm } = pingPong(3);
    const result = await ping.execute("go");
    expect(result.stopReason).toBe("max-handoffs");
    expect(result.handoffs.map((h) => `${h.from}>${h.to}`)).toEqual(["ping>pong", "pong>ping", "ping>pong"]);
    expect(result.agent).toBe("pong");
    expect(lm.calls).toHaveLength(4);
    expect(toolMessages(result.messages).at(-1)?.content).toContain("handoff limit");
  });

  it("counts the history of an envelope from elsewhere (made by hand, deserialised) toward the limit", async () => {
    const { ping } = pingPong(3);
    const history = [
      { from: "ping", to: "pong", at: 0 },
      { from: "pong", to: "ping", at: 0 },
      { from: "ping", to: "pong", at: 0 },
    ];
    const result = await ping.execute({ from: "pong", to: "ping", task: "yours", payload: undefined, history });
    expect(result.stopReason).toBe("max-handoffs");
    expect(result.handoffs).toEqual([]);
  });

  it("stops after 8 handoffs by default", async () => {
    const { ping } = pingPong();
    const result = await ping.execute("go");
    expect(result.handoffs).toHaveLength(8);
    expect(result.stopReason).toBe("max-handoffs");
  });

  it("calls a handoffs function once, at the first run, and names its bad entries", async () => {
    let resolved = 0;
    const lm = new MockLanguageModel({ responses: [answer("ok")] });
    const b = agent({ name: "b", instructions: "b", model: lm });
    const a = agent({
      name: "a",
      instructions: "a",
      model: lm,
      handoffs: () => {
        resolved++;
        return [b];
      },
    });
    expect(resolved).toBe(0);
    await a.execute("1");
    await a.execute("2");
    expect(resolved).toBe(1);
    const broken = agent({ name: "c", instructions: "c", model: lm, handoffs: () => [b, b] });
    await expect(broken.execute("x")).rejects.toMatchObject({ option: "handoffs()[1]" });
  });

  it("charges each agent of the chain one launch, so a launch budget also stops a ping-pong", async () => {
    const { ping } = pingPong(50);
    const budget = createBudget({ launches: 4 });
    const error: unknown = await ping
      .execute("go", createTestContext().withValue(BUDGET_KEY, budget))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(budget.snapshot().spent.launches).toBe(4);
  });
});

describe("one trace across a handoff", () => {
  it("nests the target's agent span under the sender's, every span in one trace and labelled with its agent", async () => {
    recorder = new SpanRecorder().install();
    const { triage } = twoAgents();
    await triage.execute(`Charged twice? ${SECRET}`);
    expect(recorder.tree()).toBe(
      [
        "tta.agent",
        "  tta.agent-step",
        "    chat mock-model",
        "  tta.agent",
        "    tta.agent-step",
        "      chat mock-model",
        "      execute_tool lookup_invoice",
        "    tta.agent-step",
        "      chat mock-model",
      ].join("\n"),
    );
    const spans = recorder.spans;
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const names = spans.map((s) => [s.name, s.attributes["tta.agent.name"], s.attributes["tta.agent.role"]]);
    expect(names).toEqual([
      ["tta.agent", "triage", "router"],
      ["tta.agent-step", "triage", "router"],
      ["chat mock-model", "triage", "router"],
      ["tta.agent", "billing", "billing"],
      ["tta.agent-step", "billing", "billing"],
      ["chat mock-model", "billing", "billing"],
      ["execute_tool lookup_invoice", "billing", "billing"],
      ["tta.agent-step", "billing", "billing"],
      ["chat mock-model", "billing", "billing"],
    ]);
    expect(spans[0]?.attributes).toMatchObject({
      "tta.agent.stop_reason": "handoff",
      "tta.agent.handoff.to": "billing",
    });
    expect(spanText(spans)).not.toContain(SECRET);
  });

  it("puts a code-driven handoff's span between the caller and the target", async () => {
    recorder = new SpanRecorder().install();
    const lm = new MockLanguageModel({ responses: [answer("ok")] });
    await handoff(agent({ name: "b", instructions: "b", model: lm })).execute({ task: SECRET });
    expect(recorder.tree()).toBe(
      ["tta.handoff", "  tta.agent", "    tta.agent-step", "      chat mock-model"].join("\n"),
    );
    expect(recorder.spans[0]?.attributes).toMatchObject({ "tta.handoff.from": "workflow", "tta.handoff.to": "b" });
    expect(spanText(recorder.spans)).not.toContain(SECRET);
  });
});
