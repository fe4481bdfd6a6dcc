import { setupObservability } from "@tta/observability";

const obs = setupObservability({
  serviceName: "support-triage",
  serviceVersion: process.env.APP_VERSION ?? "dev",
  tracing: {
    exporter: "otlp", // OTLP/HTTP protobuf: Jaeger v2, Grafana Tempo, any OpenTelemetry Collector
    endpoint: process.env.OTLP_TRACES_URL ?? "http://127.0.0.1:4318/v1/traces",
    sampleRatio: 0.25, // a quarter of new traces; children follow their parent's decision
  },
  metrics: { port: 9464, host: "127.0.0.1", defaultMetrics: true }, // Prometheus scrapes /metrics here
  logging: { level: "info" }, // JSON lines on stdout for Loki; `pretty: true` in development
});

// Flush batched spans and close the metrics server before the process exits.
process.once("SIGTERM", () => void obs.shutdown().then(() => process.exit(0)));
await obs.shutdown(); // (this demo exits at once)
