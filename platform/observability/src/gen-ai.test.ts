import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Catalog } from "@tta/primitives";
import {
  ATTR_GEN_AI_REQUEST_MODEL as PRIMITIVES_REQUEST_MODEL,
  createCatalog,
  lambda,
  sequential,
} from "@tta/primitives";
import { afterEach, describe, expect, it } from "vitest";
import type { ModelCallRecord } from "./gen-ai.js";
import {
  ATTR_GEN_AI_REQUEST_MODEL,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  addModelCallSink,
  recordModelCall,
  withModelCallSpan,
} from "./gen-ai.js";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

function setup(catalog?: Catalog): ObservabilityHandle {
  obs = setupObservability({
    serviceName: "gen-ai",
    tracing: { exporter: "memory" },
    metrics: { catalog },
    logging: false,
  });
  return obs;
}

describe("GenAI model-call helper", () => {
  it("opens a `chat {model}` client span under the current primitive, with gen_ai.* attributes and metrics", async () => {
    const handle = setup();
    const flow = sequential(
      [
        lambda(
          (question: string) =>
            withModelCallSpan({ model: "gpt-4o-mini", provider: "openai" }, async (call) => {
              await Promise.resolve();
              call.setResponseModel("gpt-4o-mini-2024-07-18");
              call.setUsage({ inputTokens: 1200, outputTokens: 300 });
              call.setFinishReason("stop");
              return `answer to ${question}`;
            }),
          "ask-llm",
        ),
      ],
      { name: "qa" },
    );
    await expect(flow.execute("why?")).resolves.toBe("answer to why?");

    const spans = handle.memoryExporter?.getFinishedSpans() ?? [];
    const chat = spans.find((s) => s.name === "chat gpt-4o-mini");
    const step = spans.find((s) => s.name === "tta.lambda");
    expect(chat?.kind).toBe(SpanKind.CLIENT);
    expect(chat?.parentSpanContext?.spanId).toBe(step?.spanContext().spanId);
    expect(chat?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.usage.input_tokens": 1200,
      "gen_ai.usage.output_tokens": 300,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    // Priced by the setup's catalogue (the default one): the response model is not listed, the configured one is.
    expect(chat?.attributes["tta.llm.cost_usd"]).toBeCloseTo(0.00036, 12);
    const text = await handle.registry.metrics();
    const labels = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"';
    expect(text).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="input"} 1200`);
    expect(text).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="output"} 300`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_count{${labels}} 1`);
    // 1200 × 0.15 / 1e6 + 300 × 0.6 / 1e6 = 0.00036
    expect(text).toMatch(/tta_llm_cost_usd_total\{model="gpt-4o-mini"\} 0\.00036/);
  });

  it("a failing call ends its span with ERROR, error.type and the exception, records the duration, and rethrows the same error", async () => {
    const handle = setup();
    const boom = new RangeError("context length exceeded");
    await expect(
      withModelCallSpan({ model: "gpt-4o-mini" }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const [span] = handle.memoryExporter?.getFinishedSpans() ?? [];
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes["error.type"]).toBe("RangeError");
    expect(span?.events.map((e) => e.name)).toEqual(["exception"]);
    expect(await handle.registry.metrics()).toContain(
      'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_request_model="gpt-4o-mini",error_type="RangeError"} 1',
    );
  });

  it("recordModelCall reaches every sink, ignores malformed records, and works without any setup", () => {
    const seen: ModelCallRecord[] = [];
    const remove = addModelCallSink({ recordModelCall: (r) => seen.push(r) });
    recordModelCall({ model: "m", inputTokens: 1 });
    recordModelCall({ model: "" });
    recordModelCall(null as unknown as ModelCallRecord);
    remove();
    recordModelCall({ model: "after-remove" });
    expect(seen).toEqual([{ model: "m", inputTokens: 1 }]);
  });
});

describe("GenAI attributes and prices come from @tta/primitives", () => {
  it("re-exports the same attribute names, under the names this package always had", () => {
    expect(ATTR_GEN_AI_REQUEST_MODEL).toBe(PRIMITIVES_REQUEST_MODEL);
    expect(GEN_AI_OPERATION_NAME_VALUE_CHAT).toBe("chat");
  });

  it("prices span and metrics with the setup's catalogue (cached tokens included); setCost wins", async () => {
    const catalog = createCatalog([
      {
        id: "house",
        provider: "vllm",
        contextWindow: 8192,
        pricing: { inputPerMillion: 10, outputPerMillion: 20, cachedInputPerMillion: 1 },
        capabilities: [],
      },
    ]);
    const handle = setup(catalog);
    await withModelCallSpan({ model: "house", provider: "vllm", operation: "text_completion" }, (call) => {
      call.setUsage({ inputTokens: 100_000, cachedInputTokens: 50_000, outputTokens: 10_000 });
    });
    await withModelCallSpan({ model: "gpt-4o-mini" }, (call) => {
      call.setUsage({ inputTokens: 1000, outputTokens: 1000 });
    });
    await withModelCallSpan({ model: "house" }, (call) => {
      call.setUsage({ inputTokens: 1, outputTokens: 1 });
      call.setCost(1);
    });
    const [house, unlisted, reported] = handle.memoryExporter?.getFinishedSpans() ?? [];
    // 50_000 × 10 + 50_000 × 1 + 10_000 × 20, per million = 0.5 + 0.05 + 0.2
    expect(house?.name).toBe("text_completion house");
    expect(house?.attributes).toMatchObject({
      "gen_ai.operation.name": "text_completion",
      "gen_ai.provider.name": "vllm",
    });
    expect(house?.attributes["tta.llm.cost_usd"]).toBeCloseTo(0.75, 12);
    // Not in this setup's catalogue (only in defaultCatalog): no price.
    expect(unlisted?.attributes["tta.llm.cost_usd"]).toBeUndefined();
    expect(reported?.attributes["tta.llm.cost_usd"]).toBe(1);
    const text = await handle.registry.metrics();
    expect(text).toMatch(/^tta_llm_cost_usd_total\{model="house"\} 1\.75$/m);
    expect(text).not.toContain('tta_llm_cost_usd_total{model="gpt-4o-mini"}');
  });
});
