// The generated OTLP load of the observatory ingest benchmark (src/observatory-ingest.mjs): requests of
// 50 spans, each 5 traces of 10 spans shaped like the spans @tta/primitives and @tta/observability
// write for a support ticket (a named sequential, a cache, a fallback over a circuit breaker over a
// retry of GenAI client spans, a tool call), with their real attribute names, `retry` and
// `exception` events and error statuses. Deterministic: request i is the same in every process.
// Encoded as OTLP/HTTP protobuf with the observatory's own descriptor (exportTraceServiceRequestType)
// and as OTLP JSON (hex ids, nanosecond strings, as the OpenTelemetry JS JSON exporter sends).
import { TextEncoder } from "node:util";
import { exportTraceServiceRequestType } from "@tta/observatory";

export const SPANS_PER_TRACE = 10;
export const TRACES_PER_REQUEST = 5;
export const SPANS_PER_REQUEST = SPANS_PER_TRACE * TRACES_PER_REQUEST;

/** The first trace's start, in ms since the epoch; each trace starts 20 ms after the previous one. */
const T0_MS = 1_767_225_600_000;
const MODELS = [
  ["sim-primary", "primary-model", 0.3, 1.2],
  ["sim-backup", "backup-model", 2.5, 10],
];

const hex = (n, bytes) =>
  n
    .toString(16)
    .padStart(bytes * 2, "0")
    .slice(-bytes * 2);
/** A 16-byte trace id and 8-byte span ids that differ in their high bits (like random ids). */
const traceIdOf = (t) => hex(0x9e3779b97f4a7c15n * BigInt(t + 1), 8) + hex(BigInt(t + 1), 8);
const spanIdOf = (t, s) => hex(0x2545f4914f6cdd1dn * BigInt(t * 16 + s + 1), 8);
const uuidOf = (t) => {
  const h = traceIdOf(t);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * One trace `t` (global index) as span specs: `{ spanId, parent, name, kind, startMs, endMs, error,
 * attributes, events }` with attributes as `[key, value]` (string, integer, double, boolean, string[]).
 */
function traceSpans(t) {
  const start = T0_MS + t * 20;
  const outage = t % 10 >= 6; // 40 % of the tickets hit the primary's outage: retries, fallback, open breaker
  const flaky = !outage && t % 10 >= 4;
  const base = [
    ["tta.workflow.id", `ticket-${t}`],
    ["tta.correlation.id", uuidOf(t)],
  ];
  const prim = (kind, name) => [...base, ["tta.primitive.kind", kind], ["tta.primitive.name", name]];
  const chat = ([provider, model, inPrice, outPrice], ok, input, output) => [
    ...prim("model", "ModelPrimitive"),
    ["gen_ai.operation.name", "chat"],
    ["gen_ai.provider.name", provider],
    ["gen_ai.request.model", model],
    ...(ok
      ? [
          ["gen_ai.response.model", model],
          ["gen_ai.usage.input_tokens", input],
          ["gen_ai.usage.output_tokens", output],
          ["gen_ai.response.finish_reasons", ["stop"]],
          ["tta.llm.cost_usd", (input * inPrice + output * outPrice) / 1e6],
        ]
      : [["error.type", outage ? "PROVIDER_ERROR" : "RATE_LIMITED"]]),
  ];
  const failure = (at) => ({
    name: "exception",
    timeMs: at,
    attributes: [
      ["exception.type", "ProviderError"],
      ["exception.message", outage ? "sim-primary: 503 Service Unavailable" : "sim-primary: 429 Too Many Requests"],
    ],
  });
  const spans = [];
  const add = (parent, name, kind, from, to, attributes, extra = {}) => {
    const span = { spanId: spanIdOf(t, spans.length), parent, name, kind, startMs: start + from, endMs: start + to };
    spans.push({ ...span, error: extra.error, attributes, events: extra.events ?? [] });
    return span.spanId;
  };
  const root = add(undefined, "tta.sequential", 1, 0, 160, prim("sequential", "support-ticket"));
  const cached = add(root, "tta.cache", 1, 0.1, 1.2, [
    ...prim("cache", "classification-cache"),
    ["tta.cache.hit", t % 3 === 0],
    ["tta.cache.result", t % 3 === 0 ? "hit" : "miss"],
  ]);
  add(cached, "tta.lambda", 1, 0.2, 1.1, prim("lambda", "classify"));
  const fb = add(root, "tta.fallback", 1, 1.3, 158, [
    ...prim("fallback", "answer"),
    ["tta.fallback.index", outage ? 1 : 0],
    ...(outage ? [["tta.fallback.attempts", 2]] : []),
  ]);
  const cb = add(
    fb,
    "tta.circuit-breaker",
    1,
    1.4,
    outage ? 80 : 150,
    [...prim("circuit-breaker", "primary-breaker"), ["tta.circuit.state", outage && t % 10 >= 8 ? "open" : "closed"]],
    { error: outage ? "sim-primary: 503 Service Unavailable" : undefined },
  );
  const retries = outage ? 2 : flaky ? 1 : 0;
  const retry = add(
    cb,
    "tta.retry",
    1,
    1.5,
    outage ? 79 : 149,
    [...prim("retry", "primary-retry"), ["tta.retry.attempts", retries + 1]],
    {
      error: outage ? "sim-primary: 503 Service Unavailable" : undefined,
      events: Array.from({ length: retries }, (_, i) => ({
        name: "retry",
        timeMs: start + 30 + i * 25,
        attributes: [
          ["tta.retry.attempt", i + 1],
          ["tta.retry.delay_ms", 200 * 2 ** i],
          ["error.type", outage ? "PROVIDER_ERROR" : "RATE_LIMITED"],
        ],
      })),
    },
  );
  add(retry, "chat primary-model", 3, 2, 28, chat(MODELS[0], false, 0, 0), {
    error: "provider error",
    events: [failure(start + 28)],
  });
  add(retry, "chat primary-model", 3, 30, 140, chat(MODELS[0], !outage, 812, 96), {
    error: outage ? "provider error" : undefined,
    events: outage ? [failure(start + 140)] : [],
  });
  add(fb, "chat backup-model", 3, 81, 157, chat(MODELS[1], true, 820, 112));
  add(root, "execute_tool lookup_order", 1, 158, 159.5, [
    ...prim("tool", "lookup_order"),
    ["gen_ai.operation.name", "execute_tool"],
    ["gen_ai.tool.name", "lookup_order"],
    ["order.status", "shipped"],
  ]);
  return spans;
}

const RESOURCE = [
  ["service.name", "agent-demo"],
  ["service.version", "0.0.0"],
  ["telemetry.sdk.language", "nodejs"],
  ["telemetry.sdk.name", "opentelemetry"],
  ["telemetry.sdk.version", "2.12.0"],
  ["host.name", "bench-host"],
  ["process.pid", 4242],
];

// ---- OTLP JSON --------------------------------------------------------------------------------------
const nanos = (ms) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
function jsonValue(value) {
  if (Array.isArray(value)) return { arrayValue: { values: value.map(jsonValue) } };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: value };
}
const jsonAttributes = (attributes) => attributes.map(([key, value]) => ({ key, value: jsonValue(value) }));

