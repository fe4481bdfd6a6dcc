import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../errors.js";
import { decodeOtlp } from "./decode.js";
import { decodeOtlpProtobuf, exportTraceServiceRequestType } from "./protobuf.js";

const TRACE = Buffer.from("5b8efff798038103d269b633813fc60c", "hex");
const SPAN = Buffer.from("eee19b7ec3c1b174", "hex");

function encode(object: Record<string, unknown>): Uint8Array {
  const type = exportTraceServiceRequestType();
  return type.encode(type.fromObject(object)).finish();
}

function request(span: Record<string, unknown>): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
        scopeSpans: [{ spans: [span] }],
      },
    ],
  };
}

/** An ExportTraceServiceRequest around encoded Span bytes, with an InstrumentationScope and no resource. */
function wrapSpan(spanBytes: Uint8Array): Uint8Array {
  const scope = protobuf.Writer.create();
  scope.uint32((1 << 3) | 2).bytes(new Uint8Array([0x0a, 0x01, 0x78])); // InstrumentationScope { name: "x" }
  scope.uint32((2 << 3) | 2).bytes(spanBytes);
  const resourceSpans = protobuf.Writer.create()
    .uint32((2 << 3) | 2)
    .bytes(scope.finish())
    .finish();
  return protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .bytes(resourceSpans)
    .finish();
}

const base = {
  traceId: TRACE,
  spanId: SPAN,
  name: "chat gpt",
  kind: 3,
  startTimeUnixNano: "1700000000000000000",
  endTimeUnixNano: "1700000000120000000",
};

describe("OTLP protobuf decoding", () => {
  it("decodes every AnyValue member, events, status and the resource's service", () => {
    const body = encode(
      request({
        ...base,
        parentSpanId: Buffer.from("0102030405060708", "hex"),
        attributes: [
          { key: "s", value: { stringValue: "x" } },
          { key: "f", value: { boolValue: false } },
          { key: "i", value: { intValue: -3 } },
          { key: "d", value: { doubleValue: 1.5 } },
          { key: "a", value: { arrayValue: { values: [{ stringValue: "p" }, { boolValue: true }] } } },
          { key: "kv", value: { kvlistValue: { values: [{ key: "n", value: { intValue: 1 } }] } } },
          { key: "b", value: { bytesValue: Buffer.from([1, 2, 3]) } },
          { key: "empty", value: {} },
        ],
        events: [{ timeUnixNano: "1700000000050000000", name: "retry", attributes: [] }],
        status: { code: 2, message: "failed" },
      }),
    );
    const [span] = decodeOtlp(body, "protobuf");
    expect(span).toMatchObject({
      traceId: TRACE.toString("hex"),
      spanId: SPAN.toString("hex"),
      parentSpanId: "0102030405060708",
      name: "chat gpt",
      kind: "client",
      service: "svc",
      startMs: 1_700_000_000_000,
      endMs: 1_700_000_000_120,
      durationMs: 120,
      status: { code: "error", message: "failed" },
      events: [{ name: "retry", timeMs: 1_700_000_000_050 }],
    });
    // A `false` boolean and a negative int are set values, not defaults; an empty AnyValue is left out.
    expect({ ...span?.attributes }).toEqual({
      s: "x",
      f: false,
      i: -3,
      d: 1.5,
      a: ["p", true],
      kv: '{"n":1}',
      b: "AQID",
    });
  });

  it("skips fields it does not declare (links, flags, trace_state, the scope)", () => {
    const type = exportTraceServiceRequestType();
    const spanBytes = type.lookupType("Span").encode(type.lookupType("Span").fromObject(base)).finish();
    // Append Span.trace_state (3, string), Span.flags (16, fixed32) and a link (13, message).
    const extended = protobuf.Writer.create();
    extended.uint32((3 << 3) | 2).string("k=v");
    extended.uint32((16 << 3) | 5).fixed32(1);
    extended.uint32((13 << 3) | 2).bytes(new Uint8Array([0x0a, 0x00]));
    const spanWithExtras = Buffer.concat([spanBytes, extended.finish()]);
    const [span] = decodeOtlp(wrapSpan(spanWithExtras), "protobuf");
    expect(span).toMatchObject({ name: "chat gpt", service: "unknown_service" });
  });

  it("rejects a truncated body with a 400-style message", () => {
    const body = encode(request(base));
    for (const cut of [1, 5, body.length - 1]) {
      expect(() => decodeOtlpProtobuf(body.subarray(0, cut))).toThrow(OtlpDecodeError);
    }
    expect(() => decodeOtlpProtobuf(body.subarray(0, body.length - 1))).toThrow(/^malformed protobuf body: truncated/);
  });

  it("rejects bytes that are not an ExportTraceServiceRequest", () => {
    expect(() => decodeOtlp(new Uint8Array([0x0f, 0xff, 0xff, 0xff]), "protobuf")).toThrow(OtlpDecodeError);
    expect(() => decodeOtlp(new TextEncoder().encode('{"resourceSpans":[]}'), "protobuf")).toThrow(OtlpDecodeError);
  });

  it("rejects values nested deeper than the decoder's limit", () => {
    // AnyValue { arrayValue (5) { values (1): AnyValue { arrayValue … } } }, 200 levels deep, by hand.
    let value: Uint8Array = new Uint8Array([0x0a, 0x01, 0x78]); // AnyValue { stringValue: "x" }
    for (let i = 0; i < 200; i++) {
      const array = protobuf.Writer.create()
        .uint32((1 << 3) | 2)
        .bytes(value)
        .finish();
      value = protobuf.Writer.create()
        .uint32((5 << 3) | 2)
        .bytes(array)
        .finish();
    }
    const keyValue = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .string("deep")
      .uint32((2 << 3) | 2)
      .bytes(value);
    const spanType = exportTraceServiceRequestType().lookupType("Span");
    const spanBytes = Buffer.concat([
      spanType.encode(spanType.fromObject(base)).finish(),
      protobuf.Writer.create()
        .uint32((9 << 3) | 2)
        .bytes(keyValue.finish())
        .finish(),
    ]);
    expect(() => decodeOtlp(wrapSpan(spanBytes), "protobuf")).toThrow(
      "malformed protobuf body: values nested too deeply",
    );
  });

  it("validates decoded spans like JSON ones (missing ids, zero times)", () => {
    expect(() => decodeOtlp(encode(request({ ...base, traceId: Buffer.alloc(0) })), "protobuf")).toThrow(
      "resourceSpans[0].scopeSpans[0].spans[0].traceId: missing",
    );
    expect(() => decodeOtlp(encode(request({ ...base, spanId: Buffer.alloc(4, 1) })), "protobuf")).toThrow(
      "spanId: expected 8 bytes, got 4",
    );
    expect(() => decodeOtlp(encode(request({ ...base, startTimeUnixNano: 0 })), "protobuf")).toThrow(
      "startTimeUnixNano: missing",
    );
  });
});
