/**
 * `SagaPrimitive`: steps that each come with an undo; on failure, the completed steps are undone in
 * reverse order.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { contextAbortReason, createDetachedContext, isContextAborted } from "../core/context.js";
import { CompensationError, InvalidOptionsError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive, normalizeError } from "../core/workflow-primitive.js";
import { booleanOption, describeValue, isPlainObject, nameOption, readOptions } from "../internal/options.js";
import { DEFAULT_COMPENSATION_TIMEOUT_MS, compensationTimeoutOption } from "../internal/compensation-timeout.js";

/** Options of {@link saga}. @since 0.1.0 */
export interface SagaOptions {
  /**
   * When an undo step fails: `false` stops compensating at once; `true` runs every remaining undo
   * and collects all their errors.
   * @defaultValue `false`
   */
  readonly continueOnCompensationError?: boolean;
  /**
   * When the saga is a top-level call whose signal aborts, how long the caller's promise may wait
   * for the in-flight step and the undo steps before it rejects with the signal's reason anyway.
   * A duration in ms, > 0.
   * @defaultValue `30_000`
   */
  readonly compensationTimeoutMs?: number;
  /** Display name. @defaultValue `"SagaPrimitive"` */
  readonly name?: string;
}

/** Resolved options of a {@link SagaPrimitive}. @since 0.1.0 */
export interface ResolvedSagaOptions {
  readonly continueOnCompensationError: boolean;
  readonly compensationTimeoutMs: number;
  readonly name: string;
}

/** Default options of {@link saga}. @since 0.1.0 */
export const DEFAULT_SAGA_OPTIONS: ResolvedSagaOptions = Object.freeze({
  continueOnCompensationError: false,
  compensationTimeoutMs: DEFAULT_COMPENSATION_TIMEOUT_MS,
  name: "SagaPrimitive",
});

/**
 * What a saga step's undo receives: the step's own input and the output it committed.
 * @since 0.1.0
 */
export interface SagaCompensationInput<I, O> {
  readonly input: I;
  readonly output: O;
}

/**
 * One saga step as given to the {@link SagaPrimitive} constructor: the forward work and its undo.
 * @since 0.1.0
 */
export interface SagaStepDefinition<I, O> {
  /** The work of the step. */
  readonly forward: PrimitiveLike<I, O>;
  /** Undoes the step; may itself be a `retry`, `timeout`… */
  readonly compensate: PrimitiveLike<SagaCompensationInput<I, O>, unknown>;
}

/** A resolved saga step. @since 0.1.0 */
export interface SagaStep {
  readonly forward: Executable<unknown, unknown>;
  readonly compensate: Executable<SagaCompensationInput<unknown, unknown>, unknown>;
}

const OPTION_KEYS = ["continueOnCompensationError", "compensationTimeoutMs", "name"] as const;

function resolveOptions(options: unknown): ResolvedSagaOptions {
  const opts = readOptions("saga", options, OPTION_KEYS);
  return Object.freeze({
    continueOnCompensationError: booleanOption(
      "continueOnCompensationError",
      opts.continueOnCompensationError,
      DEFAULT_SAGA_OPTIONS.continueOnCompensationError,
    ),
    compensationTimeoutMs: compensationTimeoutOption(opts.compensationTimeoutMs),
    name: nameOption(opts.name, DEFAULT_SAGA_OPTIONS.name),
  });
}

function resolveStep(step: unknown, where: string): SagaStep {
  if (!isPlainObject(step))
    throw new InvalidOptionsError(
      where,
      `Expected \`${where}\` to be { forward, compensate }, got ${describeValue(step)}`,
    );
  return Object.freeze({
    forward: toExecutable(step.forward as PrimitiveLike<unknown, unknown>, `${where}.forward`),
    compensate: toExecutable(
      step.compensate as PrimitiveLike<SagaCompensationInput<unknown, unknown>, unknown>,
      `${where}.compensate`,
    ),
  });
}

/**
 * A sequence of steps, each with an undo: if step k fails, the undos of steps k−1 … 1 run in that
 * (reverse) order, each given its own step's input and output, then the original error is rethrown.
 *
 * @remarks
 * Build it with {@link saga}`().step(forward, compensate)…`; `.step` returns a new saga (sagas are
 * immutable values). Each step's output is the next step's input; an empty saga passes its input
 * through.
 *
 * - A failing undo makes the saga reject with a {@link CompensationError} carrying the original
 *   error (`originalError`, also its `cause`) and the undo errors (`compensationErrors`); with
 *   `continueOnCompensationError: false` (the default) the remaining undos are skipped, with `true`
 *   they all run and every error is collected.
 * - Cancellation: when the signal aborts, the saga waits for the step in flight to settle (steps
 *   should honour `ctx.signal`), undoes every committed step, one that committed after the abort
 *   included, then rejects with the signal's reason. When the saga is the top-level call, its
 *   caller's promise waits for that, for at most `compensationTimeoutMs`.
 * - Undo steps run with a context of the same run (ids, `state`, metadata, clock) whose signal
 *   never aborts and which has no deadline, so an abort cannot skip an undo; bound an undo with
 *   `timeout(...)` if it may hang.
 * - Every step and undo is its own child span of the `tta.saga` span; after compensating, the saga
 *   span gets `tta.saga.compensated` (the number of steps undone successfully).
 *
 * @throws {@link InvalidOptionsError} at construction: unknown or invalid options, or a step that is
 * not `{ forward, compensate }` with primitives or functions.
 * @example
 * ```ts
 * const booking = new SagaPrimitive<Trip, Receipt>([
 *   { forward: reserveFlight, compensate: ({ output }) => cancelFlight(output.id) },
 *   { forward: chargeCard, compensate: ({ output }) => refund(output.chargeId) },
 * ]);
 * ```
 * @since 0.1.0
 */
