/**
 * `WorkflowContext`: the immutable per-run context every primitive receives (ids, signal, deadline,
 * clock, shared state).
 *
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import type { Context as OtelContext } from "@opentelemetry/api";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import type { ContextKey, ValueNode } from "./context-key.js";
import { lookupValue, withEntry } from "./context-key.js";
import { InvalidOptionsError } from "./errors.js";
import { offAbort, onAbort } from "../internal/abort-fanout.js";
import { AbortNode } from "../internal/abort-node.js";
import { describeValue, isPlainObject, readOptions } from "../internal/options.js";
import {
  NEVER_SIGNAL,
  mergeRecords,
  validClock,
  validDeadline,
  validRecord,
  validSignal,
} from "../internal/context-init.js";

/**
 * What {@link createContext} accepts. Every key is optional.
 * @since 0.1.0
 */
export interface ContextInit {
  /** Workflow id. @defaultValue `"wf-"` + a random id, generated on first read */
  readonly workflowId?: string;
  /** Optional session id (e.g. a chat session). */
  readonly sessionId?: string;
  /** Cancels the run when it aborts. @defaultValue a signal that never aborts */
  readonly signal?: AbortSignal;
  /** Relative deadline in ms from now (on `clock`); combined with `deadline` by taking the earlier. */
  readonly timeoutMs?: number;
  /** Absolute deadline, epoch ms on `clock`. */
  readonly deadline?: number;
  /** Free-form read-only data (not sent in spans). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** String tags. */
  readonly tags?: Readonly<Record<string, string>>;
  /** String baggage, propagated across processes by `@tta/observability`. */
  readonly baggage?: Readonly<Record<string, string>>;
  /** Time source for every delay, timeout, deadline and TTL. @defaultValue {@link systemClock} */
  readonly clock?: Clock;
}

/**
 * What {@link WorkflowContext.child} accepts: the {@link ContextInit} keys except `workflowId`.
 * @since 0.1.0
 */
export type ChildContextInit = Omit<ContextInit, "workflowId">;

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

/** What a root context and all its children share. */
interface RunShared {
  workflowId: string | undefined;
  correlationId: string | undefined;
  state: Map<string, unknown> | undefined;
}

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/** @internal Flags a context that a primitive made for a child run. */
const INTERNAL = 1;

interface ContextFields {
  readonly shared: RunShared;
  readonly isChild: boolean;
  readonly flags: number;
  readonly otel: OtelContext | undefined;
  readonly sessionId: string | undefined;
  readonly deadline: number | undefined;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly baggage: Readonly<Record<string, string>>;
  readonly clock: Clock;
  /** The context's signal, or `undefined` while it is lazy (see {@link AbortNode}). */
  readonly signal: AbortSignal | undefined;
  /** The abort state when the context cannot reuse a signal (own deadline, given signal, abortable). */
  readonly lazy: AbortNode | undefined;
  readonly release: (() => void) | undefined;
  /** Values set with `withValue`, inherited by every derived context. */
  readonly values: ValueNode | undefined;
}

interface Internals {
  isInternal(ctx: WorkflowContext): boolean;
  otel(ctx: WorkflowContext): OtelContext | undefined;
  shared(ctx: WorkflowContext): RunShared;
  view(ctx: WorkflowContext, otel: OtelContext | undefined): WorkflowContext;
  construct(fields: ContextFields): WorkflowContext;
  isChild(ctx: WorkflowContext): boolean;
  aborted(ctx: WorkflowContext): boolean;
  reason(ctx: WorkflowContext): unknown;
  lazy(ctx: WorkflowContext): AbortNode | undefined;
  /** The signal of a context without a node (always set then); the cached one of a node's, if read. */
  rawSignal(ctx: WorkflowContext): AbortSignal | undefined;
  values(ctx: WorkflowContext): ValueNode | undefined;
  derive(ctx: WorkflowContext, values: ValueNode | undefined): WorkflowContext;
}
// Assigned by the class's static block, which runs when the class is defined.
let internals: Internals;

