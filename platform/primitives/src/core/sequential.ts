/**
 * `SequentialPrimitive`: steps run one after another, each output feeding the next input.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "./context.js";
import { canContextAbort, isOwnContext, isUntracedRun, throwIfContextAborted } from "./context.js";
import { InvalidOptionsError } from "./errors.js";
import { isObserved } from "./instrumentation.js";
import { toExecutable } from "./primitive-like.js";
import type { Executable, InputOf, OutputOf, PrimitiveLike } from "./workflow-primitive.js";
import { WorkflowPrimitive, normalizeError } from "./workflow-primitive.js";
import { primitiveInternals } from "./primitive-internals.js";
import { registerBuilder } from "../internal/composition-registry.js";
import { describeValue, nameOption, readOptions } from "../internal/options.js";

/** Options of {@link sequential}. @since 0.1.0 */
export interface SequentialOptions {
  /**
   * Display name. A named sequential is kept as one unit (its own span) when composed into
   * another; unnamed ones are flattened.
   * @defaultValue `"SequentialPrimitive"`
   */
  readonly name?: string;
}

const OPTION_KEYS = ["name"] as const;

/** The base class's `execute`: a step that still has it may be run directly (see `#runDirect`). */
// eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called
const BASE_EXECUTE = WorkflowPrimitive.prototype.execute;

/**
 * The steps `S` of a {@link sequential} chain as they must be: each step after the first takes the
 * previous step's output. A step that does not is replaced by `PrimitiveLike<previous output, its
 * output>`, so the compiler reports the wrong step itself, e.g. at the third step of
 * `sequential([len, show, double])`: `Type 'LambdaPrimitive<number, number>' is not assignable to
 * type 'PrimitiveLike<string, number>'` (the step must take a `string`).
 *
 * @example
 * ```ts
 * type Ok = SequentialSteps<[PrimitiveLike<string, number>, PrimitiveLike<number, boolean>]>;
 * // readonly [PrimitiveLike<string, number>, PrimitiveLike<number, boolean>]
 * ```
 * @since 0.1.0
 */
export type SequentialSteps<S extends readonly unknown[]> = S extends readonly [infer First, ...infer Rest]
  ? CheckLinks<Rest, OutputOf<First>, [First]>
  : S;

/** Tail-recursive walk of {@link SequentialSteps}: `Prev` is the output the next step must accept. */
type CheckLinks<Rest extends readonly unknown[], Prev, Done extends readonly unknown[]> = Rest extends readonly [
  infer Step,
  ...infer More,
]
  ? CheckLinks<
      More,
      OutputOf<Step>,
      [...Done, [Prev] extends [InputOf<Step>] ? Step : PrimitiveLike<Prev, OutputOf<Step>>]
    >
  : Readonly<Done>;

/**
 * Runs steps in order; the output of each is the next one's input.
 *
 * @remarks
 * Stops at the first error and rethrows it unchanged; later steps do not run. Every step gets the
 * same context, so `ctx.state` written by one step is visible to the next. Unnamed nested
 * sequentials are flattened from either side, so `a.pipe(b).pipe(c)` and `a.pipe(b.pipe(c))` are
 * both one `tta.sequential` span with three step children. Aborting the signal stops before the
 * next step.
 *
 * @throws {@link InvalidOptionsError} at construction: `steps` not a non-empty array, or a step that
 * is neither a primitive nor a function.
 * @example
 * ```ts
 * const flow = new SequentialPrimitive<string, number>([(s: string) => s.trim(), (s: string) => s.length]);
 * ```
 * @since 0.1.0
 */
