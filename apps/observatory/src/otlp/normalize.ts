/**
 * Turns a decoded OTLP `ExportTraceServiceRequest` (from protobuf or JSON) into {@link SpanRecord}s,
 * validating it on the way: the first problem rejects the whole request with an
 * {@link OtlpDecodeError} naming the field (`resourceSpans[0].scopeSpans[1].spans[7].spanId: …`).
 *
 * @packageDocumentation
 */
import { OtlpDecodeError } from "../errors.js";
import { SPAN_LIMITS, truncate } from "../limits.js";
import type { Attributes, SpanEventView, SpanKindName, SpanRecord, SpanStatusCode, SpanStatusView } from "../types.js";
import { emptyAttributes, isInvalid, readAttributes, readId, readTimeMs } from "./values.js";

/** Service name of spans whose resource has no string `service.name`. */
export const UNKNOWN_SERVICE = "unknown_service";

const KIND_NAMES: readonly SpanKindName[] = ["unspecified", "internal", "server", "client", "producer", "consumer"];
const KIND_PREFIX = "SPAN_KIND_";
const STATUS_NAMES: readonly SpanStatusCode[] = ["unset", "ok", "error"];
const STATUS_PREFIX = "STATUS_CODE_";

function fail(path: string, reason: string): never {
  throw new OtlpDecodeError(`${path}: ${reason}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** An optional repeated field: `[]` when absent, else the array (or a 400). */
function list(value: unknown, path: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, "expected an array");
  return value;
}

/** An enum as a name: a number (unknown numbers are the first name) or the enum value's name. */
function readEnum<T extends string>(value: unknown, names: readonly T[], prefix: string, path: string): T {
  if (value === undefined || value === null) return names[0] as T;
  if (typeof value === "number" && Number.isInteger(value)) return names[value] ?? (names[0] as T);
  if (typeof value === "string") {
    const name = value.startsWith(prefix) ? value.slice(prefix.length).toLowerCase() : value.toLowerCase();
    const found = names.find((candidate) => candidate === name);
    if (found !== undefined) return found;
    fail(path, `unknown value (expected a number or ${prefix}*)`);
  }
  return fail(path, "expected an enum number");
}

function readAttributesAt(value: unknown, path: string): Attributes {
  const attributes = readAttributes(value);
  // The reason starts with `[index]…` or `: …`, so it continues the path.
  if (isInvalid(attributes)) throw new OtlpDecodeError(`${path}${attributes.invalid}`);
  return attributes;
}

function readStatus(value: unknown, path: string): SpanStatusView {
  if (value === undefined || value === null) return { code: "unset" };
  if (!isObject(value)) fail(path, "expected a Status object");
  const code = readEnum(value.code, STATUS_NAMES, STATUS_PREFIX, `${path}.code`);
  const message = value.message;
  if (message === undefined || message === null || message === "") return { code };
  if (typeof message !== "string") fail(`${path}.message`, "expected a string");
  return { code, message: truncate(message) };
}

function readEvents(value: unknown, path: string): SpanEventView[] {
  const items = list(value, path);
  const events: SpanEventView[] = [];
  const count = Math.min(items.length, SPAN_LIMITS.maxEvents);
  for (let i = 0; i < count; i++) {
    const at = `${path}[${i}]`;
    const event = items[i];
    if (!isObject(event)) fail(at, "expected an Event object");
    const timeMs = readTimeMs(event.timeUnixNano);
    if (timeMs === undefined) fail(`${at}.timeUnixNano`, "missing");
    if (isInvalid(timeMs)) fail(`${at}.timeUnixNano`, timeMs.invalid);
    const name = event.name ?? "";
    if (typeof name !== "string") fail(`${at}.name`, "expected a string");
    events.push({ name: truncate(name), timeMs, attributes: readAttributesAt(event.attributes, `${at}.attributes`) });
  }
  return events;
}

function readSpan(span: unknown, service: string, path: string): SpanRecord {
  if (!isObject(span)) fail(path, "expected a Span object");
  const traceId = readId(span.traceId, 16);
  if (traceId === undefined) fail(`${path}.traceId`, "missing");
  if (isInvalid(traceId)) fail(`${path}.traceId`, traceId.invalid);
  const spanId = readId(span.spanId, 8);
  if (spanId === undefined) fail(`${path}.spanId`, "missing");
  if (isInvalid(spanId)) fail(`${path}.spanId`, spanId.invalid);
  const parentSpanId = readId(span.parentSpanId, 8);
  if (isInvalid(parentSpanId)) fail(`${path}.parentSpanId`, parentSpanId.invalid);
  const name = span.name ?? "";
  if (typeof name !== "string") fail(`${path}.name`, "expected a string");
  const startMs = readTimeMs(span.startTimeUnixNano);
  if (startMs === undefined) fail(`${path}.startTimeUnixNano`, "missing");
  if (isInvalid(startMs)) fail(`${path}.startTimeUnixNano`, startMs.invalid);
  const endMs = readTimeMs(span.endTimeUnixNano);
  if (endMs === undefined) fail(`${path}.endTimeUnixNano`, "missing");
  if (isInvalid(endMs)) fail(`${path}.endTimeUnixNano`, endMs.invalid);
  if (endMs < startMs) fail(`${path}.endTimeUnixNano`, "before startTimeUnixNano");
  const record: SpanRecord = {
    traceId,
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name: truncate(name),
    kind: readEnum(span.kind, KIND_NAMES, KIND_PREFIX, `${path}.kind`),
    service,
    startMs,
    endMs,
    durationMs: endMs - startMs,
    status: readStatus(span.status, `${path}.status`),
    attributes: readAttributesAt(span.attributes, `${path}.attributes`),
    events: readEvents(span.events, `${path}.events`),
  };
  return record;
}

function readService(resource: unknown, path: string): string {
  if (resource === undefined || resource === null) return UNKNOWN_SERVICE;
  if (!isObject(resource)) fail(path, "expected a Resource object");
  const attributes =
    resource.attributes === undefined ? emptyAttributes() : readAttributesAt(resource.attributes, `${path}.attributes`);
  const name = attributes["service.name"];
  return typeof name === "string" && name !== "" ? name : UNKNOWN_SERVICE;
}

/**
 * The spans of a decoded `ExportTraceServiceRequest`, in request order, with the per-span limits
 * ({@link SPAN_LIMITS}) applied. An empty request (`{}`) has no spans.
 *
 * @throws {@link OtlpDecodeError} for the first invalid field: a missing, wrongly sized or all-zero
 * trace or span id, a missing or negative start or end time, an end before the start, a value of the
 * wrong type.
 */
export function normalizeExport(request: unknown): SpanRecord[] {
  if (!isObject(request)) fail("body", "expected an ExportTraceServiceRequest object");
  const spans: SpanRecord[] = [];
  const resourceSpans = list(request.resourceSpans, "resourceSpans");
  for (let i = 0; i < resourceSpans.length; i++) {
    const rsPath = `resourceSpans[${i}]`;
    const rs = resourceSpans[i];
    if (!isObject(rs)) fail(rsPath, "expected a ResourceSpans object");
    const service = readService(rs.resource, `${rsPath}.resource`);
    const scopeSpans = list(rs.scopeSpans, `${rsPath}.scopeSpans`);
    for (let j = 0; j < scopeSpans.length; j++) {
      const ssPath = `${rsPath}.scopeSpans[${j}]`;
      const ss = scopeSpans[j];
      if (!isObject(ss)) fail(ssPath, "expected a ScopeSpans object");
      const items = list(ss.spans, `${ssPath}.spans`);
      for (let k = 0; k < items.length; k++) spans.push(readSpan(items[k], service, `${ssPath}.spans[${k}]`));
    }
  }
  return spans;
}
