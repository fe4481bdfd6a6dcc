/**
 * Types of agents, tools and handoffs: tool arguments inferred from zod and valibot schemas, the
 * `AgentResult` shape, payload types through `handoff(to)`.
 */
import type { Message, WorkflowContext } from "@tta/primitives";
import { MockLanguageModel } from "@tta/primitives/testing";
import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { AgentInput, AgentResult, AgentStopReason, AgentPrimitive } from "./agent.js";
import { agent } from "./agent.js";
import type { HandoffInput } from "./handoff.js";
import { handoff } from "./handoff.js";
import type { Tool } from "./tool.js";
import { tool } from "./tool.js";
import type { HandoffRecord } from "./types.js";

const lm = new MockLanguageModel();

describe("tool argument inference", () => {
  it("types args as a zod schema's output (transforms and defaults applied)", () => {
    const Args = z.object({
      city: z.string(),
      days: z.number().default(1),
      tags: z.string().transform((s) => s.split(",")),
    });
    const t = tool({
      name: "forecast",
      parameters: Args,
      jsonSchema: z.toJSONSchema(Args, { io: "input" }),
      execute: (args, ctx) => {
        expectTypeOf(args).toEqualTypeOf<{ city: string; days: number; tags: string[] }>();
        expectTypeOf(ctx).toEqualTypeOf<WorkflowContext>();
        return args.days;
      },
    });
    expectTypeOf(t).toEqualTypeOf<Tool<{ city: string; days: number; tags: string[] }, number>>();
  });

  it("types args as a valibot schema's output", () => {
    const t = tool({
      name: "order",
      parameters: v.object({ sku: v.string(), quantity: v.optional(v.number()) }),
      jsonSchema: { type: "object" },
      execute: async (args) => {
        expectTypeOf(args).toEqualTypeOf<{ sku: string; quantity?: number | undefined }>();
        return Promise.resolve({ ok: true });
      },
    });
    // The result type is the awaited value.
    expectTypeOf(t.execute).returns.resolves.toEqualTypeOf<{ ok: boolean }>();
  });

  it("lets a JSON Schema tool annotate its args, and leaves them unknown otherwise", () => {
    const typed = tool({ name: "a", parameters: { type: "object" }, execute: (args: { q: string }) => args.q });
    expectTypeOf(typed).toEqualTypeOf<Tool<{ q: string }, string>>();
    tool({
      name: "b",
      parameters: { type: "object" },
      execute: (args) => {
        expectTypeOf(args).toBeUnknown();
      },
    });
  });

  it("rejects an execute whose args do not match the schema", () => {
    tool({
      name: "c",
      // @ts-expect-error -- the schema's `n` is a number, `execute` wants a string
      parameters: z.object({ n: z.number() }),
      jsonSchema: { type: "object" },
      execute: (args: { n: string }) => args.n,
    });
  });
});

describe("AgentResult", () => {
  it("has the documented fields", () => {
    expectTypeOf<AgentResult>().toEqualTypeOf<{
      readonly text: string;
      readonly agent: string;
      readonly messages: readonly Message[];
      readonly steps: number;
      readonly toolCalls: number;
      readonly handoffs: readonly HandoffRecord[];
      readonly stopReason: AgentStopReason;
    }>();
    expectTypeOf<AgentStopReason>().toEqualTypeOf<
      "stop" | "length" | "content-filter" | "max-steps" | "max-handoffs"
    >();
  });

  it("is what an agent resolves to, from a string, a conversation or an envelope", () => {
    const a = agent({ name: "a", instructions: "i", model: lm });
    expectTypeOf(a).toEqualTypeOf<AgentPrimitive<unknown>>();
    expectTypeOf(a.execute("hi")).resolves.toEqualTypeOf<AgentResult>();
    expectTypeOf(a.execute({ messages: [{ role: "user", content: "hi" }] })).resolves.toEqualTypeOf<AgentResult>();
    expectTypeOf<AgentInput>().toMatchTypeOf<Parameters<typeof a.execute>[0]>();
    // @ts-expect-error -- not an agent input
    void a.execute(42);
  });
});

describe("payloads", () => {
  const Refund = z.object({ invoiceId: z.string(), amount: z.number() });
  const refunds = agent({
    name: "refunds",
    instructions: "r",
    model: lm,
    payload: Refund,
    payloadJsonSchema: { type: "object" },
  });

  it("types an agent by its payload schema, and handoff(to)'s input by it", () => {
    expectTypeOf(refunds).toEqualTypeOf<AgentPrimitive<{ invoiceId: string; amount: number }>>();
    const h = handoff(refunds);
    expectTypeOf<Parameters<typeof h.execute>[0]>().toEqualTypeOf<
      HandoffInput<{ invoiceId: string; amount: number }>
    >();
    void h.execute({ task: "t", payload: { invoiceId: "1", amount: 2 } });
    // @ts-expect-error -- amount is a number
    void h.execute({ task: "t", payload: { invoiceId: "1", amount: "2" } });
  });

  it("accepts agents of any payload type as handoff targets", () => {
    const plain = agent({ name: "plain", instructions: "p", model: lm });
    agent({ name: "triage", instructions: "t", model: lm, handoffs: [refunds, plain] });
    agent({ name: "triage2", instructions: "t", model: lm, handoffs: () => [refunds, plain] });
  });
});
