import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { TimeoutError, createContext, lambda, sequential } from "@tta/primitives";
import { retry, timeout } from "@tta/primitives/recovery";
import { MockPrimitive, TestClock, formatSpanTree } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

function memorySetup(contextManager = true): ObservabilityHandle {
  obs = setupObservability({
    serviceName: "span-tree",
    serviceVersion: "1.2.3",
    tracing: { exporter: "memory", contextManager },
    metrics: false,
    logging: false,
  });
  return obs;
}

const label = (span: { name: string; attributes?: Readonly<Record<string, unknown>> }): string => {
  const s = span as ReadableSpan;
  const status = s.status.code === SpanStatusCode.ERROR ? ` ERROR(${String(s.attributes["error.type"])})` : "";
  return `${s.name} ${String(s.attributes["tta.primitive.name"])}${status}`;
};

/** sequential → retry → timeout → mock, the composed workflow of the issue. */
function pipeline(mock: MockPrimitive<string, string>, timeoutMs = 1000) {
  return sequential(
    [
      lambda((s: string) => s.trim(), "trim"),
      retry(timeout(mock, { timeoutMs, name: "llm-timeout" }), {
        maxRetries: 2,
        initialDelayMs: 10,
        jitter: "none",
        name: "llm-retry",
      }),
      lambda((s: string) => s.toUpperCase(), "upper"),
    ],
    { name: "pipeline" },
  );
}

