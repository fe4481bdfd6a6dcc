/**
 * `setupObservability`: traces, metrics and correlated logs for every `@tta/primitives` workflow
 * in the process, wired in one call, and undone by one `shutdown()`.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import type { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { TtaEvent } from "@tta/primitives";
import { subscribe } from "@tta/primitives";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { addModelCallSink } from "./gen-ai.js";
import { createLogging } from "./logging.js";
import { TtaMetrics } from "./metrics.js";
import type { ObservabilityOptions } from "./options.js";
import { resolveObservabilityOptions } from "./options.js";
import { startTracing } from "./tracing.js";
import type { TracingRuntime } from "./tracing.js";
import { OnceReporter } from "./internal/report.js";
import { within } from "./internal/within.js";

/** What {@link ObservabilityHandle.ready} resolves with. @since 0.1.0 */
export interface ObservabilityReady {
  /** URL of the standalone metrics server, or `undefined` (none configured, or it could not listen). */
  readonly metricsUrl: string | undefined;
}

/** What {@link setupObservability} returns. @since 0.1.0 */
export interface ObservabilityHandle {
  /** The SDK tracer provider (registered globally), or `undefined` with `tracing: false`. */
  readonly tracerProvider: NodeTracerProvider | undefined;
  /** The in-memory exporter with `tracing.exporter: "memory"` (read spans before `shutdown()`, which clears it). */
  readonly memoryExporter: InMemorySpanExporter | undefined;
  /** The prom-client registry holding the TTA metrics (empty with `metrics: false`). */
  readonly registry: Registry;
  /** The pino logger (disabled with `logging: false`). */
  readonly logger: Logger;
  /** A `node:http` request handler serving `GET /metrics` from {@link ObservabilityHandle.registry}; mount it anywhere. */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Settles when the standalone metrics server listens (or failed to). Never rejects. */
  readonly ready: Promise<ObservabilityReady>;
  /** Exports every ended span now. Never rejects. */
  forceFlush(): Promise<void>;
  /**
   * Flushes pending spans (batch processor) and shuts the provider down, stops the metrics server,
   * unsubscribes from primitive events, flushes the logger and unregisters the OpenTelemetry
   * globals it registered. Idempotent (every call returns the same promise); never rejects.
   *
   * Takes at most `shutdownTimeoutMs` (default 2000 ms): a span exporter that has not answered by
   * then (no collector listening, say) is abandoned, its pending spans dropped, and this is said once
   * on the setup's logger at warn (standard error when logging is off or hides warnings), naming the
   * endpoint and how to change it. The exporter's own retries may still run in the background for
   * up to `tracing.exportTimeoutMs`.
   */
  shutdown(): Promise<void>;
}

/**
 * Wires OpenTelemetry tracing, Prometheus metrics and pino logs for every `@tta/primitives`
 * workflow in the process, in one call.
 *
 * @remarks
 * Details:
 * - Tracing: a `NodeTracerProvider` (resource `service.name`/`service.version`, parent-based ratio
 *   sampler) registered globally with the W3C propagator and, unless `tracing.contextManager` is
 *   false, the `AsyncLocalStorage` context manager (which taxes every promise in the process,
 *   ~+85 ns on Node 20, but lets user code and log lines see the active span after `await`s). Batch
 *   processor, except `memory` (simple: spans readable as soon as they end).
 * - Metrics: a prom-client registry with the DESIGN §8 metrics, fed through `subscribe()`;
 *   `metricsHandler` serves it, `metrics.port` also starts a standalone server on `metrics.host`
 *   (127.0.0.1 by default).
 * - Logs: pino JSON with `trace_id`, `span_id`, `workflow_id`, `correlation_id` inside workflows;
 *   retries, breaker transitions, timeouts, fallbacks and rejections at warn/info, per-execution
 *   start/end at debug only.
 * - Failure safety: an unreachable exporter, a failing log destination, a port in use or a second
 *   registration never throw into business code; each is reported once through `diag`. A span
 *   exporter that cannot deliver is also reported once per setup on the setup's logger (standard
 *   error when logging is off), with its endpoint and how to change it.
 * - Call `shutdown()` before the process exits (e.g. on SIGTERM) so batched spans are not lost; it
 *   takes at most `shutdownTimeoutMs` (default 2000 ms).
 *
 * @defaultValue see {@link DEFAULT_TRACING_OPTIONS}, {@link DEFAULT_METRICS_OPTIONS}, {@link DEFAULT_LOGGING_OPTIONS},
 * {@link DEFAULT_SHUTDOWN_TIMEOUT_MS}
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} (code `INVALID_OPTIONS`)
 * naming the option, for invalid options
 * (unknown key, unknown exporter, bad endpoint URL, port out of range, `sampleRatio` outside 0..1,
 * `shutdownTimeoutMs` not an integer from 0 to 2 147 483 647, …),
 * before anything is started or registered.
 * @example
 * ```ts
 * const obs = setupObservability({
 *   serviceName: "support-triage",
 *   tracing: { exporter: "otlp", endpoint: "http://127.0.0.1:4318/v1/traces" },
 *   metrics: { port: 9464 },
 * });
 * await flow.execute(ticket);
 * await obs.shutdown();
 * ```
 * @since 0.1.0
 */
