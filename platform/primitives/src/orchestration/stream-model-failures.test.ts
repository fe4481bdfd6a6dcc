/**
 * `streamModel(...)` when things go wrong: it fails over only before the first chunk, and a stream that
 * fails, is aborted or is left early still ends its span, reports its `model-call` event and settles
 * its budget reservation with what was delivered.
 */
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { BUDGET_KEY } from "../core/index.js";
import { fallback, retry } from "../recovery/index.js";
import { MockLanguageModel, createTestContext } from "../testing/index.js";
import { recordEvents, track } from "../test-support/index.js";
import {
  ESTIMATE,
  LoggingBudget,
  TEXT,
  USAGE,
  catalog,
  closableModel,
  modelCalls,
  providerError,
  registerSdk,
  spans,
  streamRequest as request,
} from "../test-support/model-fixtures.js";
import type { LanguageModel, ModelChunk } from "./index.js";
import { streamModel } from "./index.js";

const FINISH: ModelChunk = { type: "finish", usage: USAGE, finishReason: "stop", model: "mock-model" };

describe("failure before the first chunk", () => {
  it("rejects execute with the provider's error and releases the budget", async () => {
    const error = providerError(503);
    const lm = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: error });
    const budget = new LoggingBudget();
    const events = recordEvents();
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    await expect(streamModel(lm, { catalog }).execute(request, ctx)).rejects.toBe(error);
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "release"]);
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({ outcome: "error", errorType: "PROVIDER_ERROR", streaming: true }),
    ]);
  });

  it("is ERROR on the span, which is ended", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: providerError(503) });
    await expect(streamModel(lm, { catalog }).execute(request, createTestContext())).rejects.toThrow("HTTP 503");
    expect(spans()).toHaveLength(1);
    expect(spans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans()[0]?.attributes["error.type"]).toBe("PROVIDER_ERROR");
  });

  it("lets retry try again: the second call streams", async () => {
    const failing = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: providerError(503) });
    const healthy = new MockLanguageModel({ responses: ["recovered"] });
    let calls = 0;
    const flaky: LanguageModel = {
      provider: "mock",
      modelId: "mock-model",
      generate: (r, o) => healthy.generate(r, o),
      stream: (r, o) => ((calls++ === 0 ? failing : healthy).stream as NonNullable<LanguageModel["stream"]>)(r, o),
    };
    const stream = await retry(streamModel(flaky, { catalog }), { initialDelayMs: 0 }).execute(
      request,
      createTestContext(),
    );
    expect((await stream.collect()).text).toBe("recovered");
    expect([failing.callCount, healthy.callCount]).toEqual([1, 1]);
  });

  it("lets fallback fail over to another model", async () => {
    const failing = new MockLanguageModel({ failStreamAfterChunks: 0, streamError: providerError(429) });
    const healthy = new MockLanguageModel({ modelId: "backup", responses: ["from the backup"] });
    const flow = fallback(streamModel(failing, { catalog }), { fallbacks: [streamModel(healthy, { catalog })] });
    const answer = await (await flow.execute(request, createTestContext())).collect();
    expect(answer).toMatchObject({ text: "from the backup", model: "backup" });
  });
});