/** Request `i` as an OTLP JSON ExportTraceServiceRequest object. */
function jsonRequest(i) {
  const spans = [];
  for (let k = 0; k < TRACES_PER_REQUEST; k++) {
    const t = i * TRACES_PER_REQUEST + k;
    for (const s of traceSpans(t))
      spans.push({
        traceId: traceIdOf(t),
        spanId: s.spanId,
        ...(s.parent === undefined ? {} : { parentSpanId: s.parent }),
        name: s.name,
        kind: s.kind,
        startTimeUnixNano: nanos(s.startMs),
        endTimeUnixNano: nanos(s.endMs),
        attributes: jsonAttributes(s.attributes),
        droppedAttributesCount: 0,
        events: s.events.map((e) => ({
          timeUnixNano: nanos(e.timeMs),
          name: e.name,
          attributes: jsonAttributes(e.attributes),
          droppedAttributesCount: 0,
        })),
        droppedEventsCount: 0,
        status: s.error === undefined ? { code: 0 } : { code: 2, message: s.error },
        links: [],
        droppedLinksCount: 0,
      });
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: jsonAttributes(RESOURCE), droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { name: "@tta/primitives", version: "0.1.0" }, spans }],
      },
    ],
  };
}

// ---- protobuf --------------------------------------------------------------------------------------
const bytesOf = (hexId) => Buffer.from(hexId, "hex");
/** An OTLP JSON AnyValue as a protobufjs object (int64 as a number). */
function fromJsonValue(value) {
  if ("arrayValue" in value) return { arrayValue: { values: value.arrayValue.values.map(fromJsonValue) } };
  if ("intValue" in value) return { intValue: Number(value.intValue) };
  return value;
}
const protoAttributes = (attributes) => attributes.map(({ key, value }) => ({ key, value: fromJsonValue(value) }));

/** Request `i` as an OTLP protobuf ExportTraceServiceRequest body. */
function protobufRequest(i) {
  const json = jsonRequest(i);
  const type = exportTraceServiceRequestType();
  const message = type.fromObject({
    resourceSpans: json.resourceSpans.map((rs) => ({
      resource: { attributes: protoAttributes(rs.resource.attributes) },
      scopeSpans: rs.scopeSpans.map((ss) => ({
        spans: ss.spans.map((s) => ({
          traceId: bytesOf(s.traceId),
          spanId: bytesOf(s.spanId),
          ...(s.parentSpanId === undefined ? {} : { parentSpanId: bytesOf(s.parentSpanId) }),
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: s.startTimeUnixNano,
          endTimeUnixNano: s.endTimeUnixNano,
          attributes: protoAttributes(s.attributes),
          events: s.events.map((e) => ({
            timeUnixNano: e.timeUnixNano,
            name: e.name,
            attributes: protoAttributes(e.attributes),
          })),
          status: s.status,
        })),
      })),
    })),
  });
  return type.encode(message).finish();
}
/**
 * `count` requests as bodies: `{ protobuf: Uint8Array[], json: Uint8Array[] }` (JSON as UTF-8 bytes,
 * what an HTTP server receives).
 */
export function generateLoad(count) {
  const protobuf = [];
  const json = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < count; i++) {
    protobuf.push(protobufRequest(i));
    json.push(encoder.encode(JSON.stringify(jsonRequest(i))));
  }
  return { protobuf, json };
}
