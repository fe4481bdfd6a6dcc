import { setupObservability } from "@tta/observability";
import { lambda, sequential } from "@tta/primitives";
import { retry } from "@tta/primitives/recovery";

const obs = setupObservability({
  serviceName: "redaction-demo",
  // The default credential patterns always apply; add your own shapes (or `dropMessages: true`).
  tracing: { exporter: "memory", redact: { patterns: [/cust-\d{6}/] } },
  metrics: false,
  logging: false,
});

// A provider error that echoes the key and the request's headers.
const callProvider = lambda((ticket: string): string => {
  throw new Error(`401 for cust-104233 (${ticket}): bad key sk-live-51HxQ2eZvKYlo2C8, Authorization: Bearer eyJhbGci`);
}, "call-provider");
const flow = sequential([retry(callProvider, { maxRetries: 0, name: "provider-retry" })], { name: "triage" });
await flow.execute("T-7").catch((error: Error) => console.log(error.message.includes("sk-live-"))); // → true

// What was exported: name, status code, error.type, exception events, status message.
for (const span of obs.memoryExporter?.getFinishedSpans() ?? []) {
  const { "tta.primitive.name": name, "error.type": type } = span.attributes;
  const exceptions = span.events.filter((event) => event.name === "exception").length;
  console.log(name, span.status.code, type, exceptions, span.status.message ?? "-");
}
// → call-provider 2 Error 1 401 for [REDACTED] (T-7): bad key [REDACTED], Authorization: [REDACTED]
// → provider-retry 2 Error 0 -
// → triage 2 Error 0 -

await obs.shutdown();
