/**
 * What `model(...)` / `streamModel(...)` check at their boundary: request shape (typed errors that
 * never quote the prompt), custom token estimates, answers of custom providers that are not
 * `ModelResponse`s, answers that come with no usage (charged as estimated, never free), and a
 * stream closed while a read is pending.
 */
import { describe, expect, it } from "vitest";
import { BUDGET_KEY } from "../core/index.js";
import { MockLanguageModel, createTestContext } from "../testing/index.js";
import { LoggingBudget, catalog, closableModel, modelCalls, streamRequest } from "../test-support/model-fixtures.js";
import { recordEvents, track } from "../test-support/index.js";
import type { LanguageModel, ModelChunk, ModelRequest, ModelResponse } from "./index.js";
import { ProviderError, model, streamModel } from "./index.js";

const SECRET_PROMPT = "CONFIDENTIAL: the merger closes on Friday";

describe("request checks", () => {
  it.each([
    [{ messages: [{ role: "System", content: SECRET_PROMPT }] }, "request.messages[0].role"],
    [{ messages: [{ role: SECRET_PROMPT, content: "x" }] }, "request.messages[0].role"],
    [{ messages: [{ role: "user", content: { text: SECRET_PROMPT } }] }, "request.messages[0].content"],
    [{ prompt: SECRET_PROMPT }, "request.messages"],
    [{ messages: [{ role: "user", content: "hi" }], maxTokens: -5 }, "request.maxTokens"],
    [{ messages: [{ role: "user", content: "hi" }], maxTokens: "100" }, "request.maxTokens"],
    [{ messages: [{ role: "user", content: "hi" }], maxTokens: Number.NaN }, "request.maxTokens"],
  ])("%j is an InvalidOptionsError naming %s that never quotes the prompt", async (input, option) => {
    const budget = new LoggingBudget();
    const lm = new MockLanguageModel();
    const error = await model(lm)
      .execute(input as unknown as ModelRequest, createTestContext().withValue(BUDGET_KEY, budget))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_OPTIONS", option });
    expect(String((error as Error).message)).not.toContain("merger");
    expect(budget.log).toEqual([]);
    expect(lm.callCount).toBe(0);
  });

  it("a custom estimateTokens that returns nonsense is an InvalidOptionsError before the budget sees it", async () => {
    const budget = new LoggingBudget();
    const llm = model(new MockLanguageModel(), {
      estimateTokens: () => ({ inputTokens: -1, outputTokens: Number.NaN }),
    });
    const error = await llm
      .execute(streamRequest, createTestContext().withValue(BUDGET_KEY, budget))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_OPTIONS", option: "estimateTokens" });
    expect(budget.log).toEqual([]);
  });
});

describe("answers of custom providers", () => {
  const answering = (answer: unknown): LanguageModel => ({
    provider: "custom",
    modelId: "mock-model",
    generate: () => Promise.resolve(answer as ModelResponse),
  });

  it.each([undefined, null, "text", { text: "x" }, { text: "x", toolCalls: {}, model: "m", finishReason: "stop" }])(
    "%j is a non-retryable ProviderError, and the reservation is released",
    async (answer) => {
      const budget = new LoggingBudget();
      const error = await model(answering(answer))
        .execute(streamRequest, createTestContext().withValue(BUDGET_KEY, budget))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ retryable: false, provider: "custom" });
      expect(budget.log.map((e) => e[0])).toEqual(["reserve", "release"]);
    },
  );

  it("missing or invalid token counts are normalised to 0 (and then estimated, since there is output)", async () => {
    const events = recordEvents();
    const answer = { text: "abcdefgh", toolCalls: [], model: "mock-model", finishReason: "stop" };
    const response = await model(answering({ ...answer, usage: { inputTokens: "7", outputTokens: -1 } })).execute(
      streamRequest,
    );
    expect(response.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(modelCalls(events)[0]).toMatchObject({ usageEstimated: true, inputTokens: 10, outputTokens: 2 });
  });
});

describe("an answer with output but no usage is charged as estimated, never free", () => {
  it("generate: input estimate + characters / 4 of the text and tool-call arguments, in the budget and the event", async () => {
    const events = recordEvents();
    const budget = new LoggingBudget();
    const lm = new MockLanguageModel({
      responses: [{ text: "x".repeat(40), usage: { inputTokens: 0, outputTokens: 0 } }],
    });
    await model(lm, { catalog }).execute(streamRequest, createTestContext().withValue(BUDGET_KEY, budget));
    const charged = { inputTokens: 10, outputTokens: 10 };
    expect(budget.log[1]).toEqual(["commit", { ...charged, costUsd: catalog.cost("mock-model", charged) }]);
    expect(modelCalls(events)[0]).toMatchObject({ ...charged, usageEstimated: true, outcome: "success" });
  });

  it("stream: a finish chunk with zero usage after 4 000 characters is charged for them", async () => {
    const budget = new LoggingBudget();
    const chunks: ModelChunk[] = [
      ...Array.from({ length: 100 }, () => ({ type: "text", text: "y".repeat(40) }) as const),
      { type: "finish", usage: { inputTokens: 0, outputTokens: 0 }, finishReason: "stop", model: "mock-model" },
    ];
    const stream = await streamModel(closableModel(chunks), { catalog }).execute(
      streamRequest,
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    await stream.collect();
    expect(budget.log[1]).toMatchObject(["commit", { inputTokens: 10, outputTokens: 1000 }]);
  });
});

describe("closing a stream", () => {
  it("return() while a read is pending ends that read at once and closes the provider's request", async () => {
    let aborted = false;
    const stalling: LanguageModel = {
      provider: "mock",
      modelId: "mock-model",
      generate: () => Promise.reject(new Error("unused")),
      async *stream(_request, { signal }): AsyncGenerator<ModelChunk> {
        yield { type: "text", text: "first" };
        // A server that stalls mid-stream: the next read only ends when the request is aborted.
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            resolve();
          }),
        );
      },
    };
    const stream = await streamModel(stalling).execute(streamRequest, createTestContext());
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const pending = track(iterator.next());
    const closed = track(stream.return());
    for (let i = 0; i < 10 && !closed.settled; i++) await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(aborted).toBe(true);
    expect(closed.state).toBe("resolved");
    expect(pending.settled).toBe(true);
  });
});
