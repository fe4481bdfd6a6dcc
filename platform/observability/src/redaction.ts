/**
 * The one redaction step every exported span goes through: status messages, event attributes
 * (`exception.message`, `exception.stacktrace`…) and string attributes are rewritten by the default
 * credential patterns of `@tta/primitives` (`redactSecrets`), plus the user's patterns and function.
 *
 * @packageDocumentation
 */
import type { Attributes, AttributeValue, Link, SpanStatus } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter, TimedEvent } from "@opentelemetry/sdk-trace-base";
import { InvalidOptionsError, REDACTED, redactSecrets } from "@tta/primitives";
import { booleanOption, describeShape, fail, readOptions } from "@tta/primitives/options";
import type { OnceReporter } from "./internal/report.js";

/**
 * How exported spans are redacted (`tracing.redact` of {@link setupObservability}).
 *
 * @remarks
 * The default credential patterns always apply (`redactSecrets` of `@tta/primitives`: `Bearer …`,
 * `Authorization: …`, `api_key=…`-style fields, `sk-…`, `AKIA…`, `AIza…`, `ghp_…` and other key
 * prefixes); these options add to them.
 * @since 0.1.0
 */
export interface RedactOptions {
  /**
   * More patterns to replace with `[REDACTED]` (a customer id shape, an internal token format). Matched
   * globally whatever their flags; a pattern that matches the empty string is rejected.
   * @defaultValue none
   */
  readonly patterns?: readonly RegExp[] | undefined;
  /**
   * A last rewrite of every exported text (after the patterns): return the text to export. If it throws
   * or returns a non-string, the whole text is replaced by `[REDACTED]` and that is reported once.
   * @defaultValue none
   */
  readonly redact?: ((text: string) => string) | undefined;
  /**
   * Drop messages and stack traces entirely: spans keep status `ERROR`, `error.type` and an `exception`
   * event with `exception.type`, but no status message, `exception.message` or `exception.stacktrace`.
   * @defaultValue `false`
   */
  readonly dropMessages?: boolean | undefined;
}

/** {@link RedactOptions} after validation. @since 0.1.0 */
export interface ResolvedRedactOptions {
  /** The user's patterns, as global copies. */
  readonly patterns: readonly RegExp[];
  readonly redact: ((text: string) => string) | undefined;
  readonly dropMessages: boolean;
}

const REDACT_KEYS = ["patterns", "redact", "dropMessages"] as const;
/** Event attributes that hold an error's message or stack trace. */
const MESSAGE_ATTRIBUTES = ["exception.message", "exception.stacktrace"] as const;

/** A global, non-sticky copy of `pattern`, so that `replace` rewrites every match. */
function globalCopy(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, "")}g`);
}

/**
 * Validates `tracing.redact`; `undefined` and `null` give the defaults (default patterns only).
 *
 * @throws {@link InvalidOptionsError} naming `tracing.redact`, `tracing.redact.<key>` (unknown key, wrong
 * type) or `tracing.redact.patterns[i]` (not a `RegExp`, or one that matches the empty string).
 * @example
 * ```ts
 * resolveRedactOptions({ patterns: [/cust-\d{6}/], dropMessages: true });
 * ```
 * @since 0.1.0
 */
export function resolveRedactOptions(value: unknown): ResolvedRedactOptions {
  const o = readOptions("setupObservability", value ?? undefined, REDACT_KEYS, "tracing.redact");
  const patterns: RegExp[] = [];
  if (o.patterns !== undefined) {
    if (!Array.isArray(o.patterns)) fail("tracing.redact.patterns", "an array of RegExp", o.patterns);
    (o.patterns as unknown[]).forEach((pattern, i) => {
      const option = `tracing.redact.patterns[${i}]`;
      if (!(pattern instanceof RegExp)) fail(option, "a RegExp", pattern);
      if (new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")).test(""))
        throw new InvalidOptionsError(option, `\`${option}\` matches the empty string; it would redact nothing useful`);
      patterns.push(globalCopy(pattern));
    });
  }
  const redact = o.redact;
  if (redact !== undefined && typeof redact !== "function")
    fail("tracing.redact.redact", "a function (text) => string", redact);
  const dropMessages = booleanOption("tracing.redact.dropMessages", o.dropMessages, false);
  return Object.freeze({
    patterns: Object.freeze(patterns),
    redact: redact as ((text: string) => string) | undefined,
    dropMessages,
  });
}

/** Rewrites one text: default patterns, then the user's patterns, then the user's function. */
type Redactor = (text: string) => string;

