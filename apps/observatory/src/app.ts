/**
 * The observatory's HTTP routes, as a Hono app (no listening socket: see `server.ts`).
 *
 * @packageDocumentation
 */
import { Hono } from "hono";
import { ingestHandler } from "./ingest-route.js";
import { parseTraceQuery, QueryError } from "./query.js";
import { computeResilience } from "./resilience.js";
import type { ResilienceOptions, ResilienceView } from "./resilience.js";
import { accessControl, securityHeaders } from "./security.js";
import type { MetricsScraper } from "./metrics/scraper.js";
import type { SseHub } from "./sse.js";
import { staticRoutes } from "./static.js";
import type { TraceStore } from "./store.js";

/** What {@link createApp} needs. */
export interface AppOptions {
  readonly store: TraceStore;
  readonly hub: SseHub;
  /** The metrics scraper (`GET /api/metrics`); none: the route answers no targets. */
  readonly scraper?: MetricsScraper;
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  readonly webDir: string | undefined;
}

const TRACE_ID = /^[0-9a-f]{32}$/;

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new QueryError(`${name}: expected a number`);
  return number;
}

/** Memoizes the resilience view per store version and query. */
function resilienceCache(store: TraceStore): (options: ResilienceOptions) => ResilienceView {
  let key = "";
  let view: ResilienceView | undefined;
  return (options) => {
    const next = `${store.version}:${options.sinceMs ?? ""}:${options.bucketMs ?? ""}`;
    if (view === undefined || next !== key) {
      view = computeResilience(store.spans(), options);
      key = next;
    }
    return view;
  };
}

/**
 * Builds the app: security middleware (headers, Host check or token), `POST /v1/traces`, the JSON API
 * (`/api/traces`, `/api/traces/:traceId`, `/api/resilience`, `/api/stats`, `/api/metrics`), the event stream
 * (`/api/events`), the page (`/`) and its assets (`/assets/*`). Anything else is 404; an unexpected
 * error is a 500 without details.
 */
export function createApp(options: AppOptions): Hono {
  const { store, hub } = options;
  const app = new Hono();
  const files = staticRoutes(options.webDir);
  const resilience = resilienceCache(store);

  app.use("*", securityHeaders());
  app.use("*", accessControl({ token: options.token }));

  app.post("/v1/traces", ingestHandler(store, options.maxBodyBytes));

  app.get("/api/traces", (c) => {
    try {
      return c.json(store.list(parseTraceQuery(new URL(c.req.url).searchParams)));
    } catch (error) {
      if (error instanceof QueryError) return c.json({ error: error.message }, 400);
      throw error;
    }
  });
  app.get("/api/traces/:traceId", (c) => {
    const traceId = c.req.param("traceId").toLowerCase();
    const trace = TRACE_ID.test(traceId) ? store.get(traceId) : undefined;
    return trace === undefined ? c.json({ error: "trace not found" }, 404) : c.json(trace);
  });
  app.get("/api/resilience", (c) => {
    try {
      const sinceMs = optionalNumber(c.req.query("sinceMs"), "sinceMs");
      const bucketMs = optionalNumber(c.req.query("bucketMs"), "bucketMs");
      if (bucketMs !== undefined && bucketMs <= 0) throw new QueryError("bucketMs: expected a positive number");
      return c.json(
        resilience({ ...(sinceMs === undefined ? {} : { sinceMs }), ...(bucketMs === undefined ? {} : { bucketMs }) }),
      );
    } catch (error) {
      if (error instanceof QueryError) return c.json({ error: error.message }, 400);
      throw error;
    }
  });
  app.get("/api/stats", (c) => c.json(store.stats()));
  app.get("/api/metrics", (c) => c.json(options.scraper?.view() ?? { intervalMs: 0, targets: [], families: [] }));
  app.get("/api/events", (c) => hub.handle(c));

  app.get("/", (c) => files.page(c));
  app.get("/index.html", (c) => files.page(c));
  app.get("/assets/*", (c) => files.asset(c));

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((_error, c) => c.json({ error: "internal error" }, 500));
  return app;
}
