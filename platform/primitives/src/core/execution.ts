/**
 * The parts of a primitive's execution that are not the class itself: settling its span, normalising
 * what a run threw, and reporting its `start`/`end` events.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import type { WorkflowContext } from "./context.js";
import { contextAbortReason, isContextAborted } from "./context.js";
import { toError } from "./errors.js";
import { emit } from "./instrumentation.js";
import type { ExecutionOutcome } from "./instrumentation.js";
import { errorType, recordSpanFailure } from "../internal/tracing.js";

/** Reports an execution's `start` or `end` event (call only when someone listens). @internal */
export function emitExecution(
  kind: string,
  name: string,
  ctx: WorkflowContext,
  type: "start" | "end",
  startedAt: number,
  outcome: ExecutionOutcome | undefined,
  error: unknown,
): void {
  // Literal objects (no spread): one hidden class per event shape, no per-field copies.
  if (type === "start") {
    emit({
      type,
      kind,
      name,
      workflowId: ctx.workflowId,
      correlationId: ctx.correlationId,
      at: startedAt,
    });
    return;
  }
  const at = ctx.clock.now();
  emit(
    outcome === "success"
      ? {
          type,
          kind,
          name,
          workflowId: ctx.workflowId,
          correlationId: ctx.correlationId,
          at,
          outcome,
          durationMs: at - startedAt,
        }
      : {
          type,
          kind,
          name,
          workflowId: ctx.workflowId,
          correlationId: ctx.correlationId,
          at,
          outcome: outcome ?? "error",
          durationMs: at - startedAt,
          errorType: errorType(error),
        },
  );
}

/**
 * `result`, ending `span` when it settles (on success only if `endOnResult`) and recording a failure on
 * it. One `then` rather than an `await` in an async function: one promise less per execution (with a
 * context manager's async hooks on, each promise has a cost of its own).
 */
/** @internal */
export function settleSpan<O>(result: Promise<O>, span: Span, ctx: WorkflowContext, endOnResult: boolean): Promise<O> {
  // `run` is typed to return a promise; a subclass that returns another thenable (or a value) still works.
  return (result instanceof Promise ? result : Promise.resolve(result)).then(
    (value) => {
      if (endOnResult) span.end();
      return value;
    },
    (thrown: unknown) => {
      throw failSpan(span, thrown, ctx);
    },
  );
}

/** Normalizes `thrown` and, when there is a span, records it there and ends the span; returns the error. */
/** @internal */
export function failSpan(span: Span | undefined, thrown: unknown, ctx: WorkflowContext): unknown {
  const error = normalize(thrown, ctx);
  if (span !== undefined) {
    recordSpanFailure(span, error);
    span.end();
  }
  return error;
}

/** Rejects with `error`, wrapping a non-`Error` (for runs whose signal can never abort). */
/** @internal */
export function rejectWrapped(error: unknown): Promise<never> {
  return Promise.reject(toError(error));
}

/** `error`, or a wrapped non-`Error` — except the context's abort reason, which is never wrapped. @internal */
export function normalize(error: unknown, ctx: WorkflowContext): unknown {
  if (error instanceof Error) return error;
  if (isContextAborted(ctx) && error === contextAbortReason(ctx)) return error;
  return toError(error);
}