export class SagaPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The steps, in order. */
  readonly steps: readonly SagaStep[];
  /** The resolved options. */
  readonly options: ResolvedSagaOptions;

  /**
   * @param steps - the steps in order (each `{ forward, compensate }`). @defaultValue `[]`
   * @param options - see {@link SagaOptions}.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- steps are chained at run time; `step()` types the chain
  constructor(steps: readonly SagaStepDefinition<any, any>[] = [], options?: SagaOptions) {
    const resolved = resolveOptions(options);
    if (!Array.isArray(steps))
      throw new InvalidOptionsError(
        "steps",
        `Expected \`steps\` to be an array of { forward, compensate }, got ${describeValue(steps)}`,
      );
    super({ kind: "saga", name: resolved.name });
    this.options = resolved;
    this.steps = Object.freeze(Array.from(steps, (step: unknown, i) => resolveStep(step, `steps[${i}]`)));
  }

  /**
   * Returns a new saga with one more step at the end; this saga is unchanged.
   *
   * @param forward - the step's work, given the previous step's output (or the saga's input).
   * @param compensate - its undo, given `{ input, output }` of this step.
   * @throws {@link InvalidOptionsError} when `forward` or `compensate` is not a primitive or function.
   * @example
   * ```ts
   * const flow = saga<Order>().step(reserveStock, ({ output }) => releaseStock(output.reservationId));
   * ```
   */
  step<O2>(
    forward: PrimitiveLike<O, O2>,
    compensate: PrimitiveLike<SagaCompensationInput<O, O2>, unknown>,
  ): SagaPrimitive<I, O2> {
    const next = toExecutable(forward, "forward") as Executable<unknown, unknown>;
    const undo = toExecutable(compensate, "compensate") as Executable<SagaCompensationInput<unknown, unknown>, unknown>;
    return new SagaPrimitive<I, O2>([...this.steps, { forward: next, compensate: undo }], this.options);
  }

  /** After an abort, a top-level call waits up to `compensationTimeoutMs` for the undo steps. */
  protected override get abortGraceMs(): number {
    return this.options.compensationTimeoutMs;
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const steps = this.steps;
    const n = steps.length;
    if (n === 0) return input as unknown as O;
    // values[k] is step k's input; values[k + 1] its output.
    const values = new Array<unknown>(n + 1);
    values[0] = input;
    for (let k = 0; k < n; k++) {
      let output: unknown;
      try {
        output = await (steps[k] as SagaStep).forward.execute(values[k], ctx);
      } catch (thrown) {
        return this.#compensate(values, k, normalizeError(thrown, ctx), ctx);
      }
      values[k + 1] = output;
      // Committed after (or while) the run was cancelled: undo everything done so far.
      if (isContextAborted(ctx)) return this.#compensate(values, k + 1, contextAbortReason(ctx), ctx);
    }
    return values[n] as O;
  }

  /** Undoes the first `committed` steps in reverse order, then throws `original` (or a CompensationError). */
  async #compensate(values: unknown[], committed: number, original: unknown, ctx: WorkflowContext): Promise<never> {
    if (committed === 0) throw isContextAborted(ctx) ? contextAbortReason(ctx) : original;
    const undoCtx = createDetachedContext(ctx);
    const errors: unknown[] = [];
    let undone = 0;
    for (let k = committed - 1; k >= 0; k--) {
      const args: SagaCompensationInput<unknown, unknown> = { input: values[k], output: values[k + 1] };
      try {
        await (this.steps[k] as SagaStep).compensate.execute(args, undoCtx);
        undone++;
      } catch (thrown) {
        errors.push(normalizeError(thrown, undoCtx));
        if (!this.options.continueOnCompensationError) break;
      }
    }
    this.currentSpan(ctx)?.setAttribute("tta.saga.compensated", undone);
    // A cancelled saga rejects with the abort reason, whatever error the in-flight step produced (DESIGN §10).
    const cause = isContextAborted(ctx) ? contextAbortReason(ctx) : original;
    if (errors.length === 0) throw cause;
    throw new CompensationError(
      `Saga "${this.name}": ${errors.length} compensation(s) failed after a step failed (${undone} of ${committed} committed step(s) undone)`,
      cause,
      errors,
    );
  }
}

/**
 * Starts an empty {@link SagaPrimitive}; add steps with `.step(forward, compensate)`.
 *
 * @remarks
 * The input type `I` is the type of the first step's input. See {@link SagaPrimitive} for the
 * compensation, cancellation and error rules.
 *
 * @throws {@link InvalidOptionsError} for unknown or invalid options (naming the option).
 * @example
 * ```ts
 * const checkout = saga<Cart>({ continueOnCompensationError: true })
 *   .step(reserveStock, ({ output }) => releaseStock(output.reservationId))
 *   .step(chargeCard, ({ output }) => refund(output.chargeId))
 *   .step(sendConfirmation, () => undefined);
 * await checkout.execute(cart, ctx);
 * ```
 * @since 0.1.0
 */
export function saga<I = unknown>(options?: SagaOptions): SagaPrimitive<I, I> {
  return new SagaPrimitive<I, I>([], options);
}
