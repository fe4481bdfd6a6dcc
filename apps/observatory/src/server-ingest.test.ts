import { gzipSync } from "node:zlib";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Tracer } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { exportTraceServiceRequestType } from "./otlp/protobuf.js";
import { getJson, postJson, startTestObservatory } from "./test-support/observatory.js";
import { exportSpans } from "./test-support/otel.js";
import { hexId, jsonRequest, jsonSpan } from "./test-support/spans.js";
import type { StoreStats, TraceDetail, TraceList } from "./types.js";

/** A root with a child and a grandchild, attributes of every type, an event and an error status. */
function buildTrace(tracer: Tracer): string {
  const root = tracer.startSpan("workflow", { attributes: { "tta.workflow.id": "ingest-test" } });
  const rootCtx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    "tta.retry",
    {
      attributes: {
        "tta.primitive.kind": "retry",
        "tta.primitive.name": "r",
        n: 3,
        f: 1.5,
        ok: true,
        tags: ["a", "b"],
      },
    },
    rootCtx,
  );
  child.addEvent("retry", { "tta.retry.attempt": 1, "error.type": "PROVIDER_ERROR" });
  const grandchild = tracer.startSpan(
    "chat m",
    { attributes: { "gen_ai.request.model": "m" } },
    trace.setSpan(rootCtx, child),
  );
  grandchild.setStatus({ code: SpanStatusCode.ERROR, message: "429" });
  grandchild.end(); // children end (and are exported) before their parents
  child.end();
  root.end();
  return root.spanContext().traceId;
}

describe.each(["protobuf", "json"] as const)("OTLP/HTTP %s from the real exporter", (encoding) => {
  it.each([false, true])("stores a trace split across requests (gzip: %s)", async (gzip) => {
    const observatory = await startTestObservatory();
    let traceId = "";
    const run = await exportSpans(
      `${observatory.url}/v1/traces`,
      { encoding, gzip, serviceName: "checkout" },
      (tracer) => {
        traceId = buildTrace(tracer);
      },
    );
    expect(run.results).toEqual([0, 0, 0]); // ExportResultCode.SUCCESS for each of the three requests
    const detail = await getJson<TraceDetail>(observatory, `/api/traces/${traceId}`);
    expect(detail.spans.map((s) => s.name)).toEqual(["workflow", "tta.retry", "chat m"]);
    const [root, retry, chat] = detail.spans;
    expect(retry?.parentSpanId).toBe(root?.spanId);
    expect(chat?.parentSpanId).toBe(retry?.spanId);
    expect(root?.parentSpanId).toBeUndefined();
    expect(retry).toMatchObject({
      service: "checkout",
      kind: "internal",
      attributes: { n: 3, f: 1.5, ok: true, tags: ["a", "b"], "tta.primitive.name": "r" },
      events: [{ name: "retry", attributes: { "tta.retry.attempt": 1, "error.type": "PROVIDER_ERROR" } }],
    });
    expect(chat?.status).toEqual({ code: "error", message: "429" });
    expect(Math.abs((root?.startMs ?? 0) - Date.now())).toBeLessThan(3_600_000);
    const list = await getJson<TraceList>(observatory, "/api/traces");
    expect(list).toMatchObject({
      total: 1,
      traces: [
        {
          traceId,
          rootName: "workflow",
          service: "checkout",
          workflowId: "ingest-test",
          spanCount: 3,
          errorCount: 1,
          status: "ok",
          models: ["m"],
        },
      ],
    });
    expect(await getJson<StoreStats>(observatory, "/api/stats")).toMatchObject({
      traces: 1,
      spans: 3,
      ingestedSpans: 3,
      rejectedRequests: 0,
    });
  });
});

