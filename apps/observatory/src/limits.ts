/**
 * Size limits on what one span may hold, so that a flood of spans keeps memory bounded.
 *
 * @packageDocumentation
 */
import type { AttributeValue, Attributes, SpanEventView, SpanRecord } from "./types.js";

/** Per-span limits applied when spans are decoded and stored. */
export const SPAN_LIMITS = Object.freeze({
  /** Longest string kept (attribute values, names, status messages), in UTF-16 code units; longer ones are cut. */
  maxStringLength: 4096,
  /** Longest attribute key kept; longer keys are cut. */
  maxKeyLength: 256,
  /** Items kept of an array value. */
  maxArrayItems: 128,
  /** Attributes kept per span, per event and per resource. */
  maxAttributes: 128,
  /** Events kept per span. */
  maxEvents: 128,
});

/** What a cut string ends with. */
export const TRUNCATION_MARK = "…";

/** `text`, cut to `max` code units (the last one being {@link TRUNCATION_MARK}) when longer. */
export function truncate(text: string, max: number = SPAN_LIMITS.maxStringLength): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Never leave half of a surrogate pair at the end.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + TRUNCATION_MARK;
}

function valueWithinLimits(value: AttributeValue): boolean {
  if (typeof value === "string") return value.length <= SPAN_LIMITS.maxStringLength;
  if (!Array.isArray(value)) return true;
  if (value.length > SPAN_LIMITS.maxArrayItems) return false;
  for (const item of value) if (typeof item === "string" && item.length > SPAN_LIMITS.maxStringLength) return false;
  return true;
}

function attributesWithinLimits(attributes: Attributes): boolean {
  let count = 0;
  for (const key in attributes) {
    if (++count > SPAN_LIMITS.maxAttributes || key.length > SPAN_LIMITS.maxKeyLength) return false;
    if (!valueWithinLimits(attributes[key] as AttributeValue)) return false;
  }
  return true;
}

function capValue(value: AttributeValue): AttributeValue {
  if (typeof value === "string") return truncate(value);
  if (!Array.isArray(value)) return value;
  return value.slice(0, SPAN_LIMITS.maxArrayItems).map((item) => (typeof item === "string" ? truncate(item) : item));
}

function capAttributes(attributes: Attributes): Attributes {
  const out = Object.create(null) as Attributes;
  let count = 0;
  for (const key in attributes) {
    if (count++ >= SPAN_LIMITS.maxAttributes) break;
    out[truncate(key, SPAN_LIMITS.maxKeyLength)] = capValue(attributes[key] as AttributeValue);
  }
  return out;
}

/**
 * `span` itself when it is within {@link SPAN_LIMITS}, else a copy cut down to them. Spans decoded by
 * `decodeOtlp` are always within the limits; this guards spans built by other code.
 */
export function capSpan(span: SpanRecord): SpanRecord {
  const fits =
    span.name.length <= SPAN_LIMITS.maxStringLength &&
    span.service.length <= SPAN_LIMITS.maxStringLength &&
    (span.status.message?.length ?? 0) <= SPAN_LIMITS.maxStringLength &&
    span.events.length <= SPAN_LIMITS.maxEvents &&
    attributesWithinLimits(span.attributes) &&
    span.events.every(
      (event) => event.name.length <= SPAN_LIMITS.maxStringLength && attributesWithinLimits(event.attributes),
    );
  if (fits) return span;
  const events: SpanEventView[] = span.events.slice(0, SPAN_LIMITS.maxEvents).map((event) => ({
    name: truncate(event.name),
    timeMs: event.timeMs,
    attributes: capAttributes(event.attributes),
  }));
  const status =
    span.status.message === undefined
      ? span.status
      : { code: span.status.code, message: truncate(span.status.message) };
  return {
    ...span,
    name: truncate(span.name),
    service: truncate(span.service),
    status,
    attributes: capAttributes(span.attributes),
    events,
  };
}
