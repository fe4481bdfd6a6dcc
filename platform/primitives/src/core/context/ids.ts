/**
 * A run's ids, generated on first read: the correlation id (a version 4 UUID, unique per run), the
 * workflow id and the run's own trace id, both derived from it.
 *
 * @internal
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import type { Context as OtelContext } from "@opentelemetry/api";
import { context as otelApi } from "@opentelemetry/api";
import type { RunShared } from "./access.js";
import { randomTraceId, spanTraceId, traceIdFromCorrelationId } from "./trace-id.js";

/** Two lowercase hex digits per byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Ids per block: one random UUID per block, a counter in its first four hex digits. */
const BLOCK = 0x10000;
/** The current block's random UUID less its first four hex digits (`"xxxx-xxxx-4xxx-…"`). */
let blockTail = "";
/** The counter of the next id, in [0, 0xffff]. */
let blockCounter = 0;
/** Ids left in the current block. */
let blockLeft = 0;

/**
 * A new correlation id: a version 4 UUID, unique in the process, cheap to make.
 *
 * @remarks
 * A random UUID per run costs a draw and 20 string joins; with a tracer provider registered that was a
 * visible part of a primitive's span cost (issue 11). Ids come instead in blocks of 65 536 that share
 * one random UUID, with a 16-bit counter (starting at that UUID's own first four hex digits) in place of
 * its first four hex digits: ids of a block differ in their first group, so the workflow ids derived
 * from them (`"wf-"` + the first 8 hex digits) differ too, and ids of different blocks or processes
 * differ in 106 random bits. They are identifiers, not secrets: within a block the next id is
 * predictable from the previous one.
 */
function nextCorrelationId(): string {
  if (blockLeft === 0) {
    const uuid = randomUUID();
    blockTail = uuid.slice(4);
    blockCounter = Number.parseInt(uuid.slice(0, 4), 16);
    blockLeft = BLOCK;
  }
  blockLeft--;
  const n = blockCounter;
  blockCounter = (n + 1) & 0xffff;
  return (HEX[n >>> 8] as string) + (HEX[n & 0xff] as string) + blockTail;
}

/**
 * @internal The run's correlation id: a version 4 UUID unique per run (see `nextCorrelationId`),
 * generated on first read.
 */
export function correlationIdOf(run: RunShared): string {
  return (run.correlationId ??= nextCorrelationId());
}

/** @internal The run's workflow id: as given, or `"wf-"` + the correlation id's first 8 hex digits. */
export function workflowIdOf(run: RunShared): string {
  return (run.workflowId ??= `wf-${correlationIdOf(run).slice(0, 8)}`);
}

/**
 * @internal `ctx.traceId`: the trace id of the span in `otel` (the execution's span the context was
 * made for), else of the active OpenTelemetry span, else the run's own id (derived from its
 * correlation id on first read, then kept).
 */
export function traceIdOf(run: RunShared, otel: OtelContext | undefined): string {
  if (otel !== undefined) {
    const own = spanTraceId(otel);
    if (own !== undefined) return own;
  }
  return spanTraceId(otelApi.active()) ?? (run.traceId ??= runTraceId(run));
}

function runTraceId(run: RunShared): string {
  return traceIdFromCorrelationId(correlationIdOf(run)) ?? randomTraceId();
}
