/**
 * `createTestContext`: a context whose clock is a fresh `TestClock`.
 *
 * @packageDocumentation
 */
import type { ContextInit, WorkflowContext } from "../core/context.js";
import { createContext } from "../core/context.js";
import { TestClock } from "./test-clock.js";

/** A context whose `clock` is a {@link TestClock}. @since 0.1.0 */
export type TestContext = WorkflowContext & { readonly clock: TestClock };

/**
 * Creates a root context driven by a fresh {@link TestClock} (or the `TestClock` you pass).
 *
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} for invalid `init` values,
 * as `createContext`.
 * @example
 * ```ts
 * const ctx = createTestContext({ timeoutMs: 500 });
 * const run = flow.execute(input, ctx);
 * await ctx.clock.advance(500); // run rejects with a TimeoutError
 * ```
 * @since 0.1.0
 */
export function createTestContext(init?: Omit<ContextInit, "clock"> & { readonly clock?: TestClock }): TestContext {
  const clock = init?.clock ?? new TestClock();
  return createContext({ ...init, clock }) as TestContext;
}
