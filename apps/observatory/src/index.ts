/**
 * `@tta/observatory`: a zero-install local trace and resilience viewer. It receives OTLP/HTTP traces
 * (protobuf or JSON), keeps the newest ones in a bounded in-memory store, scrapes the `tta_*` and
 * `gen_ai_*` Prometheus metrics of the apps it is told about, and serves one web page (trace list,
 * waterfall, resilience panel, metrics) with a JSON API and live updates.
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
export { KEPT_METRIC_PREFIXES, parseScrape } from "./metrics/families.js";
export type { ParsedScrape } from "./metrics/families.js";
export { parsePrometheusText } from "./metrics/prometheus-text.js";
export type { MetricFamilyView, MetricSampleView, MetricType, PrometheusText } from "./metrics/prometheus-text.js";
export { MAX_SCRAPE_TARGETS, MetricsScraper, scrapeTargetUrl } from "./metrics/scraper.js";
export type { MetricsView, ScrapeTargetView, ScraperOptions } from "./metrics/scraper.js";
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