describe("POST /v1/traces", () => {
  it("answers {} to JSON and an empty protobuf body to protobuf", async () => {
    const observatory = await startTestObservatory();
    const json = await postJson(observatory, jsonRequest([jsonSpan({ traceId: hexId(16) })]));
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({});
    const type = exportTraceServiceRequestType();
    const proto = await fetch(`${observatory.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: type.encode(type.fromObject({})).finish(),
    });
    expect(proto.status).toBe(200);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await proto.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers 400 with the reason to malformed bodies, and keeps serving", async () => {
    const observatory = await startTestObservatory();
    const proto = (body: Uint8Array) =>
      fetch(`${observatory.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body,
      });
    const cases: [Promise<Response>, RegExp][] = [
      [postJson(observatory, '{"resourceSpans": ['), /^malformed JSON body: syntax error/],
      [postJson(observatory, "[1,2]"), /^body: expected an ExportTraceServiceRequest object/],
      [postJson(observatory, { resourceSpans: "nope" }), /^resourceSpans: expected an array/],
      [
        postJson(observatory, jsonRequest([{ ...jsonSpan({ traceId: hexId(16) }), startTimeUnixNano: true }])),
        /startTimeUnixNano: expected an integer, got a boolean/,
      ],
      [
        postJson(observatory, jsonRequest([{ ...jsonSpan({ traceId: hexId(16) }), spanId: undefined }])),
        /spans\[0\]\.spanId: missing/,
      ],
      [proto(new Uint8Array([0x0a, 0x10, 0x01])), /^malformed protobuf body: truncated/],
      [postJson(observatory, "not gzip", { "content-encoding": "gzip" }), /^malformed gzip body/],
    ];
    for (const [pending, message] of cases) {
      const response = await pending;
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    expect(await getJson<StoreStats>(observatory, "/api/stats")).toMatchObject({
      rejectedRequests: cases.length,
      spans: 0,
    });
    const ok = await postJson(observatory, jsonRequest([jsonSpan({ traceId: hexId(16) })]));
    expect(ok.status).toBe(200);
  });

  it("answers 415 to other content types and encodings", async () => {
    const observatory = await startTestObservatory();
    for (const headers of [{ "content-type": "text/plain" }, { "content-type": "application/xml" }, {}]) {
      const response = await fetch(`${observatory.url}/v1/traces`, { method: "POST", headers, body: "{}" });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({ error: expect.stringContaining("unsupported content type") });
    }
    const brotli = await postJson(observatory, "{}", { "content-encoding": "br" });
    expect(brotli.status).toBe(415);
    expect((await getJson<StoreStats>(observatory, "/api/stats")).rejectedRequests).toBe(4);
  });

  it("answers 413 to a body over the limit, streamed or announced, and to a gzip bomb", async () => {
    const observatory = await startTestObservatory({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify(
      jsonRequest([jsonSpan({ traceId: hexId(16), attributes: { pad: { stringValue: "x".repeat(100_000) } } })]),
    );
    const announced = await postJson(observatory, big);
    expect(announced.status).toBe(413);
    expect(await announced.json()).toEqual({ error: "request body exceeds the 65536-byte limit" });
    // Streamed without a Content-Length: the limit is checked as the bytes arrive.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(10_000).fill(0x20));
        controller.close();
      },
    });
    const streamed = await fetch(`${observatory.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunks,
      duplex: "half",
    });
    expect(streamed.status).toBe(413);
    // 50 MB of spaces gzip to about 50 KB: under the limit as sent, over it once decompressed.
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const exploded = await fetch(`${observatory.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: bomb,
    });
    expect(exploded.status).toBe(413);
    expect(await exploded.json()).toEqual({ error: "decompressed request body exceeds the 65536-byte limit" });
    expect((await getJson<StoreStats>(observatory, "/api/stats")).rejectedRequests).toBe(3);
    const ok = await postJson(observatory, jsonRequest([jsonSpan({ traceId: hexId(16) })]), {});
    expect(ok.status).toBe(200);
  });

  it("keeps the store within its bounds under a flood of 10,000 spans over HTTP", async () => {
    const observatory = await startTestObservatory({ maxTraces: 20, maxSpansPerTrace: 100 });
    const long = "y".repeat(5000);
    // 10,000 spans of 40 traces (250 spans each: 150 over maxSpansPerTrace), in 100 requests of 100.
    for (let request = 0; request < 100; request++) {
      const spans = Array.from({ length: 100 }, (_, i) => {
        const trace = Math.floor((request * 100 + i) / 250);
        return jsonSpan({
          traceId: `${String(trace + 1).padStart(32, "0")}`,
          name: long,
          attributes: { long: { stringValue: long } },
        });
      });
      const response = await postJson(observatory, jsonRequest(spans));
      expect(response.status).toBe(200);
    }
    const stats = await getJson<StoreStats>(observatory, "/api/stats");
    expect(stats).toEqual({
      traces: 20,
      spans: 2000,
      droppedTraces: 20,
      droppedSpans: 6000,
      rejectedRequests: 0,
      ingestedSpans: 4000,
    });
    const { traces } = await getJson<TraceList>(observatory, "/api/traces?limit=1");
    const detail = await getJson<TraceDetail>(observatory, `/api/traces/${traces[0]?.traceId}`);
    expect(detail.spans).toHaveLength(100);
    expect(detail.spans[0]?.name).toHaveLength(4096);
    expect(detail.spans[0]?.name.endsWith("…")).toBe(true);
    expect(detail.spans[0]?.attributes.long).toHaveLength(4096);
  });
});
