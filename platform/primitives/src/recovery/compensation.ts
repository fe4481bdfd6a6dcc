/**
 * `CompensationPrimitive`: one step with an undo that runs when the step fails.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { contextAbortReason, createDetachedContext, isContextAborted } from "../core/context.js";
import { CompensationError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive, normalizeError } from "../core/workflow-primitive.js";
import { nameOption, readOptions } from "../internal/options.js";
import { DEFAULT_COMPENSATION_TIMEOUT_MS, compensationTimeoutOption } from "../internal/compensation-timeout.js";

/** Options of {@link compensation}. @since 0.1.0 */
export interface CompensationOptions {
  /**
   * When the primitive is a top-level call whose signal aborts, how long the caller's promise may
   * wait for `forward` and the undo before it rejects with the signal's reason anyway. A duration
   * in ms, > 0.
   * @defaultValue `30_000`
   */
  readonly compensationTimeoutMs?: number;
  /** Display name. @defaultValue `"CompensationPrimitive"` */
  readonly name?: string;
}

/** Resolved options of a {@link CompensationPrimitive}. @since 0.1.0 */
export interface ResolvedCompensationOptions {
  readonly compensationTimeoutMs: number;
  readonly name: string;
}

/** Default options of {@link compensation}. @since 0.1.0 */
export const DEFAULT_COMPENSATION_OPTIONS: ResolvedCompensationOptions = Object.freeze({
  compensationTimeoutMs: DEFAULT_COMPENSATION_TIMEOUT_MS,
  name: "CompensationPrimitive",
});

/**
 * What the undo of a {@link CompensationPrimitive} receives: the forward step's input and the error
 * it failed with (the signal's reason when it was cancelled).
 * @since 0.1.0
 */
export interface CompensationInput<I> {
  readonly input: I;
  readonly error: unknown;
}

const OPTION_KEYS = ["compensationTimeoutMs", "name"] as const;

/**
 * Runs `forward`; when it fails, runs `compensate({ input, error })` and then rethrows the forward
 * error (same object).
 *
 * @remarks
 * A failing `compensate` makes the call reject with a {@link CompensationError} whose
 * `originalError` (also its `cause`) is the forward error and whose `compensationErrors` holds the
 * undo's error. For several steps undone in reverse order, use `saga()`.
 *
 * - Cancellation: if the signal aborts, the undo runs once `forward` settles, whether it failed
 *   (typically with the signal's reason) or completed after the abort (its work is then undone with
 *   `error` = the signal's reason); the call then rejects with the signal's reason. As a top-level
 *   call it waits for that, for at most `compensationTimeoutMs`.
 * - The undo runs with a context of the same run (ids, `state`, metadata, clock) whose signal never
 *   aborts and which has no deadline.
 * - `forward` and `compensate` get their own child spans of the `tta.compensation` span, which gets
 *   `tta.compensation.compensated` (`true` when the undo succeeded, `false` when it failed) after a
 *   failure.
 *
 * @throws {@link InvalidOptionsError} at construction: `forward` or `compensate` not a primitive or
 * function, unknown or invalid options.
 * @example
 * ```ts
 * const upload = new CompensationPrimitive(
 *   (file: { key: string; body: string }) => storage.put(file.key, file.body),
 *   ({ input }) => storage.delete(input.key),
 * );
 * ```
 * @since 0.1.0
 */
export class CompensationPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The step's work. */
  readonly forward: Executable<I, O>;
  /** The undo that runs when `forward` fails. */
  readonly compensate: Executable<CompensationInput<I>, unknown>;
  /** The resolved options. */
  readonly options: ResolvedCompensationOptions;

  /**
   * @param forward - the work.
   * @param compensate - the undo, given `{ input, error }`.
   * @param options - see {@link CompensationOptions}.
   */
  constructor(
    forward: PrimitiveLike<I, O>,
    compensate: PrimitiveLike<CompensationInput<I>, unknown>,
    options?: CompensationOptions,
  ) {
    const opts = readOptions("compensation", options, OPTION_KEYS);
    const resolved: ResolvedCompensationOptions = Object.freeze({
      compensationTimeoutMs: compensationTimeoutOption(opts.compensationTimeoutMs),
      name: nameOption(opts.name, DEFAULT_COMPENSATION_OPTIONS.name),
    });
    super({ kind: "compensation", name: resolved.name });
    this.options = resolved;
    this.forward = toExecutable(forward, "forward");
    this.compensate = toExecutable(compensate, "compensate");
  }

  /** After an abort, a top-level call waits up to `compensationTimeoutMs` for the undo. */
  protected override get abortGraceMs(): number {
    return this.options.compensationTimeoutMs;
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    let run: Promise<O>;
    try {
      run = this.forward.execute(input, ctx);
    } catch (thrown) {
      return this.#compensate(input, normalizeError(thrown, ctx), ctx);
    }
    return run.then(
      // Completed after (or while) the run was cancelled: undo it too.
      (output) => (isContextAborted(ctx) ? this.#compensate(input, contextAbortReason(ctx), ctx) : output),
      (thrown: unknown) => this.#compensate(input, normalizeError(thrown, ctx), ctx),
    );
  }

  async #compensate(input: I, error: unknown, ctx: WorkflowContext): Promise<never> {
    const undoCtx = createDetachedContext(ctx);
    let failure: unknown;
    let failed = false;
    try {
      await this.compensate.execute({ input, error }, undoCtx);
    } catch (thrown) {
      failed = true;
      failure = normalizeError(thrown, undoCtx);
    }
    this.currentSpan(ctx)?.setAttribute("tta.compensation.compensated", !failed);
    // A cancelled run rejects with the abort reason, whatever error the step produced (DESIGN §10).
    const cause = isContextAborted(ctx) ? contextAbortReason(ctx) : error;
    if (!failed) throw cause;
    throw new CompensationError(`Compensation "${this.name}": the undo failed after the step failed`, cause, [failure]);
  }
}

/**
 * Builds a {@link CompensationPrimitive}: `forward`, undone by `compensate({ input, error })` when it fails.
 *
 * @throws {@link InvalidOptionsError} for a `forward`/`compensate` that is not a primitive or function,
 * or invalid options.
 * @example
 * ```ts
 * const send = compensation(
 *   (draft: Draft) => mail.send(draft),
 *   ({ input, error }) => audit.log("send failed", input.id, error),
 * );
 * ```
 * @since 0.1.0
 */
export function compensation<I, O>(
  forward: PrimitiveLike<I, O>,
  compensate: PrimitiveLike<CompensationInput<I>, unknown>,
  options?: CompensationOptions,
): CompensationPrimitive<I, O> {
  return new CompensationPrimitive(forward, compensate, options);
}
