/**
 * `WorkflowContext`: the immutable per-run context every primitive receives (ids, signal, deadline,
 * clock, shared state), and `createContext`.
 *
 * @remarks
 * The rest of the context module is in `core/context/`: the factories (`derive.ts`), the abort
 * plumbing primitives use (`abort.ts`, `abort-node.ts`), the run's ids (`ids.ts`, `trace-id.ts`) and
 * the accessors to the class's private fields (`access.ts`). Contexts are built in one place, the
 * class's constructor: a copy of a context (or a fresh root), whose changed fields the factories set.
 * This module re-exports the internal functions other modules import from it.
 *
 * @packageDocumentation
 */
import type { Context as OtelContext } from "@opentelemetry/api";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import type { ContextKey, ValueNode } from "./context-key.js";
import { lookupValue, withEntry } from "./context-key.js";
import { InvalidOptionsError } from "./errors.js";
import { describeValue } from "../internal/options.js";
import { NEVER_SIGNAL } from "../internal/context-init.js";
import type { RunShared } from "./context/access.js";
import { CHILD, installContextAccess } from "./context/access.js";
import type { AbortNode } from "./context/abort-node.js";
import { createRoot, deriveChild } from "./context/derive.js";
import { correlationIdOf, traceIdOf, workflowIdOf } from "./context/ids.js";

