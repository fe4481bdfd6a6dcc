/**
 * Helpers shared by the package's own `*.test.ts` files. Not built, not published, not exported:
 * it may depend on `vitest`.
 *
 * @packageDocumentation
 */
import { expect, onTestFinished } from "vitest";
import { InvalidOptionsError } from "../core/errors.js";
import { subscribe } from "../core/instrumentation.js";
import type { TtaEvent } from "../core/instrumentation.js";

/** Runs `fn`, expects it to throw an `InvalidOptionsError` and returns that error. */
export function invalidOption(fn: () => unknown): InvalidOptionsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error("expected an InvalidOptionsError, nothing was thrown");
}

/** Live view of a promise's outcome, updated in place when it settles; see {@link track}. */
export interface Tracked<T> {
  state: "pending" | "resolved" | "rejected";
  /** `state !== "pending"`. */
  settled: boolean;
  value?: T;
  error?: unknown;
}

/** Returns a {@link Tracked} object that is updated in place when `promise` settles (never rejects). */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const out: Tracked<T> = { state: "pending", settled: false };
  promise.then(
    (value) => Object.assign(out, { state: "resolved", settled: true, value }),
    (error: unknown) => Object.assign(out, { state: "rejected", settled: true, error }),
  );
  return out;
}

/** Every item of `items`, read to the end. */
export async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Subscribes a listener recording every event into the returned array; unsubscribed when the test finishes. */
export function recordEvents(): TtaEvent[] {
  const events: TtaEvent[] = [];
  onTestFinished(subscribe((e) => events.push(e)));
  return events;
}
