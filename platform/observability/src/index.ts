/**
 * `@tta/observability`: OpenTelemetry traces, Prometheus metrics and correlated pino JSON logs for
 * `@tta/primitives` workflows, wired by one `setupObservability` call.
 *
 * @packageDocumentation
 */
export { setupObservability } from "./setup.js";
export type { ObservabilityHandle, ObservabilityReady } from "./setup.js";
export {
  DEFAULT_LOGGING_OPTIONS,
  DEFAULT_METRICS_OPTIONS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_TRACING_OPTIONS,
  TRACE_EXPORTERS,
  resolveObservabilityOptions,
} from "./options.js";
export type {
  LogDestination,
  LogLevel,
  LoggingOptions,
  MetricsOptions,
  ObservabilityOptions,
  ResolvedLoggingOptions,
  ResolvedMetricsOptions,
  ResolvedObservabilityOptions,
  ResolvedTracingOptions,
  TraceExporterName,
  TracingOptions,
} from "./options.js";
export type { RedactOptions, ResolvedRedactOptions } from "./redaction.js";
export { CIRCUIT_STATE_VALUE, PRIMITIVE_DURATION_BUCKETS } from "./metrics.js";
export { GEN_AI_DURATION_BUCKETS, GEN_AI_TOKEN_USAGE_BUCKETS } from "./gen-ai-metrics.js";
export { traceLogFields } from "./logging.js";
export type { TraceLogFields } from "./logging.js";
export { createW3CPropagator, extract, inject } from "./propagation.js";
export type { ExtractedContext, HeaderCarrier, InjectOptions } from "./propagation.js";
export {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_TTA_LLM_COST_USD,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  addModelCallSink,
  recordModelCall,
  withModelCallSpan,
} from "./gen-ai.js";
export type { ModelCallRecord, ModelCallRequest, ModelCallScope, ModelCallSink } from "./gen-ai.js";
