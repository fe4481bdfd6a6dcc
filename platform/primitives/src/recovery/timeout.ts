/**
 * `TimeoutPrimitive`: runs an inner primitive against a deadline, aborting its signal and rejecting
 * with a `TimeoutError` when the deadline passes.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import {
  canContextAbort,
  contextAbortReason,
  createAbortableChild,
  isContextAborted,
  unwatchContext,
  watchContext,
} from "../core/context.js";
import { InvalidOptionsError, TimeoutError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { MAX_TIMER_MS, durationOption, nameOption, readOptions } from "../internal/options.js";

/**
 * Options of {@link timeout} / {@link TimeoutPrimitive}.
 * @since 0.1.0
 */
export interface TimeoutOptions<I, O> {
  /**
   * The time budget of each execution, in ms on the context's clock: finite, > 0 and ≤ 2^31 − 1.
   * Required (there is no default).
   */
  readonly timeoutMs: number;
  /**
   * Runs, with the same input and the caller's context, only when **this** primitive's deadline
   * passes; its outcome becomes the result. Never runs for an error the inner work throws (a
   * `TimeoutError` of a nested timeout included) nor for a cancellation.
   * @defaultValue `undefined` (reject with the `TimeoutError`)
   */
  readonly fallback?: PrimitiveLike<I, O> | undefined;
  /** Display name. @defaultValue `"TimeoutPrimitive"` */
  readonly name?: string | undefined;
}

/**
 * The options of a {@link TimeoutPrimitive} after validation, with defaults filled in.
 * @since 0.1.0
 */
export interface ResolvedTimeoutOptions<I, O> {
  /** The time budget of each execution, in ms. */
  readonly timeoutMs: number;
  /** What runs when the deadline passes, if anything. */
  readonly fallback: Executable<I, O> | undefined;
  /** Display name. */
  readonly name: string;
}

/**
 * Defaults of the optional {@link TimeoutOptions} (`timeoutMs` is required and has none).
 * @since 0.1.0
 */
export const DEFAULT_TIMEOUT_OPTIONS: Readonly<{ fallback: undefined; name: string }> = Object.freeze({
  fallback: undefined,
  name: "TimeoutPrimitive",
});

const OPTION_KEYS = ["timeoutMs", "fallback", "name"] as const;

/**
 * Runs the inner primitive with a deadline: at `timeoutMs` its signal aborts and the execution
 * rejects with a {@link TimeoutError}, even if the inner work ignores the signal.
 *
 * @remarks
 * Each execution gives the inner primitive a child context whose `deadline` is the earlier of the
 * caller's deadline and `now + timeoutMs`, and whose `signal` aborts (reason: this primitive's own
 * `TimeoutError`, with `timeoutMs` set) when the time is up, or when the caller's signal aborts. The
 * signal is created only if the inner work reads `ctx.signal`; one timer on `ctx.clock` enforces
 * the deadline and is cleared as soon as the inner work settles, so no timer outlives an execution.
 * On the system clock that timer keeps the process alive while it is pending (a script awaiting a
 * hung call gets its `TimeoutError`).
 *
 * - The inner work finishes first: its result or error stands, unchanged. A `TimeoutError` thrown
 *   *inside* (a nested timeout, a socket timeout) is not this primitive's timeout: it is rethrown and
 *   `fallback` does not run.
 * - The deadline passes first: the child signal aborts and the execution settles at once, with
 *   `fallback`'s outcome (run with the same input and the caller's context) or with the
 *   `TimeoutError`. Work that ignores its signal keeps running in the background; its late outcome
 *   is ignored. Cancellation is cooperative: nothing can stop code that never checks its signal.
 * - The caller's signal aborts: the inner work sees it through the child signal, and this primitive
 *   rejects at once with the caller's abort reason, nested or top-level (DESIGN §10: a timeout races
 *   its signal); `fallback` does not run. The race needs a listener only when the caller's signal can
 *   abort, and shares it: however many operations run on one signal, TTA puts one listener on it.
 *
 * Span attributes: `tta.timeout.ms`, and `tta.timeout.fired` = `true` when this deadline fired.
 * Event: `{ type: "timeout", timeoutMs }` when this deadline fires.
 *
 * @throws {@link InvalidOptionsError} at construction: `timeoutMs` missing, not a finite number > 0,
 * or above 2^31 − 1; `fallback` not a primitive, executable or function; unknown option keys; an
 * options argument that is not a plain object.
 * @example
 * ```ts
 * const guarded = new TimeoutPrimitive(callModel, { timeoutMs: 10_000, fallback: () => "Sorry, try again later." });
 * const answer = await guarded.execute(prompt, ctx);
 * ```
 * @since 0.1.0
 */
