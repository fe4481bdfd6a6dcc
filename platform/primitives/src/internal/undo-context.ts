/**
 * The context compensations run with: the same run (ids, `state`, metadata, clock, span parent) but
 * a signal that never aborts and no deadline, so an abort or a passed deadline cannot skip an undo.
 */
import type { WorkflowContext } from "../core/context.js";
import { createDetachedContext } from "../core/context.js";
import { durationOption } from "./options.js";

/**
 * A detached internal context for undo steps. It shares `ctx`'s workflow and correlation ids, its
 * `state` Map, metadata, tags, baggage and clock, and parents spans under `ctx`'s current span, but
 * its signal never aborts and it has no deadline. Nothing to dispose.
 */
export function undoContext(ctx: WorkflowContext): WorkflowContext {
  return createDetachedContext(ctx);
}

/** Default bound on how long a top-level saga or compensation waits for its undo steps after an abort. */
export const DEFAULT_COMPENSATION_TIMEOUT_MS = 30_000;

/** `compensationTimeoutMs`: a duration > 0 and ≤ 2^31 − 1 ms, or the default when omitted. */
export function compensationTimeoutOption(value: unknown): number {
  return durationOption("compensationTimeoutMs", value, DEFAULT_COMPENSATION_TIMEOUT_MS);
}
