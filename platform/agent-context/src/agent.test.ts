/**
 * `agent(...)`: the model ↔ tool loop against a scripted MockLanguageModel — answers, tool results and
 * errors given back to the model, `maxSteps`, cancellation, models given as primitives.
 */
import { InvalidOptionsError, model } from "@tta/primitives";
import type { ModelRequest, ModelResponse, WorkflowContext } from "@tta/primitives";
import { MockLanguageModel, createTestContext } from "@tta/primitives/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { agent } from "./agent.js";
import { agentOf } from "./agent-context.js";
import { answer, call, calls, toolMessages } from "./test-support/agent-fixtures.js";
import { tool } from "./tool.js";

const weather = tool({
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  execute: (args: { city: string }) => `sunny in ${args.city}`,
});

describe("the loop", () => {
  it("answers without tools in one step: system, user, assistant", async () => {
    const lm = new MockLanguageModel({ responses: [answer("Hello!")] });
    const result = await agent({ name: "greeter", instructions: "Be nice.", model: lm }).execute("Hi");
    expect(result).toEqual({
      text: "Hello!",
      agent: "greeter",
      messages: [
        { role: "system", content: "Be nice." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
      ],
      steps: 1,
      toolCalls: 0,
      handoffs: [],
      stopReason: "stop",
    });
    expect(lm.calls[0]?.request.tools).toBeUndefined();
  });

  it("runs the tools the model calls and gives each result back under its call id", async () => {
    const lm = new MockLanguageModel({
      responses: [
        calls(call("get_weather", { city: "Oslo" }, "c1"), call("get_weather", { city: "Rome" }, "c2")),
        answer("Done"),
      ],
    });
    const result = await agent({ name: "a", instructions: "i", model: lm, tools: [weather] }).execute("Weather?");
    expect(toolMessages(result.messages)).toEqual([
      { role: "tool", content: "sunny in Oslo", toolCallId: "c1" },
      { role: "tool", content: "sunny in Rome", toolCallId: "c2" },
    ]);
    expect(result).toMatchObject({ text: "Done", steps: 2, toolCalls: 2, stopReason: "stop" });
    // The second call sees the assistant's tool calls and both answers; the specs are sent each time.
    const second = lm.calls[1]?.request as ModelRequest;
    expect(second.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "tool"]);
    expect(second.tools?.map((t) => t.name)).toEqual(["get_weather"]);
  });

  it("runs a response's tool calls sequentially, in call order", async () => {
    const order: string[] = [];
    const slow = tool({
      name: "slow",
      parameters: { type: "object" },
      execute: async (_args, ctx) => {
        order.push("slow:start");
        await ctx.clock.sleep(10);
        order.push("slow:end");
      },
    });
    const fast = tool({ name: "fast", parameters: { type: "object" }, execute: () => void order.push("fast") });
    const ctx = createTestContext();
    const lm = new MockLanguageModel({
      responses: [calls(call("slow", {}, "1"), call("fast", {}, "2")), answer("ok")],
    });
    const run = agent({ name: "a", instructions: "i", model: lm, tools: [slow, fast] }).execute("go", ctx);
    await ctx.clock.advance(10);
    await run;
    expect(order).toEqual(["slow:start", "slow:end", "fast"]);
  });

  it("gives JSON results as JSON text, and an unserialisable result as an error text", async () => {
    const data = tool({ name: "data", parameters: { type: "object" }, execute: () => ({ n: 1, list: [true] }) });
    const cyclic = tool({
      name: "cyclic",
      parameters: { type: "object" },
      execute: () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      },
    });
    const lm = new MockLanguageModel({ responses: [calls(call("data", {}), call("cyclic", {})), answer("ok")] });
    const result = await agent({ name: "a", instructions: "i", model: lm, tools: [data, cyclic] }).execute("x");
    expect(toolMessages(result.messages).map((m) => m.content)).toEqual([
      '{"n":1,"list":[true]}',
      "Error: the tool's result could not be serialised as JSON",
    ]);
  });

  it("accepts a conversation `{ messages }` and any model primitive", async () => {
    const lm = new MockLanguageModel({ responses: [answer("fine")] });
    const result = await agent({ name: "a", instructions: "sys", model: model(lm) }).execute({
      messages: [
        { role: "user", content: "one" },
        { role: "assistant", content: "two" },
        { role: "user", content: "three" },
      ],
    });
    expect(lm.calls[0]?.request.messages.map((m) => m.content)).toEqual(["sys", "one", "two", "three"]);
    expect(result.messages).toHaveLength(5);
  });

  it("passes maxTokens and temperature to every model call", async () => {
    const lm = new MockLanguageModel({ responses: [calls(call("get_weather", { city: "x" })), answer("ok")] });
    await agent({ name: "a", instructions: "i", model: lm, tools: [weather], maxTokens: 50, temperature: 0 }).execute(
      "q",
    );
    for (const c of lm.calls) expect(c.request).toMatchObject({ maxTokens: 50, temperature: 0 });
  });

  it("rejects an input that is not a string, { messages } or an envelope, by its shape only", async () => {
    const a = agent({ name: "a", instructions: "i", model: new MockLanguageModel() });
    const error: unknown = await a.execute(42 as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("input");
    const bad: unknown = await a
      .execute({ messages: [{ role: "user", content: 1 }] } as never)
      .catch((e: unknown) => e);
    expect((bad as InvalidOptionsError).option).toBe("input.messages[0]");
  });
});

