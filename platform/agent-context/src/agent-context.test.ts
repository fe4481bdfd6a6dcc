/**
 * `withAgent` / `agentOf` (the agent a context runs as, with its budget and span labels) and the
 * opt-in `runWithAgent` / `currentAgent`.
 */
import { BUDGET_KEY, InvalidOptionsError, SPAN_ATTRIBUTES_KEY, lambda } from "@tta/primitives";
import { SpanRecorder, createTestContext } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { MAX_HANDOFF_HISTORY, agentOf, currentAgent, runWithAgent, withAgent } from "./agent-context.js";
import { createBudget } from "./budget.js";
import type { AgentMemory } from "./types.js";

const memory: AgentMemory = {
  agent: {
    scope: "agent",
    namespace: "tta:agent:a",
    add: () => Promise.reject(new Error("unused")),
    search: () => Promise.resolve([]),
  },
};

describe("withAgent / agentOf", () => {
  it("runs a child context as the agent, its role defaulting to the name, and leaves the parent as it was", () => {
    const ctx = createTestContext({ workflowId: "wf-1" });
    const child = withAgent(ctx, { name: "triage", memory });
    const a = agentOf(child);
    expect(a).toMatchObject({ name: "triage", role: "triage", parentId: undefined, memory, handoffs: [] });
    expect(a?.id).toMatch(/^agent-[0-9a-f]{8}-[0-9a-z]+$/);
    expect(Object.isFrozen(a)).toBe(true);
    expect(child.workflowId).toBe("wf-1");
    expect(child.correlationId).toBe(ctx.correlationId);
    expect(agentOf(ctx)).toBeUndefined();
  });

  it("makes the agent it was launched from the parent, and gives every run its own id", () => {
    const outer = withAgent(createTestContext(), { name: "lead", id: "lead-1", role: "planner" });
    const first = agentOf(withAgent(outer, { name: "worker" }));
    const second = agentOf(withAgent(outer, { name: "worker" }));
    expect(agentOf(outer)).toMatchObject({ id: "lead-1", role: "planner" });
    expect(first?.parentId).toBe("lead-1");
    expect(first?.id).not.toBe(second?.id);
  });

  it("puts the budget on the context for model calls, and otherwise keeps the context's", () => {
    const shared = createBudget({ name: "shared" });
    const own = createBudget({ name: "own" });
    const ctx = createTestContext().withValue(BUDGET_KEY, shared);
    const inherits = withAgent(ctx, { name: "a" });
    expect(agentOf(inherits)?.budget).toBe(shared);
    expect(inherits.getValue(BUDGET_KEY)).toBe(shared);
    const given = withAgent(ctx, { name: "b", budget: own });
    expect(agentOf(given)?.budget).toBe(own);
    expect(given.getValue(BUDGET_KEY)).toBe(own);
  });

  it("labels every span opened under the context with the agent, keeping labels set above it", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const ctx = createTestContext().withValue(SPAN_ATTRIBUTES_KEY, { "app.tenant": "t-1" });
      const child = withAgent(ctx, { name: "billing", role: "support", id: "run-7" });
      await lambda((x: string) => x, "step").execute("x", child);
      expect(recorder.spans[0]?.attributes).toMatchObject({
        "app.tenant": "t-1",
        "tta.agent.id": "run-7",
        "tta.agent.name": "billing",
        "tta.agent.role": "support",
        "tta.primitive.name": "step",
      });
    } finally {
      recorder.uninstall();
    }
  });

  it(`keeps the last ${MAX_HANDOFF_HISTORY} handoffs of a longer history, frozen`, () => {
    const history = Array.from({ length: MAX_HANDOFF_HISTORY + 5 }, (_, i) => ({ from: `a${i}`, to: "b", at: i }));
    const kept = agentOf(withAgent(createTestContext(), { name: "b", handoffs: history }))?.handoffs;
    expect(kept).toHaveLength(MAX_HANDOFF_HISTORY);
    expect(kept?.[0]).toEqual({ from: "a5", to: "b", at: 5 });
    expect(Object.isFrozen(kept)).toBe(true);
  });

  it.each([
    ["ctx", undefined, { name: "a" }],
    ["agent", "ctx", null],
    ["name", "ctx", { name: "" }],
    ["role", "ctx", { name: "a", role: 7 }],
    ["id", "ctx", { name: "a", id: "" }],
    ["budget", "ctx", { name: "a", budget: 5 }],
    ["budget", "ctx", { name: "a", budget: {} }],
    ["memory", "ctx", { name: "a", memory: { agent: "mine" } }],
    ["handoffs", "ctx", { name: "a", handoffs: "triage" }],
    ["handoffs[1]", "ctx", { name: "a", handoffs: [{ from: "a", to: "b", at: 1 }, null] }],
  ])("names `%s` when it is invalid, at the boundary", (option, ctx, init) => {
    const context = ctx === undefined ? undefined : createTestContext();
    let error: unknown;
    try {
      withAgent(context as never, init as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
  });
});

describe("runWithAgent / currentAgent", () => {
  it("is the agent of the innermost runWithAgent, across awaits, and undefined outside", async () => {
    const lead = agentOf(withAgent(createTestContext(), { name: "lead" }));
    const worker = agentOf(withAgent(createTestContext(), { name: "worker" }));
    if (lead === undefined || worker === undefined) throw new Error("no agent");
    const seen: (string | undefined)[] = [];
    const result = await runWithAgent(lead, async () => {
      seen.push(currentAgent()?.name);
      await Promise.resolve();
      await runWithAgent(worker, async () => {
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        seen.push(currentAgent()?.name);
      });
      seen.push(currentAgent()?.name);
      return "done";
    });
    expect(result).toBe("done");
    expect(seen).toEqual(["lead", "worker", "lead"]);
    expect(currentAgent()).toBeUndefined();
  });

  it("names a value that is not an agent, or a fn that is not a function", () => {
    const a = agentOf(withAgent(createTestContext(), { name: "a" }));
    expect(() => runWithAgent(null as never, () => 1)).toThrow(expect.objectContaining({ option: "agent" }));
    expect(() => runWithAgent({ name: "a" } as never, () => 1)).toThrow(expect.objectContaining({ option: "agent" }));
    expect(() => runWithAgent(a as never, "fn" as never)).toThrow(expect.objectContaining({ option: "fn" }));
  });
});
