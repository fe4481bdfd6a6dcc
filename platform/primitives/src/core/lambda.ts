/**
 * `LambdaPrimitive`: a plain function as a primitive.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "./context.js";
import { InvalidOptionsError } from "./errors.js";
import { WorkflowPrimitive } from "./workflow-primitive.js";
import { describeValue } from "../internal/options.js";

/**
 * A function `(input, ctx) => output` (sync or async) as a primitive, with its own `tta.lambda` span.
 *
 * @remarks
 * A sync function that returns a promise (or any thenable) is awaited. The function's errors pass
 * through unchanged; a non-`Error` throw is wrapped (`NON_ERROR_THROWN`, the value as `cause`).
 * The name defaults to the function's name, else the class name `"LambdaPrimitive"` (see ADR 0007).
 *
 * @throws {@link InvalidOptionsError} when `fn` is not a function or `name` is not a non-empty string.
 * @example
 * ```ts
 * const trim = new LambdaPrimitive((s: string) => s.trim(), "trim");
 * ```
 * @since 0.1.0
 */
export class LambdaPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  readonly #fn: (input: I, ctx: WorkflowContext) => O | PromiseLike<O>;

  constructor(fn: (input: I, ctx: WorkflowContext) => O | PromiseLike<O>, name?: string) {
    if (typeof fn !== "function")
      throw new InvalidOptionsError("fn", `Expected \`fn\` to be a function, got ${describeValue(fn)}`);
    super({ kind: "lambda", name: name ?? (fn.name || "LambdaPrimitive") });
    this.#fn = fn;
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    const result = this.#fn(input, ctx);
    return result instanceof Promise ? (result as Promise<O>) : Promise.resolve(result);
  }
}

/**
 * Lifts a function into a {@link LambdaPrimitive}.
 *
 * @throws {@link InvalidOptionsError} when `fn` is not a function.
 * @example
 * ```ts
 * const flow = lambda(async (q: string) => search(q), "search").pipe((hits) => hits.length);
 * ```
 * @since 0.1.0
 */
export function lambda<I, O>(
  fn: (input: I, ctx: WorkflowContext) => O | PromiseLike<O>,
  name?: string,
): LambdaPrimitive<I, O> {
  return new LambdaPrimitive(fn, name);
}
