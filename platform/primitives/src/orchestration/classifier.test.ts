import { describe, expect, it } from "vitest";
import type { WorkflowContext } from "../core/context.js";
import { isTtaError } from "../core/errors.js";
import { SpanRecorder, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { invalidOption } from "../test-support/index.js";
import {
  DEFAULT_CLASSIFIER_RULES,
  DEFAULT_LONG_CONTEXT_CHARS,
  TaskClassifierPrimitive,
  classifyTask,
} from "./classifier.js";
import type { TaskClassification, TaskClassifierOptions, TaskInput } from "./classifier.js";
import type { ModelRequest } from "./language-model.js";

const classify = (input: TaskInput, options?: TaskClassifierOptions): Promise<TaskClassification> =>
  classifyTask(options).execute(input, createTestContext());
const needsOf = async (text: string, options?: TaskClassifierOptions) => (await classify(text, options)).needs;
const user = (content: string): ModelRequest => ({ messages: [{ role: "user", content }] });
const valid: TaskClassification = { complexity: "moderate", needs: ["code"], reasons: ["custom"] };

// The pluggable path runs the contract's inner primitive as the classifier's work.
describePrimitiveContract(
  "classifyTask with classify",
  (inner) =>
    classifyTask({
      classify: async (text, ctx) => {
        await inner.execute(text, ctx);
        return valid;
      },
    }),
  { input: "hello" },
);

describe("whole words, not substrings", () => {
  it("does not take 'classify these documents' for code because of 'class'", async () => {
    await expect(classify("Please classify these documents")).resolves.toEqual({
      complexity: "simple",
      needs: [],
      reasons: [],
    });
  });

  it("classes 'Write a Python function' as code, naming the rule word that matched first", async () => {
    await expect(classify("Write a Python function that parses dates")).resolves.toEqual({
      complexity: "moderate",
      needs: ["code"],
      reasons: ['matched "python" → code'],
    });
  });

  it.each([
    ["subclassing is a design choice", "class"],
    ["the functionality is fine", "function"],
    ["export it as JSONL", "json"],
    ["a photographer's portfolio", "photo"],
    ["Codeänderung bitte prüfen", "code"],
    ["my_code_style", "code"],
    ["pythonic idioms", "python"],
  ])("%j does not match %j inside a longer word", async (text) => {
    await expect(needsOf(text)).resolves.toEqual([]);
  });

  it.each([
    ["(json)", "json"],
    ["return JSON.", "json"],
    ["a bug, again", "code"],
    ["Is this a C++ or a C# question?", "code"],
    ["see the screenshot!", "vision"],
  ] as const)("%j matches next to punctuation", async (text, need) => {
    await expect(needsOf(text)).resolves.toEqual([need]);
  });

  it("is case-insensitive", async () => {
    await expect(needsOf("PYTHON")).resolves.toEqual(["code"]);
    await expect(needsOf("Give me Json")).resolves.toEqual(["json"]);
  });

  it("matches phrases on word boundaries, across any whitespace", async () => {
    await expect(needsOf("Solve it step   by\nstep")).resolves.toEqual(["reasoning"]);
    await expect(needsOf("Read the Stack Trace")).resolves.toEqual(["code"]);
    await expect(needsOf("a stack tracer tool")).resolves.toEqual([]);
    await expect(needsOf("stepping by steps")).resolves.toEqual([]);
  });

  it("uses Unicode word boundaries and NFC, so accented words match whole", async () => {
    const rules = [{ words: ["naïve"], need: "reasoning" as const }];
    await expect(needsOf("a naïve approach", { rules })).resolves.toEqual(["reasoning"]);
    await expect(needsOf("a nai\u0308ve approach", { rules })).resolves.toEqual(["reasoning"]);
    await expect(needsOf("la naïveté", { rules })).resolves.toEqual([]);
    await expect(needsOf("naïve", { rules: [{ words: ["na"], need: "code" }] })).resolves.toEqual([]);
  });

  it("matches next to scripts written without spaces (Chinese, Japanese, Thai)", async () => {
    await expect(needsOf("用Python写一个排序")).resolves.toEqual(["code"]);
    await expect(needsOf("请写一个函数", { rules: [{ words: ["函数"], need: "code" }] })).resolves.toEqual(["code"]);
  });
});

describe("complexity", () => {
  it("a short question with no need is simple, with no reasons", async () => {
    await expect(classify("What is the capital of France?")).resolves.toEqual({
      complexity: "simple",
      needs: [],
      reasons: [],
    });
    await expect(classify("Hi. How are you?")).resolves.toMatchObject({ complexity: "simple" });
  });

  it("more than two sentences, or over 300 characters, is moderate", async () => {
    await expect(classify("Hi. I am Ann. How are you?")).resolves.toEqual({
      complexity: "moderate",
      needs: [],
      reasons: ["more than 2 sentences → moderate"],
    });
    await expect(classify("word ".repeat(61))).resolves.toEqual({
      complexity: "moderate",
      needs: [],
      reasons: ["over 300 characters → moderate"],
    });
  });

  it("a moderate-only rule raises complexity without adding a need", async () => {
    await expect(classify("Why is the sky blue?")).resolves.toEqual({
      complexity: "moderate",
      needs: [],
      reasons: ['matched "why" → moderate'],
    });
  });

  it("reasoning words make the task complex", async () => {
    await expect(classify("Prove that there are infinitely many primes")).resolves.toEqual({
      complexity: "complex",
      needs: ["reasoning"],
      reasons: ['matched "prove" → reasoning, complex'],
    });
  });

  it("three needs make the task complex; needs come in canonical order without duplicates", async () => {
    const result = await classify("Read this screenshot of a stack trace and return JSON. Python, code, images.");
    expect(result.needs).toEqual(["json", "vision", "code"]);
    expect(result.complexity).toBe("complex");
    expect(result.reasons).toEqual([
      'matched "stack trace" → code',
      'matched "json" → json',
      'matched "screenshot" → vision',
      "3 capabilities needed → complex",
    ]);
  });

  it("a task over longContextChars needs long-context and is complex; Infinity turns that off", async () => {
    const text = "lorem ipsum ".repeat(10);
    await expect(classify(text, { longContextChars: 100 })).resolves.toEqual({
      complexity: "complex",
      needs: ["long-context"],
      reasons: ["over 100 characters → long-context, complex"],
    });
    await expect(classify(text, { longContextChars: Infinity })).resolves.toMatchObject({ needs: [] });
    expect(DEFAULT_LONG_CONTEXT_CHARS).toBe(400_000);
  });

  it("reasons quote rule words only, never the task's text", async () => {
    const result = await classify("My SSN is 123-45-6789, why does the PYTHON script fail? ".repeat(10));
    for (const reason of result.reasons) {
      expect(reason).not.toContain("123-45");
      expect(reason).not.toContain("PYTHON");
    }
  });
});

describe("rules", () => {
  it("`rules` replaces the defaults", async () => {
    const rules = [{ words: ["invoice", "refund"], need: "tools" as const }];
    await expect(needsOf("Write a Python function", { rules })).resolves.toEqual([]);
    await expect(needsOf("Refund my invoice", { rules })).resolves.toEqual(["tools"]);
  });

  it("`extraRules` adds to the defaults, after them", async () => {
    const result = await classify("Refund the python invoice", {
      extraRules: [{ words: ["refund"], need: "tools", reason: "billing task → tools" }],
    });
    expect(result.needs).toEqual(["tools", "code"]);
    expect(result.reasons).toEqual(['matched "python" → code', "billing task → tools"]);
  });

  it("an empty rule list classifies by length only", async () => {
    await expect(classify("Prove it in python", { rules: [] })).resolves.toMatchObject({
      complexity: "simple",
      needs: [],
    });
  });

  it("the default rules are frozen and usable as a base", async () => {
    expect(Object.isFrozen(DEFAULT_CLASSIFIER_RULES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CLASSIFIER_RULES[0]?.words)).toBe(true);
    const rules = DEFAULT_CLASSIFIER_RULES.filter((r) => r.need !== "vision");
    await expect(needsOf("see the screenshot", { rules })).resolves.toEqual([]);
  });

  it("regex characters in rule words are literal", async () => {
    const rules = [{ words: ["a.b", "(x)"], need: "code" as const }];
    await expect(needsOf("axb", { rules })).resolves.toEqual([]);
    await expect(needsOf("use a.b here", { rules })).resolves.toEqual(["code"]);
  });
});

describe("ModelRequest input", () => {
  it("classifies the last user message", async () => {
    const request: ModelRequest = {
      messages: [
        { role: "system", content: "You write Python." },
        { role: "user", content: "Write a function" },
        { role: "assistant", content: "Done." },
        { role: "user", content: "Thanks!" },
      ],
    };
    await expect(classify(request)).resolves.toEqual({ complexity: "simple", needs: [], reasons: [] });
  });

  it("adds the needs the request implies: tools (unless toolChoice is none) and JSON output", async () => {
    const tools = [{ name: "lookup", parameters: { type: "object" } }];
    await expect(classify({ ...user("hello"), tools, responseFormat: { type: "json" } })).resolves.toEqual({
      complexity: "moderate",
      needs: ["tools", "json"],
      reasons: ["request has tools → tools", "request asks for JSON → json"],
    });
    await expect(classify({ ...user("hello"), tools, toolChoice: "none" })).resolves.toMatchObject({ needs: [] });
  });

  it("a request without a user message is classified as empty text", async () => {
    await expect(classify({ messages: [{ role: "system", content: "Write python" }] })).resolves.toMatchObject({
      complexity: "simple",
      needs: [],
    });
  });

  it("rejects an input that is neither text nor a ModelRequest, without quoting it", async () => {
    const bad = await classifyTask()
      .execute(42 as unknown as string)
      .catch((e: unknown) => e);
    expect(isTtaError(bad, "INVALID_OPTIONS")).toBe(true);
    expect(bad).toMatchObject({ option: "input" });
    const secret = { messages: [{ role: "user", content: ["sk-secret-prompt"] }] };
    const badRequest = await classifyTask()
      .execute(secret as unknown as ModelRequest)
      .catch((e: unknown) => e);
    expect(badRequest).toMatchObject({ option: "request.messages[0].content" });
    expect((badRequest as Error).message).not.toContain("sk-secret");
  });
});

describe("results", () => {
  it("are frozen, and the same for the same input", async () => {
    const classifier = classifyTask();
    const text = "Explain step by step why this SQL query is slow, with a diagram";
    const first = await classifier.execute(text);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.needs)).toBe(true);
    expect(Object.isFrozen(first.reasons)).toBe(true);
    await expect(classifier.execute(text)).resolves.toEqual(first);
  });

  it("records the complexity and needs on the span", async () => {
    const recorder = new SpanRecorder().install();
    try {
      await classifyTask({ name: "triage" }).execute("Write python code for this image");
      const span = recorder.spans.find((s) => s.name === "tta.classifier");
      expect(span?.attributes).toMatchObject({
        "tta.primitive.name": "triage",
        "tta.classifier.complexity": "moderate",
        "tta.classifier.needs": ["vision", "code"],
      });
    } finally {
      recorder.uninstall();
    }
  });
});

