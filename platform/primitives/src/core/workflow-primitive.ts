/**
 * `WorkflowPrimitive`, the one base class of every primitive: the instrumented `execute` entry
 * point, and `pipe`/`parallel` composition.
 *
 * @packageDocumentation
 */
import type { Context as OtelContext, Span, Tracer } from "@opentelemetry/api";
import { SpanKind, context as otelApi, trace } from "@opentelemetry/api";
import type { WorkflowContext } from "./context.js";
import {
  adoptForeignContext,
  canContextAbort,
  contextAbortReason,
  createRunContext,
  isContextAborted,
  internalView,
  isInternalContext,
  isOwnContext,
  isUntracedRun,
  otelContextOf,
  topLevelView,
  unwatchContext,
  watchContext,
} from "./context.js";
import { emitExecution, failSpan, normalize, rejectWrapped, settleSpan } from "./execution.js";
import { RUN_CONTEXT_KEY, emit, isObserved } from "./instrumentation.js";
import type { EventFields } from "./instrumentation.js";
import { compositionBuilders } from "../internal/composition-registry.js";
import { fail, nameOption } from "../internal/options.js";
import { installPrimitiveInternals } from "./primitive-internals.js";
import { primitiveKind } from "./primitive-kind.js";
import { SPAN_ATTRIBUTES_KEY } from "./span-attributes.js";
import { activeTracer, plainOtelContext, withRunIdentity } from "../internal/tracing.js";
import type { ParallelAppend, ParallelAppendShape, PrimitiveLike } from "./composition-types.js";
import type { ParallelPrimitive } from "./parallel.js";
import type { SequentialPrimitive } from "./sequential.js";

/**
 * Anything with an `execute(input, ctx)` method: a primitive from this or another copy of the package.
 * @since 0.1.0
 */
export interface Executable<I, O> {
  execute(input: I, ctx?: WorkflowContext): Promise<O>;
}

export type { InputOf, OutputOf, ParallelAppend, ParallelAppendShape, PrimitiveLike } from "./composition-types.js";

/** Identity of a primitive: the span kind and an optional display name. @since 0.1.0 */
export interface PrimitiveIdentity {
  /**
   * Lowercase kebab-case kind; the span is named `tta.<kind>`.
   * @defaultValue the class name in kebab-case, less a trailing `Primitive`: `class TicketTriage` →
   * `"ticket-triage"`, `class HTTPFetchPrimitive` → `"http-fetch"` (pass it when your build minifies class names)
   */
  readonly kind?: string | undefined;
  /** Display name. @defaultValue the class name */
  readonly name?: string | undefined;
  /**
   * Name of the span of each execution, for primitives that follow another naming convention (a model
   * call's span is `chat {model}` under the GenAI conventions). No user data in span names.
   * @defaultValue `tta.<kind>`
   */
  readonly spanName?: string | undefined;
  /** OpenTelemetry span kind of each execution's span. @defaultValue `SpanKind.INTERNAL` */
  readonly spanKind?: SpanKind | undefined;
  /**
   * `false` for a primitive whose result outlives its `run` (a stream): its span is then not ended
   * when `run` resolves, and the primitive ends it itself (via `currentSpan(ctx)`) when the work is
   * really over. Failures of `run` still end it. @defaultValue true
   */
  readonly endSpanOnResult?: boolean | undefined;
}

/**
 * Base class of every primitive: a typed async step from `I` to `O`.
 *
 * @remarks
 * Authors implement `run(input, ctx)` and pass their identity to `super`: `super({ kind: "upper" })`, or
 * just `super()` to take the kind from the class name (`class TicketTriage` → kind `ticket-triage`, span
 * `tta.ticket-triage`; a trailing `Primitive` is dropped). Callers use `execute(input, ctx?)`, which:
 * - creates a root context when none is given (and disposes it when the call settles);
 * - rejects with `ctx.signal.reason` at once if the signal has already aborted, before any work;
 * - as a top-level call (not made by another primitive), rejects with the signal's reason as soon
 *   as it aborts, even if the work ignores the signal;
 * - opens an active OpenTelemetry span `tta.<kind>` (only when a tracer provider is registered when the
 *   run's top-level call starts: a run started untraced makes no spans, even if a provider is registered
 *   while it runs) and reports `start`/`end` events (only when someone {@link subscribe}s);
 * - passes errors through unchanged, wrapping only non-`Error` throws (`NON_ERROR_THROWN`).
 *
 * A primitive never mutates its input. Nested calls (`inner.execute(x, ctx)` inside `run`) pass
 * the `ctx` they were given.
 *
 * @example
 * ```ts
 * class Upper extends WorkflowPrimitive<string, string> {
 *   constructor() { super({ kind: "upper" }); }
 *   protected async run(input: string): Promise<string> { return input.toUpperCase(); }
 * }
 * await new Upper().pipe((s) => s.length).execute("abc"); // 3
 * ```
 * @since 0.1.0
 */
