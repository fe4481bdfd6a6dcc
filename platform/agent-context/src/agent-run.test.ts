/**
 * `agent(...)` around the loop: budgets (launches, per-call charges, child budgets), the agent a tool
 * runs under, option errors, and spans.
 */
import { BUDGET_KEY, BudgetExceededError, InvalidOptionsError, MemoryStore, isTtaError } from "@tta/primitives";
import type { WorkflowContext } from "@tta/primitives";
import { MockLanguageModel, SpanRecorder, createTestContext } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { agent } from "./agent.js";
import { agentOf } from "./agent-context.js";
import { createBudget } from "./budget.js";
import { scopedMemory } from "./memory.js";
import { SECRET, answer, call, calls, lookupInvoiceTool, spanText, systemOf } from "./test-support/agent-fixtures.js";
import { tool } from "./tool.js";
import type { AgentMemory, MemoryAccess } from "./types.js";

let recorder: SpanRecorder | undefined;
afterEach(() => {
  recorder?.uninstall();
  recorder = undefined;
});

const weather = tool({
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  execute: (args: { city: string }) => `sunny in ${args.city}`,
});

describe("budgets", () => {
  it("charges every model call and one launch to the context's budget", async () => {
    const budget = createBudget({ tokens: 1_000, launches: 5 });
    const lm = new MockLanguageModel({ responses: [calls(call("get_weather", { city: "x" })), answer("ok")] });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    await agent({ name: "a", instructions: "i", model: lm, tools: [weather] }).execute("x", ctx);
    const { spent, reserved } = budget.snapshot();
    expect(spent).toMatchObject({ inputTokens: 20, outputTokens: 10, tokens: 30, launches: 1 });
    expect(reserved).toMatchObject({ tokens: 0, launches: 0 });
  });

  it("propagates the BudgetExceededError of a model call the budget refuses, mid-loop", async () => {
    const budget = createBudget({ outputTokens: 60 });
    // Each call's estimate holds outputTokens; the second no longer fits after the first's commit.
    const lm = new MockLanguageModel({
      responses: [
        { toolCalls: [call("get_weather", { city: "x" })], usage: { inputTokens: 1, outputTokens: 59 } },
        answer("never"),
      ],
    });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    const error: unknown = await agent({ name: "a", instructions: "i", model: lm, tools: [weather], maxTokens: 10 })
      .execute("x", ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(lm.calls).toHaveLength(1);
  });

  it("propagates a BudgetExceededError thrown inside a tool instead of giving it to the model", async () => {
    const exceeded = new BudgetExceededError("sub-agent out of budget", { resource: "tokens" });
    const spender = tool({
      name: "spender",
      parameters: { type: "object" },
      execute: () => {
        throw exceeded;
      },
    });
    const lm = new MockLanguageModel({ responses: [calls(call("spender", {})), answer("never")] });
    const error: unknown = await agent({ name: "a", instructions: "i", model: lm, tools: [spender] })
      .execute("x")
      .catch((e: unknown) => e);
    expect(error).toBe(exceeded);
  });

  it("refuses to launch on a budget whose launches are spent, before any model call", async () => {
    const budget = createBudget({ launches: 1 });
    const lm = new MockLanguageModel({ responses: [answer("ok")] });
    const a = agent({ name: "a", instructions: "i", model: lm });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    await a.execute("first", ctx);
    const error: unknown = await a.execute("second", ctx).catch((e: unknown) => e);
    expect(isTtaError(error, "BUDGET_EXCEEDED")).toBe(true);
    expect((error as BudgetExceededError).resource).toBe("launches");
    expect(lm.calls).toHaveLength(1);
  });

  it("with `budget` limits, draws on a child carved from the context's budget and closes it after the run", async () => {
    const budget = createBudget({ tokens: 1_000 });
    let seen: string | undefined;
    const probe = tool({
      name: "probe",
      parameters: { type: "object" },
      execute: (_args, ctx) => {
        const b = agentOf(ctx)?.budget as { name?: string } | undefined;
        seen = b?.name;
        return "ok";
      },
    });
    const lm = new MockLanguageModel({ responses: [calls(call("probe", {})), answer("ok")] });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    await agent({ name: "researcher", instructions: "i", model: lm, tools: [probe], budget: { tokens: 100 } }).execute(
      "x",
      ctx,
    );
    expect(seen).toBe("researcher");
    const snapshot = budget.snapshot();
    expect(snapshot.spent.tokens).toBe(30);
    expect(snapshot.reserved.tokens).toBe(0); // the carve-out was returned
  });

  it("checks its input before charging anything: bad input spends no launch", async () => {
    const budget = createBudget({ launches: 5 });
    const a = agent({ name: "a", instructions: "i", model: new MockLanguageModel({ responses: [answer("x")] }) });
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    await expect(a.execute({ messages: [{ role: "user" }] } as never, ctx)).rejects.toMatchObject({
      option: "input.messages[0]",
    });
    const envelope = { from: "t", to: "a", task: "go", payload: undefined, history: [{ from: "t" }] };
    await expect(a.execute(envelope as never, ctx)).rejects.toMatchObject({ option: "input.history[0]" });
    expect(budget.snapshot().spent.launches).toBe(0);
    expect(budget.snapshot().reserved.launches).toBe(0);
  });

  it("with `budget` limits and no budget on the context, enforces them on a budget of its own", async () => {
    const lm = new MockLanguageModel({ responses: [answer("ok")] });
    const error: unknown = await agent({
      name: "a",
      instructions: "i",
      model: lm,
      budget: { tokens: 1 },
      maxTokens: 10,
    })
      .execute("x")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
  });
});

describe("the agent a tool runs under", () => {
  it("is this run: name, role, parent agent, memory and budget, through agentOf(ctx)", async () => {
    const memory: AgentMemory = {
      agent: {
        scope: "agent",
        namespace: "ns",
        add: () => Promise.reject(new Error("unused")),
        search: () => Promise.resolve([]),
      },
    };
    const asked: { name: string; ctx: WorkflowContext }[] = [];
    const access: MemoryAccess = {
      forAgent: (name, ctx) => {
        asked.push({ name, ctx });
        return memory;
      },
    };
    const snapshots: unknown[] = [];
    const probe = tool({
      name: "probe",
      parameters: { type: "object" },
      execute: (_args, ctx) => {
        const a = agentOf(ctx);
        snapshots.push({ name: a?.name, role: a?.role, memory: a?.memory, handoffs: a?.handoffs });
        return "ok";
      },
    });
    const lm = new MockLanguageModel({ responses: [calls(call("probe", {})), answer("ok")] });
    const ctx = createTestContext({ workflowId: "wf-1" });
    await agent({
      name: "helper",
      role: "support",
      instructions: "i",
      model: lm,
      tools: [probe],
      memory: access,
    }).execute("x", ctx);
    expect(snapshots).toEqual([{ name: "helper", role: "support", memory, handoffs: [] }]);
    expect(asked.map((a) => [a.name, a.ctx.workflowId])).toEqual([["helper", "wf-1"]]);
  });
});

describe("scoped memory across a handoff", () => {
  it("shares the workflow scope with the receiving agent, never the sender's private scope", async () => {
    const note = tool({
      name: "note",
      parameters: { type: "object" },
      execute: async (_a, ctx) => {
        const memory = agentOf(ctx)?.memory;
        await memory?.agent.add({ text: "invoice private note" });
        await memory?.workflow?.add({ text: "invoice shared note" });
        return "noted";
      },
    });
    const found: string[] = [];
    const recall = tool({
      name: "recall",
      parameters: { type: "object" },
      execute: async (_a, ctx) => {
        const memory = agentOf(ctx)?.memory;
        for (const entry of await (memory?.workflow?.search("invoice") ?? Promise.resolve([]))) found.push(entry.text);
        for (const entry of (await memory?.agent.search("invoice")) ?? []) found.push(entry.text);
        return "recalled";
      },
    });
    const lm = new MockLanguageModel({
      reply: (request, i) => {
        const last = request.messages.at(-1);
        if (systemOf(request) === "t")
          return i === 0 ? calls(call("note", {})) : calls(call("transfer_to_b", { task: "continue" }));
        return last?.role === "tool" ? answer("done") : calls(call("recall", {}));
      },
    });
    const memory = scopedMemory(new MemoryStore(), { shared: ["workflow"] });
    const b = agent({ name: "b", instructions: "b", model: lm, tools: [recall], memory });
    await agent({ name: "t", instructions: "t", model: lm, tools: [note], handoffs: [b], memory }).execute("x");
    expect(found).toEqual(["invoice shared note"]);
  });
});

describe("options", () => {
  const lm = new MockLanguageModel();
  const base = { name: "a", instructions: "i", model: lm };

  it.each([
    ["tools[2].name", { ...base, tools: [weather, lookupInvoiceTool(), weather] }],
    ["tools[1]", { ...base, tools: [weather, { name: "x" }] }],
    ["maxSteps", { ...base, maxSteps: 0 }],
    ["maxSteps", { ...base, maxSteps: 1.5 }],
    ["name", { ...base, name: "has space" }],
    ["name", { ...base, name: "x".repeat(53) }],
    ["model", { ...base, model: { generate: 1 } }],
    ["instructions", { ...base, instructions: undefined }],
    ["handoffs[0]", { ...base, handoffs: [lm] }],
    ["handoffs", { ...base, handoffs: "billing" }],
    ["budget.tokens", { ...base, budget: { tokens: -1 } }],
    ["budget.tokns", { ...base, budget: { tokns: 1 } }],
    ["temperature", { ...base, temperature: Number.NaN }],
    ["memory", { ...base, memory: {} }],
    ["payload", { ...base, payload: "not a schema" }],
    ["maxStep", { ...base, maxStep: 3 }],
  ])("names `%s` when it is invalid", (option, options) => {
    const error: unknown = (() => {
      try {
        agent(options as never);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
  });

  it("rejects duplicate handoff targets by name", () => {
    const billing = agent({ ...base, name: "billing" });
    const twin = agent({ ...base, name: "billing" });
    expect(() => agent({ ...base, handoffs: [billing, twin] })).toThrow(
      expect.objectContaining({ option: "handoffs[1]" }) as Error,
    );
  });
});

describe("spans", () => {
  it("one tta.agent span, one tta.agent-step per step, one execute_tool per tool call, all labelled with the agent", async () => {
    recorder = new SpanRecorder().install();
    const lm = new MockLanguageModel({
      responses: [
        calls(call("get_weather", { city: SECRET }, "c1"), call("get_weather", { city: "x" }, "c2")),
        answer(SECRET),
      ],
    });
    const result = await agent({
      name: "forecaster",
      role: "weather",
      instructions: SECRET,
      model: lm,
      tools: [weather],
    }).execute(SECRET);
    expect(result.text).toBe(SECRET);
    expect(recorder.tree()).toBe(
      [
        "tta.agent",
        "  tta.agent-step",
        "    chat mock-model",
        "    execute_tool get_weather",
        "    execute_tool get_weather",
        "  tta.agent-step",
        "    chat mock-model",
      ].join("\n"),
    );
    const spans = recorder.spans;
    const root = spans[0];
    const id = root?.attributes["tta.agent.id"];
    expect(typeof id).toBe("string");
    for (const span of spans)
      expect(span.attributes).toMatchObject({
        "tta.agent.id": id,
        "tta.agent.name": "forecaster",
        "tta.agent.role": "weather",
      });
    expect(root?.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "forecaster",
      "tta.agent.steps": 2,
      "tta.agent.tool_calls": 2,
      "tta.agent.stop_reason": "stop",
    });
    expect(spans.filter((s) => s.name === "tta.agent-step").map((s) => s.attributes["tta.agent.step"])).toEqual([1, 2]);
    expect(spans.filter((s) => s.name.startsWith("execute_tool")).map((s) => s.attributes)).toEqual([
      expect.objectContaining({
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_weather",
        "gen_ai.tool.call.id": "c1",
      }),
      expect.objectContaining({ "gen_ai.tool.call.id": "c2" }),
    ]);
    expect(spanText(spans)).not.toContain(SECRET);
  });

  it("records a failing tool call as an error span, and no tool span for an unknown tool", async () => {
    recorder = new SpanRecorder().install();
    const lm = new MockLanguageModel({
      responses: [calls(call("get_weather", { town: SECRET }), call("unknown", {})), answer("ok")],
    });
    await agent({ name: "a", instructions: "i", model: lm, tools: [weather] }).execute("x");
    const tools = recorder.spans.filter((s) => s.name.startsWith("execute_tool"));
    expect(tools).toHaveLength(1);
    expect(tools[0]?.status.code).toBe(2);
    expect(spanText(recorder.spans)).not.toContain(SECRET);
  });
});