describe("tracing with the memory exporter", () => {
  it("records the exact span tree of sequential → retry → timeout → mock, with one failed attempt", async () => {
    const { memoryExporter } = memorySetup();
    const mock = new MockPrimitive<string, string>({ name: "llm", failTimes: 1, returns: "ok" });
    const clock = new TestClock();
    const run = pipeline(mock).execute("  hi  ", createContext({ workflowId: "wf-1", clock }));
    await clock.advance(10);
    await expect(run).resolves.toBe("OK");

    const spans = memoryExporter?.getFinishedSpans() ?? [];
    expect(formatSpanTree(spans, label)).toBe(
      [
        "tta.sequential pipeline",
        "  tta.lambda trim",
        "  tta.retry llm-retry",
        "    tta.timeout llm-timeout ERROR(Error)",
        "      tta.mock llm ERROR(Error)",
        "    tta.timeout llm-timeout",
        "      tta.mock llm",
        "  tta.lambda upper",
      ].join("\n"),
    );
    // One trace, ids on every span, resource attributes.
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    for (const span of spans) {
      expect(span.attributes["tta.workflow.id"]).toBe("wf-1");
      expect(span.attributes["tta.correlation.id"]).toEqual(expect.any(String));
      expect(span.resource.attributes["service.name"]).toBe("span-tree");
      expect(span.resource.attributes["service.version"]).toBe("1.2.3");
    }
    const retrySpan = spans.find((s) => s.name === "tta.retry");
    expect(retrySpan?.attributes["tta.retry.attempts"]).toBe(2);
    expect(retrySpan?.status.code).not.toBe(SpanStatusCode.ERROR);
    const retryEvent = retrySpan?.events.find((e) => e.name === "retry");
    expect(retryEvent?.attributes).toMatchObject({
      "tta.retry.attempt": 1,
      "tta.retry.delay_ms": 10,
      "error.type": "Error",
    });
    const failedMock = spans.find((s) => s.name === "tta.mock" && s.status.code === SpanStatusCode.ERROR);
    expect(failedMock?.events.map((e) => e.name)).toEqual(["exception"]);
    expect(failedMock?.events[0]?.attributes?.["exception.message"]).toBe("MockPrimitive failure 1");
  });

  it("marks every span ERROR when all attempts time out, and records each attempt's exception once", async () => {
    const { memoryExporter } = memorySetup();
    const mock = new MockPrimitive<string, string>({ name: "llm", latencyMs: 5000, returns: "late" });
    const clock = new TestClock();
    const run = pipeline(mock, 100).execute("x", createContext({ clock }));
    const settled = run.then(
      () => undefined,
      (error: unknown) => error,
    );
    // attempt 1 times out at 100, waits 10, attempt 2 at 210, waits 20, attempt 3 times out at 330.
    for (let i = 0; i < 40; i++) await clock.advance(10);
    const error = await settled;
    expect(error).toBeInstanceOf(TimeoutError);

    const spans = memoryExporter?.getFinishedSpans() ?? [];
    const lines = formatSpanTree(spans, label).split("\n");
    expect(lines).toEqual([
      "tta.sequential pipeline ERROR(TIMEOUT)",
      "  tta.lambda trim",
      "  tta.retry llm-retry ERROR(TIMEOUT)",
      "    tta.timeout llm-timeout ERROR(TIMEOUT)",
      "      tta.mock llm ERROR(TIMEOUT)",
      "    tta.timeout llm-timeout ERROR(TIMEOUT)",
      "      tta.mock llm ERROR(TIMEOUT)",
      "    tta.timeout llm-timeout ERROR(TIMEOUT)",
      "      tta.mock llm ERROR(TIMEOUT)",
    ]);
    const retrySpan = spans.find((s) => s.name === "tta.retry");
    expect(retrySpan?.attributes["tta.retry.attempts"]).toBe(3);
    expect(retrySpan?.events.filter((e) => e.name === "retry")).toHaveLength(2);
    // Each attempt's TimeoutError is recorded once, in that attempt's subtree (on the first span that
    // saw it: the timeout's, or the aborted call's under it); retry and sequential get ERROR and
    // error.type only, with no message and no exception event.
    const exceptions = (s: ReadableSpan) => s.events.filter((e) => e.name === "exception").length;
    for (const attempt of spans.filter((s) => s.name === "tta.timeout")) {
      const call = spans.filter((s) => s.parentSpanContext?.spanId === attempt.spanContext().spanId);
      expect(exceptions(attempt) + call.reduce((n, s) => n + exceptions(s), 0)).toBe(1);
    }
    for (const name of ["tta.retry", "tta.sequential"]) {
      const ancestor = spans.find((s) => s.name === name);
      expect(ancestor?.status).toEqual({ code: SpanStatusCode.ERROR });
      expect(exceptions(ancestor as ReadableSpan)).toBe(0);
    }
    const timeouts = spans.filter((s) => s.name === "tta.timeout");
    expect(timeouts.every((s) => s.attributes["tta.timeout.fired"] === true)).toBe(true);
  });

  it("keeps the same tree without the AsyncLocalStorage context manager (parents travel on the context)", async () => {
    const { memoryExporter } = memorySetup(false);
    const mock = new MockPrimitive<string, string>({ name: "llm", returns: "ok" });
    await pipeline(mock).execute("a");
    expect(formatSpanTree(memoryExporter?.getFinishedSpans() ?? [], label)).toBe(
      [
        "tta.sequential pipeline",
        "  tta.lambda trim",
        "  tta.retry llm-retry",
        "    tta.timeout llm-timeout",
        "      tta.mock llm",
        "  tta.lambda upper",
      ].join("\n"),
    );
  });

  it("makes the primitive's span active inside user code (AsyncLocalStorage), across awaits", async () => {
    memorySetup();
    const seen: (string | undefined)[] = [];
    const flow = sequential([
      lambda(async (n: number) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(trace.getActiveSpan()?.spanContext().spanId);
        return n + 1;
      }, "step"),
    ]);
    await flow.execute(1);
    const step = obs?.memoryExporter?.getFinishedSpans().find((s) => s.name === "tta.lambda");
    expect(seen).toEqual([step?.spanContext().spanId]);
  });

  it("samples by ratio at the root: sampleRatio 0 records nothing, children follow the parent", async () => {
    obs = setupObservability({
      serviceName: "sampled",
      tracing: { exporter: "memory", sampleRatio: 0 },
      metrics: false,
      logging: false,
    });
    await pipeline(new MockPrimitive<string, string>({ returns: "x" })).execute("a");
    expect(obs.memoryExporter?.getFinishedSpans()).toEqual([]);
  });
});
