/**
 * `model(...)` seen from outside: one CLIENT span `chat {modelId}` with the GenAI attributes (checked
 * with the real OpenTelemetry SDK), no prompt or completion text unless asked, and the `model-call`
 * event with the cost from the catalogue.
 */
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { sequential } from "../core/index.js";
import { MockLanguageModel, createTestContext } from "../testing/index.js";
import { recordEvents, track } from "../test-support/index.js";
import {
  MOCK_COST,
  OTHER_COST,
  USAGE,
  catalog,
  modelCalls,
  providerError,
  registerSdk,
  request,
  spans,
} from "../test-support/model-fixtures.js";
import { defaultCatalog, model } from "./index.js";
import type { ModelResponse } from "./index.js";

const COMPLETION = "COMPLETION-TEXT: the launch code is 0000";

/** Everything a span carries that could leak user data: name, attributes, events, status. */
function spanText(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    status: span.status,
  });
}

describe("the span of a call (real SDK)", () => {
  it("is exactly one CLIENT span `chat {modelId}` with the tta.* and every GenAI attribute", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: [{ text: COMPLETION, usage: USAGE }] });
    const ctx = createTestContext({ workflowId: "wf-model" });
    await model(lm, { catalog, name: "answerer" }).execute(request, ctx);
    expect(spans()).toHaveLength(1);
    const [span] = spans() as [ReadableSpan];
    expect(span.name).toBe("chat mock-model");
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toEqual({
      "tta.primitive.kind": "model",
      "tta.primitive.name": "answerer",
      "tta.workflow.id": "wf-model",
      "tta.correlation.id": ctx.correlationId,
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "mock",
      "gen_ai.request.model": "mock-model",
      "gen_ai.response.model": "mock-model",
      "gen_ai.usage.input_tokens": 100,
      "gen_ai.usage.output_tokens": 50,
      "gen_ai.response.finish_reasons": ["stop"],
      "tta.llm.cost_usd": MOCK_COST,
    });
  });

  it("names the span after the configured model and reports the model that answered", async () => {
    registerSdk();
    const lm = new MockLanguageModel({
      modelId: "gpt-4o-mini",
      provider: "openai",
      responses: [{ text: "ok", usage: USAGE, model: "gpt-4o-mini-2024-07-18", finishReason: "length" }],
    });
    await model(lm).execute(request);
    const [span] = spans() as [ReadableSpan];
    expect(span.name).toBe("chat gpt-4o-mini");
    expect(span.attributes["gen_ai.provider.name"]).toBe("openai");
    expect(span.attributes["gen_ai.request.model"]).toBe("gpt-4o-mini");
    expect(span.attributes["gen_ai.response.model"]).toBe("gpt-4o-mini-2024-07-18");
    expect(span.attributes["gen_ai.response.finish_reasons"]).toEqual(["length"]);
    // No catalog given: the shipped default prices the call (the snapshot is unlisted, so the configured id's entry).
    expect(span.attributes["tta.llm.cost_usd"]).toBe(defaultCatalog.cost("gpt-4o-mini", USAGE));
  });

  it("is the primitive's own span: one per call, nested under the calling primitive's span", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: ["a"] });
    const llm = model(lm, { catalog });
    await sequential([
      llm,
      (r: ModelResponse) => ({ messages: [{ role: "user" as const, content: r.text }] }),
      llm,
    ]).execute(request, createTestContext());
    const chat = spans().filter((s) => s.name === "chat mock-model");
    const seq = spans().find((s) => s.name === "tta.sequential");
    expect(chat).toHaveLength(2);
    expect(spans().filter((s) => s.attributes["tta.primitive.kind"] === "model")).toHaveLength(2);
    for (const s of chat) expect(s.parentSpanContext?.spanId).toBe(seq?.spanContext().spanId);
  });

  it("records no prompt or completion text anywhere by default", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: [{ text: COMPLETION, usage: USAGE }] });
    await model(lm, { catalog }).execute(request, createTestContext());
    const text = spanText(spans()[0] as ReadableSpan);
    expect(text).not.toContain("PROMPT-TEXT");
    expect(text).not.toContain("COMPLETION-TEXT");
    expect(text).not.toContain("launch code");
  });

  it("records the prompt and the completion with captureContent: true", async () => {
    registerSdk();
    const lm = new MockLanguageModel({ responses: [{ text: COMPLETION, usage: USAGE }] });
    await model(lm, { catalog, captureContent: true }).execute(request, createTestContext());
    const [span] = spans() as [ReadableSpan];
    expect(JSON.parse(span.attributes["gen_ai.input.messages"] as string)).toEqual(request.messages);
    expect(span.attributes["gen_ai.output.text"]).toBe(COMPLETION);
  });

  it("is ERROR with error.type PROVIDER_ERROR and the exception on a failing call, with no usage", async () => {
    registerSdk();
    const error = providerError(500);
    const lm = new MockLanguageModel({ responses: [error] });
    await expect(model(lm, { catalog }).execute(request, createTestContext())).rejects.toBe(error);
    expect(spans()).toHaveLength(1);
    const [span] = spans() as [ReadableSpan];
    expect(span.name).toBe("chat mock-model");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe("PROVIDER_ERROR");
    expect(span.events.map((e) => e.name)).toContain("exception");
    expect(span.attributes["gen_ai.request.model"]).toBe("mock-model");
    expect(span.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
    expect(span.attributes["tta.llm.cost_usd"]).toBeUndefined();
  });
});

