import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import type { ModelCallEvent } from "@tta/primitives";
import {
  CircuitOpenError,
  createCatalog,
  createContext,
  defaultCatalog,
  emit,
  lambda,
  sequential,
} from "@tta/primitives";
import { circuitBreaker, fallback, retry, timeout } from "@tta/primitives/recovery";
import { MockPrimitive, TestClock } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { recordModelCall } from "./gen-ai.js";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import { captureDiag } from "./test-support/receivers.js";
import { histogram } from "./test-support/metric-values.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

function setup(metrics: Parameters<typeof setupObservability>[0]["metrics"] = {}): ObservabilityHandle {
  obs = setupObservability({ serviceName: "metrics-test", tracing: false, metrics, logging: false });
  return obs;
}

async function value(handle: ObservabilityHandle, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await handle.registry.getSingleMetric(name)?.get();
  const match = metric?.values.find(
    (v) =>
      (v as { metricName?: string }).metricName === undefined &&
      Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return match?.value ?? 0;
}

function fetchText(url: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
    }).on("error", reject);
  });
}

describe("Prometheus metrics from primitive events", () => {
  it("counts executions by outcome, retries, breaker state and transitions, fallbacks and timeouts", async () => {
    const handle = setup();
    const flaky = new MockPrimitive<number, number>({ name: "flaky", failTimes: 2, returns: 1 });
    await retry(flaky, { initialDelayMs: 0, name: "api-retry" }).execute(0);

    const clock = new TestClock();
    const breaker = circuitBreaker(
      new MockPrimitive<number, number>({ name: "down", error: new Error("503"), failTimes: 99 }),
      {
        failureThreshold: 2,
        recoveryTimeoutMs: 1000,
        name: "api-breaker",
      },
    );
    const ctx = createContext({ clock });
    for (let i = 0; i < 3; i++) await breaker.execute(0, ctx).catch(() => undefined);
    await expect(breaker.execute(0, ctx)).rejects.toBeInstanceOf(CircuitOpenError);

    await fallback(
      lambda(() => Promise.reject(new Error("primary down")), "primary"),
      {
        fallbacks: [lambda(() => 2, "backup")],
        name: "with-backup",
      },
    ).execute(0);
    const slow = new MockPrimitive<number, number>({ name: "slow", latencyMs: 500, returns: 1 });
    const timed = timeout(slow, { timeoutMs: 100, name: "deadline" }).execute(0, createContext({ clock }));
    const caught = timed.catch((e: unknown) => e);
    await clock.advance(100);
    await caught;

    expect(
      await value(handle, "tta_primitive_executions_total", { kind: "mock", name: "flaky", outcome: "error" }),
    ).toBe(2);
    expect(
      await value(handle, "tta_primitive_executions_total", { kind: "mock", name: "flaky", outcome: "success" }),
    ).toBe(1);
    expect(
      await value(handle, "tta_primitive_executions_total", { kind: "retry", name: "api-retry", outcome: "success" }),
    ).toBe(1);
    expect(await value(handle, "tta_retry_attempts_total", { name: "api-retry" })).toBe(2);
    expect(await value(handle, "tta_circuit_breaker_state", { name: "api-breaker" })).toBe(2);
    expect(
      await value(handle, "tta_circuit_breaker_transitions_total", { name: "api-breaker", from: "closed", to: "open" }),
    ).toBe(1);
    expect(
      await value(handle, "tta_primitive_executions_total", {
        kind: "circuit-breaker",
        name: "api-breaker",
        outcome: "error",
      }),
    ).toBe(4);
    expect(await value(handle, "tta_fallback_activations_total", { name: "with-backup" })).toBe(1);
    expect(await value(handle, "tta_timeouts_total", { name: "deadline" })).toBe(1);
    const text = await handle.registry.metrics();
    expect(text).toMatch(/tta_primitive_duration_seconds_count\{kind="retry",name="api-retry"\} 1/);
    // Labels never include run ids.
    expect(text).not.toContain("workflow");
  });

  it('bounds the name label: the first maxNames names are kept, the rest become "other"', async () => {
    const handle = setup({ maxNames: 5 });
    for (let i = 0; i < 20; i++) await lambda((n: number) => n, `user-${i}`).execute(i);
    await lambda((n: number) => n, 'bad\nname "quoted"').execute(0);
    const metric = await handle.registry.getSingleMetric("tta_primitive_executions_total")?.get();
    const names = new Set(metric?.values.map((v) => v.labels.name));
    expect(names).toEqual(new Set(["user-0", "user-1", "user-2", "user-3", "user-4", "other"]));
    expect(await value(handle, "tta_primitive_executions_total", { name: "other", outcome: "success" })).toBe(16);
  });

  it("sanitises label values (no control characters, quotes or backslashes, at most 64 characters)", async () => {
    const handle = setup();
    await lambda((n: number) => n, `a\nb"c\\d${"x".repeat(100)}`).execute(0);
    const metric = await handle.registry.getSingleMetric("tta_primitive_executions_total")?.get();
    const name = String(metric?.values[0]?.labels.name);
    expect(name).toBe(`a_b_c_d${"x".repeat(57)}`);
  });

  it("records model calls: token usage, duration and cost from the catalogue", async () => {
    const catalog = createCatalog([
      {
        id: "gpt-test",
        provider: "test",
        contextWindow: 8192,
        pricing: { inputPerMillion: 2, outputPerMillion: 8 },
        capabilities: [],
      },
    ]);
    const handle = setup({ catalog });
    recordModelCall({ model: "gpt-test", inputTokens: 1000, outputTokens: 500, durationMs: 1500 });
    recordModelCall({ model: "other-model", inputTokens: 10, costUsd: 0.5 });
    const usage = (type: string) =>
      histogram(handle, "gen_ai_client_token_usage", { gen_ai_request_model: "gpt-test", gen_ai_token_type: type });
    expect(await usage("input")).toEqual({ sum: 1000, count: 1 });
    expect(await usage("output")).toEqual({ sum: 500, count: 1 });
    expect(await value(handle, "tta_llm_cost_usd_total", { model: "gpt-test" })).toBeCloseTo(0.006, 10);
    expect(await value(handle, "tta_llm_cost_usd_total", { model: "other-model" })).toBe(0.5);
    expect(await handle.registry.metrics()).toContain(
      'gen_ai_client_operation_duration_seconds_sum{gen_ai_operation_name="chat",gen_ai_request_model="gpt-test"} 1.5',
    );
  });

  it("defaults to defaultCatalog, prices cached tokens, and tries the response model before the configured one", async () => {
    const handle = setup();
    // gpt-4o: 2.5 / 10, cached 1.25 per million. (1_000_000 − 400_000) × 2.5 + 400_000 × 1.25 + 100_000 × 10 = 3.0 USD
    recordModelCall({ model: "gpt-4o", inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 });
    // The response model (gpt-4o-mini) is listed, so its price wins over the configured id's.
    recordModelCall({ model: "router-alias", responseModel: "gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0 });
    // Neither listed: tokens are counted, no cost series.
    recordModelCall({ model: "unlisted", responseModel: "unlisted-2025", inputTokens: 5, outputTokens: 5 });
    expect(await value(handle, "tta_llm_cost_usd_total", { model: "gpt-4o" })).toBeCloseTo(3, 10);
    expect(await value(handle, "tta_llm_cost_usd_total", { model: "router-alias" })).toBeCloseTo(0.15, 10);
    const text = await handle.registry.metrics();
    expect(text).toContain(
      'gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_request_model="unlisted",gen_ai_token_type="input"} 5',
    );
    expect(text).not.toContain('tta_llm_cost_usd_total{model="unlisted"}');
  });

  it("a catalogue whose cost() throws is reported once; tokens are still recorded", async () => {
    const diag = captureDiag();
    try {
      const broken = {
        ...defaultCatalog,
        cost: () => {
          throw new Error("pricing service down");
        },
      };
      const handle = setup({ catalog: broken });
      recordModelCall({ model: "m", inputTokens: 3, outputTokens: 4 });
      recordModelCall({ model: "m", inputTokens: 3, outputTokens: 4 });
      expect(
        await histogram(handle, "gen_ai_client_token_usage", { gen_ai_request_model: "m", gen_ai_token_type: "input" }),
      ).toEqual({ sum: 6, count: 2 });
      expect(diag.messages.filter((m) => m.message.includes("cost() threw"))).toHaveLength(1);
    } finally {
      diag.restore();
    }
  });

  it("metricsHandler serves /metrics in the Prometheus text format, 404 elsewhere", async () => {
    const handle = setup();
    await lambda((n: number) => n, "served").execute(1);
    const server = createServer(handle.metricsHandler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const ok = await fetchText(`http://127.0.0.1:${port}/metrics`);
      expect(ok.status).toBe(200);
      expect(ok.type).toContain("text/plain");
      expect(ok.body).toContain('tta_primitive_executions_total{kind="lambda",name="served",outcome="success"} 1');
      expect((await fetchText(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("starts a standalone server on 127.0.0.1 (port 0 = free port) and stops it on shutdown", async () => {
    const handle = setup({ port: 0, defaultMetrics: true });
    const { metricsUrl } = await handle.ready;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const body = (await fetchText(String(metricsUrl))).body;
    expect(body).toContain("process_cpu_user_seconds_total");
    await handle.shutdown();
    await expect(fetchText(String(metricsUrl))).rejects.toThrow();
  });

  it("a port already in use is reported through diag, never thrown", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    const diag = captureDiag();
    try {
      const handle = setup({ port });
      expect(await handle.ready).toEqual({ metricsUrl: undefined });
      await expect(lambda((n: number) => n).execute(1)).resolves.toBe(1);
      expect(diag.messages.some((m) => m.message.includes(`could not listen on 127.0.0.1:${port}`))).toBe(true);
    } finally {
      diag.restore();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("unsubscribes on shutdown: later executions change nothing", async () => {
    const handle = setup();
    await lambda((n: number) => n, "before").execute(1);
    await handle.shutdown();
    await lambda((n: number) => n, "before").execute(1);
    expect(await value(handle, "tta_primitive_executions_total", { name: "before", outcome: "success" })).toBe(1);
    await sequential([lambda((n: number) => n)]).execute(1);
  });
});

describe("model-call events", () => {
  const event = (fields: Partial<ModelCallEvent> = {}): ModelCallEvent => ({
    type: "model-call",
    kind: "model",
    name: "chat",
    workflowId: "wf-1",
    correlationId: "corr-1",
    at: 0,
    model: "gpt-4o-mini",
    responseModel: "gpt-4o-mini-2024-07-18",
    provider: "openai",
    inputTokens: 1200,
    outputTokens: 300,
    durationMs: 2500,
    outcome: "success",
    streaming: false,
    usageEstimated: false,
    ...fields,
  });

  it("an event without costUsd is priced with the catalogue (response model not listed → configured model)", async () => {
    const handle = setup();
    emit(event());
    const text = await handle.registry.metrics();
    const labels = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"';
    expect(text).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="input"} 1200`);
    expect(text).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="output"} 300`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_sum{${labels}} 2.5`);
    expect(text).toContain(`gen_ai_client_operation_duration_seconds_count{${labels}} 1`);
    // 1200 × 0.15 / 1e6 + 300 × 0.6 / 1e6 = 0.00036 (defaultCatalog's gpt-4o-mini)
    expect(text).toMatch(/^tta_llm_cost_usd_total\{model="gpt-4o-mini"\} 0\.00036\d*$/m);
    // Run ids never become labels.
    expect(text).not.toContain("wf-1");
  });

  it("an event's own costUsd is used as is, cached tokens are priced, and a custom catalogue applies", async () => {
    const catalog = defaultCatalog.extend([
      {
        id: "house-model",
        provider: "vllm",
        contextWindow: 32_768,
        pricing: { inputPerMillion: 4, outputPerMillion: 16, cachedInputPerMillion: 1 },
        capabilities: ["tools"],
      },
    ]);
    const handle = setup({ catalog });
    emit(event({ costUsd: 0.25 }));
    emit(event({ costUsd: 0.5 }));
    // (1_000_000 − 500_000) × 4 + 500_000 × 1 + 250_000 × 16 = 2 + 0.5 + 4 = 6.5 USD
    emit(
      event({
        model: "house-model",
        responseModel: "house-model",
        inputTokens: 1_000_000,
        cachedInputTokens: 500_000,
        outputTokens: 250_000,
      }),
    );
    expect(await value(handle, "tta_llm_cost_usd_total", { model: "gpt-4o-mini" })).toBe(0.75);
    expect(await value(handle, "tta_llm_cost_usd_total", { model: "house-model" })).toBeCloseTo(6.5, 10);
    expect(
      await histogram(handle, "gen_ai_client_token_usage", {
        gen_ai_request_model: "gpt-4o-mini",
        gen_ai_token_type: "input",
      }),
    ).toEqual({ sum: 2400, count: 2 });
  });

  it("a failed call records its duration and no cost; the model label is bounded by maxNames", async () => {
    const handle = setup({ maxNames: 2 });
    emit(
      event({
        outcome: "error",
        errorType: "PROVIDER_ERROR",
        inputTokens: 0,
        outputTokens: 0,
        responseModel: "gpt-4o-mini",
      }),
    );
    for (const model of ["a", "b", "c", "d"]) emit(event({ model, responseModel: model }));
    const text = await handle.registry.metrics();
    expect(text).toContain(
      'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",error_type="PROVIDER_ERROR"} 1',
    );
    expect(text).not.toContain('tta_llm_cost_usd_total{model="gpt-4o-mini"}');
    // The failed call reported no tokens, so it has no usage series; the models past maxNames are "other".
    const metric = await handle.registry.getSingleMetric("gen_ai_client_token_usage")?.get();
    expect(new Set(metric?.values.map((v) => v.labels.gen_ai_request_model))).toEqual(new Set(["a", "other"]));
  });
});
