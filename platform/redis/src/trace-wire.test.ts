import { ROOT_CONTEXT, propagation, trace } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { extractTrace, injectTrace } from "./trace-wire.js";

describe("trace context on the wire", () => {
  afterEach(() => {
    propagation.disable();
  });

  it("writes traceparent without a registered propagator and reads it back as a remote parent", () => {
    const tracer = new BasicTracerProvider().getTracer("t");
    const span = tracer.startSpan("caller");
    const carrier = injectTrace(span);
    const sc = span.spanContext();
    expect(carrier).toEqual({ traceparent: `00-${sc.traceId}-${sc.spanId}-01` });
    const parent = extractTrace(carrier);
    expect(parent === undefined ? undefined : trace.getSpanContext(parent)).toMatchObject({
      traceId: sc.traceId,
      spanId: sc.spanId,
      isRemote: true,
    });
    span.end();
  });

  it("injects nothing for a non-recording span and ignores malformed headers", () => {
    expect(injectTrace(trace.wrapSpanContext({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 }))).toBe(
      undefined,
    );
    expect(extractTrace(undefined)).toBeUndefined();
    expect(extractTrace({ traceparent: "garbage" })).toBeUndefined();
    expect(extractTrace({ traceparent: `00-${"0".repeat(32)}-${"1".repeat(16)}-01` })).toBeUndefined();
  });

  it("uses the global propagator when one is registered", () => {
    const seen: string[] = [];
    propagation.setGlobalPropagator({
      inject: (_ctx, carrier, setter) => setter.set(carrier, "traceparent", "00-custom"),
      extract: (ctx, carrier, getter) => {
        seen.push(String(getter.get(carrier, "traceparent")));
        return ctx;
      },
      fields: () => ["traceparent"],
    });
    const span = new BasicTracerProvider().getTracer("t").startSpan("s");
    expect(injectTrace(span)).toEqual({ traceparent: "00-custom" });
    expect(extractTrace({ traceparent: "00-custom" })).toBeUndefined();
    expect(seen).toEqual(["00-custom"]);
    expect(ROOT_CONTEXT).toBeDefined();
    span.end();
  });
});