describe("the model-call event", () => {
  it("reports every field on success, with the duration measured on the context's clock", async () => {
    const events = recordEvents();
    const ctx = createTestContext({ workflowId: "wf-events" });
    const lm = new MockLanguageModel({ latencyMs: 250, clock: ctx.clock, responses: [{ text: "hi", usage: USAGE }] });
    const run = track(model(lm, { catalog, name: "answerer" }).execute(request, ctx));
    await ctx.clock.advance(249);
    expect(run.state).toBe("pending");
    expect(modelCalls(events)).toEqual([]);
    await ctx.clock.advance(1);
    expect(run.state).toBe("resolved");
    expect(modelCalls(events)).toEqual([
      {
        type: "model-call",
        kind: "model",
        name: "answerer",
        workflowId: "wf-events",
        correlationId: ctx.correlationId,
        at: 250,
        model: "mock-model",
        responseModel: "mock-model",
        provider: "mock",
        inputTokens: 100,
        outputTokens: 50,
        costUsd: MOCK_COST,
        durationMs: 250,
        outcome: "success",
        streaming: false,
        usageEstimated: false,
      },
    ]);
  });

  it("reports cached input tokens when the provider said", async () => {
    const events = recordEvents();
    const usage = { inputTokens: 100, outputTokens: 50, cachedInputTokens: 40 };
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage }] });
    await model(lm, { catalog }).execute(request);
    expect(modelCalls(events)[0]).toMatchObject({ cachedInputTokens: 40, costUsd: catalog.cost("mock-model", usage) });
  });

  it("reports a failure with outcome error, its error type, zero tokens and no cost", async () => {
    const events = recordEvents();
    const ctx = createTestContext();
    const error = providerError(503);
    const lm = new MockLanguageModel({ latencyMs: 40, clock: ctx.clock, responses: [error] });
    const run = track(model(lm, { catalog }).execute(request, ctx));
    await ctx.clock.advance(40);
    expect(run).toMatchObject({ state: "rejected", error });
    const [event] = modelCalls(events);
    expect(event).toMatchObject({
      model: "mock-model",
      responseModel: "mock-model",
      provider: "mock",
      inputTokens: 0,
      outputTokens: 0,
      durationMs: 40,
      outcome: "error",
      errorType: "PROVIDER_ERROR",
      streaming: false,
    });
    expect(event?.costUsd).toBeUndefined();
  });

  it("prices with the response model's entry when the catalogue lists it", async () => {
    const events = recordEvents();
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage: USAGE, model: "other-id" }] });
    await model(lm, { catalog }).execute(request);
    expect(modelCalls(events)[0]).toMatchObject({
      model: "mock-model",
      responseModel: "other-id",
      costUsd: OTHER_COST,
    });
  });

  it("falls back to the configured id's entry when the response model is not listed", async () => {
    const events = recordEvents();
    const lm = new MockLanguageModel({ responses: [{ text: "hi", usage: USAGE, model: "mock-model-2025-01-01" }] });
    await model(lm, { catalog }).execute(request);
    expect(modelCalls(events)[0]).toMatchObject({ responseModel: "mock-model-2025-01-01", costUsd: MOCK_COST });
  });

  it("has no costUsd when neither model is listed (span has no cost attribute either)", async () => {
    registerSdk();
    const events = recordEvents();
    const lm = new MockLanguageModel({
      modelId: "unlisted",
      responses: [{ text: "hi", usage: USAGE, model: "also-unlisted" }],
    });
    await model(lm, { catalog }).execute(request);
    const [event] = modelCalls(events);
    expect(event).toMatchObject({
      model: "unlisted",
      responseModel: "also-unlisted",
      inputTokens: 100,
      outputTokens: 50,
    });
    expect(event?.costUsd).toBeUndefined();
    expect(spans()[0]?.attributes["tta.llm.cost_usd"]).toBeUndefined();
  });

  it("is reported once per call, alongside the primitive's start and end events", async () => {
    const events = recordEvents();
    const lm = new MockLanguageModel();
    await model(lm, { catalog }).execute(request);
    expect(events.map((e) => e.type)).toEqual(["start", "model-call", "end"]);
  });
});
