/**
 * `MockPrimitive`: a scripted primitive that records its calls.
 *
 * @packageDocumentation
 */
import { isDeepStrictEqual } from "node:util";
import type { WorkflowContext } from "../core/context.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { durationOption, functionOption, integerOption, nameOption, readOptions } from "../internal/options.js";
import { InvalidOptionsError } from "../core/errors.js";

/** Options of {@link MockPrimitive}. @since 0.1.0 */
export interface MockPrimitiveOptions<I, O> {
  /** Display name. @defaultValue `"MockPrimitive"` */
  readonly name?: string;
  /** Value returned when nothing else applies. @defaultValue `undefined` */
  readonly returns?: O;
  /** Results of successive calls; an `Error` item is thrown. When it runs out, its last item repeats. */
  readonly sequence?: readonly (O | Error)[];
  /** The first `failTimes` calls throw `error` (or `new Error("MockPrimitive failure <call number>")`). @defaultValue 0 */
  readonly failTimes?: number;
  /** What the `failTimes` calls throw. */
  readonly error?: unknown;
  /** Each call first waits this long on `ctx.clock` (abortable by `ctx.signal`). @defaultValue 0 */
  readonly latencyMs?: number;
  /** Computes the result (after `failTimes`, before `sequence` and `returns`). */
  readonly impl?: (input: I, ctx: WorkflowContext) => O | PromiseLike<O>;
}

/** One recorded call: the input, a snapshot of the context, and the clock time. @since 0.1.0 */
export interface MockCall<I> {
  readonly input: I;
  readonly context: {
    readonly workflowId: string;
    readonly correlationId: string;
    readonly metadata: Readonly<Record<string, unknown>>;
    /** Shallow plain-object copy of `ctx.state` when the call started. */
    readonly state: Readonly<Record<string, unknown>>;
  };
  /** `ctx.clock.now()` when the call started. */
  readonly at: number;
}

const OPTION_KEYS = ["name", "returns", "sequence", "failTimes", "error", "latencyMs", "impl"] as const;

/**
 * A scripted primitive for tests: decides each call's outcome from its options and records every call.
 *
 * @remarks
 * Per call, in order: wait `latencyMs` on the context's clock (abortable); then the first
 * `failTimes` calls throw; then `impl` decides if given; else the next `sequence` item (an `Error`
 * item is thrown; the last item repeats); else `returns`. Its span kind is `mock`.
 *
 * @throws An {@link InvalidOptionsError} for unknown or invalid options.
 * @example
 * ```ts
 * const llm = new MockPrimitive<string, string>({ failTimes: 2, returns: "ok" });
 * await retry(llm).execute("q"); // "ok" after two failures
 * llm.assertCalledTimes(3);
 * ```
 * @since 0.1.0
 */
export class MockPrimitive<I = unknown, O = unknown> extends WorkflowPrimitive<I, O> {
  readonly #options: Readonly<Record<string, unknown>>;
  readonly #returns: O;
  readonly #failTimes: number;
  readonly #latencyMs: number;
  readonly #impl: ((input: I, ctx: WorkflowContext) => O | PromiseLike<O>) | undefined;
  readonly #calls: MockCall<I>[] = [];
  #sequenceIndex = 0;

  constructor(options?: MockPrimitiveOptions<I, O>) {
    const opts = readOptions("MockPrimitive", options, OPTION_KEYS);
    const name = nameOption(opts.name, "MockPrimitive");
    super({ kind: "mock", name });
    if (opts.sequence !== undefined && (!Array.isArray(opts.sequence) || opts.sequence.length === 0))
      throw new InvalidOptionsError("sequence", "Expected `sequence` to be a non-empty array");
    this.#failTimes = integerOption("failTimes", opts.failTimes, 0, { min: 0, allowInfinity: true });
    this.#latencyMs = durationOption("latencyMs", opts.latencyMs, 0, { allowZero: true });
    this.#impl = functionOption("impl", opts.impl);
    // Normalised options (null = default), except `returns`: null is a legitimate value to return.
    this.#options = opts;
    this.#returns = options?.returns as O;
  }

  /** Every call so far, oldest first. */
  get calls(): readonly MockCall<I>[] {
    return this.#calls;
  }

  /** Number of calls so far. */
  get callCount(): number {
    return this.#calls.length;
  }

  /** Forgets recorded calls and restarts the `failTimes` and `sequence` scripts. */
  reset(): void {
    this.#calls.length = 0;
    this.#sequenceIndex = 0;
  }

  /** @throws `Error` unless exactly `n` calls were made. */
  assertCalledTimes(n: number): void {
    if (this.#calls.length !== n) throw new Error(`${this.name}: expected ${n} call(s), got ${this.#calls.length}`);
  }

  /** @throws `Error` if any call was made. */
  assertNotCalled(): void {
    this.assertCalledTimes(0);
  }

  /** @throws `Error` unless some call's input deep-equals `input`. */
  assertCalledWith(input: I): void {
    if (!this.#calls.some((call) => isDeepStrictEqual(call.input, input)))
      throw new Error(`${this.name}: no call with the expected input among ${this.#calls.length} call(s)`);
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const callNumber = this.#calls.length + 1;
    this.#calls.push({
      input,
      context: {
        workflowId: ctx.workflowId,
        correlationId: ctx.correlationId,
        metadata: ctx.metadata,
        state: Object.fromEntries(ctx.state),
      },
      at: ctx.clock.now(),
    });
    if (this.#latencyMs > 0) await ctx.clock.sleep(this.#latencyMs, ctx.signal);
    if (callNumber <= this.#failTimes) {
      const error: unknown = this.#options.error ?? new Error(`MockPrimitive failure ${callNumber}`);
      throw error;
    }
    if (this.#impl !== undefined) return this.#impl(input, ctx);
    const sequence = this.#options.sequence as readonly (O | Error)[] | undefined;
    if (sequence !== undefined) {
      const item = sequence[Math.min(this.#sequenceIndex++, sequence.length - 1)];
      if (item instanceof Error) throw item;
      return item as O;
    }
    return this.#returns;
  }
}
