/**
 * The code-driven `handoff(to)` primitive: the task and payload it carries, the payload checked before
 * the target runs, and where the envelope comes from.
 */
import { BUDGET_KEY, InvalidOptionsError, StructuredOutputError } from "@tta/primitives";
import type { Message } from "@tta/primitives";
import { MockLanguageModel, createTestContext } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AnyAgent } from "./agent.js";
import { agent } from "./agent.js";
import { MAX_HANDOFF_HISTORY, agentOf, withAgent } from "./agent-context.js";
import { createBudget } from "./budget.js";
import { handoff } from "./handoff.js";
import { SECRET, answer, call, calls, systemOf } from "./test-support/agent-fixtures.js";
import { tool } from "./tool.js";

describe("handoff(to): a code-driven transfer", () => {
  const Refund = z.object({ invoiceId: z.string(), amount: z.number().positive() });

  function refundsAgent(lm: MockLanguageModel): ReturnType<typeof agent<z.output<typeof Refund>>> {
    return agent({
      name: "refunds",
      instructions: "r",
      model: lm,
      payload: Refund,
      payloadJsonSchema: z.toJSONSchema(Refund),
    });
  }

  it("runs the target with the task and payload, and returns its result with the handoff recorded", async () => {
    const lm = new MockLanguageModel({ responses: [answer("refunded")] });
    const ctx = createTestContext();
    await ctx.clock.advance(5);
    const result = await handoff(refundsAgent(lm)).execute(
      { task: "Refund INV-1", payload: { invoiceId: "INV-1", amount: 5 } },
      ctx,
    );
    expect(result).toMatchObject({
      text: "refunded",
      agent: "refunds",
      handoffs: [{ from: "workflow", to: "refunds", at: 5 }],
    });
    const messages = lm.calls[0]?.request.messages as Message[];
    expect(messages).toEqual([
      { role: "system", content: "r" },
      { role: "user", content: 'Refund INV-1\n\nPayload: {"invoiceId":"INV-1","amount":5}' },
    ]);
  });

  it("rejects a payload that fails the schema naming the field, before the target runs", async () => {
    const lm = new MockLanguageModel({ responses: [answer("never")] });
    const error: unknown = await handoff(refundsAgent(lm))
      .execute({ task: "Refund", payload: { invoiceId: SECRET, amount: -1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("payload.amount");
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).cause).toBeInstanceOf(StructuredOutputError);
    expect(lm.calls).toHaveLength(0);
  });

  it("rejects an empty task naming `task`, and a non-agent target naming `to`", async () => {
    const lm = new MockLanguageModel({ responses: [answer("x")] });
    await expect(
      handoff(agent({ name: "b", instructions: "b", model: lm })).execute({ task: " " }),
    ).rejects.toMatchObject({ option: "task" });
    expect(() => handoff(lm as never)).toThrow(expect.objectContaining({ option: "to" }) as Error);
    expect(() => handoff(agent({ name: "b", instructions: "b", model: lm }), { frm: "x" } as never)).toThrow(
      expect.objectContaining({ option: "frm" }) as Error,
    );
  });

  it("comes from the agent the context runs as, and keeps its history (bounded)", async () => {
    const lm = new MockLanguageModel({ responses: [answer("ok")] });
    const target = agent({ name: "b", instructions: "b", model: lm });
    let history: unknown;
    const probe = tool({
      name: "probe",
      parameters: { type: "object" },
      execute: (_a, ctx) => void (history = agentOf(ctx)?.handoffs.length),
    });
    const probed = agent({
      name: "c",
      instructions: "c",
      model: new MockLanguageModel({ responses: [calls(call("probe", {})), answer("ok")] }),
      tools: [probe],
    });
    const long = Array.from({ length: MAX_HANDOFF_HISTORY }, (_, i) => ({ from: `x${i}`, to: "y", at: i }));
    const ctx = withAgent(createTestContext(), { name: "a", handoffs: long });
    const result = await handoff(target).execute({ task: "t" }, ctx);
    expect(result.handoffs[0]?.from).toBe("a");
    await handoff(probed).execute({ task: "t" }, ctx);
    expect(history).toBe(MAX_HANDOFF_HISTORY);
  });

  it("rejects an envelope addressed to another agent, and validates the payload of one made by hand", async () => {
    const lm = new MockLanguageModel({ responses: [answer("x")] });
    const refunds = refundsAgent(lm);
    const envelope = { from: "a", to: "someone-else", task: "t", payload: { invoiceId: "1", amount: 1 }, history: [] };
    await expect(refunds.execute(envelope)).rejects.toMatchObject({ option: "input.to" });
    await expect(
      refunds.execute({ ...envelope, to: "refunds", payload: { invoiceId: "1", amount: 0 } }),
    ).rejects.toMatchObject({
      option: "payload.amount",
    });
    await expect(refunds.execute({ ...envelope, to: "refunds" })).resolves.toMatchObject({ agent: "refunds" });
  });

  it("counts toward the chain's hop limit when a tool hands off, so a loop through code ends too", async () => {
    // `a` escalates to `b` from a tool (code); `b`'s model always hands the conversation back to `a`.
    const lm = new MockLanguageModel({
      reply: (request) => {
        if (systemOf(request) === "b") return calls(call("transfer_to_a", { task: "back to you" }));
        return request.messages.at(-1)?.role === "tool" ? answer("done") : calls(call("escalate", {}));
      },
    });
    const escalate = tool({
      name: "escalate",
      parameters: { type: "object" },
      execute: async (_args, ctx) => (await handoff(b).execute({ task: "take over" }, ctx)).stopReason,
    });
    const a: AnyAgent = agent({ name: "a", instructions: "a", model: lm, tools: [escalate] });
    const b: AnyAgent = agent({ name: "b", instructions: "b", model: lm, handoffs: () => [a] });
    // Launches bound the run even if the hop count were lost on the way (it would then never end).
    const budget = createBudget({ launches: 40 });
    const result = await a.execute("help", createTestContext().withValue(BUDGET_KEY, budget));
    expect(result.text).toBe("done");
    // a → b (code) → a → b (code) … until b's transfer is refused at the default limit of 8 handoffs.
    expect(budget.snapshot().spent.launches).toBe(10);
  });
});
