import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { WorkflowContext } from "../core/index.js";
import { InvalidOptionsError, ProviderError, StructuredOutputError, isTtaError } from "../core/index.js";
import { MockLanguageModel, SpanRecorder, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { invalidOption } from "../test-support/index.js";
import { createCatalog } from "./index.js";
import type { ModelRequest, ModelResponse } from "./index.js";
import { multiModel } from "./multi-model.js";
import type { MultiModelClassification, MultiModelOptions } from "./multi-model.js";
import type { RouteInfo, RoutedRequest, RoutedResponse } from "./router/types.js";

const CODE_TASK: MultiModelClassification = { complexity: "complex", needs: ["code"], reasons: ["mentions code"] };

/** A classifier that records the texts it was given and answers `result`. */
function classifier(result: MultiModelClassification = CODE_TASK): {
  texts: string[];
  classify: (text: string) => MultiModelClassification;
} {
  const texts: string[] = [];
  return { texts, classify: (text) => (texts.push(text), result) };
}

/**
 * A stand-in for `modelRouter(...)`: answers with `lm` and reports route `routes[i]` for the i-th call
 * (the last repeats), recording each routed request.
 */
class FakeRouter {
  readonly requests: RoutedRequest[] = [];
  readonly lm: MockLanguageModel;
  readonly routes: readonly Partial<RouteInfo>[];

  constructor(lm: MockLanguageModel, routes: readonly Partial<RouteInfo>[]) {
    this.lm = lm;
    this.routes = routes;
  }

  async executeWithRoute(request: RoutedRequest, ctx?: WorkflowContext): Promise<RoutedResponse> {
    const index = this.requests.length;
    this.requests.push(request);
    const response = await this.lm.generate(request, { signal: (ctx ?? createTestContext()).signal });
    const route: RouteInfo = {
      model: this.lm.modelId,
      provider: this.lm.provider,
      responseModel: response.model,
      attempts: 1,
      hedged: false,
      usage: response.usage,
      costUsd: 0,
      log: [],
      skipped: [],
      ...this.routes[Math.min(index, this.routes.length - 1)],
    };
    return { response, route };
  }

  async execute(request: RoutedRequest, ctx?: WorkflowContext): Promise<ModelResponse> {
    return (await this.executeWithRoute(request, ctx)).response;
  }
}

const usage = (inputTokens: number, outputTokens: number): ModelResponse["usage"] => ({ inputTokens, outputTokens });
const ask: RoutedRequest = {
  messages: [
    { role: "system", content: "You are a senior engineer." },
    { role: "user", content: "Refactor this function" },
    { role: "assistant", content: "Which one?" },
    { role: "user", content: "The parser in parse.ts" },
  ],
};

describe("multiModel: classify and route", () => {
  it("classifies the last user message and routes with the classifier's needs merged into the request's", async () => {
    const lm = new MockLanguageModel({ modelId: "big-coder", responses: ["Done."] });
    const router = new FakeRouter(lm, [{ attempts: 2, costUsd: 0.01, model: "big-coder" }]);
    const { texts, classify } = classifier();
    const flow = multiModel({ classifier: classify, router });
    const result = await flow.execute({ ...ask, needs: ["tools"] }, createTestContext());
    expect(texts).toEqual(["The parser in parse.ts"]);
    expect(router.requests[0]?.needs).toEqual(["tools", "code"]);
    expect(router.requests[0]?.messages).toEqual(ask.messages);
    expect(result).toMatchObject({ model: "big-coder", attempts: 2, costUsd: 0.01, classification: CODE_TASK });
    expect(result.response.text).toBe("Done.");
    expect(result.route?.attempts).toBe(2);
  });

  it("accepts a prompt string, and does not repeat a need the request already has", async () => {
    const router = new FakeRouter(new MockLanguageModel({ responses: ["ok"] }), [{}]);
    const { texts, classify } = classifier();
    await multiModel({ classifier: classify, router }).execute({ ...ask, needs: ["code"] });
    expect(router.requests[0]?.needs).toEqual(["code"]);
    await multiModel({ classifier: classify, router }).execute("Write a regex");
    expect(texts.at(-1)).toBe("Write a regex");
    expect(router.requests[1]?.messages).toEqual([{ role: "user", content: "Write a regex" }]);
  });

  it("without executeWithRoute, reports response.model, one attempt per ask and the catalogue's price", async () => {
    const catalog = createCatalog([
      {
        id: "priced",
        provider: "mock",
        contextWindow: 8_000,
        pricing: { inputPerMillion: 1, outputPerMillion: 2 },
        capabilities: [],
      },
    ]);
    const lm = new MockLanguageModel({
      modelId: "priced",
      responses: [
        { text: "short", usage: usage(100, 50) },
        { text: "a long enough answer", usage: usage(200, 100) },
      ],
    });
    const flow = multiModel({
      classifier: classifier().classify,
      router: (request: RoutedRequest) => lm.generate(request, { signal: new AbortController().signal }),
      validate: (text) => text.length > 10 || "Too short.",
      catalog,
    });
    const result = await flow.execute(ask);
    expect(result).toMatchObject({ model: "priced", attempts: 2, usage: usage(300, 150), route: undefined });
    expect(result.costUsd).toBeCloseTo((300 * 1 + 150 * 2) / 1e6, 12);

    const unpriced = new MockLanguageModel({ modelId: "unlisted", responses: ["fine answer"] });
    const other = multiModel({
      classifier: classifier().classify,
      router: (request: RoutedRequest) => unpriced.generate(request, { signal: new AbortController().signal }),
      catalog,
    });
    await expect(other.execute(ask)).resolves.toMatchObject({ model: "unlisted", attempts: 1, costUsd: undefined });
  });

  it("passes classifier and router errors through unchanged, without a re-ask", async () => {
    const failure = new ProviderError("all down", { provider: "mock", model: "x", status: 503 });
    const lm = new MockLanguageModel({ responses: [failure] });
    const router = new FakeRouter(lm, [{}]);
    await expect(multiModel({ classifier: classifier().classify, router }).execute(ask)).rejects.toBe(failure);
    expect(lm.callCount).toBe(1);
    const broken = new Error("classifier down");
    const flow = multiModel({
      classifier: () => {
        throw broken;
      },
      router,
    });
    await expect(flow.execute(ask)).rejects.toBe(broken);
  });
});

describe("multiModel: validation and repair", () => {
  it("re-asks once with the validation error, routed again with the same needs; attempts, usage and cost summed", async () => {
    const lm = new MockLanguageModel({
      modelId: "coder",
      responses: [
        { text: "FIRST-ANSWER without it", usage: usage(10, 5) },
        { text: "Order 42 shipped", usage: usage(20, 7) },
      ],
    });
    const router = new FakeRouter(lm, [
      { attempts: 2, costUsd: 0.01 },
      { attempts: 1, costUsd: 0.002 },
    ]);
    const flow = multiModel({
      classifier: classifier().classify,
      router,
      validate: (text) => text.includes("Order 42") || "Mention the order number.",
    });
    const result = await flow.execute(ask, createTestContext());
    expect(result.response.text).toBe("Order 42 shipped");
    expect(result.attempts).toBe(3);
    expect(result.costUsd).toBeCloseTo(0.012, 12);
    expect(result.usage).toEqual(usage(30, 12));
    expect(router.requests).toHaveLength(2);
    const second = router.requests[1];
    expect(second?.needs).toEqual(["code"]);
    expect(second?.messages.slice(0, -2)).toEqual(ask.messages);
    expect(second?.messages.at(-2)).toEqual({ role: "assistant", content: "FIRST-ANSWER without it" });
    expect(second?.messages.at(-1)?.role).toBe("user");
    expect(second?.messages.at(-1)?.content).toContain("Mention the order number.");
    expect(second?.messages.at(-1)?.content).not.toContain("FIRST-ANSWER");
  });

  it("after the last failed answer, throws StructuredOutputError with the issues, never the answer in its message", async () => {
    const lm = new MockLanguageModel({ responses: ["LEAKED-ANSWER"] });
    const router = new FakeRouter(lm, [{}]);
    const flow = multiModel({
      classifier: classifier().classify,
      router,
      validate: () => [{ message: "Missing a greeting.", path: ["greeting"] }],
      name: "triage",
    });
    const error: unknown = await flow.execute(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect(isTtaError(error, "STRUCTURED_OUTPUT")).toBe(true);
    expect((error as StructuredOutputError).issues).toEqual([{ message: "Missing a greeting.", path: ["greeting"] }]);
    expect((error as Error).message).not.toContain("LEAKED");
    expect((error as Error).message).toContain("`triage`");
    expect(lm.callCount).toBe(2);

    const once = new MockLanguageModel({ responses: ["no"] });
    const strict = multiModel({
      classifier: classifier().classify,
      router: new FakeRouter(once, [{}]),
      validate: () => false,
      repairAttempts: 0,
    });
    const rejected: unknown = await strict.execute(ask).catch((e: unknown) => e);
    expect((rejected as StructuredOutputError).issues).toEqual([
      { message: "The answer was rejected by the validator." },
    ]);
    expect(once.callCount).toBe(1);
  });

  it.each([
    ["zod", z.string().min(10, "Write at least 10 characters.")],
    ["valibot", v.pipe(v.string(), v.minLength(10, "Write at least 10 characters."))],
  ])("validates the answer's text with a %s schema", async (_label, schema) => {
    const lm = new MockLanguageModel({ responses: ["Hi", "Hello there, friend"] });
    const router = new FakeRouter(lm, [{}]);
    const result = await multiModel({ classifier: classifier().classify, router, validate: schema }).execute(ask);
    expect(result.response.text).toBe("Hello there, friend");
    expect(router.requests[1]?.messages.at(-1)?.content).toContain("Write at least 10 characters.");
  });

  it("awaits an async validator, which gets the text and the whole response", async () => {
    const seen: [string, string][] = [];
    const lm = new MockLanguageModel({ modelId: "m1", responses: ["draft", "final"] });
    const flow = multiModel({
      classifier: classifier().classify,
      router: new FakeRouter(lm, [{}]),
      validate: async (text, response) => {
        seen.push([text, response.model]);
        await Promise.resolve();
        return text === "final" ? [] : "Not final yet.";
      },
    });
    await expect(flow.execute(ask)).resolves.toMatchObject({ response: { text: "final" } });
    expect(seen).toEqual([
      ["draft", "m1"],
      ["final", "m1"],
    ]);
  });

  it("reports the cost as unknown when one ask's route could not price it", async () => {
    const lm = new MockLanguageModel({ responses: ["a", "b"] });
    const router = new FakeRouter(lm, [{ costUsd: undefined }, { costUsd: 0.5 }]);
    const flow = multiModel({ classifier: classifier().classify, router, validate: (t) => t === "b" });
    await expect(flow.execute(ask)).resolves.toMatchObject({ costUsd: undefined, attempts: 2 });
  });

  it("records the classification, model and counts on its span, and each repair as a span event", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const lm = new MockLanguageModel({ modelId: "coder", responses: ["x", "yy"] });
      const flow = multiModel({
        classifier: classifier().classify,
        router: new FakeRouter(lm, [{ attempts: 2 }]),
        validate: (t) => t.length === 2,
      });
      await flow.execute(ask);
      const span = recorder.spans.find((s) => s.name === "tta.multi-model");
      expect(span?.attributes).toMatchObject({
        "tta.multi_model.complexity": "complex",
        "tta.multi_model.needs": ["code"],
        "tta.multi_model.model": "coder",
        "tta.multi_model.asks": 2,
        "tta.multi_model.attempts": 4,
      });
      expect(span?.events.map((e) => e.name)).toEqual(["tta.multi_model.repair"]);
    } finally {
      recorder.uninstall();
    }
  });
});

