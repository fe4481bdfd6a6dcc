import { describe, expect, it } from "vitest";
import { defaultReply, exampleFromSchema, promptTokens, toAnswer } from "./reply.js";

const request = (body: Record<string, unknown>) => ({ model: "sim-small", stream: false, body, headers: {} });

describe("token counts", () => {
  it("prompt: characters of every message's content / 4, rounded up, at least 1", () => {
    expect(promptTokens({ messages: [] })).toBe(1);
    expect(promptTokens({ messages: [{ role: "user", content: "12345" }] })).toBe(2);
    const parts = [{ type: "text", text: "abcd" }, { type: "image_url" }, { type: "text", text: "efgh" }];
    expect(
      promptTokens({
        messages: [
          { role: "system", content: "1234" },
          { role: "user", content: parts },
        ],
      }),
    ).toBe(3);
  });

  it("completion: characters of the text and of the tool calls / 4, rounded up", () => {
    expect(toAnswer("123456789", { messages: [] }).completionTokens).toBe(3);
    const answer = toAnswer({ toolCalls: [{ name: "f", arguments: { a: 1 } }] }, { messages: [] });
    expect(answer.toolCalls).toEqual([{ name: "f", arguments: '{"a":1}' }]);
    expect(answer.completionTokens).toBe(Math.ceil((1 + 7) / 4));
  });
});

describe("answers", () => {
  it("finish reason: tool_calls with tool calls, length when max_tokens cut the text, else stop", () => {
    expect(toAnswer("hi", { messages: [] }).finishReason).toBe("stop");
    expect(toAnswer({ toolCalls: [{ name: "f", arguments: "not json" }] }, {}).toolCalls[0]?.arguments).toBe(
      "not json",
    );
    const cut = toAnswer("x".repeat(100), { messages: [], max_tokens: 5 });
    expect(cut).toMatchObject({ text: "x".repeat(20), finishReason: "length", completionTokens: 5 });
    expect(toAnswer({ text: "x", finishReason: "content_filter" }, {}).finishReason).toBe("content_filter");
  });

  it("rejects invalid replies", () => {
    for (const bad of [42, null, { text: 1 }, { toolCalls: "x" }, { toolCalls: [{ name: "" }] }, { finishReason: "x" }])
      expect(() => toAnswer(bad, {})).toThrow(TypeError);
  });

  it("default: names the model and quotes the first 60 characters of the last user message", () => {
    const text = "a".repeat(50) + "b".repeat(50);
    const reply = defaultReply(
      request({
        messages: [
          { role: "user", content: "first" },
          { role: "user", content: text },
          { role: "assistant", content: "x" },
        ],
      }),
    );
    expect(reply.text).toBe(`Simulated answer from sim-small: ${text.slice(0, 60)}`);
  });

  it("default: a JSON object for response_format json_object, an example of the schema for json_schema", () => {
    const messages = [{ role: "user", content: "hi" }];
    const json = defaultReply(request({ messages, response_format: { type: "json_object" } }));
    expect(JSON.parse(json.text ?? "")).toEqual({ model: "sim-small", answer: "hi" });
    const schema = {
      type: "object",
      properties: {
        name: { type: "string" },
        age: { type: "integer", minimum: 18 },
        tags: { type: "array", items: { enum: ["a"] } },
      },
    };
    const structured = defaultReply(
      request({ messages, response_format: { type: "json_schema", json_schema: { schema } } }),
    );
    expect(JSON.parse(structured.text ?? "")).toEqual({ name: "simulated", age: 18, tags: ["a"] });
  });

  it("default: calls the tool a forced tool_choice names", () => {
    const tools = [
      {
        type: "function",
        function: { name: "a", parameters: { type: "object", properties: { x: { type: "boolean" } } } },
      },
      { type: "function", function: { name: "b", parameters: { type: "object", properties: {} } } },
    ];
    expect(defaultReply(request({ messages: [], tools, tool_choice: "required" })).toolCalls).toEqual([
      { name: "a", arguments: { x: false } },
    ]);
    const named = { type: "function", function: { name: "b" } };
    expect(defaultReply(request({ messages: [], tools, tool_choice: named })).toolCalls).toEqual([
      { name: "b", arguments: {} },
    ]);
    expect(defaultReply(request({ messages: [], tools, tool_choice: "auto" })).toolCalls).toBeUndefined();
  });

  it("schema examples follow local $refs, const, anyOf and nullable types, and stop at cycles", () => {
    const schema = {
      $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } },
      type: "object",
      properties: {
        kind: { const: "k" },
        either: { anyOf: [{ type: "number" }, { type: "string" }] },
        maybe: { type: ["null", "string"], maxLength: 3 },
        tree: { $ref: "#/$defs/node" },
      },
    };
    const example = exampleFromSchema(schema) as Record<string, unknown>;
    expect(example).toMatchObject({ kind: "k", either: 0, maybe: "sim" });
    expect(JSON.stringify(example.tree)).toContain("null");
  });
});