export {
  canContextAbort,
  contextAbortReason,
  holdContext,
  isContextAborted,
  isNeverSignal,
  throwIfContextAborted,
  unwatchContext,
  watchContext,
} from "./context/abort.js";
export {
  adoptForeignContext,
  createAbortableChild,
  createDetachedContext,
  createRunContext,
  internalView,
  isInternalContext,
  isUntracedRun,
  otelContextOf,
  topLevelView,
} from "./context/derive.js";

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

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/** The public fields the factories set on a fresh copy (they are read-only to everyone else). */
type Writable = {
  -readonly [K in "sessionId" | "deadline" | "metadata" | "tags" | "baggage" | "clock"]: WorkflowContext[K];
};

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

  /**
   * The run's ids and `state`, shared by the root and all its children; made on first use (see
   * `#shared`), so a run that never reads them allocates none.
   */
  #run: RunShared | undefined;
  /** `INTERNAL` (made by a primitive) and `CHILD` (made by `child()`). */
  #flags: number;
  /** The OpenTelemetry context of the execution's span this context was made for, if any. */
  #otel: OtelContext | undefined;
  /** The context's signal, or `undefined` while it is lazy (see {@link AbortNode}). */
  #signal: AbortSignal | undefined;
  /** The abort state when the context cannot reuse a signal (own deadline, given signal, abortable). */
  #node: AbortNode | undefined;
  /** Whether this context made `#node` (so `dispose()` releases it). */
  #owned = false;
  /** Values set with `withValue`, inherited by every derived context. */
  #values: ValueNode | undefined;
  /** The cached internal view of a user context (see `topLevelView`). */
  #view: WorkflowContext | undefined = undefined;

  /**
   * The one place contexts are built: a copy of `from` (every field but ownership and the cached
   * view), or without `from` a fresh root (a new run, no deadline, the system clock, empty records, a
   * signal that never aborts). The factories then set the fields that differ.
   */
  private constructor(from: WorkflowContext | undefined, flags: number) {
    this.#flags = flags;
    if (from === undefined) {
      this.#run = undefined;
      this.#otel = undefined;
      this.sessionId = undefined;
      this.deadline = undefined;
      this.metadata = EMPTY;
      this.tags = EMPTY;
      this.baggage = EMPTY;
      this.clock = systemClock;
      this.#signal = NEVER_SIGNAL;
      this.#node = undefined;
      this.#values = undefined;
    } else {
      this.#run = from.#shared();
      this.#otel = from.#otel;
      this.sessionId = from.sessionId;
      this.deadline = from.deadline;
      this.metadata = from.metadata;
      this.tags = from.tags;
      this.baggage = from.baggage;
      this.clock = from.clock;
      this.#signal = from.#signal;
      this.#node = from.#node;
      this.#values = from.#values;
    }
  }

  /** Aborts when the run is cancelled or its deadline passes (reason: a `TimeoutError`). */
  get signal(): AbortSignal {
    return (this.#signal ??= (this.#node as AbortNode).signal());
  }

  /** The workflow id: given at creation, or `"wf-"` + a random id generated on first read. */
  get workflowId(): string {
    return workflowIdOf(this.#shared());
  }

  /** A UUID per root context, inherited by every child (generated on first read). */
  get correlationId(): string {
    return correlationIdOf(this.#shared());
  }

  /**
   * The run's W3C trace id (32 lowercase hex digits), to put in logs and events so they can be matched
   * with the run's traces.
   *
   * @remarks
   * - In a step of a traced execution (a tracer provider registered): the trace id of the span of the
   *   execution this context was made for.
   * - Else, if an OpenTelemetry span is active (one of yours around the call, or a parent extracted from
   *   incoming headers): that span's trace id.
   * - Else the run's own id: its {@link WorkflowContext.correlationId} in W3C form (the UUID's 32 hex
   *   digits, so random and never all zeros; see {@link traceIdFromCorrelationId}), made on first read
   *   and shared by the root and all its children.
   *
   * Computed only when read: a run that never reads it pays nothing. With tracing on but no span around
   * a top-level call, every execution starts a trace of its own; read `traceId` in a step to get it.
   *
   * @example
   * ```ts
   * const step = lambda((text: string, ctx: WorkflowContext) => {
   *   console.log(JSON.stringify({ msg: "step", trace_id: ctx.traceId, workflow_id: ctx.workflowId }));
   *   return text.trim();
   * });
   * ```
   */
  get traceId(): string {
    return traceIdOf(this.#shared(), this.#otel);
  }

  /** On a child context, the parent's `correlationId`; `undefined` on a root. */
  get causationId(): string | undefined {
    return (this.#flags & CHILD) !== 0 ? this.correlationId : undefined;
  }

  /** The per-run blackboard, shared by the root and all its children (see the class remarks). */
  get state(): Map<string, unknown> {
    return (this.#shared().state ??= new Map());
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
    return deriveChild(this, init);
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
    const next = new WorkflowContext(this, this.#flags);
    next.#values = withEntry(this.#values, key, value);
    return next;
  }

  /** The value set under `key` on this context or an ancestor, or `undefined`. Keys compare by identity. */
  getValue<T>(key: ContextKey<T>): T | undefined {
    return lookupValue(this.#values, key) as T | undefined;
  }

  /** Clears this context's deadline timer and unlinks it from its parent's signal. Idempotent. */
  dispose(): void {
    if (!this.#owned) return;
    this.#owned = false;
    (this.#node as AbortNode).release();
  }

  /** Same as {@link WorkflowContext.dispose}, for `using ctx = createContext(…)`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The run's shared part, made on first use; a copy shares it (so copying makes it). */
  #shared(): RunShared {
    return (this.#run ??= { workflowId: undefined, correlationId: undefined, traceId: undefined, state: undefined });
  }

  /**
   * One context that lives as long as the class. Optimised code checks a context's hidden class (its V8
   * map), which only live contexts keep alive: without this one, a full GC while no context exists (say
   * between calls made without a context) collects it, and every function that handles contexts is
   * deoptimised and compiled again (issue 11: that made the 10-step sequential bench ×1.5 slower).
   */
  // eslint-disable-next-line no-unused-private-class-members -- held only to stay alive
  static readonly #shape: WorkflowContext = new WorkflowContext(undefined, 0);

  /** @internal */
  static {
    installContextAccess({
      copy: (from, flags) => new WorkflowContext(from, flags),
      run: (ctx) => ctx.#shared(),
      flags: (ctx) => ctx.#flags,
      otel: (ctx) => ctx.#otel,
      signal: (ctx) => ctx.#signal,
      node: (ctx) => ctx.#node,
      values: (ctx) => ctx.#values,
      view: (ctx) => ctx.#view,
      setView: (ctx, view) => {
        ctx.#view = view;
      },
      setOtel: (ctx, otel) => {
        ctx.#otel = otel;
      },
      setRecords: (ctx, sessionId, metadata, tags, baggage, clock) => {
        const fields = ctx as Writable;
        fields.sessionId = sessionId;
        fields.metadata = metadata;
        fields.tags = tags;
        fields.baggage = baggage;
        fields.clock = clock;
      },
      setAbort: (ctx, deadline, signal, node, owned) => {
        (ctx as Writable).deadline = deadline;
        ctx.#signal = signal;
        ctx.#node = node;
        ctx.#owned = owned;
      },
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
  return createRoot(init);
}

/** @internal Whether `value` is a context made by this copy of the package. */
export function isOwnContext(value: unknown): value is WorkflowContext {
  return value instanceof WorkflowContext;
}
