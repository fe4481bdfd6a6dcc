/**
 * Test helpers: OTLP JSON payloads and span records built by hand.
 */
import type { SpanRecord } from "../types.js";

let counter = 0;

/** A fresh non-zero hex id of `bytes` bytes. */
export function hexId(bytes: 16 | 8): string {
  counter++;
  return counter.toString(16).padStart(bytes * 2, "0");
}

/** A stored span with defaults (1 ms long, started at `startMs` or 1_700_000_000_000). */
export function record(overrides: Partial<SpanRecord> & { traceId: string }): SpanRecord {
  const startMs = overrides.startMs ?? 1_700_000_000_000;
  const endMs = overrides.endMs ?? startMs + 1;
  return {
    spanId: hexId(8),
    name: "span",
    kind: "internal",
    service: "svc",
    status: { code: "unset" },
    attributes: {},
    events: [],
    ...overrides,
    startMs,
    endMs,
    durationMs: endMs - startMs,
  };
}

/** An OTLP JSON attribute value. */
export type JsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string | number }
  | { doubleValue: number }
  | { arrayValue: { values: JsonAnyValue[] } }
  | { kvlistValue: { values: { key: string; value: JsonAnyValue }[] } }
  | { bytesValue: string };

/** An OTLP JSON span; times in ms are turned into nanosecond strings. */
export interface JsonSpanInit {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startMs?: number;
  endMs?: number;
  kind?: number | string;
  status?: { code?: number | string; message?: string };
  attributes?: Record<string, JsonAnyValue>;
  events?: { name: string; timeMs: number; attributes?: Record<string, JsonAnyValue> }[];
}

function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

function keyValues(attributes: Record<string, JsonAnyValue> = {}): { key: string; value: JsonAnyValue }[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value }));
}

/** One OTLP JSON span object. */
export function jsonSpan(init: JsonSpanInit): Record<string, unknown> {
  const startMs = init.startMs ?? 1_700_000_000_000;
  return {
    traceId: init.traceId,
    spanId: init.spanId ?? hexId(8),
    ...(init.parentSpanId === undefined ? {} : { parentSpanId: init.parentSpanId }),
    name: init.name ?? "span",
    kind: init.kind ?? 1,
    startTimeUnixNano: nanos(startMs),
    endTimeUnixNano: nanos(init.endMs ?? startMs + 1),
    attributes: keyValues(init.attributes),
    events: (init.events ?? []).map((event) => ({
      name: event.name,
      timeUnixNano: nanos(event.timeMs),
      attributes: keyValues(event.attributes),
    })),
    ...(init.status === undefined ? {} : { status: init.status }),
  };
}

/** An ExportTraceServiceRequest (OTLP JSON) holding `spans` under one resource. */
export function jsonRequest(spans: readonly Record<string, unknown>[], service = "svc"): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: "test" }, spans }],
      },
    ],
  };
}
