/**
 * `@tta/observatory`: a zero-install local trace and resilience viewer. It receives OTLP/HTTP traces
 * (protobuf or JSON), keeps the newest ones in a bounded in-memory store and serves one web page (trace
 * list, waterfall, resilience panel) with a JSON API and live updates.
 *
 * @packageDocumentation
 */
export { startObservatory } from "./server.js";
export type { ObservatoryHandle } from "./server.js";
export {
  DEFAULT_OBSERVATORY_OPTIONS,
  MIN_TOKEN_LENGTH,
  bindWarning,
  isLoopbackHost,
  resolveObservatoryOptions,
} from "./options.js";
export type { ObservatoryOptions, ResolvedObservatoryOptions } from "./options.js";
export { ObservatoryError, OtlpDecodeError } from "./errors.js";
export type { ObservatoryErrorCode } from "./errors.js";
export { DEFAULT_STORE_OPTIONS, TraceStore } from "./store.js";
export type { IngestResult, TraceStoreOptions } from "./store.js";
export { QueryError, TRACE_LIST_LIMIT, parseTraceQuery } from "./query.js";
export type { TraceQuery } from "./query.js";
export { computeResilience } from "./resilience.js";
export type { BreakerState, BreakerView, ModelUsageView, ResilienceOptions, ResilienceView } from "./resilience.js";
export type { TimelineBucket, TimelineView } from "./timeline.js";
export { decodeOtlp } from "./otlp/decode.js";
export type { OtlpEncoding } from "./otlp/decode.js";
export { parseOtlpJson } from "./otlp/json.js";
export { UNKNOWN_SERVICE, normalizeExport } from "./otlp/normalize.js";
export { decodeOtlpProtobuf, exportTraceServiceRequestType } from "./otlp/protobuf.js";
export { SPAN_LIMITS } from "./limits.js";
export { CONTENT_SECURITY_POLICY } from "./security.js";
export type {
  AttributeScalar,
  AttributeValue,
  Attributes,
  SpanEventView,
  SpanKindName,
  SpanRecord,
  SpanStatusCode,
  SpanStatusView,
  SpanView,
  StoreStats,
  TraceDetail,
  TraceList,
  TraceSummary,
  UpdateEvent,
} from "./types.js";
