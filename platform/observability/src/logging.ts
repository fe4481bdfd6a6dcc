/**
 * Logs: a pino JSON logger whose lines carry `trace_id`, `span_id`, `workflow_id` and
 * `correlation_id` when written inside a workflow, a destination that can never throw into the
 * caller, and the event subscriber that logs resilience events (hot-path events only at `debug`).
 *
 * @packageDocumentation
 */
import { createRequire } from "node:module";
import { hostname } from "node:os";
import { context, isSpanContextValid, trace } from "@opentelemetry/api";
import type { RunIdentity, TtaEvent } from "@tta/primitives";
import { RUN_CONTEXT_KEY, traceIdFromCorrelationId } from "@tta/primitives";
import type { DestinationStream, Logger, LoggerOptions } from "pino";
import { pino } from "pino";
import type { LogDestination, ResolvedLoggingOptions } from "./options.js";
import type { OnceReporter } from "./internal/report.js";

/** Fields the mixin adds to a line written inside a workflow. @since 0.1.0 */
export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
  workflow_id?: string;
  correlation_id?: string;
  /** Inside an agent (`@tta/agent-context`): the agent run's id, name and role. */
  agent_id?: string;
  agent_name?: string;
  agent_role?: string;
}

/**
 * The trace and run fields of the active OpenTelemetry context: `trace_id`/`span_id` from the
 * active span, `workflow_id`/`correlation_id` from the `RUN_CONTEXT_KEY` that every active `tta.*`
 * span's context carries. Empty outside a workflow. Never throws.
 *
 * @remarks
 * Inside user code after an `await`, the active context is only known when the
 * `AsyncLocalStorage` context manager is registered (`tracing.contextManager`, on by default).
 *
 * Without tracing, no span is active and a mixin cannot see the `WorkflowContext`: lines you write in
 * a step then carry no run fields unless you add them, e.g. `logger.child({ trace_id: ctx.traceId,
 * workflow_id: ctx.workflowId, correlation_id: ctx.correlationId })`. The lines the setup writes for
 * primitive events carry them (see `setupObservability`'s `logging` option).
 * @example
 * ```ts
 * const log = pino({ mixin: traceLogFields });
 * ```
 * @since 0.1.0
 */
export function traceLogFields(): TraceLogFields {
  const fields: TraceLogFields = {};
  try {
    const active = context.active();
    const spanContext = trace.getSpanContext(active);
    if (spanContext !== undefined && isSpanContextValid(spanContext)) {
      fields.trace_id = spanContext.traceId;
      fields.span_id = spanContext.spanId;
      addAgentFields(fields, trace.getSpan(active));
    }
    const run = active.getValue(RUN_CONTEXT_KEY) as RunIdentity | undefined;
    if (run !== undefined) {
      fields.workflow_id = run.workflowId;
      fields.correlation_id = run.correlationId;
    }
  } catch {
    // a broken context manager must not break logging
  }
  return fields;
}

/**
 * Copies the `tta.agent.*` attributes of the active span (set on every span inside an agent through
 * `SPAN_ATTRIBUTES_KEY`) to `agent_id`/`agent_name`/`agent_role`. The SDK's spans expose their
 * attributes; other spans have none to read.
 */
function addAgentFields(fields: TraceLogFields, span: unknown): void {
  const attributes = (span as { readonly attributes?: Readonly<Record<string, unknown>> } | undefined)?.attributes;
  if (attributes === undefined || attributes === null) return;
  const id = attributes["tta.agent.id"];
  if (typeof id !== "string") return;
  fields.agent_id = id;
  const name = attributes["tta.agent.name"];
  const role = attributes["tta.agent.role"];
  if (typeof name === "string") fields.agent_name = name;
  if (typeof role === "string") fields.agent_role = role;
}

function noFlush(): void {}

/** A destination wrapper whose `write` never throws (failures reported once through `diag`). */
class SafeDestination implements DestinationStream {
  readonly #inner: LogDestination;
  readonly #reporter: OnceReporter;
  /** Removes the `error` listener this wrapper added to the user's destination. */
  readonly detach: () => void;

  constructor(inner: LogDestination, reporter: OnceReporter) {
    this.#inner = inner;
    this.#reporter = reporter;
    this.detach = listenForErrors(inner, reporter);
  }

  write(line: string): void {
    try {
      this.#inner.write(line);
    } catch (error) {
      this.#reporter.report("log:write", "the log destination threw; log lines are dropped while it does", error);
    }
  }

  flush(cb: (error?: Error) => void): void {
    const inner = this.#inner as { flush?: (cb?: (error?: Error) => void) => void };
    try {
      if (typeof inner.flush === "function") inner.flush(() => cb());
      else cb();
    } catch (error) {
      this.#reporter.report("log:flush", "flushing the log destination failed", error);
      cb();
    }
  }
}

type Emitter = {
  on?: (event: string, listener: (error: unknown) => void) => unknown;
  off?: (event: string, listener: (error: unknown) => void) => unknown;
};

/**
 * An `error` event with no listener would crash the process: listen and report instead. Returns
 * the function that removes the listener again (a destination may outlive this setup).
 */
