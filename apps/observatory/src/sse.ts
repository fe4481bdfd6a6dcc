/**
 * `GET /api/events`: Server-Sent Events telling the page that new spans arrived.
 *
 * @packageDocumentation
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { SSEStreamingApi } from "hono/streaming";
import type { TraceStore } from "./store.js";
import type { UpdateEvent } from "./types.js";

/** Timing and size of a {@link SseHub}. */
export interface SseHubOptions {
  /** Least time between two `update` events. @defaultValue 500 */
  readonly throttleMs?: number;
  /** Time between two heartbeat comments. @defaultValue 15 000 */
  readonly heartbeatMs?: number;
  /** Streams open at once; more are answered 503. @defaultValue 64 */
  readonly maxClients?: number;
}

interface Client {
  readonly stream: SSEStreamingApi;
  readonly done: () => void;
}

/**
 * Fans store changes out to the open event streams: an `update` event (`{ traces, spans,
 * latestTraceId }`) on connection and then at most every `throttleMs` after an ingestion, and a
 * comment line every `heartbeatMs` so proxies keep the connection open. {@link SseHub.close} ends
 * every stream.
 */
export class SseHub {
  readonly #store: TraceStore;
  readonly #throttleMs: number;
  readonly #maxClients: number;
  readonly #clients = new Set<Client>();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #unsubscribe: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSentMs = -Infinity;
  #closed = false;

  constructor(store: TraceStore, options: SseHubOptions = {}) {
    this.#store = store;
    this.#throttleMs = options.throttleMs ?? 500;
    this.#maxClients = options.maxClients ?? 64;
    this.#heartbeat = setInterval(() => this.#broadcast(": heartbeat\n\n"), options.heartbeatMs ?? 15_000);
    this.#heartbeat.unref();
    this.#unsubscribe = store.onChange(() => this.#schedule());
  }

  /** Open streams. */
  get clients(): number {
    return this.#clients.size;
  }

  /** The `GET /api/events` handler. */
  handle(c: Context): Response {
    if (this.#closed || this.#clients.size >= this.#maxClients)
      return c.json({ error: "too many event streams open" }, 503);
    return streamSSE(c, async (stream) => {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const client: Client = { stream, done };
      this.#clients.add(client);
      stream.onAbort(() => this.#drop(client));
      await this.#send(client, this.#updateMessage());
      await finished;
    });
  }

  #drop(client: Client): void {
    this.#clients.delete(client);
    client.done();
  }

  #updateMessage(): string {
    const stats = this.#store.stats();
    const update: UpdateEvent = { traces: stats.traces, spans: stats.spans, latestTraceId: this.#store.latestTraceId };
    return `event: update\ndata: ${JSON.stringify(update)}\n\n`;
  }

  async #send(client: Client, text: string): Promise<void> {
    if (client.stream.aborted || client.stream.closed) return this.#drop(client);
    try {
      await client.stream.write(text);
    } catch {
      this.#drop(client);
    }
  }

  #broadcast(text: string): void {
    for (const client of this.#clients) void this.#send(client, text);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const delay = Math.max(0, this.#lastSentMs + this.#throttleMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastSentMs = Date.now();
      if (this.#clients.size > 0) this.#broadcast(this.#updateMessage());
    }, delay);
    this.#timer.unref();
  }

  /** Ends every stream and stops the timers; later connections are answered 503. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    clearInterval(this.#heartbeat);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const clients = [...this.#clients];
    this.#clients.clear();
    await Promise.all(
      clients.map(async (client) => {
        client.done();
        try {
          await client.stream.close();
        } catch {
          // already closed by the other side
        }
      }),
    );
  }
}
