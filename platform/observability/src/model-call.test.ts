/**
 * End to end: a real model call (`model(openAICompatible(...))` against the simulated provider over
 * loopback HTTP) under `setupObservability` — the exported span carries every GenAI attribute of
 * DESIGN §6.2, and the `model-call` event reaches the Prometheus metrics with the catalogue's cost.
 */
import { SpanKind } from "@opentelemetry/api";
import { model, openAICompatible, streamModel } from "@tta/primitives";
import { simulatedCatalog, startSimulatedProvider } from "@tta/primitives/testing";
import type { SimulatedProvider } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";

const PROMPT = "Where is my refund? My card ends in 4242.";
const ANSWER = "Your refund was issued on Monday.";

let obs: ObservabilityHandle | undefined;
let server: SimulatedProvider | undefined;
afterEach(async () => {
  await obs?.shutdown();
  await server?.close();
  obs = undefined;
  server = undefined;
});

async function setUp(): Promise<{ handle: ObservabilityHandle; baseURL: string }> {
  server = await startSimulatedProvider({ reply: () => ANSWER });
  // The simulated provider's models are priced by the testing kit's catalogue (defaultCatalog + sim-*).
  obs = setupObservability({
    serviceName: "model-e2e",
    tracing: { exporter: "memory" },
    metrics: { catalog: simulatedCatalog },
    logging: false,
  });
  return { handle: obs, baseURL: server.baseURL };
}

function metricLine(text: string, name: string, labels: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("model calls under setupObservability", () => {
  it("exports one CLIENT span with every GenAI attribute and feeds the token and cost metrics", async () => {
    const { handle, baseURL } = await setUp();
    const llm = model(openAICompatible({ baseURL, model: "sim-small", apiKey: "sk-e2e-secret-123456" }), {
      catalog: simulatedCatalog,
    });

    const answer = await llm.execute({ messages: [{ role: "user", content: PROMPT }] });
    expect(answer.text).toBe(ANSWER);
    const cost = simulatedCatalog.cost("sim-small", answer.usage);
    expect(cost).toBeGreaterThan(0);

    const spans = handle.memoryExporter?.getFinishedSpans() ?? [];
    expect(spans.map((s) => s.name)).toEqual(["chat sim-small"]);
    const span = spans[0];
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toMatchObject({
      "tta.primitive.kind": "model",
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "sim-small",
      "gen_ai.response.model": "sim-small",
      "gen_ai.usage.input_tokens": answer.usage.inputTokens,
      "gen_ai.usage.output_tokens": answer.usage.outputTokens,
      "gen_ai.response.finish_reasons": ["stop"],
      "tta.llm.cost_usd": cost,
    });
    // Content capture is off by default: neither the prompt, the answer nor the key is on the span.
    const recorded = JSON.stringify([span?.name, span?.attributes, span?.events]);
    for (const secret of ["4242", "refund", "Monday", "sk-e2e-secret"]) expect(recorded).not.toContain(secret);

    const text = await handle.registry.metrics();
    const labels = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="sim-small"';
    expect(metricLine(text, "gen_ai_client_token_usage_sum", `${labels},gen_ai_token_type="input"`)).toBe(
      answer.usage.inputTokens,
    );
    expect(metricLine(text, "gen_ai_client_token_usage_sum", `${labels},gen_ai_token_type="output"`)).toBe(
      answer.usage.outputTokens,
    );
    expect(metricLine(text, "tta_llm_cost_usd_total", 'model="sim-small"')).toBeCloseTo(cost ?? NaN, 12);
    expect(metricLine(text, "gen_ai_client_operation_duration_seconds_count", labels)).toBe(1);
  });

  it("a stream's span and metrics carry the usage of its finish chunk", async () => {
    const { handle, baseURL } = await setUp();
    const stream = await streamModel(openAICompatible({ baseURL, model: "sim-large" }), {
      catalog: simulatedCatalog,
    }).execute({
      messages: [{ role: "user", content: PROMPT }],
    });
    const answer = await stream.collect();
    expect(answer.text).toBe(ANSWER);
    expect(answer.usage.outputTokens).toBeGreaterThan(0);

    const span = (handle.memoryExporter?.getFinishedSpans() ?? []).find((s) => s.name === "chat sim-large");
    expect(span?.attributes["gen_ai.usage.output_tokens"]).toBe(answer.usage.outputTokens);
    const text = await handle.registry.metrics();
    expect(metricLine(text, "tta_llm_cost_usd_total", 'model="sim-large"')).toBeCloseTo(
      simulatedCatalog.cost("sim-large", answer.usage) ?? NaN,
      12,
    );
  });

  it("a failed call is an ERROR span with error.type and counts its duration, not tokens", async () => {
    const { handle, baseURL } = await setUp();
    server?.configure({ script: [{ kind: "status", status: 400, body: '{"error":{"message":"bad request"}}' }] });
    const llm = model(openAICompatible({ baseURL, model: "sim-small" }));
    await expect(llm.execute({ messages: [{ role: "user", content: PROMPT }] })).rejects.toMatchObject({
      code: "PROVIDER_ERROR",
      status: 400,
      retryable: false,
    });
    const span = handle.memoryExporter?.getFinishedSpans()[0];
    expect(span?.attributes["error.type"]).toBe("PROVIDER_ERROR");
    const text = await handle.registry.metrics();
    const labels = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="sim-small"';
    expect(
      metricLine(text, "gen_ai_client_operation_duration_seconds_count", `${labels},error_type="PROVIDER_ERROR"`),
    ).toBe(1);
    expect(metricLine(text, "gen_ai_client_token_usage_count", `${labels},gen_ai_token_type="input"`)).toBeUndefined();
  });
});
