/**
 * `RUN_CONTEXT_KEY` in the active OpenTelemetry context of a traced execution (what loggers such as
 * `@tta/observability`'s read): the run's ids, kept by contexts derived from it (issue 11 stopped copying
 * the context to add them).
 */
import type { Context as OtelContext } from "@opentelemetry/api";
import { context, createContextKey, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestContext } from "../testing/index.js";
import { RUN_CONTEXT_KEY, lambda, sequential } from "./index.js";
import type { RunIdentity, WorkflowContext } from "./index.js";

let exporter: InMemorySpanExporter;

beforeEach(() => {
  trace.disable();
  context.disable();
  exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

afterEach(() => {
  trace.disable();
  context.disable();
});

const OTHER = createContextKey("test.other");
const runOf = (otel: OtelContext): RunIdentity | undefined => otel.getValue(RUN_CONTEXT_KEY) as RunIdentity | undefined;

describe("RUN_CONTEXT_KEY in a traced execution", () => {
  it("holds the run's ids in a top-level primitive, in nested steps and in contexts derived from them", async () => {
    const seen: { run: RunIdentity | undefined; derived: RunIdentity | undefined; other: unknown }[] = [];
    const record = (n: number): number => {
      const active = context.active();
      const derived = active.setValue(OTHER, n);
      seen.push({ run: runOf(active), derived: runOf(derived), other: derived.getValue(OTHER) });
      return n + 1;
    };
    const ctx = createTestContext({ workflowId: "wf-ids" });
    await expect(sequential([lambda(record), lambda(record)]).execute(1, ctx)).resolves.toBe(3);
    const identity = { workflowId: "wf-ids", correlationId: ctx.correlationId };
    expect(seen).toEqual([
      { run: identity, derived: identity, other: 1 },
      { run: identity, derived: identity, other: 2 },
    ]);
    await expect(lambda(record).execute(5)).resolves.toBe(6);
    const single = seen[2];
    expect(single?.run?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(single?.run?.correlationId).not.toBe(ctx.correlationId);
    expect(single?.derived).toEqual(single?.run);
    expect(single?.other).toBe(5);
  });

  it("can be removed or replaced in a derived context, without changing the active one", async () => {
    let removed: unknown = "unset";
    let replaced: unknown;
    let still: RunIdentity | undefined;
    await lambda((n: number) => {
      const active = context.active();
      removed = active.deleteValue(RUN_CONTEXT_KEY).getValue(RUN_CONTEXT_KEY);
      replaced = active.setValue(RUN_CONTEXT_KEY, "other").getValue(RUN_CONTEXT_KEY);
      still = runOf(active);
      return n;
    }).execute(0, createTestContext({ workflowId: "wf-keep" }));
    expect(removed).toBeUndefined();
    expect(replaced).toBe("other");
    expect(still?.workflowId).toBe("wf-keep");
  });

  it("keeps the span tree: nested steps are children of the run's span, whose span stays active in them", async () => {
    const activeSpanIds: (string | undefined)[] = [];
    const step = (n: number, ctx: WorkflowContext): number => {
      activeSpanIds.push(trace.getSpan(context.active())?.spanContext().spanId);
      expect(ctx.traceId).toBe(trace.getSpan(context.active())?.spanContext().traceId);
      return n + 1;
    };
    await sequential([lambda(step), lambda(step)]).execute(0);
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === "tta.sequential");
    const steps = spans.filter((s) => s.name === "tta.lambda");
    expect(steps).toHaveLength(2);
    for (const s of steps) expect(s.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(activeSpanIds).toEqual(steps.map((s) => s.spanContext().spanId));
    expect(new Set(spans.map((s) => s.attributes["tta.correlation.id"])).size).toBe(1);
  });
});
