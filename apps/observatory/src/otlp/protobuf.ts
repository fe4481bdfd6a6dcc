/**
 * OTLP/HTTP protobuf decoding: a protobufjs reflection descriptor of `ExportTraceServiceRequest` and
 * the messages it contains, written from the field numbers of the OTLP specification
 * (opentelemetry-proto: `collector/trace/v1/trace_service.proto`, `trace/v1/trace.proto`,
 * `common/v1/common.proto`, `resource/v1/resource.proto`).
 *
 * Only the fields the observatory shows are declared; the decoder skips every other field
 * (`trace_state`, `flags`, links, dropped counts, the instrumentation scope, schema URLs), as protobuf
 * decoders skip unknown fields, so newer senders keep working.
 *
 * @packageDocumentation
 */
import protobuf from "protobufjs";
import { OtlpDecodeError } from "../errors.js";

const { Field, OneOf, Root, Type } = protobuf;

/** Builds a message type from `[name, id, type, rule?]` rows. */
function message(name: string, fields: readonly (readonly [string, number, string, "repeated"?])[]): protobuf.Type {
  const type = new Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) type.add(new Field(fieldName, id, fieldType, rule));
  return type;
}

function buildRoot(): protobuf.Root {
  // opentelemetry.proto.common.v1
  const anyValue = message("AnyValue", [
    ["stringValue", 1, "string"],
    ["boolValue", 2, "bool"],
    ["intValue", 3, "int64"],
    ["doubleValue", 4, "double"],
    ["arrayValue", 5, "ArrayValue"],
    ["kvlistValue", 6, "KeyValueList"],
    ["bytesValue", 7, "bytes"],
  ]);
  anyValue.add(
    new OneOf("value", [
      "stringValue",
      "boolValue",
      "intValue",
      "doubleValue",
      "arrayValue",
      "kvlistValue",
      "bytesValue",
    ]),
  );
  const arrayValue = message("ArrayValue", [["values", 1, "AnyValue", "repeated"]]);
  const keyValueList = message("KeyValueList", [["values", 1, "KeyValue", "repeated"]]);
  const keyValue = message("KeyValue", [
    ["key", 1, "string"],
    ["value", 2, "AnyValue"],
  ]);
  // opentelemetry.proto.resource.v1
  const resource = message("Resource", [["attributes", 1, "KeyValue", "repeated"]]);
  // opentelemetry.proto.trace.v1 (enums read as their numbers: `kind` SpanKind, `code` StatusCode)
  const status = message("Status", [
    ["message", 2, "string"],
    ["code", 3, "int32"],
  ]);
  const event = message("Event", [
    ["timeUnixNano", 1, "fixed64"],
    ["name", 2, "string"],
    ["attributes", 3, "KeyValue", "repeated"],
  ]);
  const span = message("Span", [
    ["traceId", 1, "bytes"],
    ["spanId", 2, "bytes"],
    ["parentSpanId", 4, "bytes"],
    ["name", 5, "string"],
    ["kind", 6, "int32"],
    ["startTimeUnixNano", 7, "fixed64"],
    ["endTimeUnixNano", 8, "fixed64"],
    ["attributes", 9, "KeyValue", "repeated"],
    ["events", 11, "Event", "repeated"],
    ["status", 15, "Status"],
  ]);
  const scopeSpans = message("ScopeSpans", [["spans", 2, "Span", "repeated"]]);
  const resourceSpans = message("ResourceSpans", [
    ["resource", 1, "Resource"],
    ["scopeSpans", 2, "ScopeSpans", "repeated"],
  ]);
  // opentelemetry.proto.collector.trace.v1
  const request = message("ExportTraceServiceRequest", [["resourceSpans", 1, "ResourceSpans", "repeated"]]);

  const root = new Root();
  for (const type of [
    anyValue,
    arrayValue,
    keyValueList,
    keyValue,
    resource,
    status,
    event,
    span,
    scopeSpans,
    resourceSpans,
    request,
  ])
    root.add(type);
  root.resolveAll();
  return root;
}

let requestType: protobuf.Type | undefined;

/** The `ExportTraceServiceRequest` message type (built once, on first use). */
export function exportTraceServiceRequestType(): protobuf.Type {
  requestType ??= buildRoot().lookupType("ExportTraceServiceRequest");
  return requestType;
}

/**
 * Decodes an OTLP `ExportTraceServiceRequest` protobuf body into protobufjs message objects (fields
 * in camelCase; `fixed64`/`int64` as `Long` or number; `bytes` as `Uint8Array`; present `AnyValue`
 * members as own properties). Validation is {@link normalizeExport}'s job.
 *
 * @throws {@link OtlpDecodeError} when the bytes are not a well-formed message (truncated, wrong wire
 * types, nesting too deep).
 */
export function decodeOtlpProtobuf(body: Uint8Array): unknown {
  try {
    return exportTraceServiceRequestType().decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`malformed protobuf body: ${describeDecodeFailure(error)}`);
  }
}

/** A short reason from protobufjs' error (its messages name offsets and wire types, never content). */
function describeDecodeFailure(error: unknown): string {
  if (!(error instanceof Error)) return "not an ExportTraceServiceRequest";
  const text = error.message;
  if (/index out of range/.test(text)) return "truncated (a field runs past the end of the body)";
  if (/invalid wire type/.test(text)) return "invalid wire type (not an ExportTraceServiceRequest)";
  if (/max depth exceeded/.test(text)) return "values nested too deeply";
  if (/invalid utf-?8/i.test(text)) return "invalid UTF-8 in a string field";
  return "not an ExportTraceServiceRequest";
}
