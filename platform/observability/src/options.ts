/**
 * Options of {@link setupObservability}: their types, documented defaults, and the validation that
 * turns user input into fully resolved options (or an `InvalidOptionsError` naming the option).
 *
 * @packageDocumentation
 */
import type { Catalog } from "@tta/primitives";
import { InvalidOptionsError, defaultCatalog } from "@tta/primitives";
import {
  MAX_TIMER_MS,
  booleanOption,
  choiceOption,
  describeValue,
  fail,
  integerOption,
  isPlainObject,
  readOptions,
} from "@tta/primitives/options";
import { resolveRedactOptions } from "./redaction.js";
import type { RedactOptions, ResolvedRedactOptions } from "./redaction.js";

/**
 * Where spans go.
 *
 * - `"otlp"` / `"otlp-proto"`: OTLP over HTTP with protobuf bodies (the OTLP default), to
 *   `http://localhost:4318/v1/traces` unless `endpoint` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) says otherwise.
 * - `"otlp-json"`: OTLP over HTTP with JSON bodies.
 * - `"jaeger"`: legacy Jaeger thrift (`@opentelemetry/exporter-jaeger`, deprecated upstream; an optional
 *   peer dependency): UDP agent (`udp://host:6832`, the default) or HTTP collector (`http://host:14268/api/traces`).
 * - `"console"`: prints finished spans (development).
 * - `"memory"`: keeps finished spans in memory (`handle.memoryExporter`); tests.
 * - `"none"`: spans are created (so logs carry trace ids and context propagates) but exported nowhere.
 * @since 0.1.0
 */
export type TraceExporterName = "otlp" | "otlp-json" | "otlp-proto" | "jaeger" | "console" | "memory" | "none";

/** Every accepted {@link TraceExporterName}. @since 0.1.0 */
export const TRACE_EXPORTERS: readonly TraceExporterName[] = Object.freeze([
  "otlp",
  "otlp-json",
  "otlp-proto",
  "jaeger",
  "console",
  "memory",
  "none",
]);

