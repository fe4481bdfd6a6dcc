/**
 * Normalises a `PrimitiveLike` (primitive, executable object or function) into something with
 * `execute`, validating it at construction time.
 */
import { InvalidOptionsError } from "./errors.js";
import { LambdaPrimitive } from "./lambda.js";
import type { Executable, PrimitiveLike } from "./workflow-primitive.js";
import { describeValue } from "../internal/options.js";

/**
 * Returns `like` as an executable step: functions become `LambdaPrimitive`s, objects with an
 * `execute` method are used as they are.
 *
 * @throws {@link InvalidOptionsError} naming `option` for anything else.
 * @example
 * ```ts
 * const step = toExecutable((n: number) => n + 1, "steps[0]");
 * ```
 * @since 0.1.0
 */
export function toExecutable<I, O>(like: PrimitiveLike<I, O>, option: string): Executable<I, O> {
  if (typeof like === "function") return new LambdaPrimitive(like);
  if (typeof like === "object" && like !== null && typeof (like as Partial<Executable<I, O>>).execute === "function")
    return like;
  throw new InvalidOptionsError(
    option,
    `Expected \`${option}\` to be a primitive, an object with execute(input, ctx), or a function, got ${describeValue(like)}`,
  );
}
