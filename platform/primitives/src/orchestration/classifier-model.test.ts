import { describe, expect, it } from "vitest";
import { ProviderError } from "../core/errors.js";
import { MockLanguageModel, SpanRecorder, createTestContext } from "../testing/index.js";
import { invalidOption } from "../test-support/index.js";
import { modelClassifier } from "./classifier-model.js";
import type { ModelClassifierOptions } from "./classifier-model.js";
import { classifyTask } from "./classifier.js";
import type { MockReply } from "../testing/index.js";

function setup(responses: readonly MockReply[], options?: ModelClassifierOptions) {
  const lm = new MockLanguageModel({ modelId: "classifier-mini", responses });
  return { lm, classifier: classifyTask({ classify: modelClassifier(lm, options) }) };
}

describe("modelClassifier", () => {
  it("asks the model for JSON and uses a valid answer, with one reason naming the model", async () => {
    const { lm, classifier } = setup(['{"complexity":"complex","needs":["reasoning","code","reasoning"]}']);
    await expect(classifier.execute("Prove the algorithm terminates", createTestContext())).resolves.toEqual({
      complexity: "complex",
      needs: ["reasoning", "code"],
      reasons: ['classified by model "classifier-mini"'],
    });
    const request = lm.calls[0]?.request;
    expect(request?.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(request?.messages[1]?.content).toBe("Prove the algorithm terminates");
    expect(request?.temperature).toBe(0);
    expect(request?.responseFormat).toMatchObject({ type: "json", name: "task_classification" });
  });

  it("accepts an answer in a ```json fence and drops the model's own reasons", async () => {
    const { classifier } = setup([
      '```json\n{"complexity":"simple","needs":[],"reasons":["the user said: my password is hunter2"]}\n```',
    ]);
    await expect(classifier.execute("hi")).resolves.toEqual({
      complexity: "simple",
      needs: [],
      reasons: ['classified by model "classifier-mini"'],
    });
  });

  it.each([
    ["prose", "This looks like a coding task."],
    ["an unknown capability", '{"complexity":"moderate","needs":["gpu"]}'],
    ["a missing field", '{"needs":["code"]}'],
    ["a JSON array", '["code"]'],
  ])("falls back to the rules on an invalid answer (%s)", async (_, answer) => {
    const { classifier } = setup([answer]);
    await expect(classifier.execute("Write a Python function")).resolves.toEqual({
      complexity: "moderate",
      needs: ["code"],
      reasons: ['model "classifier-mini" gave no valid classification → rules', 'matched "python" → code'],
    });
  });

  it("uses the given fallback rules", async () => {
    const { classifier } = setup(["?"], { rules: [{ words: ["refund"], need: "tools" }] });
    await expect(classifier.execute("Refund in python")).resolves.toMatchObject({ needs: ["tools"] });
  });

  it("sends at most maxChars of the task, never half a surrogate pair", async () => {
    const { lm, classifier } = setup(['{"complexity":"simple","needs":[]}'], { maxChars: 5 });
    await classifier.execute("abcd😀efgh");
    expect(lm.calls[0]?.request.messages[1]?.content).toBe("abcd");
    await classifier.execute("abc😀efgh");
    expect(lm.calls[1]?.request.messages[1]?.content).toBe("abc😀");
  });

  it("a task over longContextChars needs long-context and is complex, whatever the model says", async () => {
    const { classifier } = setup(['{"complexity":"simple","needs":["code"]}'], { longContextChars: 10 });
    await expect(classifier.execute("x".repeat(11))).resolves.toEqual({
      complexity: "complex",
      needs: ["code", "long-context"],
      reasons: ['classified by model "classifier-mini"', "over 10 characters → long-context, complex"],
    });
  });

  it("a model error passes through unchanged", async () => {
    const error = new ProviderError("overloaded", { provider: "mock", model: "classifier-mini", status: 503 });
    const { classifier } = setup([error]);
    await expect(classifier.execute("hi")).rejects.toBe(error);
  });

  it("accepts any primitive ModelRequest → ModelResponse, called with the run's context", async () => {
    const seen: string[] = [];
    const step = {
      execute: async (request: { messages: readonly { content: string }[] }, ctx?: { correlationId: string }) => {
        seen.push(ctx?.correlationId ?? "none");
        return {
          text: '{"complexity":"moderate","needs":["vision"]}',
          toolCalls: [],
          usage: { inputTokens: request.messages.length, outputTokens: 1 },
          model: "router-picked",
          finishReason: "stop" as const,
        };
      },
    };
    const ctx = createTestContext();
    const result = await classifyTask({ classify: modelClassifier(step) }).execute("what is in this?", ctx);
    expect(result).toEqual({
      complexity: "moderate",
      needs: ["vision"],
      reasons: ['classified by model "router-picked"'],
    });
    expect(seen).toEqual([ctx.correlationId]);
  });

  it("the model call is a child span of the classifier's span", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const { classifier } = setup(['{"complexity":"simple","needs":[]}']);
      await classifier.execute("hi");
      expect(recorder.tree()).toBe("tta.classifier\n  chat classifier-mini");
    } finally {
      recorder.uninstall();
    }
  });

  it.each([
    ["a model that is neither a LanguageModel nor a primitive", () => modelClassifier({} as never), "model"],
    ["an unknown option", () => modelClassifier(new MockLanguageModel(), { max: 1 } as never), "max"],
    ["maxChars 0", () => modelClassifier(new MockLanguageModel(), { maxChars: 0 }), "maxChars"],
    [
      "bad fallback rules",
      () => modelClassifier(new MockLanguageModel(), { rules: [{ words: [] }] }),
      "rules[0].words",
    ],
  ])("%s throws InvalidOptionsError naming %j", (_, build, option) => {
    expect(invalidOption(build).option).toBe(option);
  });
});