/** Tracing options. @since 0.1.0 */
export interface TracingOptions {
  /** Where spans go. @defaultValue `DEFAULT_TRACING_OPTIONS.exporter` (`"otlp"`) */
  readonly exporter?: TraceExporterName | undefined;
  /**
   * Exporter endpoint URL: `http(s)://…` for OTLP (full traces URL, e.g. `http://127.0.0.1:4318/v1/traces`) and the
   * Jaeger HTTP collector, `udp://host:port` for the Jaeger agent. Not accepted by `console`, `memory`, `none`.
   * @defaultValue the exporter's own default (OTLP: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `http://localhost:4318/v1/traces`)
   */
  readonly endpoint?: string | undefined;
  /** Extra HTTP headers for the OTLP exporters (e.g. an auth token). @defaultValue none */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Fraction of new traces recorded, 0..1 (parent-based: a child follows its parent's decision).
   * @defaultValue `DEFAULT_TRACING_OPTIONS.sampleRatio` (1)
   */
  readonly sampleRatio?: number | undefined;
  /**
   * Register the `AsyncLocalStorage` context manager, so spans are active across `await`s in user
   * code (log lines, `context.with(extracted, …)`, auto-instrumentation see them). Costs every promise in
   * the process ~85 ns on Node 20; `false` keeps TTA's own span tree intact (parents travel on the
   * workflow context) but user code after an `await` no longer sees the active span.
   * @defaultValue `DEFAULT_TRACING_OPTIONS.contextManager` (`true`)
   */
  readonly contextManager?: boolean | undefined;
  /**
   * Per-export timeout (including the OTLP exporter's retries), ms. `shutdown()` waits at most
   * {@link ObservabilityOptions.shutdownTimeoutMs} for its flush, whatever this says.
   * @defaultValue `DEFAULT_TRACING_OPTIONS.exportTimeoutMs` (10 000)
   */
  readonly exportTimeoutMs?: number | undefined;
  /**
   * Redaction of every exported span (TTA's and any other instrumentation's): status messages,
   * `exception.message` / `exception.stacktrace` event attributes and string attributes go through the
   * default credential patterns of `@tta/primitives` (`redactSecrets`: `Bearer …`, `Authorization: …`,
   * `api_key=…`-style fields, `sk-…`, `AKIA…` and other key prefixes), then your `patterns`, then your
   * `redact` function; `dropMessages: true` removes status messages and exception messages and stack
   * traces entirely. The default patterns cannot be turned off.
   * @defaultValue `{}`: the default patterns only, messages kept
   */
  readonly redact?: RedactOptions | undefined;
}

/** Metrics options. @since 0.1.0 */
export interface MetricsOptions {
  /** Start a standalone `/metrics` server on this port (0 = a free port). @defaultValue no server */
  readonly port?: number | undefined;
  /** Interface of the standalone server. @defaultValue `DEFAULT_METRICS_OPTIONS.host` (`"127.0.0.1"`) */
  readonly host?: string | undefined;
  /** Also collect prom-client's default Node process metrics. @defaultValue `false` */
  readonly defaultMetrics?: boolean | undefined;
  /** Distinct primitive `name` label values kept; later ones are reported as `"other"`. @defaultValue 200 */
  readonly maxNames?: number | undefined;
  /**
   * The model catalogue that prices model calls for `tta_llm_cost_usd_total` (and the
   * `tta.llm.cost_usd` attribute of `withModelCallSpan`) when a call does not report its cost:
   * a `Catalog` from `createCatalog`, `loadCatalog` or `defaultCatalog.extend(...)` (`@tta/primitives`).
   * The response model's entry is used when listed, else the configured model's.
   * @defaultValue `defaultCatalog` from `@tta/primitives` (list prices of widely used models; they drift, so
   * pass your own prices for billing)
   */
  readonly catalog?: Catalog | undefined;
  /**
   * Removed: setting it (to anything) throws `InvalidOptionsError` naming `metrics.modelPrices`.
   * @deprecated Pass `catalog` instead (a `Catalog` from `createCatalog`/`loadCatalog` of `@tta/primitives`).
   */
  readonly modelPrices?: never;
}

/** pino level names. @since 0.1.0 */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Anything with a `write(line)` method: a `Writable`, a pino destination, a test sink. @since 0.1.0 */
export interface LogDestination {
  write(line: string): unknown;
}

/** Logging options. @since 0.1.0 */
export interface LoggingOptions {
  /** Minimum level written. @defaultValue `DEFAULT_LOGGING_OPTIONS.level` (`"info"`) */
  readonly level?: LogLevel | undefined;
  /** Human-readable output through the `pino-pretty` transport (optional peer dependency). @defaultValue `false` */
  readonly pretty?: boolean | undefined;
  /**
   * Where lines go: a file descriptor, a file path, or an object with `write(line)`. With `pretty`,
   * only a file descriptor or path (the transport runs in a worker thread).
   * @defaultValue standard output (fd 1)
   */
  readonly destination?: number | string | LogDestination | undefined;
}

/** Options of {@link setupObservability}. @since 0.1.0 */
export interface ObservabilityOptions {
  /** `service.name` resource attribute. Required, non-empty. */
  readonly serviceName: string;
  /** `service.version` resource attribute. @defaultValue omitted */
  readonly serviceVersion?: string | undefined;
  /** Tracing options, or `false` for no tracer provider at all (no spans). @defaultValue `{}` (OTLP) */
  readonly tracing?: TracingOptions | false | undefined;
  /** Metrics options, or `false` for no metrics subscriber. @defaultValue `{}` (registry + handler, no server) */
  readonly metrics?: MetricsOptions | false | undefined;
  /** Logging options, or `false` for a silent logger. @defaultValue `{}` (JSON at info to stdout) */
  readonly logging?: LoggingOptions | false | undefined;
  /**
   * The longest `shutdown()` waits, in ms (an integer from 0 to 2 147 483 647): for the last span
   * export, then for the metrics server and the logger. A span exporter that has not answered by
   * then is abandoned (its spans are dropped) and reported once, naming its endpoint, on the setup's
   * logger (standard error when logging is off or hides warnings).
   * @defaultValue {@link DEFAULT_SHUTDOWN_TIMEOUT_MS} (2000)
   */
  readonly shutdownTimeoutMs?: number | undefined;
}

/** Default of {@link ObservabilityOptions.shutdownTimeoutMs}: 2000 ms. @since 0.1.0 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2000;

/** Defaults of {@link TracingOptions}. @since 0.1.0 */
export const DEFAULT_TRACING_OPTIONS: Readonly<{
  exporter: TraceExporterName;
  sampleRatio: number;
  contextManager: boolean;
  exportTimeoutMs: number;
}> = Object.freeze({ exporter: "otlp", sampleRatio: 1, contextManager: true, exportTimeoutMs: 10_000 });

/** Defaults of {@link MetricsOptions}. @since 0.1.0 */
export const DEFAULT_METRICS_OPTIONS: Readonly<{ host: string; defaultMetrics: boolean; maxNames: number }> =
  Object.freeze({ host: "127.0.0.1", defaultMetrics: false, maxNames: 200 });

/** Defaults of {@link LoggingOptions}. @since 0.1.0 */
export const DEFAULT_LOGGING_OPTIONS: Readonly<{ level: LogLevel; pretty: boolean }> = Object.freeze({
  level: "info",
  pretty: false,
});

/** {@link TracingOptions} after validation. @since 0.1.0 */
export interface ResolvedTracingOptions {
  readonly exporter: TraceExporterName;
  readonly endpoint: URL | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly sampleRatio: number;
  readonly contextManager: boolean;
  readonly exportTimeoutMs: number;
  /** How exported spans are redacted. */
  readonly redact: ResolvedRedactOptions;
}

/** {@link MetricsOptions} after validation. @since 0.1.0 */
export interface ResolvedMetricsOptions {
  readonly port: number | undefined;
  readonly host: string;
  readonly defaultMetrics: boolean;
  readonly maxNames: number;
  /** The catalogue that prices model calls. */
  readonly catalog: Catalog;
}

/** {@link LoggingOptions} after validation. @since 0.1.0 */
export interface ResolvedLoggingOptions {
  readonly level: LogLevel;
  readonly pretty: boolean;
  readonly destination: number | string | LogDestination | undefined;
}

/** {@link ObservabilityOptions} after validation; a disabled section is `undefined`. @since 0.1.0 */
export interface ResolvedObservabilityOptions {
  readonly serviceName: string;
  readonly serviceVersion: string | undefined;
  readonly tracing: ResolvedTracingOptions | undefined;
  readonly metrics: ResolvedMetricsOptions | undefined;
  readonly logging: ResolvedLoggingOptions | undefined;
  /** The longest `shutdown()` waits, ms. */
  readonly shutdownTimeoutMs: number;
}

const LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const TOP_KEYS = ["serviceName", "serviceVersion", "tracing", "metrics", "logging", "shutdownTimeoutMs"] as const;
const TRACING_KEYS = [
  "exporter",
  "endpoint",
  "headers",
  "sampleRatio",
  "contextManager",
  "exportTimeoutMs",
  "redact",
] as const;
const METRICS_KEYS = ["port", "host", "defaultMetrics", "maxNames", "catalog"] as const;
const LOGGING_KEYS = ["level", "pretty", "destination"] as const;

/** What the options configure, in unknown-option messages. */
const WHAT = "setupObservability";

/** A section (`tracing`, `metrics`, `logging`): its own keys, `undefined`/`null` meaning the defaults. */
function section(name: string, value: unknown, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  if (value !== undefined && value !== null && !isPlainObject(value))
    fail(name, "a plain object, `false` or omitted", value);
  return readOptions(WHAT, value ?? undefined, allowed, name);
}

/** A non-blank string (a service name, a host). */
function nonEmpty(option: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") fail(option, "a non-empty string", value);
  return value;
}

function stringRecord(option: string, value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({});
  if (!isPlainObject(value)) fail(option, "a plain object of strings", value);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") fail(`${option}.${key}`, "a string", v);
    out[key] = v;
  }
  return Object.freeze(out);
}