describe("a pluggable classify", () => {
  it("replaces the rules, gets the text and the run's context, and may be async", async () => {
    const seen: [string, WorkflowContext][] = [];
    const ctx = createTestContext();
    const classifier = classifyTask({
      classify: async (text, c) => {
        seen.push([text, c]);
        await c.clock.sleep(10, c.signal);
        return { complexity: "complex", needs: ["vision", "code", "vision"], reasons: ["looked at it"] };
      },
    });
    const run = classifier.execute(user("Please classify these documents"), ctx);
    await ctx.clock.advance(10);
    await expect(run).resolves.toEqual({ complexity: "complex", needs: ["vision", "code"], reasons: ["looked at it"] });
    expect(seen[0]?.[0]).toBe("Please classify these documents");
    expect(seen[0]?.[1].correlationId).toBe(ctx.correlationId);
  });

  it("its result is frozen, `reasons` may be omitted, and request-implied needs are added", async () => {
    const classifier = classifyTask({ classify: () => ({ complexity: "simple", needs: [] }) as never });
    const result = await classifier.execute({ ...user("x"), responseFormat: { type: "json" } });
    expect(result).toEqual({ complexity: "simple", needs: ["json"], reasons: ["request asks for JSON → json"] });
    expect(Object.isFrozen(result.needs)).toBe(true);
  });

  it.each([
    ["null", null, "got null"],
    ["a string", "complex", "got a string of 7 characters"],
    ["an unknown complexity", { complexity: "hard", needs: [] }, "`complexity` as a string of 4 characters"],
    ["needs that is not an array", { complexity: "simple", needs: "code" }, "`needs` as a string of 4 characters"],
    ["an unknown capability", { complexity: "simple", needs: ["code", "gpu-secret"] }, "`needs[1]` as a string"],
    ["reasons that is not an array", { complexity: "simple", needs: [], reasons: "because" }, "`reasons` as"],
    ["a reason that is not a string", { complexity: "simple", needs: [], reasons: [1] }, "`reasons[0]` as 1"],
  ])(
    "an invalid result (%s) rejects with InvalidOptionsError naming classify, never quoting it",
    async (_, value, detail) => {
      const error = await classifyTask({ classify: () => value as never })
        .execute("x")
        .catch((e: unknown) => e);
      expect(isTtaError(error, "INVALID_OPTIONS")).toBe(true);
      expect(error).toMatchObject({ option: "classify", retryable: false });
      expect((error as Error).message).toContain(detail);
      expect((error as Error).message).not.toMatch(/hard|gpu-secret|because/);
    },
  );

  it("its errors pass through unchanged", async () => {
    const boom = new Error("classifier down");
    const classifier = classifyTask({
      classify: () => {
        throw boom;
      },
    });
    await expect(classifier.execute("x")).rejects.toBe(boom);
  });
});

