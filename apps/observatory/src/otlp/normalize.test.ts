import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../errors.js";
import { SPAN_LIMITS } from "../limits.js";
import { jsonRequest, jsonSpan } from "../test-support/spans.js";
import { decodeOtlp } from "./decode.js";
import { normalizeExport } from "./normalize.js";

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";

function decodeJson(body: unknown) {
  return decodeOtlp(new TextEncoder().encode(JSON.stringify(body)), "json");
}

function reason(body: unknown): string {
  try {
    decodeJson(body);
  } catch (error) {
    expect(error).toBeInstanceOf(OtlpDecodeError);
    return (error as Error).message;
  }
  throw new Error("expected a decode error");
}

describe("normalizeExport (OTLP JSON)", () => {
  it("reads a span: hex ids, nanosecond strings, kind, status, attributes, events, service", () => {
    const [span] = decodeJson(
      jsonRequest(
        [
          jsonSpan({
            traceId: TRACE,
            spanId: SPAN,
            parentSpanId: "1111111111111111",
            name: "tta.retry",
            startMs: 1_700_000_000_000.5,
            endMs: 1_700_000_000_250.5,
            kind: 3,
            status: { code: 2, message: "boom" },
            attributes: {
              s: { stringValue: "x" },
              b: { boolValue: false },
              i: { intValue: "42" },
              d: { doubleValue: 0.25 },
              a: { arrayValue: { values: [{ stringValue: "p" }, { intValue: 7 }] } },
              kv: { kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] } },
              raw: { bytesValue: "AQID" },
            },
            events: [
              { name: "retry", timeMs: 1_700_000_000_100, attributes: { "tta.retry.attempt": { intValue: 1 } } },
            ],
          }),
        ],
        "checkout",
      ),
    );
    expect(span).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: "1111111111111111",
      name: "tta.retry",
      kind: "client",
      service: "checkout",
      status: { code: "error", message: "boom" },
      events: [{ name: "retry", timeMs: 1_700_000_000_100, attributes: { "tta.retry.attempt": 1 } }],
    });
    expect(span?.startMs).toBeCloseTo(1_700_000_000_000.5, 3);
    expect(span?.durationMs).toBeCloseTo(250, 3);
    expect({ ...span?.attributes }).toEqual({
      s: "x",
      b: false,
      i: 42,
      d: 0.25,
      a: ["p", 7],
      kv: '{"k":true}',
      raw: "AQID",
    });
  });

  it("accepts base64 ids, numeric int64 times, enum names and a missing resource", () => {
    const [span] = normalizeExport({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(TRACE, "hex").toString("base64"),
                  spanId: Buffer.from(SPAN, "hex").toString("base64"),
                  name: "n",
                  kind: "SPAN_KIND_SERVER",
                  startTimeUnixNano: 1_700_000_000_000_000_000,
                  endTimeUnixNano: "1700000000001000000",
                  status: { code: "STATUS_CODE_OK" },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(span).toMatchObject({ traceId: TRACE, spanId: SPAN, kind: "server", service: "unknown_service" });
    expect(span?.status).toEqual({ code: "ok" });
    expect(span?.parentSpanId).toBeUndefined();
  });

  it("accepts an empty request and empty lists", () => {
    expect(decodeJson({})).toEqual([]);
    expect(decodeJson({ resourceSpans: [{ scopeSpans: [{ spans: [] }] }] })).toEqual([]);
  });

  it("keeps a value beyond 2^53 as its exact decimal text", () => {
    const [span] = decodeJson(
      jsonRequest([jsonSpan({ traceId: TRACE, attributes: { big: { intValue: "9007199254740993" } } })]),
    );
    expect(span?.attributes.big).toBe("9007199254740993");
  });

  it.each([
    [{ traceId: undefined }, "resourceSpans[0].scopeSpans[0].spans[0].traceId: missing"],
    [{ traceId: "abc" }, "resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters or base64"],
    [{ traceId: "0".repeat(32) }, "traceId: all zeros"],
    [{ traceId: 12 }, "traceId: expected a hex or base64 string or bytes, got a number"],
    [{ spanId: "" }, "spans[0].spanId: missing"],
    [{ spanId: TRACE }, "spans[0].spanId: expected 16 hex characters or base64 of 8 bytes"],
    [{ parentSpanId: "zz" }, "spans[0].parentSpanId:"],
    [{ startTimeUnixNano: undefined }, "spans[0].startTimeUnixNano: missing"],
    [{ startTimeUnixNano: "soon" }, "spans[0].startTimeUnixNano: expected a decimal integer string"],
    [{ endTimeUnixNano: "-5" }, "spans[0].endTimeUnixNano: negative time"],
    [{ endTimeUnixNano: "1" }, "spans[0].endTimeUnixNano: before startTimeUnixNano"],
    [{ name: 5 }, "spans[0].name: expected a string"],
    [{ kind: "SPAN_KIND_SIDEWAYS" }, "spans[0].kind: unknown value"],
    [{ kind: true }, "spans[0].kind: expected an enum number"],
    [{ status: "bad" }, "spans[0].status: expected a Status object"],
    [{ attributes: {} }, "spans[0].attributes: expected an array"],
    [{ attributes: [{ key: 1, value: { stringValue: "x" } }] }, "spans[0].attributes[0].key: expected a string"],
    [{ attributes: [{ key: "k", value: { intValue: "1.5" } }] }, "spans[0].attributes[0].value: intValue:"],
    [{ attributes: [{ key: "k", value: { boolValue: "yes" } }] }, "attributes[0].value: boolValue: expected a boolean"],
    [{ events: [{ name: "e" }] }, "spans[0].events[0].timeUnixNano: missing"],
  ])("rejects %j with a precise message", (patch, expected) => {
    const span = { ...jsonSpan({ traceId: TRACE, spanId: SPAN }), ...patch };
    expect(reason(jsonRequest([span]))).toContain(expected);
  });

  it("rejects structures of the wrong type", () => {
    expect(reason([])).toBe("body: expected an ExportTraceServiceRequest object");
    expect(reason({ resourceSpans: {} })).toBe("resourceSpans: expected an array");
    expect(reason({ resourceSpans: [5] })).toBe("resourceSpans[0]: expected a ResourceSpans object");
    expect(reason({ resourceSpans: [{ scopeSpans: [{ spans: "x" }] }] })).toBe(
      "resourceSpans[0].scopeSpans[0].spans: expected an array",
    );
  });

  it("never quotes the body in a message", () => {
    const secret = "sk-live-do-not-echo-me";
    expect(reason(jsonRequest([{ ...jsonSpan({ traceId: TRACE }), spanId: secret }]))).not.toContain(secret);
    expect(() => decodeOtlp(new TextEncoder().encode(`{"resourceSpans": [${secret}`), "json")).toThrow(
      /^malformed JSON body: syntax error/,
    );
    try {
      decodeOtlp(new TextEncoder().encode(`{"x": ${secret}}`), "json");
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it("rejects bodies that are not UTF-8 JSON", () => {
    expect(() => decodeOtlp(new Uint8Array([0xff, 0xfe, 0x00]), "json")).toThrow("not valid UTF-8");
    expect(() => decodeOtlp(new Uint8Array(0), "json")).toThrow("malformed JSON body: empty");
  });

  it("applies the per-span limits while decoding", () => {
    const attributes: Record<string, { stringValue: string }> = {};
    for (let i = 0; i < 200; i++) attributes[`k${i}`] = { stringValue: "v" };
    attributes.k0 = { stringValue: "x".repeat(10_000) };
    const many = Array.from({ length: 300 }, (_, i) => ({ intValue: i }));
    const [span] = decodeJson(
      jsonRequest([
        jsonSpan({
          traceId: TRACE,
          name: "n".repeat(5000),
          attributes: { ...attributes },
          events: Array.from({ length: 200 }, () => ({ name: "e", timeMs: 1_700_000_000_000 })),
        }),
        jsonSpan({ traceId: TRACE, attributes: { list: { arrayValue: { values: many } } } }),
      ]),
    );
    expect(Object.keys(span?.attributes ?? {})).toHaveLength(SPAN_LIMITS.maxAttributes);
    expect((span?.attributes.k0 as string).length).toBe(SPAN_LIMITS.maxStringLength);
    expect(span?.name.length).toBe(SPAN_LIMITS.maxStringLength);
    expect(span?.events).toHaveLength(SPAN_LIMITS.maxEvents);
    const [, second] = decodeJson(
      jsonRequest([
        jsonSpan({ traceId: TRACE }),
        jsonSpan({ traceId: TRACE, attributes: { list: { arrayValue: { values: many } } } }),
      ]),
    );
    expect(second?.attributes.list).toHaveLength(SPAN_LIMITS.maxArrayItems);
  });

  it("treats __proto__ as an ordinary attribute key", () => {
    const [span] = decodeJson(
      jsonRequest([jsonSpan({ traceId: TRACE, attributes: { ["__proto__"]: { stringValue: "x" } } })]),
    );
    expect(Object.getPrototypeOf(span?.attributes)).toBeNull();
    expect(span?.attributes["__proto__"]).toBe("x");
  });
});
