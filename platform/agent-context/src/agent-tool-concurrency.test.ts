/**
 * `agent({ toolConcurrency })`: tool calls of one response run together, answers stay in call order,
 * and a call that fails the run (or the caller's cancellation) stops the others.
 */
import { BudgetExceededError, InvalidOptionsError } from "@tta/primitives";
import { MockLanguageModel, createTestContext } from "@tta/primitives/testing";
import { describe, expect, it, vi } from "vitest";
import { agent } from "./agent.js";
import { answer, call, calls, toolMessages } from "./test-support/agent-fixtures.js";
import { tool } from "./tool.js";

describe("agent({ toolConcurrency })", () => {
  it("with toolConcurrency, runs a response's tool calls together and answers them in call order", async () => {
    const started: string[] = [];
    const releases = new Map<string, () => void>();
    const waiting = tool({
      name: "lookup",
      parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      execute: (args: { id: string }) => {
        started.push(args.id);
        return new Promise<string>((resolve) => releases.set(args.id, () => resolve(`found ${args.id}`)));
      },
    });
    const lm = new MockLanguageModel({
      responses: [
        calls(call("lookup", { id: "a" }, "1"), call("lookup", { id: "b" }, "2"), call("lookup", { id: "c" }, "3")),
        answer("ok"),
      ],
    });
    const run = agent({ name: "a", instructions: "i", model: lm, tools: [waiting], toolConcurrency: 2 }).execute("go");
    await vi.waitFor(() => expect(started).toEqual(["a", "b"])); // two at once, the third waits for a lane
    releases.get("b")?.();
    await vi.waitFor(() => expect(started).toEqual(["a", "b", "c"]));
    releases.get("c")?.();
    releases.get("a")?.();
    const result = await run;
    expect(toolMessages(result.messages)).toEqual([
      { role: "tool", content: "found a", toolCallId: "1" },
      { role: "tool", content: "found b", toolCallId: "2" },
      { role: "tool", content: "found c", toolCallId: "3" },
    ]);
    expect(result.toolCalls).toBe(3);
  });

  it("with toolConcurrency, a call that fails the run aborts the others and the run rejects with its error", async () => {
    const spent = new BudgetExceededError("tokens spent", { resource: "tokens", limit: 10, spent: 10, requested: 5 });
    let otherSignal: AbortSignal | undefined;
    const over = tool({ name: "over", parameters: { type: "object" }, execute: () => Promise.reject(spent) });
    const long = tool({
      name: "long",
      parameters: { type: "object" },
      execute: (_args, ctx) => {
        otherSignal = ctx.signal;
        return new Promise((_resolve, reject) =>
          ctx.signal.addEventListener("abort", () => reject(new Error("stopped")), { once: true }),
        );
      },
    });
    const lm = new MockLanguageModel({
      responses: [calls(call("long", {}, "1"), call("over", {}, "2")), answer("never")],
    });
    const error: unknown = await agent({
      name: "a",
      instructions: "i",
      model: lm,
      tools: [over, long],
      toolConcurrency: 4,
    })
      .execute("x")
      .catch((e: unknown) => e);
    expect(error).toBe(spent);
    expect(otherSignal?.aborted).toBe(true);
    expect(lm.calls).toHaveLength(1);
  });

  it("with toolConcurrency, starts no further call once the caller cancelled, even when a tool ignores it", async () => {
    const controller = new AbortController();
    const reason = new Error("user left");
    const ran: string[] = [];
    const stubborn = tool({
      name: "stubborn",
      parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      execute: (args: { id: string }) => {
        ran.push(args.id);
        if (args.id === "a") controller.abort(reason);
        return `done ${args.id}`; // returns normally although the run was cancelled
      },
    });
    const lm = new MockLanguageModel({
      responses: [
        calls(
          call("stubborn", { id: "a" }, "1"),
          call("stubborn", { id: "b" }, "2"),
          call("stubborn", { id: "c" }, "3"),
        ),
        answer("never"),
      ],
    });
    const error: unknown = await agent({
      name: "a",
      instructions: "i",
      model: lm,
      tools: [stubborn],
      toolConcurrency: 2,
    })
      .execute("x", createTestContext({ signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(ran).not.toContain("c"); // a and b start together; c would start after a's lane frees up
    expect(lm.calls).toHaveLength(1);
  });

  it("rejects a toolConcurrency that is not an integer from 1 to 64, naming it", () => {
    for (const toolConcurrency of [0, 1.5, 65, "2", Number.NaN]) {
      const build = () =>
        agent({
          name: "a",
          instructions: "i",
          model: new MockLanguageModel(),
          toolConcurrency: toolConcurrency as number,
        });
      expect(build).toThrow(InvalidOptionsError);
      expect(build).toThrow(/toolConcurrency/);
    }
  });
});