function createRedactor(options: ResolvedRedactOptions, reporter: OnceReporter): Redactor {
  const { patterns, redact } = options;
  const blank = (match: string): string => (match === "" ? "" : REDACTED);
  return (text) => {
    let out = redactSecrets(text);
    for (const pattern of patterns) out = out.replace(pattern, blank);
    if (redact === undefined) return out;
    try {
      const result: unknown = redact(out);
      if (typeof result !== "string") throw new TypeError(`it returned ${describeShape(result)}`);
      return result;
    } catch (error) {
      reporter.report(
        "redact",
        "tracing.redact.redact threw or returned a non-string; such texts are exported as [REDACTED]",
        error,
      );
      return REDACTED;
    }
  };
}

function redactValue(value: AttributeValue | undefined, redact: Redactor): AttributeValue | undefined {
  if (typeof value === "string") return redact(value);
  if (!Array.isArray(value) || !value.some((item) => typeof item === "string")) return value;
  return (value as readonly unknown[]).map((item) =>
    typeof item === "string" ? redact(item) : item,
  ) as AttributeValue;
}

/** `attributes` with every string redacted (and `drop` keys removed); the same object when nothing changed. */
function redactAttributes(attributes: Attributes, redact: Redactor, drop: readonly string[] = []): Attributes {
  let out: Attributes | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    const dropped = drop.includes(key);
    const next = dropped ? undefined : redactValue(value, redact);
    if (next === value && !dropped) continue;
    out ??= { ...attributes };
    if (dropped) delete out[key];
    else out[key] = next;
  }
  return out ?? attributes;
}

function redactStatus(status: SpanStatus, redact: Redactor, dropMessages: boolean): SpanStatus {
  if (status.message === undefined) return status;
  if (dropMessages) return { code: status.code };
  const message = redact(status.message);
  return message === status.message ? status : { code: status.code, message };
}

function redactEvent(event: TimedEvent, redact: Redactor, dropMessages: boolean): TimedEvent {
  if (event.attributes === undefined) return event;
  const attributes = redactAttributes(event.attributes, redact, dropMessages ? MESSAGE_ATTRIBUTES : []);
  return attributes === event.attributes ? event : { ...event, attributes };
}

function redactLink(link: Link, redact: Redactor): Link {
  if (link.attributes === undefined) return link;
  const attributes = redactAttributes(link.attributes, redact);
  return attributes === link.attributes ? link : { ...link, attributes };
}

/** A redacted read-only view of `span`, or `span` itself when nothing needed rewriting. */
function redactSpan(span: ReadableSpan, redact: Redactor, dropMessages: boolean): ReadableSpan {
  const status = redactStatus(span.status, redact, dropMessages);
  const attributes = redactAttributes(span.attributes, redact);
  const events = span.events.map((event) => redactEvent(event, redact, dropMessages));
  const links = span.links.map((link) => redactLink(link, redact));
  const same = (a: readonly unknown[], b: readonly unknown[]) => a.every((item, i) => item === b[i]);
  if (status === span.status && attributes === span.attributes && same(events, span.events) && same(links, span.links))
    return span;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext === undefined ? {} : { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status,
    attributes,
    links,
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/**
 * A span exporter that hands `inner` redacted copies of the spans: status messages, event attributes
 * (`exception.message`, `exception.stacktrace`…), span and link attributes, every string rewritten by
 * the default credential patterns of `@tta/primitives`, the configured `patterns` and `redact`; with
 * `dropMessages`, status messages and exception messages and stack traces are removed.
 *
 * @remarks
 * It applies to every span the tracer provider exports, TTA's and any other instrumentation's. Spans
 * with nothing to rewrite are passed through as they are. Redaction runs at export time (in the batch
 * processor, off the hot path); it never throws into the processor.
 *
 * @example
 * ```ts
 * const exporter = new RedactingSpanExporter(new InMemorySpanExporter(), resolveRedactOptions({}), reporter);
 * ```
 * @since 0.1.0
 */
export class RedactingSpanExporter implements SpanExporter {
  /** The wrapped exporter. */
  readonly inner: SpanExporter;
  readonly #redact: Redactor;
  readonly #dropMessages: boolean;
  readonly #reporter: OnceReporter;

  constructor(inner: SpanExporter, options: ResolvedRedactOptions, reporter: OnceReporter) {
    this.inner = inner;
    this.#redact = createRedactor(options, reporter);
    this.#dropMessages = options.dropMessages;
    this.#reporter = reporter;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let redacted: ReadableSpan[];
    try {
      redacted = spans.map((span) => redactSpan(span, this.#redact, this.#dropMessages));
    } catch (error) {
      // Never export what could not be redacted.
      this.#reporter.report("redact:span", "redacting spans failed; they are dropped", error);
      resultCallback({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return;
    }
    this.inner.export(redacted, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
