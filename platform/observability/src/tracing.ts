/**
 * The OpenTelemetry tracing half of {@link setupObservability}: a `NodeTracerProvider` with a
 * parent-based ratio sampler, the configured exporter behind a batch processor, and the globals
 * (tracer provider, optional `AsyncLocalStorage` context manager, W3C propagator) it registers and
 * later unregisters.
 *
 * @packageDocumentation
 */
import { ProxyTracerProvider, context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { InMemorySpanExporter, Sampler, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { UNREACHABLE_NOTICE, createSpanExporter, exportTarget, shutdownTimeoutNotice } from "./exporters.js";
import { createW3CPropagator } from "./propagation.js";
import { RedactingSpanExporter } from "./redaction.js";
import { within } from "./internal/within.js";
import type { ResolvedTracingOptions } from "./options.js";
import type { OnceReporter } from "./internal/report.js";

/** The sampler for `sampleRatio`: always-on at 1, else trace-id ratio; both parent-based. */
function samplerFor(ratio: number): Sampler {
  return new ParentBasedSampler({ root: ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio) });
}

/** What {@link startTracing} returns. @since 0.1.0 */
export interface TracingRuntime {
  /** The SDK provider (also the global one when `registered`). */
  readonly provider: NodeTracerProvider;
  /** The in-memory exporter, for `exporter: "memory"`. */
  readonly memoryExporter: InMemorySpanExporter | undefined;
  /** Whether the provider became the global tracer provider (false when another one was registered first). */
  readonly registered: boolean;
  /** Exports every ended span now. Never rejects. */
  forceFlush(): Promise<void>;
  /**
   * Flushes, shuts the provider down and unregisters the globals this call registered. Never rejects.
   * Waits at most `timeoutMs` (default: `exportTimeoutMs` + 1 s) for the flush; an exporter that has
   * not answered by then is abandoned and reported once (endpoint and how to change it) through the
   * reporter's notice, which quotes `shutdownTimeoutMs` (default: `timeoutMs`) as the limit. Only the
   * first call's arguments count (the same promise is returned).
   */
  shutdown(timeoutMs?: number, shutdownTimeoutMs?: number): Promise<void>;
}

/** {@link within}, ignoring which one came first. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  await within(work, ms);
}

/**
 * Creates the tracer provider described by `options` and registers it (and, unless
 * `contextManager` is false, an `AsyncLocalStorage` context manager, plus the W3C propagator) with
 * the OpenTelemetry API.
 *
 * @remarks
 * - Processor: `SimpleSpanProcessor` for the `memory` exporter (a span is readable as soon as it
 *   ends: deterministic tests), `BatchSpanProcessor` for every other exporter (export off the hot
 *   path; `shutdown()` flushes it).
 * - Redaction: the exporter is wrapped in a {@link RedactingSpanExporter} (`tracing.redact`), so no
 *   span leaves the process with a credential in a message, a stack trace or a string attribute.
 * - Resource: `service.name`, `service.version` (when given), merged with the SDK's defaults.
 * - If another tracer provider, context manager or propagator is already registered, that global
 *   is left alone and the conflict is reported once through `diag`; nothing throws.
 *
 * @example
 * ```ts
 * const tracing = startTracing(resolved.tracing, { serviceName: "api" }, reporter);
 * await tracing.shutdown();
 * ```
 * @since 0.1.0
 */
export function startTracing(
  options: ResolvedTracingOptions,
  service: { readonly serviceName: string; readonly serviceVersion?: string | undefined },
  reporter: OnceReporter,
): TracingRuntime {
  const created = createSpanExporter(options, reporter);
  const memory = created.memory;
  // Every exported span goes through the one redaction step (`tracing.redact`).
  const exporter =
    created.exporter === undefined ? undefined : new RedactingSpanExporter(created.exporter, options.redact, reporter);
  const spanProcessors: SpanProcessor[] = [];
  if (exporter !== undefined)
    spanProcessors.push(
      memory !== undefined
        ? new SimpleSpanProcessor(exporter)
        : new BatchSpanProcessor(exporter, { exportTimeoutMillis: options.exportTimeoutMs }),
    );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: service.serviceName,
      ...(service.serviceVersion === undefined ? {} : { [ATTR_SERVICE_VERSION]: service.serviceVersion }),
    }),
    sampler: samplerFor(options.sampleRatio),
    spanProcessors,
  });

  const registered = trace.setGlobalTracerProvider(provider);
  if (!registered)
    reporter.report(
      "register:trace",
      "another OpenTelemetry tracer provider is already registered; TTA spans go to that one (call shutdown() of the previous setup first)",
    );
  let contextManager: AsyncLocalStorageContextManager | undefined;
  if (options.contextManager) {
    const manager = new AsyncLocalStorageContextManager();
    manager.enable();
    if (context.setGlobalContextManager(manager)) contextManager = manager;
    else {
      manager.disable();
      reporter.report("register:context", "another OpenTelemetry context manager is already registered; keeping it");
    }
  }
  const propagatorRegistered = propagation.setGlobalPropagator(createW3CPropagator());

  let shutdownPromise: Promise<void> | undefined;
  const limit = options.exportTimeoutMs + 1000;
  return {
    provider,
    memoryExporter: memory,
    registered,
    forceFlush: () =>
      bounded(
        provider.forceFlush().catch((error: unknown) => reporter.report("flush", "flushing spans failed", error)),
        limit,
      ),
    shutdown(timeoutMs = limit, shutdownTimeoutMs = timeoutMs) {
      shutdownPromise ??= (async () => {
        const finished = await within(
          provider
            .forceFlush()
            .then(() => provider.shutdown())
            .catch((error: unknown) => reporter.report("shutdown", "shutting the tracer provider down failed", error)),
          timeoutMs,
        );
        if (!finished) {
          const target = exportTarget(options);
          if (target !== undefined)
            reporter.notice(UNREACHABLE_NOTICE, shutdownTimeoutNotice(target, shutdownTimeoutMs));
          else
            reporter.report(
              "shutdown:timeout",
              `shutdown() stopped waiting after ${timeoutMs} ms for the span exporter; its pending spans are dropped`,
            );
        }
        // Unregister only what this setup registered (and is still registered).
        const global = trace.getTracerProvider();
        if (registered && global instanceof ProxyTracerProvider && global.getDelegate() === provider) trace.disable();
        if (contextManager !== undefined) {
          context.disable();
          contextManager.disable();
        }
        if (propagatorRegistered) propagation.disable();
      })();
      return shutdownPromise;
    },
  };
}
