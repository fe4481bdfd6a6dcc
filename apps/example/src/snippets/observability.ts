import { setupObservability } from "@tta/observability";
import { createContext, lambda, sequential } from "@tta/primitives";
import { retry } from "@tta/primitives/recovery";
import { formatSpanTree } from "@tta/primitives/testing";

const logLines: string[] = [];
// One call wires traces, metrics and correlated logs for every workflow in this process.
const obs = setupObservability({
  serviceName: "support-triage",
  serviceVersion: "1.4.0",
  // Production: omit `exporter` (OTLP over HTTP) and set `endpoint: "http://collector:4318/v1/traces"`.
  tracing: { exporter: "memory" },
  metrics: {}, // `{ port: 9464 }` also serves /metrics on 127.0.0.1:9464
  logging: { level: "info", destination: { write: (line: string) => logLines.push(line) } },
});

let calls = 0;
const callModel = lambda((text: string) => {
  if (++calls === 1) throw new Error("503 from the model API");
  return `summary of ${text}`;
}, "call-model");
const summarize = sequential(
  [lambda((text: string) => text.trim(), "clean"), retry(callModel, { initialDelayMs: 0, name: "model-retry" })],
  { name: "summarize" },
);
console.log(await summarize.execute("  ticket 42 ", createContext({ workflowId: "ticket-42" })));
// → summary of ticket 42

const spans = obs.memoryExporter?.getFinishedSpans() ?? [];
console.log(formatSpanTree(spans, (span) => `${span.name} ${String(span.attributes?.["tta.primitive.name"])}`));
// → tta.sequential summarize
// →   tta.lambda clean
// →   tta.retry model-retry
// →     tta.lambda call-model
// →     tta.lambda call-model

const exposition = await obs.registry.metrics(); // what GET /metrics (obs.metricsHandler) serves
console.log(exposition.split("\n").find((line) => line.startsWith("tta_retry_attempts_total{")));
// → tta_retry_attempts_total{name="model-retry"} 1

const retryLog = JSON.parse(logLines[0] ?? "{}") as Record<string, unknown>;
console.log(retryLog.level, retryLog.workflow_id, retryLog.msg);
// → warn ticket-42 attempt 1 failed (Error); retrying in 0 ms

await obs.shutdown(); // flushes spans, stops the metrics server, unsubscribes, flushes logs