function listenForErrors(stream: unknown, reporter: OnceReporter): () => void {
  const emitter = stream as Emitter;
  if (typeof emitter.on !== "function") return () => undefined;
  const listener = (error: unknown): void => reporter.report("log:error", "the log destination failed", error);
  emitter.on("error", listener);
  return () => {
    if (typeof emitter.off === "function") emitter.off("error", listener);
  };
}

/** What {@link createLogging} returns. @since 0.1.0 */
export interface LoggingRuntime {
  /** The pino logger. */
  readonly logger: Logger;
  /** Logs one primitive event (resilience events at warn/info, start/end at debug). Never throws. */
  readonly onEvent: (event: TtaEvent) => void;
  /** Flushes and closes what this setup opened (never fd 1/2 themselves). Never rejects. */
  shutdown(): Promise<void>;
}

type Closable = { end?: () => void; once?: (event: string, listener: () => void) => void };

function resolvePinoPretty(reporter: OnceReporter): string | undefined {
  try {
    return createRequire(import.meta.url).resolve("pino-pretty");
  } catch (error) {
    reporter.report(
      "log:pretty",
      "logging.pretty needs the optional package pino-pretty@13.2.0; writing JSON lines instead",
      error,
    );
    return undefined;
  }
}

/**
 * Creates the logger described by `options` (`undefined`: a disabled logger).
 *
 * @remarks
 * - Lines are JSON with `level` as a string (`"info"`), `time` (epoch ms), `service`, and the
 *   {@link traceLogFields} inside a workflow: ready for Loki's `| json` and Grafana's trace links.
 * - Lines for primitive events also carry the event's `workflow_id` and `correlation_id`; with
 *   `traced` false (this setup does not trace), a line written outside any span also gets a
 *   `trace_id`: the run's `ctx.traceId` (its correlation id in W3C form), so that lines correlate by
 *   trace id even without tracing. With tracing on, only lines inside a span get one (the span's): a
 *   top-level execution's own start and end lines are written outside its span.
 * - `pretty`: the `pino-pretty` transport (a worker thread); falls back to JSON when the optional
 *   package is missing.
 * - A destination that throws or emits `error` never reaches the caller: reported once via `diag`.
 *
 * @example
 * ```ts
 * const { logger } = createLogging(resolved.logging, { serviceName: "api" }, reporter, false);
 * ```
 * @since 0.1.0
 */
export function createLogging(
  options: ResolvedLoggingOptions | undefined,
  service: { readonly serviceName: string; readonly serviceVersion?: string | undefined },
  reporter: OnceReporter,
  traced: boolean,
): LoggingRuntime {
  const base: Record<string, unknown> = { pid: process.pid, hostname: hostname(), service: service.serviceName };
  if (service.serviceVersion !== undefined) base.service_version = service.serviceVersion;
  if (options === undefined || options.level === "silent") {
    const logger = pino({ enabled: false, level: "silent" });
    return { logger, onEvent: () => undefined, shutdown: () => Promise.resolve() };
  }
  const config: LoggerOptions = { level: options.level, base, mixin: traceLogFields };
  let stream: DestinationStream;
  let owned: Closable | undefined;
  let detach: (() => void) | undefined;
  const prettyTarget = options.pretty ? resolvePinoPretty(reporter) : undefined;
  const target = options.destination;
  if (prettyTarget !== undefined) {
    const transport = pino.transport({
      target: prettyTarget,
      options: { destination: typeof target === "number" || typeof target === "string" ? target : 1 },
    }) as DestinationStream & Closable;
    listenForErrors(transport, reporter);
    stream = transport;
    owned = transport;
  } else {
    config.formatters = { level: (label) => ({ level: label }) };
    if (target === undefined || typeof target === "number" || typeof target === "string") {
      const boom = pino.destination({ dest: target ?? 1 });
      listenForErrors(boom, reporter);
      // A file that could not be opened leaves pino's exit hook calling `flushSync()` on a stream that
      // will never be ready, which throws "sonic boom is not ready yet" as the process exits: the
      // failure is already reported, so there is nothing left to flush.
      boom.on("error", () => {
        if ((boom as unknown as { fd: number }).fd < 0) boom.flushSync = noFlush;
      });
      stream = boom;
      if (typeof target === "string") owned = boom;
    } else {
      const safe = new SafeDestination(target, reporter);
      detach = safe.detach;
      stream = safe;
    }
  }
  const logger = pino(config, stream);

  const onEvent = (event: TtaEvent): void => {
    try {
      logEvent(logger, event, traced);
    } catch (error) {
      reporter.report("log:event", "logging a primitive event failed", error);
    }
  };

  let done: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (done ??= new Promise<void>((resolve) => {
      // Bounded: a destination that never calls back cannot hold shutdown() forever.
      const finish = (): void => {
        clearTimeout(timer);
        detach?.();
        resolve();
      };
      const timer = setTimeout(finish, 2000);
      timer.unref();
      try {
        logger.flush(() => {
          if (owned?.end === undefined) return finish();
          // A stream that already failed or closed never emits "close" again: do not wait for it.
          const state = owned as { destroyed?: boolean; errored?: unknown; closed?: boolean };
          if (state.destroyed === true || state.closed === true || (state.errored ?? null) !== null) return finish();
          owned.once?.("close", finish);
          owned.end();
          if (owned.once === undefined) finish();
        });
      } catch (error) {
        reporter.report("log:flush", "flushing the logger failed", error);
        finish();
      }
    }));
  return { logger, onEvent, shutdown };
}

