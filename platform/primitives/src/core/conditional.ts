/**
 * `ConditionalPrimitive` / `when`: run one branch or another depending on a condition.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "./context.js";
import { throwIfContextAborted } from "./context.js";
import { toExecutable } from "./primitive-like.js";
import type { Executable, PrimitiveLike } from "./workflow-primitive.js";
import { WorkflowPrimitive } from "./workflow-primitive.js";
import { functionOption, nameOption, readOptions } from "../internal/options.js";

/** A sync or async predicate on the input. @since 0.1.0 */
export type Condition<I> = (input: I, ctx: WorkflowContext) => boolean | PromiseLike<boolean>;

/** Options of {@link when}. @since 0.1.0 */
export interface ConditionalOptions {
  /** Display name. @defaultValue `"ConditionalPrimitive"` */
  readonly name?: string;
}

/**
 * Runs `then` when `condition(input, ctx)` is true, else `otherwise`; with no `otherwise`, a false
 * condition passes the input through unchanged.
 *
 * @remarks
 * The condition may be async (it is awaited: a pending promise is never mistaken for `true`). Its
 * errors propagate unchanged. The span records the branch taken as `tta.conditional.branch`
 * (`"then"`, `"else"` or `"passthrough"`).
 *
 * @throws {@link InvalidOptionsError} at construction: `condition` not a function, a branch that is
 * not a primitive or function.
 * @example
 * ```ts
 * const maybeTranslate = new ConditionalPrimitive((t: string) => !/^[\x00-\x7f]*$/.test(t), translate);
 * ```
 * @since 0.1.0
 */
export class ConditionalPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  readonly #condition: Condition<I>;
  readonly #then: Executable<I, O>;
  readonly #otherwise: Executable<I, O> | undefined;

  constructor(
    condition: Condition<I>,
    then: PrimitiveLike<I, O>,
    otherwise?: PrimitiveLike<I, O>,
    options?: ConditionalOptions,
  ) {
    const opts = readOptions("when", options, ["name"]);
    const checked = functionOption<Condition<I>>("condition", condition, true);
    super({ kind: "conditional", name: nameOption(opts.name, "ConditionalPrimitive") });
    this.#condition = checked;
    this.#then = toExecutable(then, "then");
    this.#otherwise = otherwise === undefined ? undefined : toExecutable(otherwise, "else");
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const chosen = Boolean(await this.#condition(input, ctx));
    const branch = chosen ? this.#then : this.#otherwise;
    this.currentSpan(ctx)?.setAttribute("tta.conditional.branch", chosen ? "then" : branch ? "else" : "passthrough");
    if (branch === undefined) return input as unknown as O;
    throwIfContextAborted(ctx);
    return branch.execute(input, ctx);
  }
}

/**
 * Builds a {@link ConditionalPrimitive}: `then` when the condition holds, else `otherwise`, else
 * the input unchanged.
 *
 * @throws {@link InvalidOptionsError} for a non-function condition or an invalid branch.
 * @example
 * ```ts
 * const flow = when((q: string) => q.length > 100, summarize, (q) => q);
 * ```
 * @since 0.1.0
 */
export function when<I, O, O2 = I>(
  condition: Condition<I>,
  then: PrimitiveLike<I, O>,
  otherwise?: PrimitiveLike<I, O2>,
  options?: ConditionalOptions,
): ConditionalPrimitive<I, O | O2> {
  return new ConditionalPrimitive<I, O | O2>(condition, then, otherwise, options);
}
