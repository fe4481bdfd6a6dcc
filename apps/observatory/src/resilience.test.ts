import { describe, expect, it } from "vitest";
import { computeResilience } from "./resilience.js";
import { hexId, record } from "./test-support/spans.js";
import { chooseBucketMs } from "./timeline.js";

const T0 = 1_700_000_000_000;

describe("computeResilience", () => {
  it("is all zeros for no spans", () => {
    expect(computeResilience([])).toEqual({
      retries: { total: 0, byName: {} },
      breakers: [],
      fallbacks: { total: 0 },
      hedges: { total: 0 },
      failovers: { total: 0 },
      cache: { hits: 0, misses: 0, hitRate: 0 },
      models: [],
      timeline: { bucketMs: 100, buckets: [] },
    });
  });

  it("counts retries, fallbacks, hedges, failovers, cache hits and model usage", () => {
    const traceId = hexId(16);
    const retryEvent = (timeMs: number) => ({
      name: "retry",
      timeMs,
      attributes: { "tta.retry.attempt": 1, "tta.retry.delay_ms": 0, "error.type": "PROVIDER_ERROR" },
    });
    const spans = [
      record({
        traceId,
        name: "tta.retry",
        startMs: T0,
        attributes: { "tta.primitive.kind": "retry", "tta.primitive.name": "model-retry" },
        events: [retryEvent(T0 + 1), retryEvent(T0 + 2)],
      }),
      // a `retry` event elsewhere is not a retry of the retry primitive
      record({ traceId, name: "tta.lambda", events: [retryEvent(T0 + 3)] }),
      record({ traceId, name: "tta.fallback", attributes: { "tta.fallback.index": 1, "tta.fallback.attempts": 2 } }),
      record({ traceId, name: "tta.fallback", attributes: { "tta.fallback.index": 0 } }),
      record({
        traceId,
        name: "tta.model-router",
        events: [
          { name: "tta.route.hedge", timeMs: T0, attributes: { "tta.route.model": "b" } },
          {
            name: "tta.route.failover",
            timeMs: T0,
            attributes: { "tta.route.model": "a", "tta.route.reason": "timeout" },
          },
          {
            name: "tta.route.failover",
            timeMs: T0,
            attributes: { "tta.route.model": "b", "tta.route.reason": "PROVIDER_ERROR" },
          },
        ],
      }),
      record({ traceId, name: "tta.cache", attributes: { "tta.cache.hit": true, "tta.cache.result": "hit" } }),
      record({ traceId, name: "tta.cache", attributes: { "tta.cache.hit": true, "tta.cache.result": "stale" } }),
      record({ traceId, name: "tta.cache", attributes: { "tta.cache.hit": false, "tta.cache.result": "miss" } }),
      record({
        traceId,
        name: "chat gpt-4o-mini",
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.usage.input_tokens": 100,
          "gen_ai.usage.output_tokens": 20,
          "tta.llm.cost_usd": 0.001,
        },
      }),
      record({
        traceId,
        name: "chat gpt-4o-mini",
        status: { code: "error" },
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.request.model": "gpt-4o-mini",
        },
      }),
      record({
        traceId,
        name: "invoke_agent",
        attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support" },
      }),
    ];
    const view = computeResilience(spans);
    expect(view.retries).toEqual({ total: 2, byName: { "model-retry": 2 } });
    expect(view.fallbacks).toEqual({ total: 1 });
    expect(view.hedges).toEqual({ total: 1 });
    expect(view.failovers).toEqual({ total: 2 });
    expect(view.cache).toEqual({ hits: 2, misses: 1, hitRate: 2 / 3 });
    expect(view.models).toEqual([
      {
        model: "gpt-4o-mini",
        provider: "openai",
        calls: 2,
        errors: 1,
        inputTokens: 100,
        outputTokens: 20,
        costUsd: 0.001,
      },
    ]);
  });

  it("follows each breaker's state over time, from spans and from the router's skips", () => {
    const traceId = hexId(16);
    const breaker = (startMs: number, state: string | undefined, errorType?: string) =>
      record({
        traceId,
        name: "tta.circuit-breaker",
        startMs,
        attributes: {
          "tta.primitive.kind": "circuit-breaker",
          "tta.primitive.name": "breaker primary",
          ...(state === undefined ? {} : { "tta.circuit.state": state }),
          ...(errorType === undefined ? {} : { "error.type": errorType }),
        },
      });
    const spans = [
      breaker(T0 + 3000, "half-open"),
      breaker(T0, "closed"),
      breaker(T0 + 1000, "closed"),
      breaker(T0 + 2000, undefined, "CIRCUIT_OPEN"),
      breaker(T0 + 4000, "closed"),
      record({
        traceId,
        name: "tta.model-router",
        startMs: T0 + 2500,
        events: [
          {
            name: "tta.route.skip",
            timeMs: T0 + 2500,
            attributes: { "tta.route.model": "primary", "tta.route.reason": "breaker-open" },
          },
          {
            name: "tta.route.skip",
            timeMs: T0 + 2500,
            attributes: { "tta.route.model": "backup", "tta.route.reason": "cooling-down" },
          },
        ],
      }),
      record({
        traceId,
        name: "tta.circuit-breaker",
        startMs: T0,
        attributes: { "tta.primitive.name": "other", "tta.circuit.state": "open" },
      }),
    ];
    const view = computeResilience(spans);
    expect(view.breakers).toEqual([
      {
        name: "breaker primary",
        state: "closed",
        transitions: [
          { timeMs: T0, state: "closed" },
          { timeMs: T0 + 2000, state: "open" },
          { timeMs: T0 + 3000, state: "half-open" },
          { timeMs: T0 + 4000, state: "closed" },
        ],
      },
      { name: "other", state: "open", transitions: [{ timeMs: T0, state: "open" }] },
    ]);
  });

  it("buckets spans, errors, retries and fallbacks on a timeline, and honours sinceMs", () => {
    const traceId = hexId(16);
    const spans = [
      record({ traceId, startMs: T0, endMs: T0 + 10 }),
      record({ traceId, startMs: T0 + 1500, status: { code: "error" } }),
      record({ traceId, name: "tta.fallback", startMs: T0 + 2500, attributes: { "tta.fallback.index": 2 } }),
      record({
        traceId,
        name: "tta.retry",
        startMs: T0 + 2600,
        endMs: T0 + 3100,
        events: [{ name: "retry", timeMs: T0 + 3050, attributes: {} }],
      }),
    ];
    const view = computeResilience(spans, { bucketMs: 1000 });
    expect(view.timeline).toEqual({
      bucketMs: 1000,
      buckets: [
        { startMs: T0, spans: 1, errors: 0, retries: 0, fallbacks: 0 },
        { startMs: T0 + 1000, spans: 1, errors: 1, retries: 0, fallbacks: 0 },
        { startMs: T0 + 2000, spans: 2, errors: 0, retries: 0, fallbacks: 1 },
        { startMs: T0 + 3000, spans: 0, errors: 0, retries: 1, fallbacks: 0 },
      ],
    });
    const recent = computeResilience(spans, { sinceMs: T0 + 2000, bucketMs: 1000 });
    expect(recent.fallbacks.total).toBe(1);
    expect(recent.timeline.buckets.map((b) => b.spans)).toEqual([2, 0]);
  });

  it("chooses a bucket width that keeps the timeline short", () => {
    expect(chooseBucketMs(0)).toBe(100);
    expect(chooseBucketMs(60_000)).toBe(1000);
    expect(chooseBucketMs(3_600_000)).toBe(60_000);
    expect(chooseBucketMs(3_600_000, 1)).toBe(60_000); // too many buckets: raised
    expect(chooseBucketMs(3_600_000, 30_000)).toBe(30_000);
    expect(chooseBucketMs(1e15) * 60).toBeGreaterThanOrEqual(1e15);
  });
});
