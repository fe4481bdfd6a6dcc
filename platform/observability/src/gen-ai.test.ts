import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { lambda, sequential } from "@tta/primitives";
import { afterEach, describe, expect, it } from "vitest";
import type { ModelCallRecord } from "./gen-ai.js";
import { addModelCallSink, recordModelCall, withModelCallSpan } from "./gen-ai.js";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

function setup(): ObservabilityHandle {
  obs = setupObservability({
    serviceName: "gen-ai",
    tracing: { exporter: "memory" },
    metrics: { modelPrices: { "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 } } },
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
    });
    const text = await handle.registry.metrics();
    expect(text).toContain('gen_ai_client_token_usage_total{model="gpt-4o-mini",type="input"} 1200');
    expect(text).toContain('gen_ai_client_token_usage_total{model="gpt-4o-mini",type="output"} 300');
    expect(text).toMatch(/gen_ai_client_operation_duration_seconds_count\{model="gpt-4o-mini"\} 1/);
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
    expect(await handle.registry.metrics()).toMatch(
      /gen_ai_client_operation_duration_seconds_count\{model="gpt-4o-mini"\} 1/,
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
