/**
 * Span exporters by name, each wrapped so that an unreachable backend or a throwing exporter never
 * reaches business code (reported once through `diag`, and once on the setup's logger or standard
 * error naming the endpoint; spans dropped until it recovers).
 *
 * @packageDocumentation
 */
import { createRequire } from "node:module";
import type { ExportResult } from "@opentelemetry/core";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ConsoleSpanExporter, InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import type { ResolvedTracingOptions } from "./options.js";
import type { OnceReporter } from "./internal/report.js";

/**
 * A span exporter that never throws and never reports a failure to its span processor: the first
 * failure of an outage is reported once through `diag.warn` (with the error), the spans of failed
 * exports are dropped, and recovery is noted at `diag.info`. With a `target`, the very first failure
 * is also told to the user once per setup ({@link OnceReporter.notice}: the setup's logger, or
 * standard error), naming the endpoint and how to change it.
 *
 * @remarks
 * Batch processors do nothing with a failed result except hand it to the global error handler (a
 * `diag.error` per batch), so answering `SUCCESS` after reporting loses nothing and keeps a dead
 * collector from flooding the diagnostic log.
 *
 * @example
 * ```ts
 * const safe = new SafeSpanExporter(new OTLPTraceExporter(), new OnceReporter(), "otlp");
 * ```
 * @since 0.1.0
 */
export class SafeSpanExporter implements SpanExporter {
  /** The wrapped exporter. */
  readonly inner: SpanExporter;
  readonly #reporter: OnceReporter;
  readonly #label: string;
  readonly #target: ExportTarget | undefined;
  #dropped = 0;

  /**
   * @param target - where the exporter sends spans; when given, the first failure is also told to the
   * user once (on the setup's logger, or standard error) with {@link unreachableNotice}.
   */
  constructor(inner: SpanExporter, reporter: OnceReporter, label: string, target?: ExportTarget) {
    this.inner = inner;
    this.#reporter = reporter;
    this.#label = label;
    this.#target = target;
  }

  /** Spans dropped because an export failed, since start. */
  get droppedSpans(): number {
    return this.#dropped;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const key = `export:${this.#label}`;
    const finish = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) {
        this.#reporter.clear(key, `the ${this.#label} span exporter works again`);
      } else {
        this.#dropped += spans.length;
        this.#reporter.report(
          key,
          `the ${this.#label} span exporter failed; spans are dropped until it recovers (reported once per outage)`,
          result.error,
        );
        if (this.#target !== undefined)
          this.#reporter.notice(UNREACHABLE_NOTICE, unreachableNotice(this.#target, errorSummary(result.error)));
      }
      try {
        resultCallback({ code: ExportResultCode.SUCCESS });
      } catch {
        // the processor's own callback; nothing to do
      }
    };
    try {
      this.inner.export(spans, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.inner.shutdown();
    } catch (error) {
      this.#reporter.report(`shutdown:${this.#label}`, `the ${this.#label} span exporter failed to shut down`, error);
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.inner.forceFlush?.();
    } catch (error) {
      this.#reporter.report(`flush:${this.#label}`, `the ${this.#label} span exporter failed to flush`, error);
    }
  }
}

/** The key of the one notice about a span exporter that cannot deliver (see {@link OnceReporter.notice}). */
export const UNREACHABLE_NOTICE = "exporter:unreachable";

/** Where a network span exporter sends spans, and how a user changes that. @since 0.1.0 */
export interface ExportTarget {
  /** The exporter's name, e.g. `"otlp"`. */
  readonly label: string;
  /**
   * The URL spans go to (the configured one, the one from the environment, or the exporter's default),
   * without credentials or query.
   */
  readonly endpoint: string;
  /** How to point it elsewhere: the option and the environment variable. */
  readonly change: string;
}

