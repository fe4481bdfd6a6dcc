/**
 * A tiny `node:http` server on 127.0.0.1 for tests that need answers the simulated provider does not
 * script (an SSE stream that stops mid-way, a socket destroyed before any byte…). Not published.
 *
 * @packageDocumentation
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request the server received. */
export interface LoopbackRequest {
  readonly method: string;
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A running loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>/v1`. */
  readonly baseURL: string;
  readonly requests: readonly LoopbackRequest[];
  /** Resolves once `count` responses were closed by the client before they finished. */
  waitForClientClose(count?: number): Promise<void>;
  /** Responses closed by the client before they finished. */
  readonly clientClosed: number;
  /** Stops the server and destroys every socket. */
  close(): Promise<void>;
}

/** Writes one SSE `data:` event with `payload` as JSON (or as is, for a string). */
export function sse(res: ServerResponse, payload: unknown): void {
  res.write(`data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`);
}

/** A chat completion chunk with one choice. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return {
    id: "c1",
    object: "chat.completion.chunk",
    model: "m-1",
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

/**
 * Starts a server on 127.0.0.1 (a free port) that calls `handle` with each request once its body
 * has been read.
 */
export async function startLoopbackServer(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>,
): Promise<LoopbackServer> {
  const requests: LoopbackRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let clientClosed = 0;
  const server = createServer((req, res) => {
    res.on("close", () => {
      if (res.writableFinished) return;
      clientClosed++;
      for (const waiter of waiters.splice(0)) {
        if (clientClosed >= waiter.count) waiter.resolve();
        else waiters.push(waiter);
      }
    });
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const body = Buffer.concat(parts).toString("utf8");
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: { ...req.headers }, body });
      Promise.resolve(handle(req, res, body)).catch(() => res.destroy());
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get clientClosed() {
      return clientClosed;
    },
    waitForClientClose(count = 1) {
      if (clientClosed >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