export function setupObservability(options: ObservabilityOptions): ObservabilityHandle {
  const resolved = resolveObservabilityOptions(options);
  const reporter = new OnceReporter();
  const service = { serviceName: resolved.serviceName, serviceVersion: resolved.serviceVersion };

  let tracing: TracingRuntime | undefined;
  if (resolved.tracing !== undefined) {
    try {
      tracing = startTracing(resolved.tracing, service, reporter);
    } catch (error) {
      reporter.report("tracing:start", "tracing could not start; continuing without spans", error);
    }
  }

  let metrics: TtaMetrics | undefined;
  if (resolved.metrics !== undefined) {
    try {
      metrics = new TtaMetrics(resolved.metrics, reporter);
    } catch (error) {
      reporter.report("metrics:start", "metrics could not start; continuing without them", error);
    }
  }
  const registry = metrics?.registry ?? new Registry();

  const logging = createLogging(resolved.logging, service, reporter, tracing !== undefined);
  // What the user must see without a diag logger (an unreachable exporter) goes to this logger when
  // it shows warnings; otherwise the reporter writes it to standard error.
  if (logging.logger.isLevelEnabled("warn")) {
    const logger = logging.logger;
    reporter.setNoticeSink((message) => logger.warn(message));
  }

  const metricsRuntime = metrics;
  const logEvent = logging.onEvent;
  const onEvent =
    metricsRuntime === undefined
      ? logEvent
      : (event: TtaEvent): void => {
          metricsRuntime.onEvent(event);
          logEvent(event);
        };
  const unsubscribe = metrics !== undefined || resolved.logging !== undefined ? subscribe(onEvent) : undefined;
  const removeSink = metrics !== undefined ? addModelCallSink(metrics) : undefined;

  let server: Server | undefined;
  let ready: Promise<ObservabilityReady> = Promise.resolve({ metricsUrl: undefined });
  if (metrics !== undefined) {
    const started = metrics.listen();
    server = started.server;
    ready = started.ready.then((metricsUrl) => ({ metricsUrl }));
  }
  const metricsHandler =
    metrics?.handler ??
    ((_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(404).end();
    });

  let stopped: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopped ??= (async () => {
      const budget = resolved.shutdownTimeoutMs;
      const deadline = Date.now() + budget;
      // Part of the budget is kept for the logger, so that a notice about an abandoned exporter is written out.
      const beforeLogs = budget - Math.min(250, Math.floor(budget / 4));
      unsubscribe?.();
      removeSink?.();
      const closing =
        server === undefined
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            });
      await Promise.all([tracing?.shutdown(beforeLogs, budget), within(closing, beforeLogs)]);
      await within(logging.shutdown(), Math.max(0, deadline - Date.now()));
      reporter.muteNotices();
    })().catch((error: unknown) => reporter.report("shutdown", "shutdown failed", error)));

  return {
    tracerProvider: tracing?.provider,
    memoryExporter: tracing?.memoryExporter,
    registry,
    logger: logging.logger,
    metricsHandler,
    ready,
    forceFlush: () => tracing?.forceFlush() ?? Promise.resolve(),
    shutdown,
  };
}