const OTLP_DEFAULT_TRACES_URL = "http://localhost:4318/v1/traces";
const OTLP_CHANGE =
  "set `tracing.endpoint` (or the OTEL_EXPORTER_OTLP_TRACES_ENDPOINT environment variable) to a running collector, " +
  'or `tracing: { exporter: "none" }` to export nothing';

/** `url` without credentials and query (either may hold a secret), for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    const query = parsed.search === "" ? "" : "?…";
    parsed.search = "";
    parsed.hash = "";
    return `${parsed.href}${query}`;
  } catch {
    return "an invalid URL";
  }
}

/** A non-empty trimmed environment variable, else `undefined`. */
function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Where the exporter named by `options` sends spans: what the OTLP exporters resolve themselves
 * (`tracing.endpoint`, else `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` +
 * `/v1/traces`, else `http://localhost:4318/v1/traces`), or the Jaeger endpoint (default agent
 * `udp://localhost:6832`). `undefined` for exporters that send nothing over the network.
 *
 * @example
 * ```ts
 * exportTarget(resolved.tracing)?.endpoint; // → "http://localhost:4318/v1/traces"
 * ```
 * @since 0.1.0
 */
export function exportTarget(options: ResolvedTracingOptions): ExportTarget | undefined {
  switch (options.exporter) {
    case "otlp":
    case "otlp-json":
    case "otlp-proto": {
      const label = options.exporter === "otlp-json" ? "otlp-json" : "otlp";
      const base = env("OTEL_EXPORTER_OTLP_ENDPOINT");
      const endpoint =
        options.endpoint?.href ??
        env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ??
        (base === undefined ? OTLP_DEFAULT_TRACES_URL : `${base.replace(/\/+$/, "")}/v1/traces`);
      return { label, endpoint: shown(endpoint), change: OTLP_CHANGE };
    }
    case "jaeger":
      return {
        label: "jaeger",
        endpoint: shown(options.endpoint?.href ?? "udp://localhost:6832"),
        change:
          "set `tracing.endpoint` to a running Jaeger agent (udp://host:6832) or collector (http://host:14268/api/traces)",
      };
    default:
      return undefined;
  }
}

/** A short, secret-free description of an export error: its code (`ECONNREFUSED`) or its first 120 characters. */
function errorSummary(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code !== "") return code;
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error";
  return message.length > 120 ? `${message.slice(0, 120)}…` : message;
}

/**
 * The one line a user sees when spans cannot be delivered to `target` (`why`: what went wrong).
 *
 * @example
 * ```ts
 * unreachableNotice(target, "ECONNREFUSED");
 * // → "could not export spans to http://localhost:4318/v1/traces (otlp: ECONNREFUSED); spans are dropped …"
 * ```
 * @since 0.1.0
 */
export function unreachableNotice(target: ExportTarget, why: string | undefined): string {
  return (
    `could not export spans to ${target.endpoint} (${target.label}${why === undefined ? "" : `: ${why}`}); ` +
    `spans are dropped while it is unreachable (said once). To change it, ${target.change}.`
  );
}

/**
 * The one line a user sees when `shutdown()` gave up on the exporter at `target` (`shutdownTimeoutMs`:
 * the limit it had).
 *
 * @example
 * ```ts
 * shutdownTimeoutNotice(target, 2000);
 * // → "shutdown() gave up on the otlp span exporter at http://localhost:4318/v1/traces (shutdownTimeoutMs: 2000) …"
 * ```
 * @since 0.1.0
 */
export function shutdownTimeoutNotice(target: ExportTarget, shutdownTimeoutMs: number): string {
  return (
    `shutdown() gave up on the ${target.label} span exporter at ${target.endpoint} (shutdownTimeoutMs: ` +
    `${shutdownTimeoutMs}): it did not answer (is anything listening there?); the spans it still held are dropped. ` +
    `To change it, ${target.change}; \`shutdownTimeoutMs\` sets how long shutdown() waits.`
  );
}