/**
 * The immutable context of one workflow run: ids, cancellation signal, deadline, clock, read-only
 * metadata, and a shared `state` map.
 *
 * @remarks
 * Create one with {@link createContext}, derive with {@link WorkflowContext.child}. Contexts are
 * immutable except `state`, which is **one Map shared by the root and all its children**: a step
 * sees what an earlier step wrote, and parallel branches write to the same Map (coordinate keys
 * yourself). A context with a deadline owns a timer on its clock, armed only while the context is in
 * use (an execution in flight, or a read `signal`); call `dispose()` (or use `using`) when you are done
 * with a context you made, to clear it early.
 *
 * @example
 * ```ts
 * const ctx = createContext({ workflowId: "triage", timeoutMs: 30_000, metadata: { user: "u1" } });
 * const child = ctx.child({ timeoutMs: 5_000 }); // deadline = the earlier of the two
 * child.state.set("seen", true); // visible through ctx.state too
 * ```
 * @since 0.1.0
 */
export class WorkflowContext {
  /** Optional session id. */
  readonly sessionId: string | undefined;
  /** Absolute deadline (epoch ms on `clock`), if any; children take the minimum. */
  readonly deadline: number | undefined;
  /** Read-only metadata. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Read-only string tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Read-only string baggage. */
  readonly baggage: Readonly<Record<string, string>>;
  /** The time source. */
  readonly clock: Clock;

  readonly #shared: RunShared;
  readonly #isChild: boolean;
  readonly #flags: number;
  readonly #otel: OtelContext | undefined;
  readonly #lazy: AbortNode | undefined;
  readonly #values: ValueNode | undefined;
  #signal: AbortSignal | undefined;
  #view: WorkflowContext | undefined;
  #release: (() => void) | undefined;

  private constructor(fields: ContextFields) {
    this.#shared = fields.shared;
    this.#isChild = fields.isChild;
    this.#flags = fields.flags;
    this.#otel = fields.otel;
    this.sessionId = fields.sessionId;
    this.deadline = fields.deadline;
    this.metadata = fields.metadata;
    this.tags = fields.tags;
    this.baggage = fields.baggage;
    this.clock = fields.clock;
    this.#signal = fields.signal;
    this.#lazy = fields.lazy;
    this.#release = fields.release;
    this.#values = fields.values;
  }

