/**
 * Test helpers: real OpenTelemetry SDK exports (OTLP/HTTP protobuf or JSON) to an observatory.
 */
import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";

/** Options of {@link exportSpans}. */
export interface ExportOptions {
  readonly encoding: "protobuf" | "json";
  readonly serviceName?: string;
  readonly gzip?: boolean;
  readonly headers?: Record<string, string>;
}

/** Results of every export call, to assert that the exporter saw success. */
export interface ExportRun {
  readonly results: number[];
}

/**
 * Creates spans with `build` on a tracer whose SimpleSpanProcessor exports each ended span, in its own
 * request, to `url` with the real OTLP exporter; resolves after flushing and shutting down.
 */
export async function exportSpans(
  url: string,
  options: ExportOptions,
  build: (tracer: Tracer) => void | Promise<void>,
): Promise<ExportRun> {
  const config = {
    url,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.gzip === true ? { compression: "gzip" as never } : {}),
  };
  const inner: SpanExporter =
    options.encoding === "protobuf" ? new OtlpProtoExporter(config) : new OtlpJsonExporter(config);
  const results: number[] = [];
  const exporter: SpanExporter = {
    export: (spans, done) =>
      inner.export(spans, (result) => {
        results.push(result.code);
        done(result);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName ?? "exporter-test" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  await build(provider.getTracer("observatory-test"));
  await provider.forceFlush();
  await provider.shutdown();
  return { results };
}