export abstract class WorkflowPrimitive<in I, out O> implements Executable<I, O> {
  /** Display name (defaults to the class name); appears in spans, events and metrics. */
  readonly name: string;
  /** Kind, as in the span name `tta.<kind>`. */
  readonly kind: string;
  readonly #spanName: string;
  readonly #spanKind: SpanKind;
  readonly #endSpanOnResult: boolean;
  /** `run` rejects only with normalised errors (set through `primitiveInternals.rejectsNormalized`). */
  #rejectsNormalized = false;

  /**
   * @param identity - kind, name and span settings; omitted, or without `kind`, the kind is derived from
   * the class name (see {@link PrimitiveIdentity.kind}).
   * @throws {@link InvalidOptionsError} when `identity` is not an object, when `kind` is not lowercase
   * kebab-case (or, omitted, cannot be derived from the class name: an anonymous class, a name with `$`
   * or non-ASCII letters), or when `name` is not a non-empty string.
   */
  protected constructor(identity: PrimitiveIdentity = {}) {
    if (typeof identity !== "object" || identity === null)
      fail("identity", 'an object such as `{ kind: "my-step" }`, or omitted', identity);
    const kind = primitiveKind(identity.kind, new.target.name);
    this.kind = kind;
    this.name = nameOption(identity.name, new.target.name);
    this.#spanName = identity.spanName ?? `tta.${kind}`;
    this.#spanKind = identity.spanKind ?? SpanKind.INTERNAL;
    this.#endSpanOnResult = identity.endSpanOnResult ?? true;
  }

  /**
   * Runs the primitive.
   *
   * @param input - never mutated.
   * @param ctx - the run's context; a fresh root context when omitted.
   * @throws the error of the failing work, unchanged (non-`Error` throws wrapped as `NON_ERROR_THROWN`);
   * `ctx.signal.reason` when cancelled.
   */
  execute(input: I, ctx?: WorkflowContext): Promise<O> {
    if (ctx === undefined || !isOwnContext(ctx) || !isInternalContext(ctx)) return this.#executeTopLevel(input, ctx);
    if (isContextAborted(ctx)) return Promise.reject(contextAbortReason(ctx));
    // A run whose top-level call found no tracer provider makes no spans: no provider lookup per step.
    const tracer = isUntracedRun(ctx) ? undefined : activeTracer();
    if (tracer !== undefined || isObserved()) return this.#executeObserved(input, ctx, tracer);
    return this.#call(input, ctx);
  }

  /**
   * How long a top-level call waits, after its signal aborts, for the work to settle before it
   * rejects with the signal's reason anyway. 0 (the default) rejects at once; a saga returns its
   * `compensationTimeoutMs` so that undo steps run before the caller sees the rejection.
   */
  protected get abortGraceMs(): number {
    return 0;
  }

  /**
   * The primitive's work. Called by `execute` with a context whose signal had not aborted.
   * Implementations pass `ctx` to the inner primitives they execute.
   */
  protected abstract run(input: I, ctx: WorkflowContext): Promise<O>;

  /**
   * The span of this execution (the one `run` was called under), to add kind-specific attributes
   * or events; `undefined` when tracing is off.
   */
  protected currentSpan(ctx: WorkflowContext): Span | undefined {
    const otel = otelContextOf(ctx);
    return otel === undefined ? undefined : trace.getSpan(otel);
  }

  /**
   * Reports a primitive-specific event (`retry`, `circuit-state`, …) through the {@link subscribe}
   * hook, filling in kind, name, ids and clock time. Costs one check when nobody listens.
   */
  protected report(ctx: WorkflowContext, fields: EventFields): void {
    if (!isObserved()) return;
    emit({
      ...fields,
      kind: this.kind,
      name: this.name,
      workflowId: ctx.workflowId,
      correlationId: ctx.correlationId,
      at: ctx.clock.now(),
    });
  }