function endpointOption(exporter: TraceExporterName, value: unknown): URL | undefined {
  if (value === undefined) return undefined;
  const option = "tracing.endpoint";
  if (exporter === "console" || exporter === "memory" || exporter === "none")
    throw new InvalidOptionsError(option, `\`${option}\` is not used by the "${exporter}" exporter`);
  if (typeof value !== "string") fail(option, "a URL string", value);
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new InvalidOptionsError(option, `Expected \`${option}\` to be a valid URL, got ${describeValue(value)}`, {
      cause,
    });
  }
  const allowed = exporter === "jaeger" ? ["http:", "https:", "udp:"] : ["http:", "https:"];
  if (!allowed.includes(url.protocol) || url.hostname === "")
    fail(option, `an absolute ${allowed.map((p) => p.slice(0, -1)).join("/")} URL with a host`, value);
  if (url.protocol === "udp:" && url.port === "") fail(option, "a udp://host:port URL with a port", value);
  return url;
}

function resolveTracing(value: unknown): ResolvedTracingOptions | undefined {
  if (value === false) return undefined;
  const o = section("tracing", value, TRACING_KEYS);
  const name = choiceOption("tracing.exporter", o.exporter, TRACE_EXPORTERS, DEFAULT_TRACING_OPTIONS.exporter);
  const headers = stringRecord("tracing.headers", o.headers);
  if (Object.keys(headers).length > 0 && !name.startsWith("otlp"))
    throw new InvalidOptionsError("tracing.headers", `\`tracing.headers\` is only used by the OTLP exporters`);
  let sampleRatio = DEFAULT_TRACING_OPTIONS.sampleRatio;
  if (o.sampleRatio !== undefined) {
    if (typeof o.sampleRatio !== "number" || !(o.sampleRatio >= 0 && o.sampleRatio <= 1))
      fail("tracing.sampleRatio", "a number ≥ 0 and ≤ 1", o.sampleRatio);
    sampleRatio = o.sampleRatio;
  }
  return Object.freeze({
    exporter: name,
    endpoint: endpointOption(name, o.endpoint),
    headers,
    sampleRatio,
    contextManager: booleanOption("tracing.contextManager", o.contextManager, DEFAULT_TRACING_OPTIONS.contextManager),
    exportTimeoutMs: integerOption(
      "tracing.exportTimeoutMs",
      o.exportTimeoutMs,
      DEFAULT_TRACING_OPTIONS.exportTimeoutMs,
      {
        min: 1,
        max: MAX_TIMER_MS,
      },
    ),
    redact: resolveRedactOptions(o.redact),
  });
}