const DEBUG = 20;

/**
 * The `trace_id` of an untraced event line written outside any span: the run's `ctx.traceId` there,
 * derived from its correlation id. `undefined` (not written) inside a span, whose trace id the mixin adds.
 */
function runTraceId(correlationId: string): string | undefined {
  const span = trace.getSpanContext(context.active());
  if (span !== undefined && isSpanContextValid(span)) return undefined;
  return traceIdFromCorrelationId(correlationId);
}

/** Resilience events at warn/info; per-execution and cache events only at debug. */
function logEvent(logger: Logger, event: TtaEvent, traced: boolean): void {
  // The hot path: one property read, no allocation, unless debug is on.
  if (logger.levelVal > DEBUG && (event.type === "start" || event.type === "end" || event.type === "cache")) return;
  if (
    logger.levelVal > DEBUG &&
    event.type === "route" &&
    event.outcome !== "error" &&
    !event.hedged &&
    event.failovers === 0
  )
    return;
  const who: { event: string; kind: string; name: string } & TraceLogFields = {
    event: event.type,
    kind: event.kind,
    name: event.name,
    workflow_id: event.workflowId,
    correlation_id: event.correlationId,
  };
  // Inside a span, no `trace_id` key at all: this object's keys win over the mixin's (the span's ids).
  const traceId = traced ? undefined : runTraceId(event.correlationId);
  if (traceId !== undefined) who.trace_id = traceId;
  switch (event.type) {
    case "start":
    case "end":
    case "cache":
      if (event.type === "end")
        logger.debug(
          { ...who, outcome: event.outcome, duration_ms: event.durationMs, error_type: event.errorType },
          `${event.kind} ${event.outcome}`,
        );
      else if (event.type === "cache") logger.debug({ ...who, result: event.result }, `cache ${event.result}`);
      else logger.debug(who, `${event.kind} start`);
      return;
    case "retry":
      logger.warn(
        { ...who, attempt: event.attempt, delay_ms: event.delayMs, error_type: event.errorType },
        `attempt ${event.attempt} failed (${event.errorType}); retrying in ${event.delayMs} ms`,
      );
      return;
    case "circuit-state": {
      const message = `circuit ${event.from} → ${event.to}`;
      const fields = { ...who, from: event.from, to: event.to };
      if (event.to === "open") logger.warn(fields, message);
      else logger.info(fields, message);
      return;
    }
    case "timeout":
      logger.warn({ ...who, timeout_ms: event.timeoutMs }, `timed out after ${event.timeoutMs} ms`);
      return;
    case "fallback":
      logger.warn(
        { ...who, fallback_index: event.index, error_type: event.errorType },
        `falling back to #${event.index} after ${event.errorType}`,
      );
      return;
    case "bulkhead":
      if (event.action === "rejected")
        logger.warn({ ...who, in_flight: event.inFlight, queued: event.queued }, "bulkhead full; call rejected");
      else if (logger.levelVal <= DEBUG)
        logger.debug({ ...who, action: event.action, in_flight: event.inFlight, queued: event.queued }, event.action);
      return;
    case "rate-limit":
      if (event.action === "rejected") logger.warn({ ...who, cost: event.cost }, "rate limit reached; call rejected");
      else if (logger.levelVal <= DEBUG) logger.debug({ ...who, wait_ms: event.waitMs }, "rate limited; waiting");
      return;
    case "route": {
      const fields = {
        ...who,
        model: event.model,
        attempts: event.attempts,
        hedged: event.hedged,
        failovers: event.failovers,
        outcome: event.outcome,
        duration_ms: event.durationMs,
        error_type: event.errorType,
      };
      if (event.outcome === "error")
        logger.warn(fields, `routing failed after ${event.attempts} attempts (${event.errorType})`);
      else if (event.failovers > 0 || event.hedged)
        logger.info(
          fields,
          `routed to ${event.model} after ${event.attempts} attempts${event.hedged ? " (hedged)" : ""}`,
        );
      else if (logger.levelVal <= DEBUG) logger.debug(fields, `routed to ${event.model}`);
      return;
    }
    case "budget":
      logger.warn(
        {
          ...who,
          resource: event.resource,
          budget_level: event.level,
          limit: event.limit,
          spent: event.spent,
          requested: event.requested,
        },
        event.level === "hard"
          ? `budget ${event.name}: ${event.resource} limit ${event.limit} reached; request of ${event.requested} refused`
          : `budget ${event.name}: ${event.resource} passed its soft limit of ${event.limit}`,
      );
      return;
    default:
      return;
  }
}