describe("failure after the first chunk", () => {
  it("the loop throws the stream's error after the chunks delivered so far, and retry does not re-run it", async () => {
    const error = new Error("connection reset");
    const lm = new MockLanguageModel({ chunkSize: 4, failStreamAfterChunks: 2, streamError: error, responses: [TEXT] });
    const stream = await retry(streamModel(lm, { catalog }), { initialDelayMs: 0 }).execute(
      request,
      createTestContext(),
    );
    const seen: ModelChunk[] = [];
    const thrown = await (async () => {
      for await (const chunk of stream) seen.push(chunk);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBe(error);
    expect(seen).toEqual([
      { type: "text", text: "Hell" },
      { type: "text", text: "o, s" },
    ]);
    expect(lm.callCount).toBe(1);
  });

  it("ends the span with ERROR, reports outcome error, and charges the input estimate plus the delivered text", async () => {
    registerSdk();
    const events = recordEvents();
    const budget = new LoggingBudget();
    const error = providerError(500);
    const lm = new MockLanguageModel({ chunkSize: 4, failStreamAfterChunks: 2, streamError: error, responses: [TEXT] });
    const stream = await streamModel(lm, { catalog }).execute(
      request,
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    expect(spans()).toHaveLength(0);
    await expect(stream.collect()).rejects.toBe(error);
    expect(spans()).toHaveLength(1);
    const [span] = spans() as [ReadableSpan];
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe("PROVIDER_ERROR");
    // Two chunks of 4 characters were delivered: 8 characters → 2 output tokens, plus the input estimate.
    const charged = { inputTokens: ESTIMATE.inputTokens, outputTokens: 2 };
    const chargedCost = catalog.cost("mock-model", charged);
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({
        outcome: "error",
        errorType: "PROVIDER_ERROR",
        streaming: true,
        ...charged,
        costUsd: chargedCost,
      }),
    ]);
    expect(budget.log).toEqual([
      ["reserve", { ...ESTIMATE, costUsd: catalog.cost("mock-model", ESTIMATE) }],
      ["commit", { ...charged, costUsd: chargedCost }],
    ]);
  });

  it("an abort mid-stream ends the loop with the abort reason and outcome aborted", async () => {
    const events = recordEvents();
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const lm = new MockLanguageModel({ clock: ctx.clock, chunkDelayMs: 100, chunkSize: 4, responses: [TEXT] });
    const stream = await streamModel(lm, { catalog }).execute(request, ctx);
    const collected = track(stream.collect());
    await ctx.clock.advance(150);
    const reason = new Error("stop streaming");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(collected).toMatchObject({ state: "rejected", error: reason });
    expect(modelCalls(events)).toEqual([expect.objectContaining({ outcome: "aborted", durationMs: 150 })]);
  });
});

describe("leaving the loop early", () => {
  it("closes the provider's stream (its finally runs), ends the span, reports aborted and charges what was delivered", async () => {
    registerSdk();
    const events = recordEvents();
    const budget = new LoggingBudget();
    const lm = closableModel([
      { type: "text", text: "one" },
      { type: "text", text: "two" },
      { type: "text", text: "three" },
      FINISH,
    ]);
    const stream = await streamModel(lm, { catalog }).execute(
      request,
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    for await (const chunk of stream) if (chunk.type === "text" && chunk.text === "two") break;
    expect(lm.closed).toBe(true);
    expect(lm.yielded).toBe(1);
    expect(spans()).toHaveLength(1);
    expect(spans()[0]?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(modelCalls(events)).toEqual([expect.objectContaining({ outcome: "aborted", streaming: true })]);
    expect(modelCalls(events)[0]?.errorType).toBeUndefined();
    expect(budget.log.map((e) => e[0])).toEqual(["reserve", "commit"]);
    // "one" and "two" were delivered: 6 characters → 2 output tokens, plus the input estimate.
    const charged = { inputTokens: ESTIMATE.inputTokens, outputTokens: 2 };
    expect(budget.log[1]).toEqual(["commit", { ...charged, costUsd: catalog.cost("mock-model", charged) }]);
  });

  it("closes the provider's stream when the loop body throws, and rethrows the consumer's error", async () => {
    const lm = closableModel([{ type: "text", text: "one" }, FINISH]);
    const stream = await streamModel(lm, { catalog }).execute(request, createTestContext());
    const mine = new Error("consumer failed");
    await expect(
      (async () => {
        for await (const chunk of stream) if (chunk.type === "text") throw mine;
      })(),
    ).rejects.toBe(mine);
    expect(lm.closed).toBe(true);
  });

  it("a break after the finish chunk counts as a completed call with the finish chunk's usage", async () => {
    const events = recordEvents();
    const budget = new LoggingBudget();
    const lm = closableModel([{ type: "text", text: "all of it" }, FINISH]);
    const stream = await streamModel(lm, { catalog }).execute(
      request,
      createTestContext().withValue(BUDGET_KEY, budget),
    );
    for await (const chunk of stream) if (chunk.type === "finish") break;
    expect(lm.closed).toBe(true);
    expect(modelCalls(events)).toEqual([
      expect.objectContaining({
        outcome: "success",
        inputTokens: 100,
        outputTokens: 50,
        costUsd: catalog.cost("mock-model", USAGE),
      }),
    ]);
    expect(budget.log[1]).toEqual(["commit", { ...USAGE, costUsd: catalog.cost("mock-model", USAGE) }]);
  });
});
