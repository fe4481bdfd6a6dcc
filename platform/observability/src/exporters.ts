/**
 * Span exporters by name, each wrapped so that an unreachable backend or a throwing exporter never
 * reaches business code (reported once through `diag`, spans dropped until it recovers).
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
 * exports are dropped, and recovery is noted at `diag.info`.
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
  #dropped = 0;

  constructor(inner: SpanExporter, reporter: OnceReporter, label: string) {
    this.inner = inner;
    this.#reporter = reporter;
    this.#label = label;
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
      return { exporter: new SafeSpanExporter(new OtlpJsonExporter(otlp), reporter, "otlp-json"), memory: undefined };
    case "otlp":
    case "otlp-proto":
      return { exporter: new SafeSpanExporter(new OtlpProtoExporter(otlp), reporter, "otlp"), memory: undefined };
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
        exporter: new SafeSpanExporter(new jaeger.JaegerExporter(config), reporter, "jaeger"),
        memory: undefined,
      };
    }
  }
}
