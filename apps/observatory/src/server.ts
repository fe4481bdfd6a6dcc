/**
 * `startObservatory`: the HTTP server (hono on `@hono/node-server`) around a {@link TraceStore}.
 *
 * @packageDocumentation
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { createApp } from "./app.js";
import { MetricsScraper } from "./metrics/scraper.js";
import { TraceFile } from "./persist/trace-file.js";
import type { MetricsView } from "./metrics/scraper.js";
import { bindWarning, resolveObservatoryOptions } from "./options.js";
import type { ObservatoryOptions } from "./options.js";
import { SseHub } from "./sse.js";
import { TraceStore } from "./store.js";

/** A running observatory. */
export interface ObservatoryHandle {
  /** Base URL, without a trailing slash: `http://127.0.0.1:4318` (send traces to `${url}/v1/traces`). */
  readonly url: string;
  /** The port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** The interface it listens on. */
  readonly host: string;
  /** The trace store (ingest without HTTP, read what arrived). */
  readonly store: TraceStore;
  /** Warnings given at start (a non-loopback bind), also passed to `onWarning`. */
  readonly warnings: readonly string[];
  /**
   * Adds a Prometheus endpoint to scrape (see {@link ObservatoryOptions.scrape}), e.g. an app's
   * metrics URL known only once the app has started. Scraped at once, then every `scrapeIntervalMs`.
   * @throws {@link ObservatoryError} `INVALID_OPTIONS` for a bad URL or a 17th target.
   */
  addScrapeTarget(url: string): void;
  /** Scrapes every target now; resolves when done (a failed target is shown as down, never thrown). */
  scrapeNow(): Promise<void>;
  /** The scrape targets and their last `tta_*` / `gen_ai_*` families (what `GET /api/metrics` answers). */
  metrics(): MetricsView;
  /**
   * Ends the event streams, stops accepting connections, lets requests in progress finish (at most
   * 2 s, then drops them), writes the `dbFile` when there is one, and resolves once the server is
   * closed. Idempotent.
   */
  close(): Promise<void>;
}

/** Least time between two writes of the `dbFile`. */
const DB_FLUSH_MS = 2000;

/** How long `close()` lets requests in progress finish before dropping their connections. */
const CLOSE_GRACE_MS = 2000;

function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Starts the observatory: an OTLP/HTTP receiver (`POST /v1/traces`, protobuf or JSON), a bounded
 * in-memory trace store, a scraper of the `tta_*` / `gen_ai_*` Prometheus metrics of the apps it is
 * told about (`scrape`), a JSON API, an event stream and the web page, on `host:port`.
 *
 * @remarks
 * Binds 127.0.0.1 by default and then serves only requests whose `Host` is a loopback name. Any other
 * host needs `token`: every request must carry it (see {@link ObservatoryOptions.token}), and a
 * warning is given. No CORS headers are sent; every response has a strict Content-Security-Policy.
 *
 * @throws {@link ObservatoryError} (rejected) for invalid options, a non-loopback host without a token,
 * or a `dbFile` that is not an observatory SQLite file (`INVALID_DB_FILE`, the file left untouched); the
 * `listen` error (e.g. `EADDRINUSE`) when the port is taken.
 * @example
 * ```ts
 * const observatory = await startObservatory({ port: 0 });
 * console.log(`open ${observatory.url}`);
 * // … export spans to `${observatory.url}/v1/traces` …
 * await observatory.close();
 * ```
 */
export async function startObservatory(options: ObservatoryOptions = {}): Promise<ObservatoryHandle> {
  const resolved = resolveObservatoryOptions(options);
  const store = new TraceStore({
    maxTraces: resolved.maxTraces,
    maxSpansPerTrace: resolved.maxSpansPerTrace,
    maxSpans: resolved.maxSpans,
  });
  const traceFile =
    resolved.dbFile === undefined
      ? undefined
      : await TraceFile.open(resolved.dbFile, store, { flushMs: DB_FLUSH_MS, onError: resolved.onWarning });
  const hub = new SseHub(store);
  const scraper = new MetricsScraper({ intervalMs: resolved.scrapeIntervalMs, maxBodyBytes: resolved.maxBodyBytes });
  const app = createApp({
    store,
    hub,
    scraper,
    token: resolved.token,
    maxBodyBytes: resolved.maxBodyBytes,
    webDir: resolved.webDir,
  });
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  let address: AddressInfo;
  try {
    address = await listen(server, resolved.port, resolved.host);
  } catch (error) {
    await Promise.all([hub.close(), traceFile?.close()]);
    throw error;
  }
  for (const target of resolved.scrape) scraper.add(target);
  const url = `http://${urlHost(resolved.host)}:${address.port}`;
  const warning = bindWarning(resolved.host, url);
  const warnings = warning === undefined ? [] : [warning];
  for (const warning of warnings) resolved.onWarning(warning);
  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    host: resolved.host,
    store,
    warnings,
    addScrapeTarget: (target) => scraper.add(target),
    scrapeNow: () => scraper.scrapeNow(),
    metrics: () => scraper.view(),
    close() {
      closing ??= Promise.all([scraper.close(), hub.close()])
        .then(() => closeServer(server))
        .then(() => traceFile?.close());
      return closing;
    },
  };
}