function resolveCatalog(value: unknown): Catalog {
  if (value === undefined) return defaultCatalog;
  if (typeof value !== "object" || typeof (value as Partial<Catalog>).cost !== "function")
    fail(
      "metrics.catalog",
      "a Catalog (from `createCatalog` or `loadCatalog` of @tta/primitives) with a `cost` function",
      value,
    );
  return value as Catalog;
}

function resolveMetrics(value: unknown): ResolvedMetricsOptions | undefined {
  if (value === false) return undefined;
  if (isPlainObject(value) && Object.hasOwn(value, "modelPrices"))
    throw new InvalidOptionsError(
      "metrics.modelPrices",
      "`metrics.modelPrices` was removed: pass `metrics.catalog` instead, a `Catalog` from `createCatalog` or " +
        "`loadCatalog` (or `defaultCatalog.extend([...])`) of @tta/primitives, whose entries carry " +
        "`pricing: { inputPerMillion, outputPerMillion, cachedInputPerMillion? }`",
    );
  const o = section("metrics", value, METRICS_KEYS);
  return Object.freeze({
    port: o.port === undefined ? undefined : integerOption("metrics.port", o.port, 0, { min: 0, max: 65_535 }),
    host: o.host === undefined ? DEFAULT_METRICS_OPTIONS.host : nonEmpty("metrics.host", o.host),
    defaultMetrics: booleanOption("metrics.defaultMetrics", o.defaultMetrics, DEFAULT_METRICS_OPTIONS.defaultMetrics),
    maxNames: integerOption("metrics.maxNames", o.maxNames, DEFAULT_METRICS_OPTIONS.maxNames, { min: 1, max: 100_000 }),
    catalog: resolveCatalog(o.catalog),
  });
}