export class TimeoutPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The wrapped primitive. */
  readonly inner: Executable<I, O>;
  /** The resolved options. */
  readonly options: ResolvedTimeoutOptions<I, O>;

  /**
   * @param inner - the work to time-limit (a primitive, an object with `execute`, or a function).
   * @param options - `timeoutMs` (required), `fallback`, `name`.
   * @throws {@link InvalidOptionsError} for invalid options or an invalid `inner`.
   */
  constructor(inner: PrimitiveLike<I, O>, options: TimeoutOptions<I, O>) {
    const opts = readOptions("timeout", options, OPTION_KEYS);
    if (opts.timeoutMs === undefined)
      throw new InvalidOptionsError(
        "timeoutMs",
        `Expected \`timeoutMs\` (required) to be a finite number of milliseconds > 0 and ≤ ${MAX_TIMER_MS}, got undefined`,
      );
    const resolved: ResolvedTimeoutOptions<I, O> = Object.freeze({
      timeoutMs: durationOption("timeoutMs", opts.timeoutMs, 0),
      fallback:
        opts.fallback === undefined ? undefined : toExecutable(opts.fallback as PrimitiveLike<I, O>, "fallback"),
      name: nameOption(opts.name, DEFAULT_TIMEOUT_OPTIONS.name),
    });
    super({ kind: "timeout", name: resolved.name });
    this.inner = toExecutable(inner, "inner");
    this.options = resolved;
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    const timeoutMs = this.options.timeoutMs;
    const clock = ctx.clock;
    const child = createAbortableChild(ctx, clock.now() + timeoutMs);
    this.currentSpan(ctx)?.setAttribute("tta.timeout.ms", timeoutMs);
    return new Promise<O>((resolve, reject) => {
      let settled = false;
      // DESIGN §10: a timeout races its caller's signal too (only when that signal can abort).
      let onAbort: (() => void) | undefined;
      const finish = (): void => {
        settled = true;
        cancel();
        if (onAbort !== undefined) unwatchContext(ctx, onAbort, false);
        child.ctx.dispose();
      };
      const cancel = clock.schedule(timeoutMs, () => {
        if (settled) return;
        finish();
        this.#expire(input, ctx, child.abort, resolve, reject);
      });
      if (canContextAbort(ctx)) {
        onAbort = () => {
          if (settled) return;
          const reason = contextAbortReason(ctx);
          // Propagate to the inner run before unlinking the child (its own parent link may not have fired yet).
          child.abort(reason);
          finish();
          reject(reason);
        };
        // One shared listener per caller signal, however many timeouts run on it.
        watchContext(ctx, onAbort, false);
      }
      let work: Promise<O>;
      try {
        work = this.inner.execute(input, child.ctx);
      } catch (error) {
        work = Promise.reject(error);
      }
      work.then(
        (value) => {
          if (settled) return;
          finish();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          finish();
          reject(error);
        },
      );
    });
  }

  /** This primitive's deadline passed before the inner work settled. */
  #expire(
    input: I,
    ctx: WorkflowContext,
    abortChild: (reason: unknown) => void,
    resolve: (value: O | PromiseLike<O>) => void,
    reject: (reason: unknown) => void,
  ): void {
    // The caller cancelled first: cancellation wins, unwrapped, and is never a reason to fall back.
    if (isContextAborted(ctx)) {
      reject(contextAbortReason(ctx));
      return;
    }
    const { timeoutMs, fallback } = this.options;
    const error = new TimeoutError(`\`${this.name}\` timed out after ${timeoutMs} ms`, { timeoutMs });
    abortChild(error);
    this.currentSpan(ctx)?.setAttribute("tta.timeout.fired", true);
    this.report(ctx, { type: "timeout", timeoutMs });
    if (fallback === undefined) {
      reject(error);
      return;
    }
    try {
      resolve(fallback.execute(input, ctx));
    } catch (thrown) {
      reject(thrown);
    }
  }
}

/**
 * Wraps `inner` in a {@link TimeoutPrimitive}: the inner signal aborts and the execution rejects
 * with a {@link TimeoutError} after `timeoutMs`, or runs `fallback` instead.
 *
 * @remarks See {@link TimeoutPrimitive} for the exact semantics (nested timeouts, cancellation,
 * what keeps running). Put `timeout` inside `retry` to bound each attempt:
 * `retry(timeout(llm, { timeoutMs: 10_000 }))`.
 *
 * @throws {@link InvalidOptionsError} for a missing or invalid `timeoutMs`, an invalid `fallback`,
 * or unknown option keys.
 * @example
 * ```ts
 * const guarded = timeout(async (q: string, ctx) => fetchAnswer(q, { signal: ctx.signal }), { timeoutMs: 5_000 });
 * await guarded.execute("hello"); // rejects with TimeoutError after 5 s, and the fetch is aborted
 * ```
 * @since 0.1.0
 */
export function timeout<I, O>(inner: PrimitiveLike<I, O>, options: TimeoutOptions<I, O>): TimeoutPrimitive<I, O> {
  return new TimeoutPrimitive(inner, options);
}
