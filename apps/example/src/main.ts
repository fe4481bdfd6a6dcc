/**
 * Runs the support-ticket triage workflow on the sample tickets with the OpenTelemetry SDK
 * registered, then prints each result and its span tree. Start it with `npm start` at the repo root.
 */
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createContext, subscribe } from "@tta/primitives";
import { type SpanLike, formatSpanTree } from "@tta/primitives/testing";
import { SAMPLE_TICKETS, createTriageWorkflow } from "./triage-workflow.js";

// 1. Register an OpenTelemetry SDK tracer provider that keeps finished spans in memory.
//    (No context manager is needed: TTA passes span parents through its own context.)
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);

// 2. Count the start/end events every primitive reports.
const events = { start: 0, end: 0, errors: 0 };
const unsubscribe = subscribe((event) => {
  if (event.type === "start") events.start += 1;
  if (event.type === "end") {
    events.end += 1;
    if (event.outcome !== "success") events.errors += 1;
  }
});

/** One line per span: the span name, the primitive's name, and the route or branch it chose. */
function label(span: SpanLike): string {
  const attribute = (key: string): string | undefined => {
    const value = span.attributes?.[key];
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : undefined;
  };
  const parts = [span.name, attribute("tta.primitive.name") ?? "?"];
  const route = attribute("tta.router.route");
  const branch = attribute("tta.conditional.branch");
  const error = attribute("error.type");
  if (route !== undefined) parts.push(`route=${route}`);
  if (branch !== undefined) parts.push(`branch=${branch}`);
  if (error !== undefined) parts.push(`ERROR ${error}`);
  return parts.join("  ");
}

// 3. Build the workflow once and run it on every sample ticket.
const workflow = createTriageWorkflow();
let totalSpans = 0;

for (const ticket of SAMPLE_TICKETS) {
  const ctx = createContext({ workflowId: `triage-${ticket.id}`, metadata: { customer: ticket.customer } });
  const result = await workflow.execute(ticket, ctx);
  const spans = exporter.getFinishedSpans();
  totalSpans += spans.length;

  console.log(`=== ${ticket.id}: "${ticket.subject}" (workflowId ${ctx.workflowId})`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`--- span tree (${spans.length} spans)`);
  console.log(formatSpanTree(spans, label));
  console.log();
  exporter.reset();
}

unsubscribe();
console.log(`Total: ${SAMPLE_TICKETS.length} runs, ${totalSpans} spans`);
console.log(`Events: ${events.start} start, ${events.end} end, ${events.errors} failed`);
await provider.shutdown();
