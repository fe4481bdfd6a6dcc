import { describe, expect, it } from "vitest";
import { startObservatory } from "./server.js";
import { postJson, startTestObservatory } from "./test-support/observatory.js";
import { hexId, jsonRequest, jsonSpan } from "./test-support/spans.js";
import { SseReader } from "./test-support/sse.js";
import type { SseItem } from "./test-support/sse.js";

const TOKEN = "an-access-token-for-tests";

function isUpdateFor(traceId: string): (item: SseItem) => boolean {
  return (item) => "event" in item && item.event === "update" && JSON.parse(item.data).latestTraceId === traceId;
}

describe("GET /api/events", () => {
  it("delivers an update after ingestion", async () => {
    const observatory = await startTestObservatory();
    const response = await fetch(`${observatory.url}/api/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = new SseReader(response.body as ReadableStream<Uint8Array>);
    expect(await reader.next()).toMatchObject({ event: "update" });
    const traceId = hexId(16);
    expect((await postJson(observatory, jsonRequest([jsonSpan({ traceId }), jsonSpan({ traceId })]))).status).toBe(200);
    const update = await reader.until(isUpdateFor(traceId));
    expect(JSON.parse((update as { data: string }).data)).toEqual({ traces: 1, spans: 2, latestTraceId: traceId });
    await reader.cancel();
  });

  it("takes the token as ?token= (EventSource cannot send headers)", async () => {
    const observatory = await startTestObservatory({ token: TOKEN });
    expect((await fetch(`${observatory.url}/api/events`)).status).toBe(401);
    const response = await fetch(`${observatory.url}/api/events?token=${TOKEN}`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  it("close() ends open streams and the server stops answering", async () => {
    const observatory = await startObservatory({ port: 0 });
    const response = await fetch(`${observatory.url}/api/events`);
    const reader = new SseReader(response.body as ReadableStream<Uint8Array>);
    await reader.next();
    await observatory.close();
    expect(await reader.next()).toBeUndefined();
    await expect(fetch(`${observatory.url}/api/stats`)).rejects.toThrow();
    await observatory.close(); // idempotent
  });
});
