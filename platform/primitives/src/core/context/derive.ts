/**
 * The context factories: a root from `createContext` options, `ctx.child(…)`, and the contexts
 * primitives make for their runs (a run's root, an internal view carrying a span, an abortable
 * child, a detached context, an adopted foreign one). Each is a copy (`access.copy`) with the
 * fields that differ set. Only `createContext` and `child` are public.
 *
 * @internal
 * @packageDocumentation
 */
import type { Context as OtelContext } from "@opentelemetry/api";
import { systemClock } from "../clock.js";
import type { ChildContextInit, ContextInit, WorkflowContext } from "../context.js";
import { InvalidOptionsError } from "../errors.js";
import { describeValue, isPlainObject, readOptions } from "../../internal/options.js";
import {
  NEVER_SIGNAL,
  mergeRecords,
  validClock,
  validDeadline,
  validRecord,
  validSignal,
} from "../../internal/context-init.js";
import { CHILD, INTERNAL, UNTRACED, access } from "./access.js";
import { AbortNode } from "./abort-node.js";

const CONTEXT_KEYS = [
  "workflowId",
  "sessionId",
  "signal",
  "timeoutMs",
  "deadline",
  "metadata",
  "tags",
  "baggage",
  "clock",
] as const;
const CHILD_KEYS = CONTEXT_KEYS.filter((k) => k !== "workflowId");

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/** @internal `createContext(init)`: a root with the validated options. */
export function createRoot(init: ContextInit | undefined): WorkflowContext {
  const opts = readOptions("createContext", init, CONTEXT_KEYS);
  const { workflowId } = opts;
  if (workflowId !== undefined && (typeof workflowId !== "string" || workflowId.length === 0))
    throw new InvalidOptionsError(
      "workflowId",
      `Expected \`workflowId\` to be a non-empty string, got ${describeValue(workflowId)}`,
    );
  const sessionId = validSessionId(opts.sessionId);
  const clock = opts.clock === undefined ? systemClock : validClock(opts.clock);
  const given = opts.signal === undefined ? undefined : validSignal(opts.signal);
  const deadline = validDeadline(opts, clock);
  const metadata = validRecord<unknown>("metadata", opts.metadata, false);
  const tags = validRecord<string>("tags", opts.tags, true);
  const baggage = validRecord<string>("baggage", opts.baggage, true);
  const ctx = access.copy(undefined, 0);
  access.run(ctx).workflowId = workflowId;
  access.setRecords(ctx, sessionId, frozenCopy(metadata), frozenCopy(tags), frozenCopy(baggage), clock);
  if (deadline !== undefined)
    access.setAbort(ctx, deadline, undefined, new AbortNode(undefined, undefined, given, deadline, clock, false), true);
  else if (given !== undefined) access.setAbort(ctx, undefined, given, undefined, false);
  return ctx;
}

/** @internal `ctx.child(init)`. */
export function deriveChild(parent: WorkflowContext, init: ChildContextInit | undefined): WorkflowContext {
  if (init !== undefined && isPlainObject(init) && Object.hasOwn(init, "workflowId"))
    throw new InvalidOptionsError("workflowId", "A child context inherits `workflowId`; it cannot be changed");
  const opts = readOptions("ctx.child", init, CHILD_KEYS);
  const sessionId = validSessionId(opts.sessionId);
  const clock = opts.clock === undefined ? parent.clock : validClock(opts.clock);
  const given = opts.signal === undefined ? undefined : validSignal(opts.signal);
  const own = validDeadline(opts, clock);
  const ownDeadline = own !== undefined && (parent.deadline === undefined || own < parent.deadline) ? own : undefined;
  const metadata = mergeRecords(parent.metadata, validRecord<unknown>("metadata", opts.metadata, false));
  const tags = mergeRecords(parent.tags, validRecord<string>("tags", opts.tags, true));
  const baggage = mergeRecords(parent.baggage, validRecord<string>("baggage", opts.baggage, true));
  const ctx = access.copy(parent, CHILD);
  access.setRecords(ctx, sessionId ?? parent.sessionId, metadata, tags, baggage, clock);
  // Nothing of its own to enforce: the child keeps the parent's signal or node (and owns nothing).
  if (given === undefined && ownDeadline === undefined) return ctx;
  const signal = access.signal(parent);
  const node = access.node(parent);
  if (node === undefined && signal === NEVER_SIGNAL && ownDeadline === undefined)
    access.setAbort(ctx, parent.deadline, given, undefined, false);
  else
    access.setAbort(
      ctx,
      ownDeadline ?? parent.deadline,
      undefined,
      new AbortNode(node, liveSignal(node, signal), given, ownDeadline, clock, false),
      true,
    );
  return ctx;
}

/**
 * @internal A fresh internal root context for an `execute` call made without a context; `untraced` when
 * that call found no tracer provider (see {@link isUntracedRun}).
 */
export function createRunContext(untraced: boolean): WorkflowContext {
  return access.copy(undefined, untraced ? INTERNAL | UNTRACED : INTERNAL);
}

/** @internal Whether `ctx` was made by a primitive for a child run (so its execute is nested). */
export function isInternalContext(ctx: WorkflowContext): boolean {
  return (access.flags(ctx) & INTERNAL) !== 0;
}