  /**
   * Sequential composition: this primitive, then `next` on its output (Python's `>>`).
   * `a.pipe(b).pipe(c)` and `a.pipe(b.pipe(c))` both run three steps.
   *
   * @example
   * ```ts
   * const flow = lambda((s: string) => s.trim()).pipe((s) => s.length);
   * ```
   */
  pipe<O2>(next: PrimitiveLike<O, O2>): SequentialPrimitive<I, O2> {
    return compositionBuilders().sequence([this, next]) as SequentialPrimitive<I, O2>;
  }

  /**
   * Parallel composition (Python's `|`): both run on the same input. `a.parallel(b).parallel(c)`
   * gives `[A, B, C]` (appending keeps the first's options); `a.parallel(b.parallel(c))` gives `[A, [B, C]]`.
   *
   * @example
   * ```ts
   * const both = lambda((n: number) => n + 1).parallel((n) => n * 2); // → [n + 1, n * 2]
   * ```
   */
  parallel<O2>(
    other: PrimitiveLike<I, O2>,
  ): ParallelPrimitive<I, ParallelAppend<this, O, O2>, ParallelAppendShape<this, O, O2>> {
    return compositionBuilders().parallelWith(this, other) as ParallelPrimitive<
      I,
      ParallelAppend<this, O, O2>,
      ParallelAppendShape<this, O, O2>
    >;
  }

