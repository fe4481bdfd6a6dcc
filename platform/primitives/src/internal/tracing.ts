/**
 * Access to the OpenTelemetry tracer that costs one global read when no SDK is registered, so the
 * no-telemetry path pays nothing for span plumbing.
 */
import type { Attributes, Span, Tracer, TracerProvider } from "@opentelemetry/api";
import { ProxyTracerProvider, SpanStatusCode } from "@opentelemetry/api";
import { trace } from "@opentelemetry/api";
import { isTtaError } from "../core/errors.js";

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

/** Marks `span` failed with `error`: ERROR status, recorded exception, `error.type`. */
export function recordFailure(span: Span, error: unknown): void {
  const type = errorType(error);
  if (error instanceof Error) span.recordException(error);
  span.setAttribute("error.type", type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : type });
}

export type { Attributes };
