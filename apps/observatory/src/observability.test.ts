import { CIRCUIT_STATE_VALUE, setupObservability } from "@tta/observability";
import { createContext, lambda } from "@tta/primitives";
import { ProviderError, createCatalog, modelRouter } from "@tta/primitives/orchestration";
import { cache } from "@tta/primitives/performance";
import { circuitBreaker, fallback, retry } from "@tta/primitives/recovery";
import { MockLanguageModel } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import type { MetricsView } from "./metrics/scraper.js";
import type { ResilienceView } from "./resilience.js";
import { getJson, startTestObservatory } from "./test-support/observatory.js";
import type { StoreStats, TraceDetail, TraceList } from "./types.js";

const catalog = createCatalog([
  {
    id: "cheap",
    provider: "acme",
    contextWindow: 8000,
    pricing: { inputPerMillion: 1, outputPerMillion: 2 },
    capabilities: [],
  },
  {
    id: "steady",
    provider: "other",
    contextWindow: 8000,
    pricing: { inputPerMillion: 3, outputPerMillion: 6 },
    capabilities: [],
  },
]);

/** Runs every resilience primitive a few times, each run in its own trace. */
async function runWorkflow(): Promise<void> {
  const ctx = () => createContext({ workflowId: "observatory-e2e" });
  // retry: every other call fails once, so each run retries once.
  let flakyCalls = 0;
  const flaky = lambda(() => {
    if (++flakyCalls % 2 === 1) throw new Error("503 from upstream");
    return "ok";
  }, "flaky");
  const robust = retry(flaky, { maxRetries: 2, initialDelayMs: 0, jitter: "none", name: "model-retry" });
  await robust.execute(undefined, ctx());
  await robust.execute(undefined, ctx());
  // circuit breaker inside a fallback: two failures open it, the third call is refused; every call falls back.
  const primary = circuitBreaker(
    lambda((): string => {
      throw new Error("primary down");
    }, "primary"),
    { failureThreshold: 2, recoveryTimeoutMs: 600_000, name: "primary-breaker" },
  );
  const answer = fallback(primary, { fallbacks: [lambda(() => "backup answer", "backup")], name: "answer" });
  for (let i = 0; i < 3; i++) await answer.execute(undefined, ctx());
  // cache: a, a, b → one hit, two misses.
  const upper = cache(
    lambda((text: string) => text.toUpperCase(), "upper"),
    { ttlMs: 600_000 },
  );
  for (const text of ["a", "a", "b"]) await upper.execute(text, ctx());
  // model router: the cheap model is overloaded (503), the router fails over to the steady one.
  const cheap = new MockLanguageModel({
    modelId: "cheap",
    provider: "acme",
    responses: [new ProviderError("overloaded", { provider: "acme", model: "cheap", status: 503, retryable: true })],
  });
  const steady = new MockLanguageModel({
    modelId: "steady",
    provider: "other",
    responses: [{ text: "fine", usage: { inputTokens: 100, outputTokens: 10 } }],
  });
  const router = modelRouter({ candidates: [cheap, steady], catalog, strategy: "ordered", retry: { maxRetries: 0 } });
  await router.execute({ messages: [{ role: "user", content: "hello" }] }, ctx());
}

