/**
 * The types of composition: what a step may be (`PrimitiveLike`), the input and output types of a step,
 * and the output type of `left.parallel(right)`. Re-exported by `workflow-primitive.ts`, their home in
 * the public API.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "./context.js";
import type { Executable, WorkflowPrimitive } from "./workflow-primitive.js";

/**
 * A step accepted by every composition: a primitive, any object with `execute(input, ctx)`, or a
 * plain (sync or async) function, which is lifted into a `LambdaPrimitive`.
 * @since 0.1.0
 */
export type PrimitiveLike<I, O> =
  WorkflowPrimitive<I, O> | Executable<I, O> | ((input: I, ctx: WorkflowContext) => O | PromiseLike<O>);

/* eslint-disable @typescript-eslint/no-explicit-any -- type-level extraction needs `any` in `infer` positions */
/** The input type of a {@link PrimitiveLike}. @since 0.1.0 */
export type InputOf<P> =
  P extends WorkflowPrimitive<infer I, any>
    ? I
    : P extends Executable<infer I, any>
      ? I
      : P extends (input: infer I, ctx: WorkflowContext) => any
        ? I
        : never;

/** The output type of a {@link PrimitiveLike}. @since 0.1.0 */
export type OutputOf<P> =
  P extends WorkflowPrimitive<any, infer O>
    ? O
    : P extends Executable<any, infer O>
      ? O
      : P extends (input: any, ctx: WorkflowContext) => infer R
        ? Awaited<R>
        : never;

/**
 * Output type of `left.parallel(right)`: appends to an array-form `ParallelPrimitive`'s tuple,
 * otherwise pairs `[left, right]`.
 * @since 0.1.0
 */
export type ParallelAppend<Self, O, O2> = Self extends { readonly "~parallelShape"?: infer S }
  ? S extends { readonly mode: "all"; readonly outputs: infer T extends readonly unknown[] }
    ? [...T, O2]
    : S extends { readonly mode: "allSettled"; readonly outputs: infer T extends readonly unknown[] }
      ? [...{ [K in keyof T]: PromiseSettledResult<T[K]> }, PromiseSettledResult<O2>]
      : [O, O2]
  : [O, O2];

/**
 * Type-level shape of a `ParallelPrimitive` after `.parallel(other)`: its mode and branch outputs.
 * @since 0.1.0
 */
export type ParallelAppendShape<Self, O, O2> = Self extends { readonly "~parallelShape"?: infer S }
  ? S extends {
      readonly mode: infer M extends "all" | "allSettled";
      readonly outputs: infer T extends readonly unknown[];
    }
    ? { readonly mode: M; readonly outputs: [...T, O2] }
    : { readonly mode: "all"; readonly outputs: [O, O2] }
  : { readonly mode: "all"; readonly outputs: [O, O2] };
/* eslint-enable @typescript-eslint/no-explicit-any */
