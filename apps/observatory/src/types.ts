/**
 * The data the observatory stores and serves: one span as kept in the store, and the JSON views the
 * HTTP API answers with.
 *
 * @packageDocumentation
 */

/** A scalar attribute value. */
export type AttributeScalar = string | number | boolean;

/**
 * An attribute value as stored: a scalar or an array of scalars. Nested OTLP values (key-value lists,
 * arrays inside arrays) are kept as their JSON text; bytes as base64 text.
 */
export type AttributeValue = AttributeScalar | AttributeScalar[];

/** Attributes of a span, an event or a resource. */
export type Attributes = Record<string, AttributeValue>;

/** The kind of a span, from OTLP `Span.kind`. */
export type SpanKindName = "unspecified" | "internal" | "server" | "client" | "producer" | "consumer";

/** The status code of a span, from OTLP `Status.code`. */
export type SpanStatusCode = "unset" | "ok" | "error";

/** A span's status. */
export interface SpanStatusView {
  readonly code: SpanStatusCode;
  /** The status message, when the span has one. */
  readonly message?: string;
}

/** One span event. */
export interface SpanEventView {
  readonly name: string;
  /** Milliseconds since the Unix epoch. */
  readonly timeMs: number;
  readonly attributes: Attributes;
}

/** One span as `GET /api/traces/:traceId` returns it. Times are milliseconds since the Unix epoch (fractional). */
export interface SpanView {
  readonly spanId: string;
  /** The parent's id; absent on a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: SpanKindName;
  /** `service.name` of the span's resource (`"unknown_service"` when it has none). */
  readonly service: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  readonly status: SpanStatusView;
  readonly attributes: Attributes;
  readonly events: readonly SpanEventView[];
}

/**
 * One span as the store keeps it: a {@link SpanView} plus its trace id. Ids are lower-case hex
 * (32 characters for a trace, 16 for a span).
 */
export interface SpanRecord extends SpanView {
  readonly traceId: string;
}

/** `GET /api/traces/:traceId`. */
export interface TraceDetail {
  readonly traceId: string;
  /** Sorted by start time. */
  readonly spans: readonly SpanView[];
}

/** One trace in `GET /api/traces`. */
export interface TraceSummary {
  readonly traceId: string;
  /** Name of the root span (the earliest span without a stored parent). */
  readonly rootName: string;
  /** Service of the root span. */
  readonly service: string;
  /** `tta.workflow.id` of the root span, else of the first span that has one. */
  readonly workflowId?: string;
  readonly startMs: number;
  /** From the earliest start to the latest end. */
  readonly durationMs: number;
  readonly spanCount: number;
  /** Spans whose status is `error`. */
  readonly errorCount: number;
  /** `"error"` when the root span failed, `"ok"` otherwise (failures that were recovered from count in `errorCount` only). */
  readonly status: "ok" | "error";
  /** Distinct `gen_ai.request.model` values, sorted. */
  readonly models: readonly string[];
  /** Distinct `gen_ai.agent.name` (or `tta.agent.name`) values, sorted. */
  readonly agents: readonly string[];
}

/** `GET /api/traces`. */
export interface TraceList {
  /** Newest first, at most `limit`. */
  readonly traces: readonly TraceSummary[];
  /** How many traces matched before `limit`. */
  readonly total: number;
}

/** `GET /api/stats`. */
export interface StoreStats {
  /** Traces held now. */
  readonly traces: number;
  /** Spans held now. */
  readonly spans: number;
  /** Traces evicted to stay within the store's bounds, since start. */
  readonly droppedTraces: number;
  /** Spans refused because their trace was full (or they alone exceeded the store), since start. */
  readonly droppedSpans: number;
  /** `POST /v1/traces` requests answered 400, 413 or 415, since start. */
  readonly rejectedRequests: number;
  /** Spans accepted, since start (a span received twice counts twice). */
  readonly ingestedSpans: number;
}

/** `data` of the `update` server-sent event. */
export interface UpdateEvent {
  readonly traces: number;
  readonly spans: number;
  /** The trace that received spans last. */
  readonly latestTraceId: string | null;
}