export class SequentialPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The flattened steps, in order. */
  readonly steps: readonly Executable<unknown, unknown>[];
  readonly #named: boolean;
  readonly #checkAbortBefore: readonly boolean[];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- steps are chained at run time; the factory types the chain
  constructor(steps: readonly PrimitiveLike<any, any>[], options?: SequentialOptions) {
    const opts = readOptions("sequential", options, OPTION_KEYS);
    const name = nameOption(opts.name, "SequentialPrimitive");
    if (!Array.isArray(steps) || steps.length === 0)
      throw new InvalidOptionsError(
        "steps",
        `Expected \`steps\` to be a non-empty array of primitives or functions, got ${describeValue(steps)}`,
      );
    super({ kind: "sequential", name });
    this.#named = opts.name !== undefined;
    const flat: Executable<unknown, unknown>[] = [];
    Array.from(steps).forEach((step: unknown, index) => {
      const executable = toExecutable(step as PrimitiveLike<unknown, unknown>, `steps[${index}]`);
      if (executable instanceof SequentialPrimitive && !executable.#named) flat.push(...executable.steps);
      else flat.push(executable);
    });
    this.steps = Object.freeze(flat);
    this.#checkAbortBefore = flat.map((step) => !(step instanceof WorkflowPrimitive));
    // `run` below normalises its rejections, so a top-level call needs no wrapping layer; not when a
    // subclass replaces it.
    if (this.run === SequentialPrimitive.prototype.run) primitiveInternals.rejectsNormalized(this);
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    // The steps in order, rejecting with normalised errors (see `normalizeError`); a run that started
    // untraced takes the direct path.
    return isOwnContext(ctx) && isUntracedRun(ctx) ? this.#runDirect(input, ctx) : this.#runSteps(0, input, ctx);
  }

  /** The steps from `from` on, through their `execute`. */
  async #runSteps(from: number, input: unknown, ctx: WorkflowContext): Promise<O> {
    const steps = this.steps;
    const checks = this.#checkAbortBefore;
    let value = input;
    try {
      // Indexed loop: a for…of iterator result would be kept alive across every await.
      for (let i = from; i < steps.length; i++) {
        // Our own primitives check the signal in execute; other executables get the check here.
        if (checks[i] === true) throwIfContextAborted(ctx);
        value = await (steps[i] as Executable<unknown, unknown>).execute(value, ctx);
      }
    } catch (error) {
      throw normalizeError(error, ctx);
    }
    return value as O;
  }

  /**
   * The steps of a run that started untraced: each step that is one of our primitives (with the base
   * `execute`) is run directly while nobody subscribes, doing what its nested `execute` would do (check
   * the signal, call `run`) without repeating the checks that hold for the whole run (the context is
   * internal and untraced; whether it can abort at all). From the first step that is not, or once someone
   * subscribes, the rest go through `execute`.
   */
  async #runDirect(input: unknown, ctx: WorkflowContext): Promise<O> {
    const steps = this.steps;
    const checks = this.#checkAbortBefore;
    const abortable = canContextAbort(ctx);
    let value = input;
    try {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i] as WorkflowPrimitive<unknown, unknown>;
        if (checks[i] === true || step.execute !== BASE_EXECUTE || isObserved())
          return await this.#runSteps(i, value, ctx);
        if (abortable) throwIfContextAborted(ctx);
        value = await primitiveInternals.run(step, value, ctx);
      }
    } catch (error) {
      throw normalizeError(error, ctx);
    }
    return value as O;
  }
}

/**
 * Builds a {@link SequentialPrimitive}; input and output types flow through the chain, and a step
 * whose input does not match the previous output is a type error reported at that step.
 *
 * @remarks
 * Up to 8 steps, an unannotated function step is typed from the previous output. A mismatch is
 * reported at the wrong step as "not assignable to type 'PrimitiveLike<X, …>'", X being the input it
 * must take (see {@link SequentialSteps}); when the chain has unannotated function steps, annotate
 * their parameters to get that message rather than "'n' is of type 'unknown'".
 *
 * @throws {@link InvalidOptionsError} for an empty or non-array `steps` (no variadic form), or an invalid step.
 * @example
 * ```ts
 * const flow = sequential([(s: string) => s.trim(), (s) => s.length, (n) => n * 2]);
 * await flow.execute("  hi "); // 4
 * ```
 * @since 0.1.0
 */
