/**
 * Acceptance: one setupObservability call gives traces, metrics and correlated logs for a workflow
 * built from every primitive that exists.
 */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  MemoryStore,
  bulkhead,
  cache,
  circuitBreaker,
  compensation,
  createContext,
  fallback,
  lambda,
  parallel,
  rateLimit,
  recall,
  remember,
  retry,
  router,
  saga,
  sequential,
  timeout,
  when,
} from "@tta/primitives";
import { MockPrimitive } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import { LineSink } from "./test-support/receivers.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

describe("every primitive under one setupObservability call", () => {
  it("produces one trace, the DESIGN metrics and correlated logs", async () => {
    const sink = new LineSink();
    obs = setupObservability({
      serviceName: "all-primitives",
      tracing: { exporter: "memory" },
      metrics: {},
      logging: { level: "info", destination: sink },
    });
    const logger = obs.logger;
    const store = new MemoryStore();
    const flaky = new MockPrimitive<string, string>({ name: "flaky-llm", failTimes: 1, returns: "drafted" });
    const booking = saga<string>({ name: "booking" }).step(
      lambda((s: string) => `${s}+booked`, "book"),
      lambda(() => undefined, "unbook"),
    );
    const flow = sequential(
      [
        lambda((s: string) => s.trim(), "clean"),
        remember<string>({ store, namespace: "tickets", entry: (text) => ({ text }), name: "remember" }),
        when(
          (s: string) => s.length > 0,
          lambda((s: string) => s, "non-empty"),
          undefined,
          { name: "guard" },
        ),
        router({ routes: { billing: lambda((s: string) => `billing:${s}`, "billing-desk") }, select: () => "billing" }),
        parallel([
          cache(
            lambda((s: string) => s.toUpperCase(), "upper"),
            { name: "upper-cache" },
          ),
          recall<string>({ store, namespace: "tickets", query: (s) => s, name: "recall" }),
        ]),
        lambda(([upper]: [string, unknown]) => {
          logger.info({ upper }, "inside the workflow");
          return upper;
        }, "log-step"),
        retry(timeout(flaky, { timeoutMs: 1000, name: "llm-timeout" }), { initialDelayMs: 0, name: "llm-retry" }),
        fallback(
          lambda(() => Promise.reject(new Error("primary down")), "primary"),
          {
            fallbacks: [lambda(() => "from-backup", "backup")],
            name: "with-backup",
          },
        ),
        circuitBreaker(
          bulkhead(
            rateLimit(
              lambda((s: string) => s, "guarded"),
              { tokensPerInterval: 10, intervalMs: 1000 },
            ),
            {
              maxConcurrent: 2,
            },
          ),
          { name: "breaker" },
        ),
        compensation(
          lambda((s: string) => s, "charge"),
          lambda(() => undefined, "refund"),
          { name: "payment" },
        ),
        booking,
      ],
      { name: "everything" },
    );
    const ctx = createContext({ workflowId: "wf-all" });
    await expect(flow.execute("  ticket ", ctx)).resolves.toBe("from-backup+booked");

    // Traces: one trace, every kind present, all ids right.
    const spans: readonly ReadableSpan[] = obs.memoryExporter?.getFinishedSpans() ?? [];
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const kinds = new Set(spans.map((s) => s.name));
    for (const kind of [
      "sequential",
      "lambda",
      "memory",
      "conditional",
      "router",
      "parallel",
      "cache",
      "retry",
      "timeout",
      "mock",
      "fallback",
      "circuit-breaker",
      "bulkhead",
      "rate-limit",
      "compensation",
      "saga",
    ])
      expect(kinds, kind).toContain(`tta.${kind}`);
    expect(spans.every((s) => s.attributes["tta.workflow.id"] === "wf-all")).toBe(true);
    const root = spans.find((s) => s.attributes["tta.primitive.name"] === "everything");
    expect(root?.parentSpanContext).toBeUndefined();
    expect(spans.filter((s) => s !== root).every((s) => s.parentSpanContext !== undefined)).toBe(true);

    // Metrics.
    const text = await obs.registry.metrics();
    expect(text).toContain('tta_primitive_executions_total{kind="sequential",name="everything",outcome="success"} 1');
    expect(text).toContain('tta_retry_attempts_total{name="llm-retry"} 1');
    expect(text).toContain('tta_fallback_activations_total{name="with-backup"} 1');
    expect(text).toContain('tta_cache_requests_total{name="upper-cache",result="miss"} 1');
    expect(text).toMatch(/tta_primitive_duration_seconds_count\{kind="saga",name="booking"\} 1/);

    // Logs: the line written inside carries the trace and the run; resilience events are at warn.
    const inside = sink.lines.find((l) => l.msg === "inside the workflow");
    expect(inside).toMatchObject({
      workflow_id: "wf-all",
      correlation_id: ctx.correlationId,
      trace_id: root?.spanContext().traceId,
    });
    expect(sink.lines.filter((l) => l.level === "warn").map((l) => l.event)).toEqual(["retry", "fallback"]);
  });
});
