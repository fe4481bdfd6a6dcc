import { setupObservability } from "@tta/observability";
import { createContext, lambda, sequential } from "@tta/primitives";

const lines: Record<string, unknown>[] = [];
const obs = setupObservability({
  serviceName: "logs-demo",
  tracing: { exporter: "memory" },
  metrics: false,
  logging: { destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } },
});
const log = obs.logger;

const classify = sequential([
  lambda(async (ticket: string) => {
    await Promise.resolve(); // still inside the step's span after an await (AsyncLocalStorage)
    log.info({ ticket }, "classifying");
    return "billing";
  }, "classify"),
]);
await classify.execute("T-7", createContext({ workflowId: "wf-logs" }));
log.info("idle");

const [inside, outside] = lines;
console.log(inside?.msg, inside?.workflow_id, typeof inside?.trace_id, typeof inside?.span_id);
// → classifying wf-logs string string
const step = obs.memoryExporter?.getFinishedSpans().find((span) => span.name === "tta.lambda");
console.log(inside?.trace_id === step?.spanContext().traceId); // → true
console.log(outside?.msg, Object.keys(outside ?? {}).includes("trace_id")); // → idle false

await obs.shutdown();
