/**
 * Helpers for the bounded-allocation tests (ADR 0013): huge but legal bounds, illegal ones, and a
 * measure of what constructing something keeps in memory.
 *
 * @packageDocumentation
 */

/**
 * Legal count bounds far above any real workload, in the order the tests try them: 2^24 first (a
 * preallocating store survives it, slowly, so a regression fails on the measure instead of crashing
 * the test worker), then the ones that exhaust a heap when preallocated.
 */
export const HUGE_COUNTS: readonly number[] = [2 ** 24, Number.MAX_SAFE_INTEGER, 2 ** 32, 2 ** 31 - 1];

/** Integers too large to count with (not safe integers), rejected by every storage bound. */
export const UNSAFE_COUNTS: readonly number[] = [2 ** 53, 2 ** 60, Number.MAX_VALUE];

/** Most bytes a construction may keep, whatever its bound: a few MB of slack for unrelated garbage. */
export const RETAINED_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Runs `build` and returns its result with the growth of the V8 heap plus `ArrayBuffer` memory
 * (typed arrays live outside the heap) across it. No garbage collection is forced, so garbage made
 * meanwhile can only add to the figure, and a collection during `build` can only lower it.
 */
export function retainedBytes<T>(build: () => T): { readonly value: T; readonly bytes: number } {
  const before = process.memoryUsage();
  const value = build();
  const after = process.memoryUsage();
  return { value, bytes: after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers) };
}