  /** Aborts when the run is cancelled or its deadline passes (reason: a `TimeoutError`). */
  get signal(): AbortSignal {
    return (this.#signal ??= (this.#lazy as AbortNode).signal());
  }

  /** The workflow id: given at creation, or `"wf-"` + a random id generated on first read. */
  get workflowId(): string {
    // Derived from the correlation id: one random UUID per run, not two.
    return (this.#shared.workflowId ??= `wf-${this.correlationId.slice(0, 8)}`);
  }

  /** A UUID per root context, inherited by every child (generated on first read). */
  get correlationId(): string {
    return (this.#shared.correlationId ??= randomUUID());
  }

  /** On a child context, the parent's `correlationId`; `undefined` on a root. */
  get causationId(): string | undefined {
    return this.#isChild ? this.correlationId : undefined;
  }

  /** The per-run blackboard, shared by the root and all its children (see the class remarks). */
  get state(): Map<string, unknown> {
    return (this.#shared.state ??= new Map());
  }

  /** Milliseconds until the deadline (never negative), or `Infinity` without one. */
  remainingMs(): number {
    return this.deadline === undefined ? Infinity : Math.max(0, this.deadline - this.clock.now());
  }

  /**
   * Derives a child context: signal = either parent's or the given one aborts; deadline = the
   * earliest; metadata, tags and baggage shallow-merged; ids and `state` inherited. The child links to
   * this context's signal (and arms its own deadline timer) only while it is in use: during an
   * execution on it, or once its `signal` is read, until its deadline fires or it is disposed.
   *
   * @throws {@link InvalidOptionsError} for unknown keys, `workflowId`, or invalid values.
   */
  child(init?: ChildContextInit): WorkflowContext {
    return deriveChild(this, init, 0);
  }

  /**
   * A context that carries `value` under `key`, and is otherwise this context: the same signal,
   * deadline, ids, records and `state`. Every context derived from it (by `child()` or by the
   * primitives it is given to) inherits the value. This context is not changed.
   *
   * @example
   * ```ts
   * const TENANT = contextKey<string>("tenant");
   * await flow.execute(input, ctx.withValue(TENANT, "acme")); // steps read ctx.getValue(TENANT)
   * ```
   */
  withValue<T>(key: ContextKey<T>, value: T): WorkflowContext {
    if (typeof key !== "object" || key === null || typeof key.name !== "string")
      throw new InvalidOptionsError("key", `Expected \`key\` to be a ContextKey, got ${describeValue(key)}`);
    return internals.derive(this, withEntry(this.#values, key, value));
  }

  /** The value set under `key` on this context or an ancestor, or `undefined`. Keys compare by identity. */
  getValue<T>(key: ContextKey<T>): T | undefined {
    return lookupValue(this.#values, key) as T | undefined;
  }

  /** Clears this context's deadline timer and unlinks it from its parent's signal. Idempotent. */
  dispose(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  /** Same as {@link WorkflowContext.dispose}, for `using ctx = createContext(…)`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal */
  static {
    internals = {
      isInternal: (ctx) => (ctx.#flags & INTERNAL) !== 0,
      otel: (ctx) => ctx.#otel,
      shared: (ctx) => ctx.#shared,
      view: (ctx, otel) => {
        if (otel === undefined && (ctx.#flags & INTERNAL) !== 0) return ctx;
        if (otel === undefined && ctx.#view !== undefined) return ctx.#view;
        const view = ctx.#copy(INTERNAL, otel ?? ctx.#otel, ctx.#values);
        if (otel === undefined) ctx.#view = view;
        return view;
      },
      construct: (fields) => new WorkflowContext(fields),
      isChild: (ctx) => ctx.#isChild,
      aborted: (ctx) => (ctx.#lazy !== undefined ? ctx.#lazy.isAborted() : (ctx.#signal as AbortSignal).aborted),
      reason: (ctx) =>
        ctx.#lazy !== undefined ? ctx.#lazy.abortReason() : ((ctx.#signal as AbortSignal).reason as unknown),
      lazy: (ctx) => ctx.#lazy,
      rawSignal: (ctx) => ctx.#signal,
      values: (ctx) => ctx.#values,
      derive: (ctx, values) => ctx.#copy(ctx.#flags, ctx.#otel, values),
    };
  }

  /** The same run, signal and records, owning nothing (no deadline timer, no parent link). */
  #copy(flags: number, otel: OtelContext | undefined, values: ValueNode | undefined): WorkflowContext {
    return new WorkflowContext({
      shared: this.#shared,
      isChild: this.#isChild,
      flags,
      otel,
      sessionId: this.sessionId,
      deadline: this.deadline,
      metadata: this.metadata,
      tags: this.tags,
      baggage: this.baggage,
      clock: this.clock,
      signal: this.#signal,
      lazy: this.#lazy,
      release: undefined,
      values,
    });
  }
}

/**
 * Creates a root context.
 *
 * @remarks
 * Ids are generated lazily, on first read. With `timeoutMs` or `deadline`, the context's signal
 * aborts at the deadline with a {@link TimeoutError}, on the context's clock. The timer exists only
 * while something listens (an execution in flight, or a read `signal`); on the system clock it keeps
 * the process alive only while an execution is in flight. `dispose()` clears it.
 *
 * @throws {@link InvalidOptionsError} for unknown keys or invalid values (naming the option).
 * @example
 * ```ts
 * const ctx = createContext({ workflowId: "triage", signal: AbortSignal.timeout(60_000), metadata: { user: "u1" } });
 * const out = await flow.execute(input, ctx);
 * ```
 * @since 0.1.0
 */
export function createContext(init?: ContextInit): WorkflowContext {
  const opts = readOptions("createContext", init, CONTEXT_KEYS);
  const { workflowId, sessionId } = opts;
  if (workflowId !== undefined && (typeof workflowId !== "string" || workflowId.length === 0))
    throw new InvalidOptionsError(
      "workflowId",
      `Expected \`workflowId\` to be a non-empty string, got ${describeValue(workflowId)}`,
    );
  if (sessionId !== undefined && typeof sessionId !== "string")
    throw new InvalidOptionsError(
      "sessionId",
      `Expected \`sessionId\` to be a string, got ${describeValue(sessionId)}`,
    );
  const clock = opts.clock === undefined ? systemClock : validClock(opts.clock);
  const given = opts.signal === undefined ? undefined : validSignal(opts.signal);
  const deadline = validDeadline(opts, clock);
  const metadata = validRecord<unknown>("metadata", opts.metadata, false);
  const tags = validRecord<string>("tags", opts.tags, true);
  const baggage = validRecord<string>("baggage", opts.baggage, true);
  const node = deadline === undefined ? undefined : new AbortNode(undefined, undefined, given, deadline, clock, false);
  return internals.construct({
    shared: { workflowId, correlationId: undefined, state: undefined },
    isChild: false,
    flags: 0,
    otel: undefined,
    sessionId,
    deadline,
    metadata: metadata ? Object.freeze({ ...metadata }) : EMPTY,
    tags: tags ? Object.freeze({ ...tags }) : EMPTY,
    baggage: baggage ? Object.freeze({ ...baggage }) : EMPTY,
    clock,
    signal: node === undefined ? (given ?? NEVER_SIGNAL) : undefined,
    lazy: node,
    release: node === undefined ? undefined : () => node.release(),
    values: undefined,
  });
}

function deriveChild(parent: WorkflowContext, init: ChildContextInit | undefined, flags: number): WorkflowContext {
  if (init !== undefined && isPlainObject(init) && Object.hasOwn(init, "workflowId"))
    throw new InvalidOptionsError("workflowId", "A child context inherits `workflowId`; it cannot be changed");
  const opts = readOptions("ctx.child", init, CHILD_KEYS);
  const { sessionId } = opts;
  if (sessionId !== undefined && typeof sessionId !== "string")
    throw new InvalidOptionsError(
      "sessionId",
      `Expected \`sessionId\` to be a string, got ${describeValue(sessionId)}`,
    );
  const clock = opts.clock === undefined ? parent.clock : validClock(opts.clock);
  const given = opts.signal === undefined ? undefined : validSignal(opts.signal);
  const own = validDeadline(opts, clock);
  const ownDeadline = own !== undefined && (parent.deadline === undefined || own < parent.deadline) ? own : undefined;
  const deadline = ownDeadline ?? parent.deadline;
  // Nothing of its own to enforce: the child shares the parent's signal or node (and owns nothing).
  let signal = internals.rawSignal(parent);
  let lazy = internals.lazy(parent);
  let release: (() => void) | undefined;
  if (given !== undefined || ownDeadline !== undefined) {
    if (lazy === undefined && signal === NEVER_SIGNAL && ownDeadline === undefined) {
      signal = given;
    } else {
      const node = new AbortNode(lazy, liveSignal(lazy, signal), given, ownDeadline, clock, (flags & INTERNAL) !== 0);
      signal = undefined;
      lazy = node;
      release = () => node.release();
    }
  }
  return internals.construct({
    shared: internals.shared(parent),
    isChild: true,
    flags,
    otel: internals.otel(parent),
    sessionId: sessionId ?? parent.sessionId,
    deadline,
    metadata: mergeRecords(parent.metadata, validRecord<unknown>("metadata", opts.metadata, false)),
    tags: mergeRecords(parent.tags, validRecord<string>("tags", opts.tags, true)),
    baggage: mergeRecords(parent.baggage, validRecord<string>("baggage", opts.baggage, true)),
    clock,
    signal,
    lazy,
    release,
    values: internals.values(parent),
  });
}

/** The parent's signal as a node source: only when it has no node and can abort. */
function liveSignal(node: AbortNode | undefined, signal: AbortSignal | undefined): AbortSignal | undefined {
  return node === undefined && signal !== NEVER_SIGNAL ? signal : undefined;
}

// ---------------------------------------------------------------------------------------------
// Internal API for primitives (not exported from the package barrels).
// ---------------------------------------------------------------------------------------------

/** @internal Whether `ctx` was made by a primitive for a child run (so its execute is nested). */
export function isInternalContext(ctx: WorkflowContext): boolean {
  return internals.isInternal(ctx);
}

/** @internal The OpenTelemetry context carried by `ctx` (its primitive span), if any. */
export function otelContextOf(ctx: WorkflowContext): OtelContext | undefined {
  return internals.otel(ctx);
}

/**
 * @internal An internal view of `ctx` (same run, same signal; no ownership), optionally carrying
 * `otel` as the parent of spans started under it. Without `otel`, a user context's view is cached.
 */
export function internalView(ctx: WorkflowContext, otel?: OtelContext): WorkflowContext {
  return internals.view(ctx, otel);
}

/** @internal A fresh internal root context for an `execute` call made without a context. */
export function createRunContext(): WorkflowContext {
  return internals.construct({
    shared: { workflowId: undefined, correlationId: undefined, state: undefined },
    isChild: false,
    flags: INTERNAL,
    otel: undefined,
    sessionId: undefined,
    deadline: undefined,
    metadata: EMPTY,
    tags: EMPTY,
    baggage: EMPTY,
    clock: systemClock,
    signal: NEVER_SIGNAL,
    lazy: undefined,
    release: undefined,
    values: undefined,
  });
}

/**
 * @internal A child context for a run inside a primitive (marked internal). The caller owns it
 * and must `dispose()` it when its run settles.
 */
export function createRunChild(parent: WorkflowContext, init: ChildContextInit): WorkflowContext {
  return deriveChild(parent, init, INTERNAL);
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
  const parentNode = internals.lazy(parent);
  const lazy = new AbortNode(
    parentNode,
    liveSignal(parentNode, internals.rawSignal(parent)),
    undefined,
    undefined,
    parent.clock,
    true,
  );
  const ctx = internals.construct({
    shared: internals.shared(parent),
    isChild: internals.isChild(parent),
    flags: INTERNAL,
    otel: internals.otel(parent),
    sessionId: parent.sessionId,
    deadline:
      deadline !== undefined && (parent.deadline === undefined || deadline < parent.deadline)
        ? deadline
        : parent.deadline,
    metadata: parent.metadata,
    tags: parent.tags,
    baggage: parent.baggage,
    clock: parent.clock,
    signal: undefined,
    lazy,
    release: () => lazy.release(),
    values: internals.values(parent),
  });
  return { ctx, abort: (reason) => lazy.abort(reason) };
}

/**
 * @internal A context for work that must run even after the run was cancelled (a saga's undo steps):
 * the same run (ids, `state`, records, clock, span parent) with a never-aborting signal and no
 * deadline. Owns nothing; no dispose needed.
 */
export function createDetachedContext(ctx: WorkflowContext): WorkflowContext {
  return internals.construct({
    shared: internals.shared(ctx),
    isChild: internals.isChild(ctx),
    flags: INTERNAL,
    otel: internals.otel(ctx),
    sessionId: ctx.sessionId,
    deadline: undefined,
    metadata: ctx.metadata,
    tags: ctx.tags,
    baggage: ctx.baggage,
    clock: ctx.clock,
    signal: NEVER_SIGNAL,
    lazy: undefined,
    release: undefined,
    values: internals.values(ctx),
  });
}

/**
 * @internal Keeps `ctx`'s signal linked to its ancestors' after the primitives that own the links
 * settle (their `dispose()` then defers the unlink), for a result that outlives its execution — a
 * stream that must still stop when the caller aborts. Returns the function that drops the hold, or
 * `undefined` when no link needs holding (no primitive-made abortable context in the chain).
 */
export function holdContext(ctx: WorkflowContext): (() => void) | undefined {
  let lazy = internals.lazy(ctx);
  if (lazy === undefined) return undefined;
  const held: AbortNode[] = [];
  for (; lazy !== undefined; lazy = lazy.parentNode) {
    lazy.holds++;
    held.push(lazy);
  }
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    for (const each of held) each.unhold();
  };
}

/** @internal Whether the context's run was cancelled, without materialising a lazy signal. */
export function isContextAborted(ctx: WorkflowContext): boolean {
  return internals.aborted(ctx);
}

/** @internal The abort reason (`undefined` if not aborted), without materialising a lazy signal. */
export function contextAbortReason(ctx: WorkflowContext): unknown {
  return internals.reason(ctx);
}

/** @internal Throws the abort reason if the context's run was cancelled. */
export function throwIfContextAborted(ctx: WorkflowContext): void {
  if (internals.aborted(ctx)) throw internals.reason(ctx);
}

/** @internal Whether `signal` is the shared never-aborting default (no race or listener needed). */
export function isNeverSignal(signal: AbortSignal): boolean {
  return signal === NEVER_SIGNAL;
}

/** @internal Whether the context's run can be cancelled at all (else no watch is needed). */
export function canContextAbort(ctx: WorkflowContext): boolean {
  return internals.lazy(ctx) !== undefined || internals.rawSignal(ctx) !== NEVER_SIGNAL;
}

/**
 * @internal Calls `callback` (once) when the context's run is cancelled, without materialising a lazy
 * signal and through one shared listener per signal, whatever the number of watchers (check
 * {@link isContextAborted} first: an aborted context never calls back). `keepAlive` (top-level
 * executions only) makes the context's deadline timers keep the process alive until
 * {@link unwatchContext}, which every watch must be matched by, with the same arguments.
 */
export function watchContext(ctx: WorkflowContext, callback: () => void, keepAlive: boolean): void {
  const node = internals.lazy(ctx);
  if (node !== undefined) {
    if (keepAlive) node.ref();
    node.watch(callback);
    return;
  }
  const signal = internals.rawSignal(ctx) as AbortSignal;
  if (signal !== NEVER_SIGNAL) onAbort(signal, callback);
}

/** @internal Ends a {@link watchContext}; harmless after the callback ran. */
export function unwatchContext(ctx: WorkflowContext, callback: () => void, keepAlive: boolean): void {
  const node = internals.lazy(ctx);
  if (node !== undefined) {
    node.unwatch(callback);
    if (keepAlive) node.unref();
    return;
  }
  const signal = internals.rawSignal(ctx) as AbortSignal;
  if (signal !== NEVER_SIGNAL) offAbort(signal, callback);
}

/** @internal Whether `value` is a context made by this copy of the package. */
export function isOwnContext(value: unknown): value is WorkflowContext {
  return value instanceof WorkflowContext;
}

/**
 * @internal Adopts a context-shaped object from another copy of this package: same ids, signal,
 * deadline, clock and records, sharing its `state` Map.
 */
export function adoptForeignContext(value: unknown): WorkflowContext {
  const foreign = value as Partial<WorkflowContext> | null;
  if (typeof foreign !== "object" || foreign === null || !(foreign.signal instanceof AbortSignal))
    throw new InvalidOptionsError("ctx", `Expected a WorkflowContext, got ${describeValue(value)}`);
  return internals.construct({
    shared: {
      workflowId: foreign.workflowId,
      correlationId: foreign.correlationId,
      state: foreign.state instanceof Map ? foreign.state : undefined,
    },
    isChild: foreign.causationId !== undefined,
    flags: INTERNAL,
    otel: undefined,
    sessionId: foreign.sessionId,
    deadline: foreign.deadline,
    metadata: foreign.metadata ?? EMPTY,
    tags: foreign.tags ?? EMPTY,
    baggage: foreign.baggage ?? EMPTY,
    clock: foreign.clock ? validClock(foreign.clock) : systemClock,
    signal: foreign.signal,
    lazy: undefined,
    release: undefined,
    values: undefined,
  });
}
