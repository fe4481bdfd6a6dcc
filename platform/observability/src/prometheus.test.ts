/**
 * Real Prometheus (Debian `prometheus` 2.42, started by `.ci/run` on 127.0.0.1:9090 with a 1 s
 * scrape of 127.0.0.1:9469) scrapes this process's metrics server. Skipped when `PROM_URL` is unset,
 * unless `TTA_REQUIRE_PROMETHEUS=1` (set by `.ci/run`), which turns a missing Prometheus into a failure.
 */
import { CircuitOpenError, createContext, lambda, sequential } from "@tta/primitives";
import { circuitBreaker, retry } from "@tta/primitives/recovery";
import { MockPrimitive } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { recordModelCall } from "./gen-ai.js";
import { setupObservability } from "./setup.js";

const PROM_URL = process.env.PROM_URL;
const TARGET_PORT = Number(process.env.TTA_PROM_TARGET_PORT ?? 9469);
const REQUIRED = process.env.TTA_REQUIRE_PROMETHEUS === "1";

interface PromVector {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function query(promql: string): Promise<PromVector["data"]["result"]> {
  const res = await fetch(`${PROM_URL}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as PromVector;
  if (body.status !== "success") throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Polls Prometheus every 250 ms (bounded: 30 s) until `promql` returns `expected`. */
async function eventually(promql: string, expected: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last: unknown;
  for (;;) {
    try {
      const result = await query(promql);
      last = result;
      if (result.length === 1 && Number(result[0]?.value[1]) === expected) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Prometheus never returned ${expected} for ${promql}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("real Prometheus scrape", () => {
  it.runIf(PROM_URL !== undefined || REQUIRED)(
    "Prometheus scrapes the tta_* series of a workflow with retries and a breaker trip, and the gen_ai_* histograms",
    async () => {
      if (PROM_URL === undefined)
        throw new Error("TTA_REQUIRE_PROMETHEUS=1 but PROM_URL is unset: see .ci/run's output");
      const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
      const obs = setupObservability({
        serviceName: "prometheus-it",
        tracing: { exporter: "memory" },
        metrics: { port: TARGET_PORT },
        logging: false,
      });
      try {
        const { metricsUrl } = await obs.ready;
        expect(metricsUrl, `metrics server on 127.0.0.1:${TARGET_PORT}`).toBe(
          `http://127.0.0.1:${TARGET_PORT}/metrics`,
        );

        const flaky = new MockPrimitive<number, number>({ name: `flaky-${run}`, failTimes: 2, returns: 1 });
        const flow = sequential(
          [lambda((n: number) => n + 1, `prep-${run}`), retry(flaky, { initialDelayMs: 0, name: `retry-${run}` })],
          { name: `flow-${run}` },
        );
        await expect(flow.execute(0)).resolves.toBe(1);

        const down = new MockPrimitive<number, number>({ name: `down-${run}`, failTimes: 100 });
        const breaker = circuitBreaker(down, {
          failureThreshold: 3,
          recoveryTimeoutMs: 60_000,
          name: `breaker-${run}`,
        });
        const ctx = createContext({ workflowId: `wf-${run}` });
        for (let i = 0; i < 3; i++) await expect(breaker.execute(i, ctx)).rejects.toThrow("MockPrimitive failure");
        await expect(breaker.execute(9, ctx)).rejects.toBeInstanceOf(CircuitOpenError);

        await eventually(`tta_retry_attempts_total{name="retry-${run}"}`, 2);
        await eventually(`tta_primitive_executions_total{kind="mock",name="flaky-${run}",outcome="error"}`, 2);
        await eventually(`tta_primitive_executions_total{kind="mock",name="flaky-${run}",outcome="success"}`, 1);
        await eventually(`tta_primitive_executions_total{kind="sequential",name="flow-${run}",outcome="success"}`, 1);
        await eventually(`tta_circuit_breaker_state{name="breaker-${run}"}`, 2);
        await eventually(`tta_circuit_breaker_transitions_total{name="breaker-${run}",from="closed",to="open"}`, 1);
        await eventually(
          `tta_primitive_executions_total{kind="circuit-breaker",name="breaker-${run}",outcome="error"}`,
          4,
        );
        await eventually(`tta_primitive_duration_seconds_count{kind="retry",name="retry-${run}"}`, 1);

        // The GenAI semantic conventions' histograms, queried by their attribute names.
        const llm = `model-${run}`;
        recordModelCall({ model: llm, provider: "openai", inputTokens: 1200, outputTokens: 300, durationMs: 930 });
        await eventually(
          `gen_ai_client_token_usage_sum{gen_ai_request_model="${llm}",gen_ai_token_type="input"}`,
          1200,
        );
        await eventually(
          `gen_ai_client_token_usage_bucket{gen_ai_request_model="${llm}",gen_ai_token_type="output",le="256"}`,
          0,
        );
        await eventually(
          `sum(gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name="openai",gen_ai_request_model="${llm}"})`,
          1,
        );

        // The scrape target is healthy and every series carries Prometheus' own job/instance labels.
        const [series] = await query(`tta_retry_attempts_total{name="retry-${run}"}`);
        expect(series?.metric).toMatchObject({ instance: `127.0.0.1:${TARGET_PORT}`, name: `retry-${run}` });
        const up = await query(`up{instance="127.0.0.1:${TARGET_PORT}"}`);
        expect(up[0]?.value[1]).toBe("1");
      } finally {
        await obs.shutdown();
      }
    },
    45_000,
  );
});
