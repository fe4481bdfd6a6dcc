/**
 * Options of {@link startObservatory}: types, defaults and validation.
 *
 * @packageDocumentation
 */
import { isIP } from "node:net";
import { ObservatoryError } from "./errors.js";
import { MAX_SCRAPE_TARGETS, scrapeTargetUrl } from "./metrics/scraper.js";
import { DEFAULT_STORE_OPTIONS } from "./store.js";

/** Options of `startObservatory`. */
export interface ObservatoryOptions {
  /** Interface to listen on. Any other than a loopback address needs `token`. @defaultValue `"127.0.0.1"` */
  readonly host?: string;
  /** TCP port; 0 picks a free one (see the handle's `port`). @defaultValue 4318 (the OTLP/HTTP port) */
  readonly port?: number;
  /**
   * Access token (at least 16 characters). When set, every request must carry it: `Authorization:
   * Bearer <token>`, or `?token=<token>` on a GET (the page, the event stream); opening the page with
   * it also sets a same-site, HTTP-only cookie so the page's own requests are let through.
   * @defaultValue none (allowed on loopback hosts only)
   */
  readonly token?: string;
  /** Traces kept in memory (the oldest is evicted first). @defaultValue 1000 */
  readonly maxTraces?: number;
  /** Spans kept per trace (later ones are dropped and counted). @defaultValue 2000 */
  readonly maxSpansPerTrace?: number;
  /** Spans kept in all (the oldest traces are evicted). @defaultValue 200 000 */
  readonly maxSpans?: number;
  /** Largest `POST /v1/traces` body, in bytes, both as sent and once gunzipped (else 413). @defaultValue 4 MiB */
  readonly maxBodyBytes?: number;
  /** Called with each warning (a non-loopback bind). @defaultValue printed on standard error */
  readonly onWarning?: (message: string) => void;
  /** Folder of the page (`index.html` and its assets). @defaultValue the package's `web/` folder */
  readonly webDir?: string;
  /**
   * Prometheus endpoints to scrape for the `tta_*` and `gen_ai_*` metrics (e.g. the `metricsUrl` of
   * `@tta/observability`'s `setupObservability({ metrics: { port } })`); `http:`/`https:` URLs without
   * credentials, at most 16. More can be added later with the handle's `addScrapeTarget`.
   * @defaultValue `[]`
   */
  readonly scrape?: readonly string[];
  /** Time between two scrapes of the targets. @defaultValue 5000 */
  readonly scrapeIntervalMs?: number;
  /**
   * A SQLite file that keeps the stored traces across restarts: loaded at start (oldest first, within
   * the store's bounds), rewritten at most every 2 s while traces change and on `close()`. Created when
   * missing; a file that is not an observatory SQLite file is refused (`INVALID_DB_FILE`), never
   * overwritten. The counters (dropped, rejected) are not kept.
   * @defaultValue none (memory only)
   */
  readonly dbFile?: string;
}

/** {@link ObservatoryOptions} with every default applied. */
export interface ResolvedObservatoryOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;
  readonly maxSpans: number;
  readonly maxBodyBytes: number;
  readonly onWarning: (message: string) => void;
  readonly webDir: string | undefined;
  readonly scrape: readonly string[];
  readonly scrapeIntervalMs: number;
  readonly dbFile: string | undefined;
}

/** Defaults of {@link ObservatoryOptions}. */
export const DEFAULT_OBSERVATORY_OPTIONS = Object.freeze({
  host: "127.0.0.1",
  port: 4318,
  maxTraces: DEFAULT_STORE_OPTIONS.maxTraces,
  maxSpansPerTrace: DEFAULT_STORE_OPTIONS.maxSpansPerTrace,
  maxSpans: DEFAULT_STORE_OPTIONS.maxSpans,
  maxBodyBytes: 4 * 1024 * 1024,
  scrapeIntervalMs: 5_000,
});

/** Shortest accepted token. */
export const MIN_TOKEN_LENGTH = 16;

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  "host",
  "port",
  "token",
  "maxTraces",
  "maxSpansPerTrace",
  "maxSpans",
  "maxBodyBytes",
  "onWarning",
  "webDir",
  "scrape",
  "scrapeIntervalMs",
  "dbFile",
]);