describe("what the model gets back when a call goes wrong", () => {
  const Args = z.object({ city: z.string(), days: z.number().int().min(1) });
  const forecast = tool({
    name: "forecast",
    parameters: Args,
    jsonSchema: z.toJSONSchema(Args, { io: "input" }),
    execute: ({ city, days }) => `${city}: ${days} days`,
  });

  it("lists the validation issues with their paths, and the loop goes on", async () => {
    const lm = new MockLanguageModel({
      responses: [
        calls(call("forecast", { city: 7, days: 0 }, "bad")),
        calls(call("forecast", { city: "Oslo", days: 2 }, "good")),
        answer("ok"),
      ],
    });
    const result = await agent({ name: "a", instructions: "i", model: lm, tools: [forecast] }).execute("x");
    const [bad, good] = toolMessages(result.messages);
    expect(bad?.toolCallId).toBe("bad");
    expect(bad?.content).toMatch(/^Error: invalid arguments for tool "forecast":/);
    expect(bad?.content).toContain("- at city:");
    expect(bad?.content).toContain("- at days:");
    expect(good?.content).toBe("Oslo: 2 days");
    expect(result).toMatchObject({ text: "ok", steps: 3, toolCalls: 2 });
  });

  it("says that raw arguments are not JSON", async () => {
    const lm = new MockLanguageModel({ responses: [calls(call("forecast", "{not json")), answer("ok")] });
    const result = await agent({ name: "a", instructions: "i", model: lm, tools: [forecast] }).execute("x");
    expect(toolMessages(result.messages)[0]?.content).toContain("not valid JSON");
  });

  it("names an unknown tool and lists the available ones", async () => {
    const lm = new MockLanguageModel({ responses: [calls(call("get_wether", {})), answer("ok")] });
    const result = await agent({ name: "a", instructions: "i", model: lm, tools: [weather, forecast] }).execute("x");
    expect(toolMessages(result.messages)[0]?.content).toBe(
      'Error: unknown tool "get_wether". Available tools: get_weather, forecast.',
    );
    expect(result.toolCalls).toBe(1);
  });

  it("gives a throwing tool's message back as `Error: …`", async () => {
    const failing = tool({
      name: "failing",
      parameters: { type: "object" },
      execute: () => {
        throw new Error("database unavailable");
      },
    });
    const lm = new MockLanguageModel({ responses: [calls(call("failing", {})), answer("sorry")] });
    const result = await agent({ name: "a", instructions: "i", model: lm, tools: [failing] }).execute("x");
    expect(toolMessages(result.messages)[0]?.content).toBe("Error: database unavailable");
    expect(result.text).toBe("sorry");
  });
});