/**
 * @internal Whether `ctx` belongs to a run whose top-level call found no tracer provider: its nested
 * executions make no spans, even if a provider is registered while it runs (ADR 0006).
 */
export function isUntracedRun(ctx: WorkflowContext): boolean {
  return (access.flags(ctx) & UNTRACED) !== 0;
}

/**
 * @internal The internal view a top-level call on the user context `ctx` runs on (see
 * {@link internalView}), marked untraced when `untraced`. Cached on `ctx`: repeated calls allocate
 * nothing more while the tracing state stays the same; when it changes, the next call makes (and
 * caches) a view with the other marking, and calls in flight keep theirs.
 */
export function topLevelView(ctx: WorkflowContext, untraced: boolean): WorkflowContext {
  const flags = untraced ? access.flags(ctx) | INTERNAL | UNTRACED : access.flags(ctx) | INTERNAL;
  const cached = access.view(ctx);
  if (cached !== undefined && access.flags(cached) === flags) return cached;
  const view = access.copy(ctx, flags);
  access.setView(ctx, view);
  return view;
}

/** @internal The OpenTelemetry context carried by `ctx` (its primitive span), if any. */
export function otelContextOf(ctx: WorkflowContext): OtelContext | undefined {
  return access.otel(ctx);
}

/**
 * @internal An internal view of `ctx` (same run, same signal; no ownership) carrying `otel` as the
 * parent of spans started under it.
 */
export function internalView(ctx: WorkflowContext, otel: OtelContext): WorkflowContext {
  const view = access.copy(ctx, access.flags(ctx) | INTERNAL);
  access.setOtel(view, otel);
  return view;
}

/**
 * @internal A child context whose signal also aborts on `abort(reason)`, for primitives that cancel
 * their children (parallel siblings, a timeout's inner run). Its signal is created only if something
 * reads it. `deadline` (epoch ms) becomes the child's deadline when earlier than the parent's; the
 * caller owns the timer that enforces it. `ctx.dispose()` unlinks the child from the parent.
 */
export function createAbortableChild(
  parent: WorkflowContext,
  deadline?: number,
): {
  readonly ctx: WorkflowContext;
  readonly abort: (reason: unknown) => void;
} {
  const parentNode = access.node(parent);
  const node = new AbortNode(
    parentNode,
    liveSignal(parentNode, access.signal(parent)),
    undefined,
    undefined,
    parent.clock,
    true,
  );
  const ctx = access.copy(parent, access.flags(parent) | INTERNAL);
  const earlier = deadline !== undefined && (parent.deadline === undefined || deadline < parent.deadline);
  access.setAbort(ctx, earlier ? deadline : parent.deadline, undefined, node, true);
  return { ctx, abort: (reason) => node.abort(reason) };
}

/**
 * @internal A context for work that must run even after the run was cancelled (a saga's undo steps):
 * the same run (ids, `state`, records, clock, span parent) with a never-aborting signal and no
 * deadline. Owns nothing; no dispose needed.
 */
export function createDetachedContext(ctx: WorkflowContext): WorkflowContext {
  const detached = access.copy(ctx, access.flags(ctx) | INTERNAL);
  access.setAbort(detached, undefined, NEVER_SIGNAL, undefined, false);
  return detached;
}

/**
 * @internal Adopts a context-shaped object from another copy of this package: same ids, signal,
 * deadline, clock and records, sharing its `state` Map. `untraced` as for {@link createRunContext}.
 */
export function adoptForeignContext(value: unknown, untraced: boolean): WorkflowContext {
  const foreign = value as Partial<WorkflowContext> | null;
  if (typeof foreign !== "object" || foreign === null || !(foreign.signal instanceof AbortSignal))
    throw new InvalidOptionsError("ctx", `Expected a WorkflowContext, got ${describeValue(value)}`);
  const flags = foreign.causationId !== undefined ? INTERNAL | CHILD : INTERNAL;
  const ctx = access.copy(undefined, untraced ? flags | UNTRACED : flags);
  const run = access.run(ctx);
  run.workflowId = foreign.workflowId;
  run.correlationId = foreign.correlationId;
  run.state = foreign.state instanceof Map ? foreign.state : undefined;
  access.setRecords(
    ctx,
    foreign.sessionId,
    foreign.metadata ?? EMPTY,
    foreign.tags ?? EMPTY,
    foreign.baggage ?? EMPTY,
    foreign.clock ? validClock(foreign.clock) : systemClock,
  );
  access.setAbort(ctx, foreign.deadline, foreign.signal, undefined, false);
  return ctx;
}

function validSessionId(value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string")
    throw new InvalidOptionsError("sessionId", `Expected \`sessionId\` to be a string, got ${describeValue(value)}`);
  return value;
}

function frozenCopy<V>(record: Readonly<Record<string, V>> | undefined): Readonly<Record<string, V>> {
  return record === undefined ? EMPTY : Object.freeze({ ...record });
}

/** The parent's signal as a node source: only when it has no node and can abort. */
function liveSignal(node: AbortNode | undefined, signal: AbortSignal | undefined): AbortSignal | undefined {
  return node === undefined && signal !== NEVER_SIGNAL ? signal : undefined;
}
