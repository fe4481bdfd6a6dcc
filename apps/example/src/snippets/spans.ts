import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { lambda, parallel, sequential } from "@tta/primitives";
import { formatSpanTree } from "@tta/primitives/testing";

// Register an OpenTelemetry SDK (2.x). Without one, TTA creates no spans at all.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);

const flow = sequential(
  [
    lambda((text: string) => text.trim(), "trim"),
    parallel({ words: lambda((t: string) => t.split(" ").length, "words"), upper: (t: string) => t.toUpperCase() }),
  ],
  { name: "analyze" },
);
await flow.execute("  hello world ");

const spans = exporter.getFinishedSpans();
console.log(formatSpanTree(spans, (span) => `${span.name} (${String(span.attributes?.["tta.primitive.name"])})`));
// → tta.sequential (analyze)
// →   tta.lambda (trim)
// →   tta.parallel (ParallelPrimitive)
// →     tta.lambda (words)
// →     tta.lambda (upper)

const root = spans.find((span) => span.name === "tta.sequential");
console.log(root?.attributes["tta.primitive.kind"], root?.attributes["tta.workflow.id"] !== undefined); // → sequential true

// A failing primitive ends its span with ERROR status, an `error.type` attribute and an exception event.
exporter.reset();
await lambda(() => Promise.reject(new RangeError("bad input")), "validate")
  .execute(undefined)
  .catch(() => undefined);
const [failed] = exporter.getFinishedSpans();
console.log(failed?.status.code, failed?.attributes["error.type"], failed?.events[0]?.name); // → 2 RangeError exception

await provider.shutdown();
