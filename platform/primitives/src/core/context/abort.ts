/**
 * How primitives follow a context's cancellation without materialising a lazy signal: checks, the
 * abort reason, shared watchers, and holds for results that outlive their execution. Not exported
 * from the package barrels.
 *
 * @internal
 * @packageDocumentation
 */
import type { WorkflowContext } from "../context.js";
import { offAbort, onAbort } from "../../internal/abort-fanout.js";
import { NEVER_SIGNAL } from "../../internal/context-init.js";
import { access } from "./access.js";
import type { AbortNode } from "./abort-node.js";

/** @internal Whether the context's run was cancelled, without materialising a lazy signal. */
export function isContextAborted(ctx: WorkflowContext): boolean {
  const node = access.node(ctx);
  if (node !== undefined) return node.isAborted();
  // The never-aborting default answers without the `aborted` getter (a brand check and a call).
  const signal = access.signal(ctx) as AbortSignal;
  return signal !== NEVER_SIGNAL && signal.aborted;
}

/** @internal The abort reason (`undefined` if not aborted), without materialising a lazy signal. */
export function contextAbortReason(ctx: WorkflowContext): unknown {
  const node = access.node(ctx);
  return node !== undefined ? node.abortReason() : ((access.signal(ctx) as AbortSignal).reason as unknown);
}

/** @internal Throws the abort reason if the context's run was cancelled. */
export function throwIfContextAborted(ctx: WorkflowContext): void {
  if (isContextAborted(ctx)) throw contextAbortReason(ctx);
}

/** @internal Whether `signal` is the shared never-aborting default (no race or listener needed). */
export function isNeverSignal(signal: AbortSignal): boolean {
  return signal === NEVER_SIGNAL;
}

/** @internal Whether the context's run can be cancelled at all (else no watch is needed). */
export function canContextAbort(ctx: WorkflowContext): boolean {
  return access.node(ctx) !== undefined || access.signal(ctx) !== NEVER_SIGNAL;
}

/**
 * @internal Calls `callback` (once) when the context's run is cancelled, without materialising a lazy
 * signal and through one shared listener per signal, whatever the number of watchers (check
 * {@link isContextAborted} first: an aborted context never calls back). `keepAlive` (top-level
 * executions only) makes the context's deadline timers keep the process alive until
 * {@link unwatchContext}, which every watch must be matched by, with the same arguments.
 */
export function watchContext(ctx: WorkflowContext, callback: () => void, keepAlive: boolean): void {
  const node = access.node(ctx);
  if (node !== undefined) {
    if (keepAlive) node.ref();
    node.watch(callback);
    return;
  }
  const signal = access.signal(ctx) as AbortSignal;
  if (signal !== NEVER_SIGNAL) onAbort(signal, callback);
}

/** @internal Ends a {@link watchContext}; harmless after the callback ran. */
export function unwatchContext(ctx: WorkflowContext, callback: () => void, keepAlive: boolean): void {
  const node = access.node(ctx);
  if (node !== undefined) {
    node.unwatch(callback);
    if (keepAlive) node.unref();
    return;
  }
  const signal = access.signal(ctx) as AbortSignal;
  if (signal !== NEVER_SIGNAL) offAbort(signal, callback);
}

/**
 * @internal Keeps `ctx`'s signal linked to its ancestors' after the primitives that own the links
 * settle (their `dispose()` then defers the unlink), for a result that outlives its execution — a
 * stream that must still stop when the caller aborts. Returns the function that drops the hold, or
 * `undefined` when no link needs holding (no primitive-made abortable context in the chain).
 */
export function holdContext(ctx: WorkflowContext): (() => void) | undefined {
  let node = access.node(ctx);
  if (node === undefined) return undefined;
  const held: AbortNode[] = [];
  for (; node !== undefined; node = node.parentNode) {
    node.holds++;
    held.push(node);
  }
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    for (const each of held) each.unhold();
  };
}
