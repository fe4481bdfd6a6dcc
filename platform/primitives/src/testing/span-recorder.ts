/**
 * `SpanRecorder`: a dependency-free in-memory tracer provider for tests, plus a span-tree printer.
 *
 * @packageDocumentation
 */
import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  Link,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TimeInput,
  Tracer,
  TracerProvider,
} from "@opentelemetry/api";
import { SpanStatusCode, TraceFlags, context as otelContext, trace } from "@opentelemetry/api";

/** A finished or running span as recorded by {@link SpanRecorder}. @since 0.1.0 */
export interface RecordedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Readonly<Record<string, AttributeValue | undefined>>;
  readonly events: readonly { readonly name: string; readonly attributes: Attributes | undefined }[];
  readonly status: SpanStatus;
  readonly exceptions: readonly Exception[];
  readonly ended: boolean;
}

class RecordingSpan implements Span, RecordedSpan {
  name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, AttributeValue | undefined> = {};
  readonly events: { name: string; attributes: Attributes | undefined }[] = [];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly exceptions: Exception[] = [];
  ended = false;

  constructor(
    name: string,
    traceId: string,
    spanId: string,
    parentSpanId: string | undefined,
    attributes?: Attributes,
  ) {
    this.name = name;
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    if (attributes) this.setAttributes(attributes);
  }

  spanContext(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: TraceFlags.SAMPLED };
  }
  setAttribute(key: string, value: AttributeValue): this {
    if (!this.ended) this.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    for (const [key, value] of Object.entries(attributes)) if (value !== undefined) this.setAttribute(key, value);
    return this;
  }
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput): this {
    const attributes =
      typeof attributesOrTime === "object" && !(attributesOrTime instanceof Date) && !Array.isArray(attributesOrTime)
        ? attributesOrTime
        : undefined;
    if (!this.ended) this.events.push({ name, attributes });
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = status;
    return this;
  }
  updateName(name: string): this {
    this.name = name;
    return this;
  }
  end(): void {
    this.ended = true;
  }
  isRecording(): boolean {
    return !this.ended;
  }
  recordException(exception: Exception): void {
    this.exceptions.push(exception);
    this.addEvent("exception");
  }
}

/**
 * An in-memory OpenTelemetry tracer provider that records every span (ids are deterministic
 * counters), for asserting span trees without the SDK.
 *
 * @remarks
 * `install()` replaces the global tracer provider (disabling any registered one) and `uninstall()`
 * disables it again; install one recorder at a time.
 *
 * @example
 * ```ts
 * const recorder = new SpanRecorder().install();
 * await flow.execute(input);
 * expect(recorder.tree()).toBe("tta.sequential\n  tta.lambda\n  tta.lambda");
 * recorder.uninstall();
 * ```
 * @since 0.1.0
 */
export class SpanRecorder implements TracerProvider {
  readonly #spans: RecordingSpan[] = [];
  #ids = 0;

  /** Every span started so far, in start order. */
  get spans(): readonly RecordedSpan[] {
    return this.#spans;
  }

  /** Makes this recorder the global tracer provider. */
  install(): this {
    trace.disable();
    trace.setGlobalTracerProvider(this);
    return this;
  }

  /** Removes the global tracer provider (tracing is off again). */
  uninstall(): void {
    trace.disable();
  }

  /** Forgets recorded spans. */
  clear(): void {
    this.#spans.length = 0;
  }

  /** The span tree as indented names (two spaces per level), one root after another. */
  tree(): string {
    return formatSpanTree(this.#spans);
  }

  /** A tracer whose spans this recorder keeps (the `TracerProvider` method `trace.getTracer` calls once installed). */
  getTracer(): Tracer {
    const startSpan = (name: string, options?: SpanOptions, parentContext?: Context): Span => {
      const parent = options?.root ? undefined : trace.getSpanContext(parentContext ?? otelContext.active());
      const id = (++this.#ids).toString(16).padStart(16, "0");
      const span = new RecordingSpan(
        name,
        parent?.traceId ?? id.padStart(32, "0"),
        id,
        parent?.spanId,
        options?.attributes,
      );
      this.#spans.push(span);
      return span;
    };
    const startActiveSpan = (name: string, ...rest: unknown[]): unknown => {
      const fn = rest[rest.length - 1] as (span: Span) => unknown;
      const options = (rest.length >= 2 ? rest[0] : undefined) as SpanOptions | undefined;
      const parent = (rest.length >= 3 ? rest[1] : undefined) as Context | undefined;
      const span = startSpan(name, options, parent);
      return otelContext.with(trace.setSpan(parent ?? otelContext.active(), span), fn, undefined, span);
    };
    return { startSpan, startActiveSpan };
  }
}

/** The shape {@link formatSpanTree} needs; SDK `ReadableSpan`s fit too. @since 0.1.0 */
export interface SpanLike {
  readonly name: string;
  readonly parentSpanId?: string | undefined;
  readonly parentSpanContext?: { readonly spanId: string } | undefined;
  spanContext?(): { readonly spanId: string };
  readonly spanId?: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** SDK spans: `[seconds, nanoseconds]`; children are listed in start order when present. */
  readonly startTime?: readonly [number, number];
}

/**
 * Renders spans as an indented tree of names (two spaces per level), children in start order.
 * With `label`, each line is `label(span)` instead of the name.
 *
 * @example
 * ```ts
 * console.log(formatSpanTree(exporter.getFinishedSpans()));
 * ```
 * @since 0.1.0
 */
export function formatSpanTree(spans: readonly SpanLike[], label: (span: SpanLike) => string = (s) => s.name): string {
  const idOf = (s: SpanLike): string => s.spanId ?? s.spanContext?.().spanId ?? "";
  const parentOf = (s: SpanLike): string | undefined => s.parentSpanId ?? s.parentSpanContext?.spanId;
  const ids = new Set(spans.map(idOf));
  const children = new Map<string | undefined, SpanLike[]>();
  for (const span of spans) {
    const parent = parentOf(span);
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    const list = children.get(key) ?? [];
    list.push(span);
    children.set(key, list);
  }
  const started = (s: SpanLike): number => (s.startTime ? s.startTime[0] * 1e9 + s.startTime[1] : 0);
  for (const list of children.values()) list.sort((a, b) => started(a) - started(b));
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const span of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth)}${label(span)}`);
      walk(idOf(span), depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join("\n");
}
