/**
 * The private state of a `WorkflowContext`, for the files of the context module: what a run shares,
 * the context flags, and the accessors the class installs (its fields are `#private`). Contexts are
 * built in one place, `access.copy`: a copy of a context (or a fresh root) whose changed
 * fields the module's factories then set.
 *
 * @internal
 * @packageDocumentation
 */
import type { Context as OtelContext } from "@opentelemetry/api";
import type { Clock } from "../clock.js";
import type { WorkflowContext } from "../context.js";
import type { ValueNode } from "../context-key.js";
import type { AbortNode } from "./abort-node.js";

/** @internal What a root context and all its children share: the run's ids (made on first read) and `state`. */
export interface RunShared {
  workflowId: string | undefined;
  correlationId: string | undefined;
  /** The run's own W3C trace id (used outside any span), derived on first read. */
  traceId: string | undefined;
  state: Map<string, unknown> | undefined;
}

/** @internal Flag: a context a primitive made for a run (an `execute` on it is nested, not top-level). */
export const INTERNAL = 1;
/** @internal Flag: a context derived with `child()` (it has a `causationId`). */
export const CHILD = 2;
/**
 * @internal Flag: a run that started untraced — its top-level call found no tracer provider — so its
 * nested executions make no spans and skip the provider lookup (ADR 0006). Primitives' contexts derived
 * from the run inherit it; a user's `child()` does not (its top-level call decides again).
 */
export const UNTRACED = 4;

/** @internal The accessors `WorkflowContext`'s static block installs. */
export interface ContextAccess {
  /**
   * A new context with every field of `from` (or, without `from`, a fresh root: a new run, no
   * deadline, the system clock, empty records, a signal that never aborts) and `flags`. It owns
   * nothing. The one place contexts are built.
   */
  copy(from: WorkflowContext | undefined, flags: number): WorkflowContext;
  run(ctx: WorkflowContext): RunShared;
  flags(ctx: WorkflowContext): number;
  /** The OpenTelemetry context of the execution's span the context was made for, if any. */
  otel(ctx: WorkflowContext): OtelContext | undefined;
  /** The signal of a context without a node (always set then); the cached one of a node's, if read. */
  signal(ctx: WorkflowContext): AbortSignal | undefined;
  /** The abort state when the context cannot reuse a signal (own deadline, given signal, abortable). */
  node(ctx: WorkflowContext): AbortNode | undefined;
  values(ctx: WorkflowContext): ValueNode | undefined;
  /** The cached internal view of a user context (see `topLevelView`). */
  view(ctx: WorkflowContext): WorkflowContext | undefined;
  setView(ctx: WorkflowContext, view: WorkflowContext): void;
  /** Sets the parent span's OpenTelemetry context of a copy. */
  setOtel(ctx: WorkflowContext, otel: OtelContext): void;
  /** Sets what a copy says about itself. */
  setRecords(
    ctx: WorkflowContext,
    sessionId: string | undefined,
    metadata: Readonly<Record<string, unknown>>,
    tags: Readonly<Record<string, string>>,
    baggage: Readonly<Record<string, string>>,
    clock: Clock,
  ): void;
  /**
   * Sets how a copy is cancelled: its deadline, and either a `signal` (no node) or a `node`; `owned`
   * when the copy made the node, so that its `dispose()` releases it.
   */
  setAbort(
    ctx: WorkflowContext,
    deadline: number | undefined,
    signal: AbortSignal | undefined,
    node: AbortNode | undefined,
    owned: boolean,
  ): void;
}

/** @internal The installed accessors (set when the class is defined, before any context exists). */
export let access: ContextAccess;

/** @internal Called once, by `WorkflowContext`'s static block. */
export function installContextAccess(installed: ContextAccess): void {
  access = installed;
}