describe("multiModel: options and contracts", () => {
  const router = new FakeRouter(new MockLanguageModel(), [{}]);
  const classify = classifier().classify;

  it("rejects missing or invalid options, naming them", () => {
    const cases: [Partial<MultiModelOptions> & Record<string, unknown>, string][] = [
      [{ router }, "classifier"],
      [{ classifier: classify }, "router"],
      [{ classifier: classify, router: 42 as never }, "router"],
      [{ classifier: classify, router, repairAttempts: -1 }, "repairAttempts"],
      [{ classifier: classify, router, repairAttempts: 0.5 }, "repairAttempts"],
      [{ classifier: classify, router, validate: "strict" as never }, "validate"],
      [{ classifier: classify, router, catalog: {} as never }, "catalog"],
      [{ classifier: classify, router, retries: 2 }, "retries"],
    ];
    for (const [options, option] of cases)
      expect(invalidOption(() => multiModel(options as MultiModelOptions)).option).toBe(option);
  });

  it("rejects a classifier result or a verdict of the wrong shape, naming the callback", async () => {
    const badClassifier = multiModel({ classifier: () => ({ complexity: "simple" }) as never, router });
    const error: unknown = await badClassifier.execute(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("classifier");
    const badVerdict = multiModel({ classifier: classify, router, validate: () => 42 as never });
    const verdictError: unknown = await badVerdict.execute(ask).catch((e: unknown) => e);
    expect((verdictError as InvalidOptionsError).option).toBe("validate");
  });

  it("rejects an invalid request before classifying", async () => {
    const { texts, classify: recording } = classifier();
    const flow = multiModel({ classifier: recording, router });
    await expect(flow.execute({ messages: [{ role: "robot", content: "hi" }] } as never)).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
    expect(texts).toEqual([]);
  });
});

describePrimitiveContract(
  "multiModel",
  (inner) =>
    multiModel({
      classifier: () => CODE_TASK,
      router: async ({ needs: _needs, ...request }: RoutedRequest, ctx: WorkflowContext): Promise<ModelResponse> => {
        await inner.execute(request, ctx);
        return { text: "ok", toolCalls: [], usage: usage(1, 1), model: "m", finishReason: "stop" };
      },
    }),
  { input: { messages: [{ role: "user", content: "hello" }] } satisfies ModelRequest },
);

describe("a classifier's output is checked before it reaches a span", () => {
  it.each([
    ["a free-text complexity", { complexity: "SECRET user text", needs: [], reasons: [] }],
    ["an unknown need", { complexity: "simple", needs: ["SECRET user text"], reasons: [] }],
  ])("rejects %s with InvalidOptionsError naming `classifier`, quoting nothing", async (_what, output) => {
    const router = { execute: () => Promise.reject(new Error("never routed")) };
    const flow = multiModel({ classifier: () => output as never, router });
    const error = await flow.execute("hi").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("classifier");
    expect((error as Error).message).not.toContain("SECRET");
  });
});