function resolveLogging(value: unknown): ResolvedLoggingOptions | undefined {
  if (value === false) return undefined;
  const o = section("logging", value, LOGGING_KEYS);
  const level = choiceOption("logging.level", o.level, LEVELS, DEFAULT_LOGGING_OPTIONS.level);
  const pretty = booleanOption("logging.pretty", o.pretty, DEFAULT_LOGGING_OPTIONS.pretty);
  const destination = o.destination;
  if (destination !== undefined) {
    const isFd = typeof destination === "number" && Number.isInteger(destination) && destination >= 0;
    const isPath = typeof destination === "string" && destination !== "";
    const isSink =
      typeof destination === "object" && typeof (destination as Partial<LogDestination>).write === "function";
    if (!isFd && !isPath && !isSink)
      fail("logging.destination", "a file descriptor, a file path or an object with write(line)", destination);
    if (pretty && isSink)
      fail("logging.destination", "a file descriptor or path when `logging.pretty` is true", destination);
  }
  return Object.freeze({
    level,
    pretty,
    destination: destination as ResolvedLoggingOptions["destination"],
  });
}

/**
 * Validates {@link ObservabilityOptions} and fills in the defaults.
 *
 * @remarks
 * Only own properties are read; `undefined` and `null` mean "the default"; `false` disables a
 * section. Nothing is started or registered here.
 *
 * @throws An {@link InvalidOptionsError} (code `INVALID_OPTIONS`, `option` = the dotted option name) for an
 * unknown key, an unknown exporter or log level, an invalid endpoint URL, a port outside 0..65535, a
 * `sampleRatio` outside 0..1, a `shutdownTimeoutMs` that is not an integer from 0 to 2 147 483 647,
 * a `metrics.catalog` without a `cost` function, the removed
 * `metrics.modelPrices`, or a value of the wrong type.
 * @example
 * ```ts
 * resolveObservabilityOptions({ serviceName: "api", tracing: { exporter: "zipkin" } });
 * // throws InvalidOptionsError: Expected `tracing.exporter` to be one of "otlp", …, got "zipkin"
 * ```
 * @since 0.1.0
 */
export function resolveObservabilityOptions(options: unknown): ResolvedObservabilityOptions {
  if (!isPlainObject(options)) fail("options", "a plain object with at least `serviceName`", options);
  const o = readOptions(WHAT, options, TOP_KEYS);
  const serviceVersion = o.serviceVersion === undefined ? undefined : nonEmpty("serviceVersion", o.serviceVersion);
  return Object.freeze({
    serviceName: nonEmpty("serviceName", o.serviceName),
    serviceVersion,
    tracing: resolveTracing(o.tracing),
    metrics: resolveMetrics(o.metrics),
    logging: resolveLogging(o.logging),
    shutdownTimeoutMs: integerOption("shutdownTimeoutMs", o.shutdownTimeoutMs, DEFAULT_SHUTDOWN_TIMEOUT_MS, {
      min: 0,
      max: MAX_TIMER_MS,
    }),
  });
}
