/**
 * What compositions in this package reach of `WorkflowPrimitive`'s protected and private parts, installed
 * by the class's static block (as `context/access.ts` is by `WorkflowContext`'s). Not exported from the
 * package barrels.
 *
 * @internal
 * @packageDocumentation
 */
import type { WorkflowContext } from "./context.js";
import type { WorkflowPrimitive } from "./workflow-primitive.js";

/** @internal The accessors `WorkflowPrimitive`'s static block installs. */
export interface PrimitiveInternals {
  /** `primitive.run(input, ctx)`: the work a nested `execute` does when nothing observes it. */
  run<I, O>(primitive: WorkflowPrimitive<I, O>, input: I, ctx: WorkflowContext): Promise<O>;
  /**
   * Declares that `primitive`'s `run` rejects only with normalised errors (see `normalizeError`), so that
   * a top-level call whose context cannot abort returns its promise as it is, with no wrapping layer.
   * Only for a `run` a subclass has not replaced (check the prototype).
   */
  rejectsNormalized(primitive: WorkflowPrimitive<unknown, unknown>): void;
}

/** @internal The installed accessors (set when the class is defined, before any primitive exists). */
export let primitiveInternals: PrimitiveInternals;

/** @internal Called once, by `WorkflowPrimitive`'s static block. */
export function installPrimitiveInternals(installed: PrimitiveInternals): void {
  primitiveInternals = installed;
}
