/**
 * W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage (`baggage`) across process
 * boundaries: `inject` into outgoing HTTP headers or queue-message headers, `extract` from incoming
 * ones, so one workflow stays one trace.
 *
 * @packageDocumentation
 */
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from "@opentelemetry/api";
import { ROOT_CONTEXT, context as otelContext, diag, propagation } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";

/**
 * A new W3C propagator pair (`traceparent`/`tracestate` + `baggage`): what {@link inject} and
 * {@link extract} use, and what tracing registers as the global propagator.
 *
 * @example
 * ```ts
 * propagation.setGlobalPropagator(createW3CPropagator());
 * ```
 * @since 0.1.0
 */
export function createW3CPropagator(): TextMapPropagator {
  return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
}

/**
 * Headers to read or write: a fetch `Headers` (or anything with `get`/`set`/`keys`), or a plain
 * object such as Node's `IncomingHttpHeaders` or a queue message's header map (values may be
 * arrays; reads are case-insensitive).
 * @since 0.1.0
 */
export type HeaderCarrier =
  | {
      get(name: string): string | null | undefined;
      set(name: string, value: string): unknown;
      keys(): Iterable<string>;
    }
  | Record<string, string | readonly string[] | undefined>;

/** What {@link extract} returns. @since 0.1.0 */
export interface ExtractedContext {
  /** An OpenTelemetry context holding the remote parent span (if any) and the baggage. */
  readonly context: Context;
  /** The baggage entries as a plain record, ready for `createContext({ baggage })`. */
  readonly baggage: Readonly<Record<string, string>>;
}

/** Options of {@link inject}. @since 0.1.0 */
export interface InjectOptions {
  /** Extra baggage to send, e.g. a `WorkflowContext`'s `ctx.baggage`; wins over the context's entries. @defaultValue none */
  readonly baggage?: Readonly<Record<string, string>> | undefined;
}

type HeadersLike = Extract<HeaderCarrier, { get(name: string): unknown }>;

function isHeadersLike(carrier: HeaderCarrier): carrier is HeadersLike {
  return typeof (carrier as Partial<HeadersLike>).get === "function";
}

const setter: TextMapSetter<HeaderCarrier> = {
  set(carrier, key, value) {
    if (isHeadersLike(carrier)) carrier.set(key, value);
    else (carrier as Record<string, string>)[key] = value;
  },
};

const getter: TextMapGetter<HeaderCarrier> = {
  keys(carrier) {
    return isHeadersLike(carrier) ? [...carrier.keys()] : Object.keys(carrier);
  },
  get(carrier, key) {
    if (isHeadersLike(carrier)) return carrier.get(key) ?? undefined;
    const record = carrier;
    let value = Object.hasOwn(record, key) ? record[key] : undefined;
    if (value === undefined) {
      const wanted = key.toLowerCase();
      for (const name of Object.keys(record))
        if (name.toLowerCase() === wanted) {
          value = record[name];
          break;
        }
    }
    return value as string | string[] | undefined;
  },
};

const w3c = createW3CPropagator();
let warned = false;

function isCarrier(carrier: unknown): carrier is HeaderCarrier {
  if (typeof carrier === "object" && carrier !== null) return true;
  if (!warned) {
    warned = true;
    diag.warn("@tta/observability: inject/extract need a headers object; ignoring", carrier);
  }
  return false;
}

/**
 * Writes `traceparent`, `tracestate` and `baggage` for `ctx` into `carrier` and returns the carrier.
 *
 * @remarks
 * Uses the W3C propagators directly (not the global propagator), so it works whether or not
 * `setupObservability` ran. With no valid span in `ctx`, no `traceparent` is written. Inside a
 * workflow step, `context.active()` is the step's span context when the `AsyncLocalStorage`
 * context manager is on (the default). Never throws (a non-object carrier is reported once via `diag`).
 *
 * @example
 * ```ts
 * const headers = inject(context.active(), new Headers(), { baggage: ctx.baggage });
 * await fetch(url, { headers });
 * ```
 * @since 0.1.0
 */
export function inject<C extends HeaderCarrier>(ctx: Context | undefined, carrier: C, options?: InjectOptions): C {
  if (!isCarrier(carrier)) return carrier;
  let source = ctx ?? otelContext.active();
  const extra = options?.baggage;
  if (extra !== undefined && Object.keys(extra).length > 0) {
    const current = propagation.getBaggage(source) ?? propagation.createBaggage();
    let merged = current;
    for (const [key, value] of Object.entries(extra))
      if (typeof value === "string") merged = merged.setEntry(key, { value });
    source = propagation.setBaggage(source, merged);
  }
  try {
    w3c.inject(source, carrier, setter);
  } catch (error) {
    diag.warn("@tta/observability: inject failed", error);
  }
  return carrier;
}

/**
 * Reads `traceparent`, `tracestate` and `baggage` from `carrier`.
 *
 * @remarks
 * Continue the remote trace by running the workflow inside the returned context; a top-level
 * primitive call takes `context.active()` as its parent (this needs the `AsyncLocalStorage` context
 * manager, on by default):
 * `context.with(extracted.context, () => flow.execute(input, createContext({ baggage: extracted.baggage })))`.
 * Invalid or missing headers give a context without a parent (a new trace) and empty baggage.
 * Never throws.
 *
 * @example
 * ```ts
 * const { context: parent, baggage } = extract(req.headers);
 * await context.with(parent, () => flow.execute(body, createContext({ baggage })));
 * ```
 * @since 0.1.0
 */
export function extract(carrier: HeaderCarrier, base: Context = ROOT_CONTEXT): ExtractedContext {
  if (!isCarrier(carrier)) return { context: base, baggage: Object.freeze({}) };
  let extracted = base;
  try {
    extracted = w3c.extract(base, carrier, getter);
  } catch (error) {
    diag.warn("@tta/observability: extract failed", error);
  }
  const baggage: Record<string, string> = {};
  for (const [key, entry] of propagation.getBaggage(extracted)?.getAllEntries() ?? []) baggage[key] = entry.value;
  return { context: extracted, baggage: Object.freeze(baggage) };
}
