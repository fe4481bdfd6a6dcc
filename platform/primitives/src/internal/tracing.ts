/**
 * Access to the OpenTelemetry tracer that costs one global read when no SDK is registered, so the
 * no-telemetry path pays nothing for span plumbing.
 */
import type { Attributes, Span, Tracer, TracerProvider } from "@opentelemetry/api";
import { ProxyTracerProvider, SpanStatusCode } from "@opentelemetry/api";
import { trace } from "@opentelemetry/api";
import { isTtaError } from "../core/errors.js";
import { redactSecrets } from "./redact.js";

const TRACER_NAME = "@tta/primitives";
const NOOP_PROVIDER: TracerProvider = new ProxyTracerProvider().getDelegate();

/** The slot where `@opentelemetry/api` 1.x keeps its registered globals (tracer provider, propagator…). */
const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");

let lastProvider: TracerProvider | undefined;
let lastDelegate: TracerProvider | undefined;
let lastTracer: Tracer | undefined;

function isNoop(provider: TracerProvider): boolean {
  return provider === NOOP_PROVIDER || provider.constructor.name === "NoopTracerProvider";
}

/**
 * The tracer to use, or `undefined` when no tracer provider is registered (no spans are made then).
 * Re-checked on every call, so registering an SDK later takes effect at once.
 */
export function activeTracer(): Tracer | undefined {
  // Fast exit: nothing at all is registered with the OpenTelemetry API in this process.
  if ((globalThis as Record<symbol, unknown>)[OTEL_GLOBAL] === undefined) return undefined;
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  if (delegate !== lastDelegate || provider !== lastProvider) {
    lastProvider = provider;
    lastDelegate = delegate;
    lastTracer = isNoop(delegate) ? undefined : provider.getTracer(TRACER_NAME);
  }
  return lastTracer;
}

/** `error.type` for a span or event: the `TtaError` code when there is one, else the error's name. */
export function errorType(error: unknown): string {
  if (isTtaError(error)) return error.code;
  if (error instanceof Error) return error.name;
  return typeof error;
}

/** One versioned global slot, so that every copy of the package in a process shares what was recorded. */
const RECORDED_KEY = Symbol.for("tta.recorded-errors.v1");
const recordedSlot = globalThis as { [RECORDED_KEY]?: WeakMap<object, string> };
/** Error → id of the trace whose span recorded it as an exception event. */
const recorded: WeakMap<object, string> = (recordedSlot[RECORDED_KEY] ??= new WeakMap());

/**
 * Marks `span` failed with `error`: status `ERROR` and an `error.type` attribute (the `TtaError` code,
 * else the error's `name`, else its `typeof`), plus, on the span where the error arose only, an
 * `exception` event and a status message, both redacted.
 *
 * @remarks
 * "Where the error arose" is the first span of a trace that records a given error object: an ancestor
 * that later sees the same error (it travels up through `sequential`, `retry`, `timeout`…) gets
 * `ERROR` and `error.type` only, with no status message and no `exception` event, so one failure puts
 * one copy of its message in a trace, not one per ancestor. Every copy of `@tta/primitives` in the
 * process shares this bookkeeping (a `Symbol.for` global, weakly held: errors are not kept alive).
 *
 * The recorded exception is a sanitised copy (`code`, `name`, and the message and stack trace run
 * through {@link redactSecrets}); the status message is the same redacted message. The error object
 * itself is never changed. A thrown value that is not an `Error` gets no message and no event.
 *
 * Use it in a primitive of your own, or around a span you open yourself, so that failures are recorded
 * the way TTA records them. Never throws for a valid span.
 *
 * @example
 * ```ts
 * const span = tracer.startSpan("fetch-profile");
 * try {
 *   return await fetchProfile(id);
 * } catch (error) {
 *   recordSpanFailure(span, error); // status ERROR, error.type, a redacted exception event
 *   throw error;
 * } finally {
 *   span.end();
 * }
 * ```
 * @since 0.1.0
 */
export function recordSpanFailure(span: Span, error: unknown): void {
  span.setAttribute("error.type", errorType(error));
  if (!(error instanceof Error) || !claimRecording(error, span)) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    return;
  }
  const message = redactSecrets(error.message);
  const exception: { name: string; message: string; code?: string | number; stack?: string } = {
    name: error.name,
    message,
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") exception.code = code;
  if (typeof error.stack === "string") exception.stack = redactSecrets(error.stack);
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** True for the first span of a trace that records `error` (which is then marked for that trace). */
function claimRecording(error: object, span: Span): boolean {
  const traceId = span.spanContext().traceId;
  if (recorded.get(error) === traceId) return false;
  recorded.set(error, traceId);
  return true;
}

export type { Attributes };
