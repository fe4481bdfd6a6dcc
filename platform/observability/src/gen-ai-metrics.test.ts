/**
 * The GenAI client metrics (`gen_ai_client_token_usage`, `gen_ai_client_operation_duration_seconds`)
 * follow the OpenTelemetry semantic conventions: histograms, their bucket boundaries, their attribute
 * names in Prometheus form.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GEN_AI_DURATION_BUCKETS, GEN_AI_TOKEN_USAGE_BUCKETS } from "./gen-ai-metrics.js";
import { recordModelCall } from "./gen-ai.js";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import { histogram } from "./test-support/metric-values.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

function setup(): ObservabilityHandle {
  obs = setupObservability({ serviceName: "gen-ai-metrics-test", tracing: false, metrics: {}, logging: false });
  return obs;
}

describe("GenAI client metrics", () => {
  it("use the bucket boundaries the conventions advise", () => {
    expect(GEN_AI_TOKEN_USAGE_BUCKETS).toEqual([...Array(14).keys()].map((i) => 4 ** i));
    expect(GEN_AI_DURATION_BUCKETS).toEqual([...Array(14).keys()].map((i) => Number((0.01 * 2 ** i).toFixed(2))));
  });

  it("follows the GenAI semantic conventions: histograms, their bucket boundaries and attribute names", async () => {
    const handle = setup();
    recordModelCall({
      model: "gpt-4o-mini",
      provider: "openai",
      inputTokens: 1200,
      outputTokens: 300,
      durationMs: 930,
    });
    recordModelCall({ model: "gpt-4o-mini", provider: "openai", inputTokens: 20, outputTokens: 5, durationMs: 50 });
    recordModelCall({ model: "text-embedding-3-small", provider: "openai", operation: "embeddings", inputTokens: 8 });
    const text = await handle.registry.metrics();
    expect(text).toContain("# TYPE gen_ai_client_token_usage histogram");
    expect(text).toContain("# TYPE gen_ai_client_operation_duration_seconds histogram");
    expect(text).not.toMatch(/gen_ai_client_token_usage_total|\bmodel="gpt-4o-mini",type=/);
    const labels = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"';
    // Token usage: one observation per call and type, the conventions' buckets (1, 4, 16, … 4¹³).
    expect(text).toContain(`gen_ai_client_token_usage_bucket{le="16",${labels},gen_ai_token_type="input"} 0`);
    expect(text).toContain(`gen_ai_client_token_usage_bucket{le="64",${labels},gen_ai_token_type="input"} 1`);
    expect(text).toContain(`gen_ai_client_token_usage_bucket{le="67108864",${labels},gen_ai_token_type="input"} 2`);
    expect(text).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="input"} 1220`);
    expect(text).toContain(`gen_ai_client_token_usage_count{${labels},gen_ai_token_type="output"} 2`);
    // Duration in seconds, the conventions' buckets (0.01 … 81.92).
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_bucket{le="0.08",${labels}} 1`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_bucket{le="81.92",${labels}} 2`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_sum{${labels}} 0.98`);
    // The operation name is the caller's; a call without a duration records only its usage.
    expect(
      await histogram(handle, "gen_ai_client_token_usage", {
        gen_ai_operation_name: "embeddings",
        gen_ai_token_type: "input",
      }),
    ).toEqual({ sum: 8, count: 1 });
    expect(text).not.toMatch(/gen_ai_client_operation_duration_seconds_count\{gen_ai_operation_name="embeddings"/);
  });

  it("a failed call records its duration with error_type, and no usage when it reported no tokens", async () => {
    const handle = setup();
    recordModelCall({
      model: "m",
      provider: "p",
      inputTokens: 0,
      outputTokens: 0,
      durationMs: 200,
      errorType: "TIMEOUT",
    });
    recordModelCall({ model: "m", provider: "p", inputTokens: 0, outputTokens: 0, durationMs: 100 });
    const text = await handle.registry.metrics();
    const labels = 'gen_ai_operation_name="chat",gen_ai_provider_name="p",gen_ai_request_model="m"';
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_count{${labels},error_type="TIMEOUT"} 1`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_count{${labels}} 1`);
    // The successful call reported 0 tokens (known); the failed one reported none.
    expect(text).toContain(`gen_ai_client_token_usage_count{${labels},gen_ai_token_type="input"} 1`);
  });
});
