/**
 * Test-only loopback receivers (OTLP/HTTP, Jaeger UDP agent and HTTP collector), a log sink and a
 * diag capture. Everything binds 127.0.0.1 on a free port and is closed by the test.
 */
import { createSocket } from "node:dgram";
import type { IncomingHttpHeaders } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type { DiagLogger } from "@opentelemetry/api";
import { DiagLogLevel, diag } from "@opentelemetry/api";

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves once `predicate` holds (polled every 10 ms, at most `timeoutMs`). */
  waitFor(predicate: (requests: readonly ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Polls `predicate` every 10 ms; rejects after `timeoutMs` (bounded, never hangs a test). */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A tiny HTTP server on 127.0.0.1 that records every request and answers 200 `{}`. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      const json = req.headers["content-type"]?.includes("json") ?? false;
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
      res.end(json ? "{}" : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor: (predicate, timeoutMs = 5000) => until(() => predicate(requests), timeoutMs, "HTTP requests"),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface UdpReceiver {
  readonly port: number;
  readonly packets: Buffer[];
  close(): Promise<void>;
}

/** A UDP socket on 127.0.0.1 recording every datagram (a stand-in Jaeger agent). */
export async function startUdpReceiver(): Promise<UdpReceiver> {
  const socket = createSocket("udp4");
  const packets: Buffer[] = [];
  socket.on("message", (message) => packets.push(message));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    packets,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A free loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A Writable collecting pino's JSON lines. */
export class LineSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const line of chunk.toString("utf8").split("\n"))
      if (line !== "") this.lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }
}

export interface DiagCapture {
  readonly messages: { level: string; message: string; args: unknown[] }[];
  restore(): void;
}

/** Installs a diag logger that records every message (warn and above by default). */
export function captureDiag(level: DiagLogLevel = DiagLogLevel.WARN): DiagCapture {
  const messages: DiagCapture["messages"] = [];
  const record =
    (name: string) =>
    (message: string, ...args: unknown[]): void => {
      messages.push({ level: name, message, args });
    };
  const logger: DiagLogger = {
    error: record("error"),
    warn: record("warn"),
    info: record("info"),
    debug: record("debug"),
    verbose: record("verbose"),
  };
  diag.setLogger(logger, { logLevel: level, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}
