import { ROOT_CONTEXT, context, propagation, trace } from "@opentelemetry/api";
import { createContext, lambda, sequential } from "@tta/primitives";
import { afterEach, describe, expect, it } from "vitest";
import { extract, inject } from "./propagation.js";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe("W3C propagation helpers", () => {
  it("extract reads traceparent/tracestate/baggage from plain objects case-insensitively, and from Headers", () => {
    for (const carrier of [
      { Traceparent: TRACEPARENT, tracestate: "vendor=1", BAGGAGE: "tenant=acme,plan=pro" },
      new Headers({ traceparent: TRACEPARENT, tracestate: "vendor=1", baggage: "tenant=acme,plan=pro" }),
      { traceparent: [TRACEPARENT], baggage: ["tenant=acme", "plan=pro"], tracestate: "vendor=1" },
    ]) {
      const { context: extracted, baggage } = extract(carrier);
      const remote = trace.getSpanContext(extracted);
      expect(remote).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1, isRemote: true });
      expect(remote?.traceState?.get("vendor")).toBe("1");
      expect(baggage).toEqual({ tenant: "acme", plan: "pro" });
    }
  });

  it("extract of missing or invalid headers gives a parentless context and empty baggage", () => {
    const { context: extracted, baggage } = extract({ traceparent: "00-garbage" });
    expect(trace.getSpanContext(extracted)).toBeUndefined();
    expect(baggage).toEqual({});
  });

  it("inject writes traceparent and baggage (context baggage plus extra entries) into Headers and plain objects", () => {
    const { context: remote } = extract({ traceparent: TRACEPARENT, baggage: "tenant=acme" });
    const headers = inject(remote, new Headers(), { baggage: { session: "s-1" } });
    expect(headers.get("traceparent")).toBe(TRACEPARENT);
    expect(headers.get("baggage")?.split(",").sort()).toEqual(["session=s-1", "tenant=acme"]);
    const plain = inject(remote, {});
    expect(plain).toEqual({ traceparent: TRACEPARENT, baggage: "tenant=acme" });
    expect(inject(ROOT_CONTEXT, {})).toEqual({});
  });

  it("a workflow run inside the extracted context continues the remote trace (cross-process round trip)", async () => {
    obs = setupObservability({
      serviceName: "consumer",
      tracing: { exporter: "memory" },
      metrics: false,
      logging: false,
    });
    // Producer side: a message is published from inside a step; its headers carry the step's span.
    const message: { headers: Record<string, string>; body: number } = { headers: {}, body: 0 };
    const producer = sequential([
      lambda((n: number, ctx) => {
        inject(context.active(), message.headers, { baggage: ctx.baggage });
        message.body = n;
        return n;
      }, "publish"),
    ]);
    await producer.execute(41, createContext({ baggage: { tenant: "acme" } }));
    const publish = obs.memoryExporter?.getFinishedSpans().find((s) => s.name === "tta.lambda");
    obs.memoryExporter?.reset();

    // Consumer side: extract, then run the workflow inside the extracted context.
    const extracted = extract(message.headers);
    expect(extracted.baggage).toEqual({ tenant: "acme" });
    const seenBaggage: Record<string, string>[] = [];
    const consumer = sequential(
      [
        lambda((n: number, ctx) => {
          seenBaggage.push({ ...ctx.baggage });
          return n + 1;
        }, "handle"),
      ],
      { name: "consume" },
    );
    const result = await context.with(extracted.context, () =>
      consumer.execute(message.body, createContext({ baggage: extracted.baggage })),
    );
    expect(result).toBe(42);
    expect(seenBaggage).toEqual([{ tenant: "acme" }]);
    const root = obs.memoryExporter?.getFinishedSpans().find((s) => s.name === "tta.sequential");
    expect(root?.spanContext().traceId).toBe(publish?.spanContext().traceId);
    expect(root?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
    expect(propagation.getBaggage(extracted.context)?.getEntry("tenant")?.value).toBe("acme");
  });

  it("never throws on a non-object carrier", () => {
    expect(() => inject(ROOT_CONTEXT, null as unknown as Record<string, string>)).not.toThrow();
    expect(extract(undefined as unknown as Record<string, string>).baggage).toEqual({});
  });
});
