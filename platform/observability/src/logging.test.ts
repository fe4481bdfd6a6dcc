import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext, lambda, sequential } from "@tta/primitives";
import { retry } from "@tta/primitives/recovery";
import { MockPrimitive } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import { LineSink, captureDiag, until } from "./test-support/receivers.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

function setup(sink: LineSink, level: "info" | "debug" = "info", contextManager = true): ObservabilityHandle {
  obs = setupObservability({
    serviceName: "log-test",
    tracing: { exporter: "memory", contextManager },
    metrics: false,
    logging: { level, destination: sink },
  });
  return obs;
}

describe("pino logs correlated with traces", () => {
  it("lines written inside a workflow carry the active trace id, span id, workflow and correlation ids", async () => {
    const sink = new LineSink();
    const { logger, memoryExporter } = setup(sink);
    const ctx = createContext({ workflowId: "wf-logs" });
    const flow = sequential([
      lambda(async (n: number) => {
        await Promise.resolve();
        logger.info({ n }, "inside the step");
        return n + 1;
      }, "logging-step"),
    ]);
    await flow.execute(1, ctx);
    logger.info("outside any workflow");

    const step = memoryExporter?.getFinishedSpans().find((s) => s.name === "tta.lambda");
    const inside = sink.lines.find((l) => l.msg === "inside the step");
    expect(inside).toMatchObject({
      level: "info",
      service: "log-test",
      n: 1,
      trace_id: step?.spanContext().traceId,
      span_id: step?.spanContext().spanId,
      workflow_id: "wf-logs",
      correlation_id: ctx.correlationId,
    });
    const outside = sink.lines.find((l) => l.msg === "outside any workflow");
    expect(outside).toBeDefined();
    for (const key of ["trace_id", "span_id", "workflow_id", "correlation_id"]) expect(outside).not.toHaveProperty(key);
  });

  it("at info a hot path logs nothing; resilience events log at warn with the run's ids", async () => {
    const sink = new LineSink();
    setup(sink, "info");
    const flow = sequential([lambda((n: number) => n + 1), lambda((n: number) => n + 1)]);
    for (let i = 0; i < 50; i++) await flow.execute(i);
    expect(sink.lines).toEqual([]);

    const flaky = retry(new MockPrimitive<number, number>({ name: "flaky", failTimes: 1, returns: 7 }), {
      initialDelayMs: 0,
      name: "flaky-retry",
    });
    await flaky.execute(0, createContext({ workflowId: "wf-retry" }));
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({
      level: "warn",
      event: "retry",
      kind: "retry",
      name: "flaky-retry",
      attempt: 1,
      error_type: "Error",
      workflow_id: "wf-retry",
    });
  });

  it("without tracing, event lines carry the run's ctx.traceId, so they correlate by trace id", async () => {
    const sink = new LineSink();
    obs = setupObservability({
      serviceName: "log-test",
      tracing: false,
      metrics: false,
      logging: { level: "debug", destination: sink },
    });
    const ctx = createContext({ workflowId: "wf-untraced" });
    const flaky = retry(new MockPrimitive<number, number>({ name: "flaky", failTimes: 1, returns: 7 }), {
      initialDelayMs: 0,
    });
    await flaky.execute(0, ctx);
    const ids = { workflow_id: "wf-untraced", correlation_id: ctx.correlationId, trace_id: ctx.traceId };
    expect(sink.lines.find((l) => l.event === "retry")).toMatchObject({ level: "warn", ...ids });
    const events = sink.lines.filter((l) => l.event !== undefined);
    expect(events.length).toBeGreaterThan(2);
    for (const line of events) expect(line).toMatchObject(ids);
    expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("with tracing, an event line inside a span carries the span's trace id, none outside any span", async () => {
    const sink = new LineSink();
    const { memoryExporter } = setup(sink, "debug");
    const flaky = retry(new MockPrimitive<number, number>({ name: "flaky", failTimes: 1, returns: 7 }), {
      initialDelayMs: 0,
      name: "traced-retry",
    });
    await flaky.execute(0);
    const span = memoryExporter?.getFinishedSpans().find((s) => s.name === "tta.retry");
    const retried = sink.lines.find((l) => l.event === "retry");
    expect(retried?.trace_id).toBe(span?.spanContext().traceId);
    // The top-level execution's own start and end lines are written outside its span.
    const own = sink.lines.filter((l) => l.name === "traced-retry" && (l.event === "start" || l.event === "end"));
    expect(own).toHaveLength(2);
    for (const line of own) expect(line).not.toHaveProperty("trace_id");
  });

  it("at debug every execution logs start and end", async () => {
    const sink = new LineSink();
    setup(sink, "debug");
    await lambda((n: number) => n + 1, "one").execute(1);
    expect(sink.lines.map((l) => [l.level, l.event, l.name, l.outcome])).toEqual([
      ["debug", "start", "one", undefined],
      ["debug", "end", "one", "success"],
    ]);
  });

  it("a throwing destination never reaches the caller and is reported once through diag", async () => {
    const diag = captureDiag();
    try {
      obs = setupObservability({
        serviceName: "broken-log",
        tracing: false,
        metrics: false,
        logging: {
          destination: {
            write() {
              throw new Error("disk full");
            },
          },
        },
      });
      const logger = obs.logger;
      expect(() => {
        logger.info("a");
        logger.error("b");
      }).not.toThrow();
      await expect(lambda((n: number) => n).execute(1)).resolves.toBe(1);
      const ours = diag.messages.filter((m) => m.message.includes("log destination threw"));
      expect(ours).toHaveLength(1);
    } finally {
      diag.restore();
    }
  });

  it("a log file that cannot be opened is reported through diag; logging and shutdown still return", async () => {
    const diag = captureDiag();
    try {
      obs = setupObservability({
        serviceName: "bad-path",
        tracing: false,
        metrics: false,
        logging: { destination: join(tmpdir(), "tta-no-such-dir", String(process.pid), "x.log") },
      });
      const logger = obs.logger;
      expect(() => logger.info("dropped")).not.toThrow();
      await until(() => diag.messages.some((m) => m.message.includes("log destination failed")), 5000, "the report");
      await obs.shutdown(); // bounded even though the destination never flushes
    } finally {
      diag.restore();
    }
  });

  it("pretty output goes through the pino-pretty transport to a file", async () => {
    const file = join(tmpdir(), `tta-pretty-${process.pid}-${Date.now()}.log`);
    try {
      obs = setupObservability({
        serviceName: "pretty",
        tracing: false,
        metrics: false,
        logging: { pretty: true, destination: file },
      });
      obs.logger.info("pretty line");
      await obs.shutdown();
      await until(() => readFileSync(file, "utf8").includes("pretty line"), 5000, "the pretty line");
      const text = readFileSync(file, "utf8");
      expect(text).toContain("INFO");
      expect(text).not.toContain('"msg"'); // not JSON
    } finally {
      rmSync(file, { force: true });
    }
  });
});