  #executeTopLevel(input: I, given: WorkflowContext | undefined): Promise<O> {
    // The tracing state of the whole run is decided here, once (see `isUntracedRun`).
    const tracer = activeTracer();
    const untraced = tracer === undefined;
    if (given === undefined) {
      // A fresh run context never aborts: no abort check and no race.
      const run = createRunContext(untraced);
      if (!untraced || isObserved()) return this.#executeObserved(input, run, tracer);
      return this.#rejectsNormalized ? this.#call(input, run) : this.#call(input, run).then(undefined, rejectWrapped);
    }
    let ctx: WorkflowContext;
    try {
      ctx = isOwnContext(given) ? topLevelView(given, untraced) : adoptForeignContext(given, untraced);
    } catch (error) {
      return Promise.reject(error);
    }
    if (isContextAborted(ctx)) return Promise.reject(contextAbortReason(ctx));
    const observed = !untraced || isObserved();
    const work = observed ? this.#executeObserved(input, ctx, tracer) : this.#call(input, ctx);
    // A signal that never aborts: no race, and no abort reason to keep unwrapped (a shared handler, no
    // closure). The observed path, and a `run` that normalises its rejections, need no second promise.
    if (!canContextAbort(ctx)) return observed || this.#rejectsNormalized ? work : work.then(undefined, rejectWrapped);
    // A top-level call honours its signal even if the work ignores it (after `abortGraceMs`). It watches the
    // context (one shared listener per signal, whatever the concurrency), and while it is in flight the
    // context's deadline timers keep the process alive.
    return new Promise<O>((resolve, reject) => {
      let cancelGrace: (() => void) | undefined;
      let watching = true;
      const onAbort = (): void => {
        // Stop watching now: work that ignores the signal may never settle.
        watching = false;
        unwatchContext(ctx, onAbort, true);
        const reason = contextAbortReason(ctx);
        const grace = this.abortGraceMs;
        if (grace > 0) cancelGrace = ctx.clock.schedule(grace, () => reject(reason));
        else reject(reason);
      };
      watchContext(ctx, onAbort, true);
      work.then(
        (value) => {
          if (watching) unwatchContext(ctx, onAbort, true);
          cancelGrace?.();
          resolve(value);
        },
        (error: unknown) => {
          if (watching) unwatchContext(ctx, onAbort, true);
          cancelGrace?.();
          reject(normalize(error, ctx));
        },
      );
    });
  }

  #call(input: I, ctx: WorkflowContext): Promise<O> {
    try {
      return this.run(input, ctx);
    } catch (error) {
      return Promise.reject(normalize(error, ctx));
    }
  }

  #executeObserved(input: I, ctx: WorkflowContext, tracer: Tracer | undefined): Promise<O> {
    if (tracer === undefined || isObserved()) return this.#executeReported(input, ctx, tracer);
    // Traced, nobody subscribed: no event bookkeeping, and the wait for the result in a small async frame.
    const given = otelContextOf(ctx);
    const parent = given === undefined ? otelApi.active() : plainOtelContext(given);
    let span: Span | undefined;
    try {
      span = this.#startSpan(ctx, tracer, parent);
      return settleSpan(this.#runInSpan(input, ctx, given, parent, span), span, ctx, this.#endSpanOnResult);
    } catch (thrown) {
      return Promise.reject(failSpan(span, thrown, ctx));
    }
  }

  /** The execution with `start`/`end` events (someone {@link subscribe}s), and its span if `tracer` is given. */
  #executeReported(input: I, ctx: WorkflowContext, tracer: Tracer | undefined): Promise<O> {
    const observed = isObserved();
    const startedAt = observed ? ctx.clock.now() : 0;
    if (observed) emitExecution(this.kind, this.name, ctx, "start", startedAt, undefined, undefined);
    let span: Span | undefined;
    let result: Promise<O>;
    try {
      if (tracer === undefined) {
        result = this.run(input, ctx);
      } else {
        const given = otelContextOf(ctx);
        const parent = given === undefined ? otelApi.active() : plainOtelContext(given);
        span = this.#startSpan(ctx, tracer, parent);
        result = this.#runInSpan(input, ctx, given, parent, span);
      }
    } catch (thrown) {
      return Promise.reject(this.#failed(ctx, span, thrown, observed, startedAt));
    }
    // One `then`, as in `settleSpan`.
    return (result instanceof Promise ? result : Promise.resolve(result)).then(
      (value) => {
        if (this.#endSpanOnResult) span?.end();
        if (observed) emitExecution(this.kind, this.name, ctx, "end", startedAt, "success", undefined);
        return value;
      },
      (thrown: unknown) => {
        throw this.#failed(ctx, span, thrown, observed, startedAt);
      },
    );
  }

  /** Records a failed execution (on its span, and as an `end` event when observed); returns the error. */
  #failed(
    ctx: WorkflowContext,
    span: Span | undefined,
    thrown: unknown,
    observed: boolean,
    startedAt: number,
  ): unknown {
    const error = failSpan(span, thrown, ctx);
    if (observed) {
      const outcome = isContextAborted(ctx) && error === contextAbortReason(ctx) ? "aborted" : "error";
      emitExecution(this.kind, this.name, ctx, "end", startedAt, outcome, error);
    }
    return error;
  }

  /** Starts the execution's span `tta.<kind>` under `parent`, with the four `tta.*` attributes. */
  #startSpan(ctx: WorkflowContext, tracer: Tracer, parent: OtelContext): Span {
    const extra = ctx.getValue(SPAN_ATTRIBUTES_KEY);
    const own = {
      "tta.primitive.kind": this.kind,
      "tta.primitive.name": this.name,
      "tta.workflow.id": ctx.workflowId,
      "tta.correlation.id": ctx.correlationId,
    };
    // The copy only when a layer above (an agent) labelled the context; its keys never replace ours.
    const attributes = extra === undefined ? own : { ...extra, ...own };
    return tracer.startSpan(this.#spanName, { kind: this.#spanKind, attributes }, parent);
  }

  /**
   * Calls `run` with `span` active, under a view of `ctx` that carries the span's OpenTelemetry context
   * (the explicit parent of nested executions). `given` is `ctx`'s own OpenTelemetry context, if any.
   */
  #runInSpan(
    input: I,
    ctx: WorkflowContext,
    given: OtelContext | undefined,
    parent: OtelContext,
    span: Span,
  ): Promise<O> {
    let active = trace.setSpan(parent, span);
    // A context's own OpenTelemetry context (set below, and inherited by every context derived from the
    // view) always carries its run's identity. Otherwise the parent may carry another run's, or none:
    // then the run's first span adds it, without copying the OpenTelemetry context (`withRunIdentity`).
    if (given === undefined) {
      const run = parent.getValue(RUN_CONTEXT_KEY) as { readonly correlationId?: string } | undefined;
      if (run?.correlationId !== ctx.correlationId)
        active = withRunIdentity(active, { workflowId: ctx.workflowId, correlationId: ctx.correlationId });
    }
    const view = internalView(ctx, active);
    return otelApi.with(active, () => this.run(input, view));
  }

  /** @internal */
  static {
    installPrimitiveInternals({
      run: (primitive, input, ctx) => primitive.run(input, ctx),
      rejectsNormalized: (primitive) => {
        primitive.#rejectsNormalized = true;
      },
    });
  }
}

/**
 * Non-`Error` throws are wrapped, except the context's abort reason (cancellation is never wrapped).
 * Primitives that inspect or report their children's errors call this first.
 * @internal
 */
export function normalizeError(error: unknown, ctx: WorkflowContext): unknown {
  return normalize(error, ctx);
}