/** The Jaeger exporter's constructor options we use (`@opentelemetry/exporter-jaeger` 2.11). */
interface JaegerConfig {
  host?: string;
  port?: number;
  endpoint?: string;
  flushTimeout?: number;
}

type JaegerModule = { JaegerExporter: new (config: JaegerConfig) => SpanExporter };

/** Loads the optional `@opentelemetry/exporter-jaeger` peer (a CommonJS package) synchronously. */
function loadJaeger(): JaegerModule {
  const require = createRequire(import.meta.url);
  return require("@opentelemetry/exporter-jaeger") as JaegerModule;
}

/** What {@link createSpanExporter} returns. @since 0.1.0 */
export interface CreatedExporter {
  /** The exporter for the span processor (wrapped), or `undefined` for `"none"` or when it could not be created. */
  readonly exporter: SpanExporter | undefined;
  /** The in-memory exporter when `exporter` is `"memory"`. */
  readonly memory: InMemorySpanExporter | undefined;
}

/**
 * Creates the span exporter named by resolved tracing options.
 *
 * @remarks
 * `otlp`/`otlp-proto` use `@opentelemetry/exporter-trace-otlp-proto`, `otlp-json` uses
 * `@opentelemetry/exporter-trace-otlp-http`; without an endpoint they follow `OTEL_EXPORTER_OTLP_*`
 * or default to `http://localhost:4318/v1/traces`. `jaeger` loads the optional peer
 * `@opentelemetry/exporter-jaeger`: `udp://host:port` selects the agent (thrift compact over UDP),
 * `http(s)://…` the collector; when the package is missing this reports through `diag` and exports
 * nothing. Creating an exporter opens no connection.
 *
 * @example
 * ```ts
 * const { exporter } = createSpanExporter(resolved.tracing, new OnceReporter());
 * ```
 * @since 0.1.0
 */
export function createSpanExporter(options: ResolvedTracingOptions, reporter: OnceReporter): CreatedExporter {
  const url = options.endpoint?.href;
  const otlp = {
    ...(url === undefined ? {} : { url }),
    headers: { ...options.headers },
    timeoutMillis: options.exportTimeoutMs,
  };
  switch (options.exporter) {
    case "none":
      return { exporter: undefined, memory: undefined };
    case "memory": {
      const memory = new InMemorySpanExporter();
      return { exporter: memory, memory };
    }
    case "console":
      return { exporter: new SafeSpanExporter(new ConsoleSpanExporter(), reporter, "console"), memory: undefined };
    case "otlp-json":
      return {
        exporter: new SafeSpanExporter(new OtlpJsonExporter(otlp), reporter, "otlp-json", exportTarget(options)),
        memory: undefined,
      };
    case "otlp":
    case "otlp-proto":
      return {
        exporter: new SafeSpanExporter(new OtlpProtoExporter(otlp), reporter, "otlp", exportTarget(options)),
        memory: undefined,
      };
    case "jaeger": {
      let jaeger: JaegerModule;
      try {
        jaeger = loadJaeger();
      } catch (error) {
        reporter.report(
          "jaeger:missing",
          'tracing.exporter "jaeger" needs the optional package @opentelemetry/exporter-jaeger@2.11.0; spans are not exported',
          error,
        );
        return { exporter: undefined, memory: undefined };
      }
      const endpoint = options.endpoint;
      const config: JaegerConfig = { flushTimeout: Math.min(options.exportTimeoutMs, 2000) };
      if (endpoint?.protocol === "udp:") {
        config.host = endpoint.hostname.replace(/^\[(.*)\]$/, "$1");
        config.port = Number(endpoint.port);
      } else if (endpoint !== undefined) {
        config.endpoint = endpoint.href;
      }
      return {
        exporter: new SafeSpanExporter(new jaeger.JaegerExporter(config), reporter, "jaeger", exportTarget(options)),
        memory: undefined,
      };
    }
  }
}