/**
 * Whether `host` is a loopback name or address: `localhost`, `127.0.0.0/8`, `::1` (also bracketed or
 * IPv4-mapped).
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
  const v4 = name.startsWith("::ffff:") ? name.slice(7) : name;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/**
 * The warning given when the observatory listens on `host` at `url`: `undefined` for a loopback host;
 * otherwise it says that the server is reachable from other machines and needs the token.
 */
export function bindWarning(host: string, url: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `tta-observatory listens on ${url}, reachable from other machines: every request needs the access token ` +
    `(Authorization: Bearer <token>, or ?token=<token> in the page URL). Traces may hold sensitive data.`
  );
}

function invalid(option: string, expected: string): never {
  throw new ObservatoryError("INVALID_OPTIONS", `startObservatory: ${option} must be ${expected}`);
}

function integer(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    invalid(option, `an integer from ${min} to ${max}`);
  return value;
}

/**
 * Validates options and applies the defaults.
 *
 * @throws {@link ObservatoryError} `INVALID_OPTIONS` naming the option (unknown key, wrong type, out of
 * range, token shorter than 16 characters); `TOKEN_REQUIRED` for a non-loopback `host` without `token`.
 */
export function resolveObservatoryOptions(options: ObservatoryOptions = {}): ResolvedObservatoryOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) invalid("options", "an object");
  for (const key of Object.keys(options)) if (!KNOWN_KEYS.has(key)) invalid(key, "a known option (unknown key)");
  const host = options.host ?? DEFAULT_OBSERVATORY_OPTIONS.host;
  if (typeof host !== "string" || host.trim() === "") invalid("host", "a non-empty string");
  const token = options.token;
  if (token !== undefined && (typeof token !== "string" || token.length < MIN_TOKEN_LENGTH))
    invalid("token", `a string of at least ${MIN_TOKEN_LENGTH} characters`);
  if (token === undefined && !isLoopbackHost(host))
    throw new ObservatoryError(
      "TOKEN_REQUIRED",
      `startObservatory: host ${JSON.stringify(host)} is not a loopback address; binding it needs an access token (option token)`,
    );
  const onWarning = options.onWarning;
  if (onWarning !== undefined && typeof onWarning !== "function") invalid("onWarning", "a function");
  const webDir = options.webDir;
  if (webDir !== undefined && (typeof webDir !== "string" || webDir === "")) invalid("webDir", "a non-empty string");
  const dbFile = options.dbFile;
  if (dbFile !== undefined && (typeof dbFile !== "string" || dbFile.trim() === "" || dbFile.includes("\0")))
    invalid("dbFile", "a file path");
  const scrape = options.scrape ?? [];
  if (!Array.isArray(scrape)) invalid("scrape", "an array of URLs");
  if (scrape.length > MAX_SCRAPE_TARGETS) invalid("scrape", `at most ${MAX_SCRAPE_TARGETS} URLs`);
  const targets = [...new Set(scrape.map((url: unknown, i) => scrapeTargetUrl(url, `scrape[${i}]`)))];
  const maxSpansPerTrace = integer(
    "maxSpansPerTrace",
    options.maxSpansPerTrace,
    DEFAULT_OBSERVATORY_OPTIONS.maxSpansPerTrace,
    1,
    1_000_000,
  );
  return {
    host,
    port: integer("port", options.port, DEFAULT_OBSERVATORY_OPTIONS.port, 0, 65_535),
    token,
    maxTraces: integer("maxTraces", options.maxTraces, DEFAULT_OBSERVATORY_OPTIONS.maxTraces, 1, 1_000_000),
    maxSpansPerTrace,
    maxSpans: integer(
      "maxSpans",
      options.maxSpans,
      Math.max(DEFAULT_OBSERVATORY_OPTIONS.maxSpans, maxSpansPerTrace),
      maxSpansPerTrace,
      100_000_000,
    ),
    maxBodyBytes: integer(
      "maxBodyBytes",
      options.maxBodyBytes,
      DEFAULT_OBSERVATORY_OPTIONS.maxBodyBytes,
      1024,
      1 << 30,
    ),
    onWarning: onWarning ?? ((message: string) => console.warn(message)),
    webDir,
    scrape: targets,
    dbFile,
    scrapeIntervalMs: integer(
      "scrapeIntervalMs",
      options.scrapeIntervalMs,
      DEFAULT_OBSERVATORY_OPTIONS.scrapeIntervalMs,
      100,
      3_600_000,
    ),
  };
}
