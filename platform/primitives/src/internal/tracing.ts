/**
 * Access to the OpenTelemetry tracer through the public `@opentelemetry/api` only, re-checked on every
 * top-level execution (and every nested execution of a traced run) at the cost of the API's own global
 * read (ADR 0016), so the no-telemetry path pays nothing for span plumbing. A run whose top-level call
 * found no provider stays untraced (ADR 0006).
 */
import type { Attributes, Context as OtelContext, Span, Tracer, TracerProvider } from "@opentelemetry/api";
import { ROOT_CONTEXT, SpanStatusCode } from "@opentelemetry/api";
import { trace } from "@opentelemetry/api";
import { isTtaError } from "../core/errors.js";
import { RUN_CONTEXT_KEY } from "../core/instrumentation.js";
import type { RunIdentity } from "../core/instrumentation.js";
import { redactSecrets } from "./redact.js";

const TRACER_NAME = "@tta/primitives";

/**
 * The public surface of `ProxyTracerProvider` that detection uses. `trace.getTracerProvider()` returns
 * such a proxy in every 1.x release, but possibly one from another copy of the API (a second install,
 * or the other of its CommonJS and ESM builds), which `instanceof` would not recognise: hence duck typing.
 */
interface ProxyLike extends TracerProvider {
  getDelegate(): TracerProvider;
  getDelegateTracer(name: string): Tracer | undefined;
}

function isProxy(provider: TracerProvider): provider is ProxyLike {
  return (
    typeof (provider as Partial<ProxyLike>).getDelegate === "function" &&
    typeof (provider as Partial<ProxyLike>).getDelegateTracer === "function"
  );
}

let lastProvider: TracerProvider | undefined;
let lastDelegate: TracerProvider | undefined;
let lastTracer: Tracer | undefined;

/**
 * The tracer to use, or `undefined` when no tracer provider is registered (no spans are made then).
 * Re-checked on every call, so registering an SDK later (or `trace.disable()`) takes effect at once.
 *
 * @remarks
 * Public API only: the registered provider is the global proxy's delegate, and a proxy without one hands
 * out no delegate tracer (`getDelegateTracer` returns `undefined`). The tracer is looked up again only
 * when the proxy or its delegate changes, so a check is one `trace.getTracerProvider()` (the API's own
 * global read) plus one `getDelegate()` call: as cheap as the private-symbol read it replaced (ADR 0016).
 */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  const delegate = isProxy(provider) ? provider.getDelegate() : provider;
  if (delegate !== lastDelegate || provider !== lastProvider) {
    lastProvider = provider;
    lastDelegate = delegate;
    lastTracer = isProxy(provider) ? provider.getDelegateTracer(TRACER_NAME) : provider.getTracer(TRACER_NAME);
  }
  return lastTracer;
}

/**
 * An OpenTelemetry context that reads as `inner` with `RUN_CONTEXT_KEY` set to a run's identity, made
 * without copying `inner`: `inner.setValue(RUN_CONTEXT_KEY, run)` copies its whole map (and makes three
 * closures), which is a visible part of a one-primitive run's span cost (issue 11). The copy is made only
 * when something derives a context from this one (the span of a nested step), once, and then reused:
 * contexts derived from it are ordinary ones, with nothing to delegate.
 */
class RunOtelContext implements OtelContext {
  readonly #inner: OtelContext;
  readonly #run: RunIdentity;
  #flat: OtelContext | undefined = undefined;

  /** One instance for the class's lifetime, so that its hidden class survives a full GC (see `WorkflowContext`'s). */
  // eslint-disable-next-line no-unused-private-class-members -- held only to stay alive
  static readonly #shape: RunOtelContext = new RunOtelContext(ROOT_CONTEXT, { workflowId: "", correlationId: "" });

  constructor(inner: OtelContext, run: RunIdentity) {
    this.#inner = inner;
    this.#run = run;
  }

  getValue(key: symbol): unknown {
    return key === RUN_CONTEXT_KEY ? this.#run : this.#inner.getValue(key);
  }

  setValue(key: symbol, value: unknown): OtelContext {
    return this.flatten().setValue(key, value);
  }

  deleteValue(key: symbol): OtelContext {
    return this.flatten().deleteValue(key);
  }

  /** The ordinary context this one reads as (`inner` plus the run's identity), made once. */
  flatten(): OtelContext {
    return (this.#flat ??= this.#inner.setValue(RUN_CONTEXT_KEY, this.#run));
  }
}

/**
 * `otel` with `RUN_CONTEXT_KEY` set to `run`: what `otel.setValue(RUN_CONTEXT_KEY, run)` gives, without
 * copying `otel`.
 */
export function withRunIdentity(otel: OtelContext, run: RunIdentity): OtelContext {
  return new RunOtelContext(otel, run);
}

/**
 * `otel` as an ordinary OpenTelemetry context: a context made by {@link withRunIdentity} is copied once
 * (then reused), so that the spans of a run's nested steps start under, and look values up in, the
 * API's own context objects.
 */
export function plainOtelContext(otel: OtelContext): OtelContext {
  return otel instanceof RunOtelContext ? otel.flatten() : otel;
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
