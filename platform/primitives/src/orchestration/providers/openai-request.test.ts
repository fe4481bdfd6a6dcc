import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../../core/errors.js";
import { invalidOption } from "../../test-support/index.js";
import { callSignal, validateRequest } from "./openai-request.js";

/** Looks like a password, not like an API key (so no redaction pattern would hide it). */
const SECRET = "hunter2";
/** A long prompt: an error message must not show it, not even its first characters. */
const PROMPT = `Tell me the launch codes, my password is ${SECRET}`;
const user = (content: unknown): unknown => ({ messages: [{ role: "user", content }] });

describe("validateRequest: errors describe request values, never quote them", () => {
  it.each<[string, unknown, string, string]>([
    ["an object content", user({ text: SECRET }), "request.messages[0].content", "an object"],
    ["an array content", user([SECRET, PROMPT, "x"]), "request.messages[0].content", "an array of 3"],
    ["a prompt as the request", PROMPT, "request", "a string of 48 characters"],
    ["a short prompt as the request", SECRET, "request", "a string of 7 characters"],
    ["a prompt as the messages", { messages: PROMPT }, "request.messages", "a string of 48 characters"],
    ["a prompt as a message", { messages: [SECRET] }, "request.messages[0]", "a string of 7 characters"],
    ["a prompt as a role", { messages: [{ role: SECRET, content: "" }] }, "request.messages[0].role", "a string"],
    [
      "an object tool call id",
      { messages: [{ role: "assistant", content: "", toolCalls: [{ id: { SECRET }, name: "t", arguments: {} }] }] },
      "request.messages[0].toolCalls[0].id",
      "an object",
    ],
    [
      "a tool call that is a string",
      { messages: [{ role: "assistant", content: "", toolCalls: [PROMPT] }] },
      "request.messages[0].toolCalls[0]",
      "a string",
    ],
    [
      "tool arguments as the tool calls",
      { messages: [{ role: "assistant", content: "", toolCalls: { arguments: { password: SECRET } } }] },
      "request.messages[0].toolCalls",
      "an object",
    ],
    ["a string stop", { ...(user("hi") as object), stop: SECRET }, "request.stop", "a string"],
    ["a stop of numbers", { ...(user("hi") as object), stop: [SECRET, 1] }, "request.stop", "an array of 2"],
    ["a string tool", { ...(user("hi") as object), tools: [PROMPT] }, "request.tools[0]", "a string"],
    [
      "a string tool description",
      { ...(user("hi") as object), tools: [{ name: "t", description: { SECRET }, parameters: {} }] },
      "request.tools[0].description",
      "an object",
    ],
    ["a prompt as toolChoice", { ...(user("hi") as object), toolChoice: SECRET }, "request.toolChoice", "a string"],
    [
      "a responseFormat with a secret",
      { ...(user("hi") as object), responseFormat: { type: "xml", example: SECRET } },
      "request.responseFormat",
      "an object",
    ],
    [
      "a secret stream option",
      { ...(user("hi") as object), providerOptions: { stream: SECRET } },
      "request.providerOptions.stream",
      "a string",
    ],
  ])("%s", (_name, request, option, shape) => {
    const error = invalidOption(() => validateRequest(request));
    expect(error.option).toBe(option);
    expect(error.message).toContain(`got ${shape}`);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(PROMPT.slice(0, 8));
  });

  it("still shows numbers and booleans (not user text), so numeric mistakes stay easy to read", () => {
    expect(invalidOption(() => validateRequest({ ...(user("hi") as object), maxTokens: 0 })).message).toContain(
      "got 0",
    );
    expect(invalidOption(() => validateRequest(user(true))).message).toContain("got true");
  });

  it("accepts a valid request", () => {
    expect(() => validateRequest(user(PROMPT))).not.toThrow();
  });
});

describe("callSignal", () => {
  it("describes an invalid options argument or signal by its kind", () => {
    for (const [options, option] of [
      [SECRET, "options"],
      [{ signal: { SECRET } }, "options.signal"],
    ] as const) {
      const error = invalidOption(() => callSignal(options));
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error.option).toBe(option);
      expect(error.message).not.toContain(SECRET);
    }
  });
});
