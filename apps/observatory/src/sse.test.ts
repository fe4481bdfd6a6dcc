import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SseHub } from "./sse.js";
import { TraceStore } from "./store.js";
import { hexId, record } from "./test-support/spans.js";
import { SseReader } from "./test-support/sse.js";

function setup(maxClients?: number) {
  const store = new TraceStore();
  const hub = new SseHub(store, maxClients === undefined ? {} : { maxClients });
  const app = new Hono();
  app.get("/events", (c) => hub.handle(c));
  const open = async () => {
    const response = await app.request("/events");
    return { response, reader: new SseReader(response.body as ReadableStream<Uint8Array>) };
  };
  return { store, hub, open };
}

describe("SseHub", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a snapshot on connection, then at most one update per 500 ms after ingestion", async () => {
    const { store, hub, open } = setup();
    const { response, reader } = await open();
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(await reader.next()).toEqual({ event: "update", data: '{"traces":0,"spans":0,"latestTraceId":null}' });
    const first = hexId(16);
    store.ingest([record({ traceId: first })]);
    await vi.advanceTimersByTimeAsync(0);
    expect(await reader.next()).toEqual({
      event: "update",
      data: JSON.stringify({ traces: 1, spans: 1, latestTraceId: first }),
    });
    // Three ingestions in quick succession: one update, 500 ms after the previous one, with the latest state.
    const traces = [hexId(16), hexId(16), hexId(16)];
    for (const traceId of traces) {
      store.ingest([record({ traceId })]);
      await vi.advanceTimersByTimeAsync(100);
    }
    const pending = reader.next();
    await vi.advanceTimersByTimeAsync(200);
    expect(await pending).toEqual({
      event: "update",
      data: JSON.stringify({ traces: 4, spans: 4, latestTraceId: traces[2] }),
    });
    await hub.close();
    expect(await reader.next()).toBeUndefined();
  });

  it("sends a heartbeat comment every 15 s", async () => {
    const { hub, open } = setup();
    const { reader } = await open();
    await reader.next(); // snapshot
    const pending = reader.next();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await pending).toEqual({ comment: "heartbeat" });
    await hub.close();
  });

  it("forgets a client that went away, refuses connections beyond maxClients and after close", async () => {
    const { hub, open } = setup(1);
    const first = await open();
    await first.reader.next();
    expect(hub.clients).toBe(1);
    const refused = await open();
    expect(refused.response.status).toBe(503);
    await first.reader.cancel();
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.clients).toBe(0);
    await hub.close();
    expect((await open()).response.status).toBe(503);
  });
});