export function sequential<A, B>(
  steps: readonly [PrimitiveLike<A, B>],
  options?: SequentialOptions,
): SequentialPrimitive<A, B>;
export function sequential<A, B, C>(
  steps: readonly [PrimitiveLike<A, B>, PrimitiveLike<B, C>],
  options?: SequentialOptions,
): SequentialPrimitive<A, C>;
export function sequential<A, B, C, D>(
  steps: readonly [PrimitiveLike<A, B>, PrimitiveLike<B, C>, PrimitiveLike<C, D>],
  options?: SequentialOptions,
): SequentialPrimitive<A, D>;
export function sequential<A, B, C, D, E>(
  steps: readonly [PrimitiveLike<A, B>, PrimitiveLike<B, C>, PrimitiveLike<C, D>, PrimitiveLike<D, E>],
  options?: SequentialOptions,
): SequentialPrimitive<A, E>;
export function sequential<A, B, C, D, E, F>(
  steps: readonly [
    PrimitiveLike<A, B>,
    PrimitiveLike<B, C>,
    PrimitiveLike<C, D>,
    PrimitiveLike<D, E>,
    PrimitiveLike<E, F>,
  ],
  options?: SequentialOptions,
): SequentialPrimitive<A, F>;
export function sequential<A, B, C, D, E, F, G>(
  steps: readonly [
    PrimitiveLike<A, B>,
    PrimitiveLike<B, C>,
    PrimitiveLike<C, D>,
    PrimitiveLike<D, E>,
    PrimitiveLike<E, F>,
    PrimitiveLike<F, G>,
  ],
  options?: SequentialOptions,
): SequentialPrimitive<A, G>;
export function sequential<A, B, C, D, E, F, G, H>(
  steps: readonly [
    PrimitiveLike<A, B>,
    PrimitiveLike<B, C>,
    PrimitiveLike<C, D>,
    PrimitiveLike<D, E>,
    PrimitiveLike<E, F>,
    PrimitiveLike<F, G>,
    PrimitiveLike<G, H>,
  ],
  options?: SequentialOptions,
): SequentialPrimitive<A, H>;
export function sequential<A, B, C, D, E, F, G, H, I>(
  steps: readonly [
    PrimitiveLike<A, B>,
    PrimitiveLike<B, C>,
    PrimitiveLike<C, D>,
    PrimitiveLike<D, E>,
    PrimitiveLike<E, F>,
    PrimitiveLike<F, G>,
    PrimitiveLike<G, H>,
    PrimitiveLike<H, I>,
  ],
  options?: SequentialOptions,
): SequentialPrimitive<A, I>;
/** An array (not a tuple) of same-typed steps, e.g. built with `map`. */
export function sequential<T>(
  steps: readonly PrimitiveLike<T, T>[],
  options?: SequentialOptions,
): SequentialPrimitive<T, T>;
/* eslint-disable @typescript-eslint/no-explicit-any -- the constraint accepts any step; SequentialSteps checks the links */
/**
 * A chain of any length (used beyond 8 steps, and to report a mismatch): every link is checked, and a
 * step whose input does not match the previous output is reported at its own position.
 */
export function sequential<const S extends readonly [PrimitiveLike<any, any>, ...PrimitiveLike<any, any>[]]>(
  steps: S extends SequentialSteps<S> ? S : SequentialSteps<S>,
  options?: SequentialOptions,
): SequentialPrimitive<InputOf<S[0]>, OutputOf<S extends readonly [...unknown[], infer L] ? L : never>>;
/* eslint-enable @typescript-eslint/no-explicit-any */
export function sequential(
  steps: readonly PrimitiveLike<unknown, unknown>[],
  options?: SequentialOptions,
): SequentialPrimitive<unknown, unknown> {
  if (!Array.isArray(steps))
    throw new InvalidOptionsError(
      "steps",
      `sequential() takes an array of steps (no variadic form), got ${describeValue(steps)}`,
    );
  return new SequentialPrimitive(steps, options);
}

registerBuilder("sequence", (steps) => new SequentialPrimitive(steps as readonly PrimitiveLike<unknown, unknown>[]));