describe("options", () => {
  it.each([
    ["options not an object", "x", "classifyTask options"],
    ["an unknown option", { rule: [] }, "rule"],
    ["rules not an array", { rules: {} }, "rules"],
    ["a rule that is not an object", { rules: ["json"] }, "rules[0]"],
    ["an unknown rule key", { rules: [{ words: ["a"], need: "code", weight: 2 }] }, "rules[0].weight"],
    ["empty words", { extraRules: [{ words: [], need: "code" }] }, "extraRules[0].words"],
    ["words not an array", { extraRules: [{ words: "json", need: "json" }] }, "extraRules[0].words"],
    ["an empty word", { rules: [{ words: ["ok", " "], need: "code" }] }, "rules[0].words[1]"],
    ["a word of punctuation only", { rules: [{ words: ["++"], need: "code" }] }, "rules[0].words[0]"],
    ["an unknown capability", { extraRules: [{ words: ["gpu"], need: "gpu" }] }, "extraRules[0].need"],
    ["complexity simple", { rules: [{ words: ["a"], complexity: "simple" }] }, "rules[0].complexity"],
    ["a rule with neither need nor complexity", { rules: [{ words: ["a"] }] }, "rules[0]"],
    ["an empty reason", { rules: [{ words: ["a"], need: "code", reason: "" }] }, "rules[0].reason"],
    ["longContextChars 0", { longContextChars: 0 }, "longContextChars"],
    ["longContextChars not an integer", { longContextChars: 1.5 }, "longContextChars"],
    ["longContextChars a string", { longContextChars: "1000" }, "longContextChars"],
    ["classify not a function", { classify: "model" }, "classify"],
    ["classify with rules", { classify: () => valid, rules: [] }, "rules"],
    ["classify with extraRules", { classify: () => valid, extraRules: [] }, "extraRules"],
    ["classify with longContextChars", { classify: () => valid, longContextChars: 10 }, "longContextChars"],
    ["an empty name", { name: "" }, "name"],
  ])("%s throws InvalidOptionsError naming %j", (_, options, option) => {
    expect(invalidOption(() => classifyTask(options as TaskClassifierOptions)).option).toBe(option);
  });

  it("null means the default", async () => {
    const classifier = new TaskClassifierPrimitive({ rules: null, longContextChars: null } as never);
    await expect(classifier.execute("python")).resolves.toMatchObject({ needs: ["code"] });
    expect(classifier.name).toBe("TaskClassifierPrimitive");
    expect(classifier.kind).toBe("classifier");
  });
});
