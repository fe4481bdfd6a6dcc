import { describe, expect, it, vi } from "vitest";
import { SPAN_LIMITS } from "./limits.js";
import { TraceStore } from "./store.js";
import { hexId, record } from "./test-support/spans.js";

const T0 = 1_700_000_000_000;

describe("TraceStore", () => {
  it("assembles a trace from batches in any order (children before parents)", () => {
    const store = new TraceStore();
    const traceId = hexId(16);
    const root = record({
      traceId,
      name: "workflow",
      startMs: T0,
      endMs: T0 + 100,
      attributes: { "tta.workflow.id": "triage" },
    });
    const child = record({ traceId, parentSpanId: root.spanId, name: "child", startMs: T0 + 10, endMs: T0 + 50 });
    const grandchild = record({
      traceId,
      parentSpanId: child.spanId,
      name: "grandchild",
      startMs: T0 + 20,
      endMs: T0 + 30,
    });
    store.ingest([grandchild]);
    expect(store.summary(traceId)).toMatchObject({ rootName: "grandchild", spanCount: 1 });
    store.ingest([child]);
    store.ingest([root]);
    expect(store.summary(traceId)).toMatchObject({
      traceId,
      rootName: "workflow",
      workflowId: "triage",
      startMs: T0,
      durationMs: 100,
      spanCount: 3,
      status: "ok",
    });
    expect(store.get(traceId)?.spans.map((span) => span.name)).toEqual(["workflow", "child", "grandchild"]);
    expect(store.get(traceId)?.spans[0]).not.toHaveProperty("traceId");
    expect(store.get(hexId(16))).toBeUndefined();
  });

  it("replaces a span received twice instead of counting it twice", () => {
    const store = new TraceStore();
    const span = record({ traceId: hexId(16) });
    store.ingest([span]);
    store.ingest([{ ...span, name: "renamed" }]);
    expect(store.stats()).toMatchObject({ traces: 1, spans: 1, ingestedSpans: 2 });
    expect(store.get(span.traceId)?.spans[0]?.name).toBe("renamed");
  });

  it("summarizes errors, models and agents; status follows the root", () => {
    const store = new TraceStore();
    const traceId = hexId(16);
    const root = record({ traceId, name: "agent", attributes: { "gen_ai.agent.name": "support" } });
    store.ingest([
      root,
      record({
        traceId,
        parentSpanId: root.spanId,
        status: { code: "error" },
        attributes: { "gen_ai.request.model": "b" },
      }),
      record({ traceId, parentSpanId: root.spanId, attributes: { "gen_ai.request.model": "a" } }),
    ]);
    expect(store.summary(traceId)).toMatchObject({
      errorCount: 1,
      status: "ok",
      models: ["a", "b"],
      agents: ["support"],
    });
    store.ingest([{ ...root, status: { code: "error" } }]);
    expect(store.summary(traceId)?.status).toBe("error");
  });

  it("lists newest first with filters and a limit", () => {
    const store = new TraceStore();
    const make = (i: number, extra: Parameters<typeof record>[0]) => record({ ...extra, startMs: T0 + i * 1000 });
    const a = make(1, {
      traceId: hexId(16),
      name: "triage",
      endMs: T0 + 1000 + 5,
      attributes: { "tta.workflow.id": "wf-triage" },
    });
    const b = make(2, {
      traceId: hexId(16),
      name: "refund",
      endMs: T0 + 2000 + 500,
      status: { code: "error" },
      attributes: { "gen_ai.request.model": "gpt-4o-mini", "error.type": "RATE_LIMITED" },
    });
    const c = make(3, { traceId: hexId(16), name: "triage", endMs: T0 + 3000 + 50 });
    store.ingest([a, b, c]);
    const ids = (query: Parameters<TraceStore["list"]>[0]) => store.list(query).traces.map((t) => t.traceId);
    expect(ids({})).toEqual([c.traceId, b.traceId, a.traceId]);
    expect(ids({ status: "error" })).toEqual([b.traceId]);
    expect(ids({ status: "ok" })).toEqual([c.traceId, a.traceId]);
    expect(ids({ workflow: "TRIAGE" })).toEqual([c.traceId, a.traceId]);
    expect(ids({ workflow: "wf-" })).toEqual([a.traceId]);
    expect(ids({ minDurationMs: 40 })).toEqual([c.traceId, b.traceId]);
    expect(ids({ maxDurationMs: 60 })).toEqual([c.traceId, a.traceId]);
    expect(ids({ model: "4o" })).toEqual([b.traceId]);
    expect(ids({ q: "rate_limited" })).toEqual([b.traceId]);
    expect(ids({ q: a.traceId.slice(-6) })).toEqual([a.traceId]);
    expect(store.list({ limit: 1 })).toMatchObject({ total: 3, traces: [{ traceId: c.traceId }] });
  });

  it("evicts the trace seen first when maxTraces is reached, and counts it", () => {
    const store = new TraceStore({ maxTraces: 2 });
    const [a, b, c] = [hexId(16), hexId(16), hexId(16)];
    store.ingest([record({ traceId: a, startMs: T0 + 50 })]);
    store.ingest([record({ traceId: b, startMs: T0 })]);
    store.ingest([record({ traceId: a })]); // a later span does not make `a` younger
    store.ingest([record({ traceId: c })]);
    expect(store.get(a)).toBeUndefined();
    expect(
      store
        .list()
        .traces.map((t) => t.traceId)
        .sort(),
    ).toEqual([b, c].sort());
    expect(store.stats()).toMatchObject({ traces: 2, spans: 2, droppedTraces: 1, droppedSpans: 0, ingestedSpans: 4 });
  });

  it("drops spans past maxSpansPerTrace and evicts old traces past maxSpans", () => {
    const store = new TraceStore({ maxSpansPerTrace: 3, maxSpans: 5 });
    const full = hexId(16);
    const result = store.ingest(Array.from({ length: 5 }, () => record({ traceId: full })));
    expect(result).toEqual({ accepted: 3, dropped: 2 });
    const other = hexId(16);
    store.ingest(Array.from({ length: 3 }, () => record({ traceId: other })));
    expect(store.get(full)).toBeUndefined();
    expect(store.stats()).toMatchObject({ traces: 1, spans: 3, droppedSpans: 2, droppedTraces: 1 });
  });

  it("keeps memory bounded under a flood of 10,000 spans", () => {
    const store = new TraceStore({ maxTraces: 50, maxSpansPerTrace: 60 });
    const huge = "x".repeat(50_000);
    const attributes: Record<string, string | string[]> = { big: huge, list: Array.from({ length: 1000 }, () => huge) };
    for (let i = 0; i < 300; i++) attributes[`k${i}`] = "v";
    const events = Array.from({ length: 130 }, () => ({ name: huge, timeMs: T0, attributes: { big: huge } }));
    // 100 traces of 100 spans each, in batches of 100.
    for (let t = 0; t < 100; t++) {
      const traceId = hexId(16);
      store.ingest(Array.from({ length: 100 }, () => record({ traceId, name: huge, attributes, events })));
    }
    expect(store.stats()).toEqual({
      traces: 50,
      spans: 50 * 60,
      droppedTraces: 50,
      droppedSpans: 100 * 40,
      rejectedRequests: 0,
      ingestedSpans: 100 * 60,
    });
    let largestString = 0;
    for (const span of store.spans()) {
      expect(Object.keys(span.attributes).length).toBeLessThanOrEqual(SPAN_LIMITS.maxAttributes);
      expect(span.events.length).toBeLessThanOrEqual(SPAN_LIMITS.maxEvents);
      expect((span.attributes.list as string[]).length).toBeLessThanOrEqual(SPAN_LIMITS.maxArrayItems);
      const event = span.events[0];
      largestString = Math.max(largestString, span.name.length, (span.attributes.big as string).length);
      largestString = Math.max(largestString, event?.name.length ?? 0, String(event?.attributes.big).length);
    }
    expect(largestString).toBe(SPAN_LIMITS.maxStringLength);
  });

  it("notifies change listeners once per ingest that stored spans", () => {
    const store = new TraceStore({ maxSpansPerTrace: 1 });
    const listener = vi.fn();
    const stop = store.onChange(listener);
    const traceId = hexId(16);
    store.ingest([record({ traceId }), record({ traceId })]);
    store.ingest([record({ traceId })]); // dropped: trace full
    store.ingest([]);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.latestTraceId).toBe(traceId);
    stop();
    store.ingest([record({ traceId: hexId(16) })]);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("clear() empties the store but keeps the counters", () => {
    const store = new TraceStore();
    store.ingest([record({ traceId: hexId(16) })]);
    store.recordRejectedRequest();
    store.clear();
    expect(store.stats()).toEqual({
      traces: 0,
      spans: 0,
      droppedTraces: 0,
      droppedSpans: 0,
      rejectedRequests: 1,
      ingestedSpans: 1,
    });
    expect(store.latestTraceId).toBeNull();
  });

  it("tells onTracesChange listeners which traces received spans or were evicted, and what clear() removed", () => {
    const store = new TraceStore({ maxTraces: 2 });
    const calls: string[][] = [];
    const stop = store.onTracesChange((ids) => calls.push([...ids].sort()));
    const [a, b, c] = [hexId(16), hexId(16), hexId(16)];
    store.ingest([record({ traceId: a }), record({ traceId: a })]);
    store.ingest([record({ traceId: b }), record({ traceId: c })]); // c evicts a
    expect(calls).toEqual([[a], [a, b, c].sort()]);
    expect(store.traceSpans(a)).toBeUndefined();
    expect(store.traceSpans(b)).toHaveLength(1);
    store.clear();
    expect(calls.at(-1)).toEqual([b, c].sort());
    stop();
    store.ingest([record({ traceId: a })]);
    expect(calls).toHaveLength(3);
  });
});
