/**
 * W3C trace context across a queue: the caller's span is written into the job as `traceparent`
 * (and `tracestate`), and the worker reads it back as the parent of its spans.
 *
 * @packageDocumentation
 */
import type { Context as OtelContext, Span, TextMapGetter, TextMapSetter } from "@opentelemetry/api";
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from "@opentelemetry/api";

/** The trace headers a job carries. @since 0.1.0 */
export interface TraceCarrier {
  /** W3C `traceparent`: `00-<trace id>-<span id>-<flags>`. */
  traceparent?: string;
  /** W3C `tracestate`, when there is one. */
  tracestate?: string;
}

const setter: TextMapSetter<TraceCarrier> = {
  set(carrier, key, value) {
    if (key === "traceparent" || key === "tracestate") carrier[key] = value;
  },
};

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (key === "traceparent" || key === "tracestate" ? carrier[key] : undefined),
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The trace headers for `span`: through the global propagator (`setupObservability` registers the
 * W3C one), or written directly when no propagator is registered. `undefined` for a span with no
 * valid context (tracing off).
 *
 * @example
 * ```ts
 * const carrier = injectTrace(span); // { traceparent: "00-…-…-01" }
 * ```
 * @since 0.1.0
 */
export function injectTrace(span: Span): TraceCarrier | undefined {
  const sc = span.spanContext();
  if (!trace.isSpanContextValid(sc)) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
  if (carrier.traceparent === undefined) {
    const flags = (sc.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, "0");
    carrier.traceparent = `00-${sc.traceId}-${sc.spanId}-${flags}`;
  }
  return carrier;
}

/**
 * The OpenTelemetry context a job's trace headers describe (a remote parent span), or `undefined`
 * when there are none or they are malformed.
 *
 * @example
 * ```ts
 * const parent = extractTrace(job.data.trace);
 * ```
 * @since 0.1.0
 */
export function extractTrace(carrier: unknown): OtelContext | undefined {
  if (typeof carrier !== "object" || carrier === null) return undefined;
  const headers = carrier as TraceCarrier;
  if (typeof headers.traceparent !== "string") return undefined;
  const viaPropagator = propagation.extract(ROOT_CONTEXT, headers, getter);
  if (trace.getSpanContext(viaPropagator) !== undefined) return viaPropagator;
  const match = TRACEPARENT.exec(headers.traceparent);
  if (match === null) return undefined;
  const [, traceId = "", spanId = "", flags = "00"] = match;
  const sc = { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  return trace.isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : undefined;
}
