/**
 * W3C trace ids for `ctx.traceId`: the one of a span in an OpenTelemetry context, and the one a run
 * reports when no span gives it one (its correlation id in W3C form).
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import type { Context as OtelContext } from "@opentelemetry/api";
import { isSpanContextValid, trace } from "@opentelemetry/api";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALL_ZEROS = /^0+$/;

/**
 * The W3C trace id (32 lowercase hex digits) that a run with correlation id `correlationId` reports as
 * `ctx.traceId` when no span gives it one: the UUID's 32 hex digits. `undefined` when `correlationId`
 * is not a UUID, or is the nil UUID (an all-zero trace id is invalid).
 *
 * @remarks
 * A run's correlation id is a version 4 UUID (the version digit is never 0), so this id is never all
 * zeros; ids of different runs differ, and most of their digits are random.
 * Loggers that see a run's `correlationId` but not its context (an event listener) use it to write
 * the same `trace_id` as `ctx.traceId` would give; `@tta/observability`'s event log lines do.
 *
 * @example
 * ```ts
 * traceIdFromCorrelationId("0af76519-16cd-43dd-8448-eb211c80319c"); // "0af7651916cd43dd8448eb211c80319c"
 * const ctx = createContext();
 * traceIdFromCorrelationId(ctx.correlationId) === ctx.traceId; // true outside any span
 * ```
 * @since 0.1.0
 */
export function traceIdFromCorrelationId(correlationId: string): string | undefined {
  if (typeof correlationId !== "string" || !UUID.test(correlationId)) return undefined;
  const id = correlationId.replaceAll("-", "").toLowerCase();
  return ALL_ZEROS.test(id) ? undefined : id;
}

/** @internal The trace id of the span in `otel`, if it holds a valid span context. */
export function spanTraceId(otel: OtelContext): string | undefined {
  const span = trace.getSpanContext(otel);
  return span !== undefined && isSpanContextValid(span) ? span.traceId : undefined;
}

/** @internal A random W3C trace id (never all zeros), for a run whose correlation id is not a UUID. */
export function randomTraceId(): string {
  for (;;) {
    const id = randomBytes(16).toString("hex");
    if (!ALL_ZEROS.test(id)) return id;
  }
}