describe("maxSteps", () => {
  it("ends a model that keeps calling tools with stop reason max-steps and its last text, without throwing", async () => {
    const lm = new MockLanguageModel({
      responses: [{ text: "still looking", toolCalls: [call("get_weather", { city: "x" })] }],
    });
    const result = await agent({ name: "a", instructions: "i", model: lm, tools: [weather], maxSteps: 3 }).execute("x");
    expect(result).toMatchObject({ stopReason: "max-steps", steps: 3, toolCalls: 3, text: "still looking" });
    expect(lm.calls).toHaveLength(3);
  });

  it("reports a cut answer as stop reason length, and a filtered one as content-filter", async () => {
    for (const finishReason of ["length", "content-filter"] as const) {
      const lm = new MockLanguageModel({ responses: [{ text: "partial", finishReason }] });
      const result = await agent({ name: "a", instructions: "i", model: lm }).execute("x");
      expect(result.stopReason).toBe(finishReason);
    }
  });

  it("never makes more than maxSteps model calls, whatever the model does (property)", async () => {
    const script = fc.array(
      fc.oneof(
        fc.constant(answer("done")),
        fc.constant(calls(call("get_weather", { city: "x" }, "k"))),
        fc.constant(calls(call("nope", {}, "u"))),
        fc.constant(calls(call("get_weather", "{oops", "r"))),
      ),
      { minLength: 1, maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(script, fc.integer({ min: 1, max: 6 }), async (responses, maxSteps) => {
        const lm = new MockLanguageModel({ responses });
        const result = await agent({ name: "a", instructions: "i", model: lm, tools: [weather], maxSteps }).execute(
          "x",
        );
        expect(result.steps).toBe(lm.calls.length);
        expect(result.steps).toBeLessThanOrEqual(maxSteps);
        // Every tool call of every assistant message is answered once, right after it, in call order.
        const m = result.messages;
        for (let i = 0; i < m.length; i++) {
          const ids = m[i]?.toolCalls?.map((c) => c.id) ?? [];
          expect(m.slice(i + 1, i + 1 + ids.length).map((t) => t.toolCallId)).toEqual(ids);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("cancellation", () => {
  it("rejects with the signal's reason, unchanged, when aborted during a tool", async () => {
    const controller = new AbortController();
    const reason = new Error("user left");
    const aborting = tool({
      name: "aborting",
      parameters: { type: "object" },
      execute: () => {
        controller.abort(reason);
        return "late";
      },
    });
    const lm = new MockLanguageModel({
      responses: [calls(call("aborting", {}), call("aborting", {}, "2")), answer("never")],
    });
    const ctx = createTestContext({ signal: controller.signal });
    const error: unknown = await agent({ name: "a", instructions: "i", model: lm, tools: [aborting] })
      .execute("x", ctx)
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(lm.calls).toHaveLength(1);
  });

  it("rethrows the reason even when the tool turns the abort into its own error", async () => {
    const controller = new AbortController();
    const reason = { why: "not an Error" };
    const wrapping = tool({
      name: "wrapping",
      parameters: { type: "object" },
      execute: () => {
        controller.abort(reason);
        throw new Error("fetch aborted");
      },
    });
    const lm = new MockLanguageModel({ responses: [calls(call("wrapping", {})), answer("never")] });
    const error: unknown = await agent({ name: "a", instructions: "i", model: lm, tools: [wrapping] })
      .execute("x", createTestContext({ signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
  });
});

describe("a model given as any executable", () => {
  it("is called as it is, with the context of the step", async () => {
    const requests: ModelRequest[] = [];
    const custom = {
      execute: (request: ModelRequest, ctx?: WorkflowContext): Promise<ModelResponse> => {
        requests.push(request);
        expect(agentOf(ctx as WorkflowContext)?.name).toBe("a");
        return Promise.resolve({
          text: "hi",
          toolCalls: [],
          usage: { inputTokens: 1, outputTokens: 1 },
          model: "m",
          finishReason: "stop",
        });
      },
    };
    const result = await agent({ name: "a", instructions: "i", model: custom }).execute("x");
    expect(result.text).toBe("hi");
    expect(requests).toHaveLength(1);
  });
});