describe.each(["otlp", "otlp-json"] as const)("@tta/observability exporting with %s", (exporter) => {
  it("feeds /api/resilience with real numbers from a @tta/primitives workflow", async () => {
    const observatory = await startTestObservatory();
    const obs = setupObservability({
      serviceName: "observatory-e2e",
      tracing: { exporter, endpoint: `${observatory.url}/v1/traces` },
      metrics: false,
      logging: false,
    });
    try {
      await runWorkflow();
      await obs.forceFlush();
    } finally {
      await obs.shutdown();
    }
    const stats = await getJson<StoreStats>(observatory, "/api/stats");
    // 2 retry runs, 3 fallback runs, 3 cache lookups, 1 routed request: one trace each.
    expect(stats).toMatchObject({ traces: 9, rejectedRequests: 0, droppedSpans: 0 });
    const view = await getJson<ResilienceView>(observatory, "/api/resilience");
    expect(view.retries).toEqual({ total: 2, byName: { "model-retry": 2 } });
    expect(view.fallbacks).toEqual({ total: 3 });
    expect(view.cache).toEqual({ hits: 1, misses: 2, hitRate: 1 / 3 });
    expect(view.failovers.total).toBe(1);
    expect(view.hedges.total).toBe(0);
    const primary = view.breakers.find((b) => b.name === "primary-breaker");
    expect(primary?.state).toBe("open");
    expect(primary?.transitions.map((t) => t.state)).toEqual(["closed", "open"]);
    expect(view.breakers.map((b) => b.name)).toEqual(["breaker cheap", "breaker steady", "primary-breaker"]);
    const byModel = Object.fromEntries(view.models.map((m) => [m.model, m]));
    expect(byModel.cheap).toMatchObject({ provider: "acme", calls: 1, errors: 1 });
    expect(byModel.steady).toMatchObject({
      provider: "other",
      calls: 1,
      errors: 0,
      inputTokens: 100,
      outputTokens: 10,
    });
    expect(byModel.steady?.costUsd).toBeCloseTo((100 * 3 + 10 * 6) / 1e6, 12);
    expect(view.timeline.buckets.reduce((sum, b) => sum + b.retries, 0)).toBe(2);
    // The router's trace: the failed cheap call and the steady answer under one root.
    const routed = await getJson<TraceList>(observatory, "/api/traces?model=steady");
    expect(routed.traces).toHaveLength(1);
    expect(routed.traces[0]).toMatchObject({
      service: "observatory-e2e",
      workflowId: "observatory-e2e",
      status: "ok",
      models: ["cheap", "steady"],
    });
    const detail = await getJson<TraceDetail>(observatory, `/api/traces/${routed.traces[0]?.traceId}`);
    expect(detail.spans[0]?.name).toBe("tta.model-router");
    expect(detail.spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(["chat cheap", "chat steady", "tta.circuit-breaker"]),
    );
  });
});

describe("@tta/observability's metrics server, scraped by the observatory", () => {
  it("puts the run's tta_* and gen_ai_* metrics on /api/metrics", async () => {
    const observatory = await startTestObservatory();
    const obs = setupObservability({
      serviceName: "observatory-metrics",
      tracing: false,
      metrics: { port: 0 },
      logging: false,
    });
    try {
      await runWorkflow();
      const { metricsUrl } = await obs.ready;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      observatory.addScrapeTarget(metricsUrl!);
      await observatory.scrapeNow();
    } finally {
      await obs.shutdown();
    }
    const view = await getJson<MetricsView>(observatory, "/api/metrics");
    expect(view.targets).toEqual([expect.objectContaining({ url: metricsUrl(view), up: true, skipped: 0 })]);
    const family = (name: string) => view.families.find((f) => f.name === name);
    expect(view.families.every((f) => f.name.startsWith("tta_") || f.name.startsWith("gen_ai_"))).toBe(true);
    expect(family("tta_retry_attempts_total")?.samples).toEqual([{ labels: { name: "model-retry" }, value: 2 }]);
    expect(family("tta_circuit_breaker_state")?.samples).toContainEqual({
      labels: { name: "primary-breaker" },
      value: CIRCUIT_STATE_VALUE.open,
    });
    expect(family("tta_fallback_activations_total")?.samples).toEqual([expect.objectContaining({ value: 3 })]);
    const tokens = family("gen_ai_client_token_usage");
    expect(tokens?.type).toBe("histogram");
    expect(tokens?.samples).toContainEqual({
      labels: expect.objectContaining({ gen_ai_request_model: "steady", gen_ai_token_type: "input" }),
      count: 1,
      sum: 100,
    });
  });
});

function metricsUrl(view: MetricsView): string {
  return view.targets[0]?.url ?? "";
}
