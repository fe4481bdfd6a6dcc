/**
 * `FallbackPrimitive`: tries a primary primitive, then each fallback in order, on the same input.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import type { WorkflowContext } from "../core/context.js";
import { contextAbortReason, isContextAborted } from "../core/context.js";
import { FallbackError, InvalidOptionsError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive, normalizeError } from "../core/workflow-primitive.js";
import { describeValue, functionOption, nameOption, readOptions } from "../internal/options.js";
import { errorType } from "../internal/tracing.js";

/**
 * Options of {@link fallback} / {@link FallbackPrimitive}.
 * @since 0.1.0
 */
export interface FallbackOptions<I, O> {
  /**
   * What to try, in order, after the primary fails: one primitive-like or a non-empty array of
   * them. Required. Each gets the same input and context as the primary.
   */
  readonly fallbacks: PrimitiveLike<I, O> | readonly PrimitiveLike<I, O>[];
  /**
   * Which errors may fall back. An error for which it returns `false` is rethrown at once,
   * unchanged, and no further fallback runs. Gets the error as thrown (non-`Error` throws wrapped
   * as `NON_ERROR_THROWN`); never called for a cancellation. An exception it throws rejects the
   * execution.
   * @defaultValue `undefined` (every error but a cancellation falls back)
   */
  readonly when?: ((error: unknown) => boolean) | undefined;
  /** Display name. @defaultValue `"FallbackPrimitive"` */
  readonly name?: string | undefined;
}

/**
 * The options of a {@link FallbackPrimitive} after validation, with defaults filled in.
 * @since 0.1.0
 */
export interface ResolvedFallbackOptions<I, O> {
  /** The fallbacks, in the order they are tried (at least one). */
  readonly fallbacks: readonly Executable<I, O>[];
  /** The error filter, if any. */
  readonly when: ((error: unknown) => boolean) | undefined;
  /** Display name. */
  readonly name: string;
}

/**
 * Defaults of the optional {@link FallbackOptions} (`fallbacks` is required and has none).
 * @since 0.1.0
 */
export const DEFAULT_FALLBACK_OPTIONS: Readonly<{ when: undefined; name: string }> = Object.freeze({
  when: undefined,
  name: "FallbackPrimitive",
});

const OPTION_KEYS = ["fallbacks", "when", "name"] as const;

/**
 * Runs a primary primitive and, when it fails, each fallback in order with the same input, until
 * one succeeds.
 *
 * @remarks
 * Every attempt gets the same input and the caller's context (same signal, deadline and `state`),
 * and runs as a child span of the `tta.fallback` span. The first success is the result.
 *
 * - An error for which `when(error)` returns `false` is rethrown at once, unchanged.
 * - A cancellation is never a reason to fall back: once the context's signal has aborted, the
 *   execution rejects with its reason at once; an error named `AbortError` is rethrown unchanged.
 * - When every attempt fails, the execution rejects with a {@link FallbackError} whose `errors` are
 *   all the failures in order (the primary's first) and whose `cause` is the last one. It is not
 *   retryable (`retry` around a fallback chain does not restart the whole chain).
 *
 * Span attributes: `tta.fallback.index`, the attempt that produced the result (0 = the primary);
 * `tta.fallback.attempts`, how many attempts ran when the primary failed. Event
 * `{ type: "fallback", index, errorType }` each time it moves on to fallback `index` (1 = the first).
 *
 * @throws {@link InvalidOptionsError} at construction: `fallbacks` missing, an empty array, or an
 * item that is not a primitive, executable or function; `when` not a function; unknown option keys;
 * an options argument that is not a plain object.
 * @example
 * ```ts
 * const answer = new FallbackPrimitive(gpt, { fallbacks: [claude, localModel], when: (e) => isTtaError(e, "TIMEOUT") });
 * await answer.execute(prompt, ctx);
 * ```
 * @since 0.1.0
 */
export class FallbackPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The primitive tried first. */
  readonly primary: Executable<I, O>;
  /** The resolved options. */
  readonly options: ResolvedFallbackOptions<I, O>;
  /** The primary, then every fallback. */
  readonly #attempts: readonly Executable<I, O>[];

  /**
   * @param primary - tried first (a primitive, an object with `execute`, or a function).
   * @param options - `fallbacks` (required), `when`, `name`.
   * @throws {@link InvalidOptionsError} for invalid options or an invalid `primary`.
   */
  constructor(primary: PrimitiveLike<I, O>, options: FallbackOptions<I, O>) {
    const opts = readOptions("fallback", options, OPTION_KEYS);
    const resolved: ResolvedFallbackOptions<I, O> = Object.freeze({
      fallbacks: resolveFallbacks<I, O>(opts.fallbacks),
      when: functionOption<(error: unknown) => boolean>("when", opts.when),
      name: nameOption(opts.name, DEFAULT_FALLBACK_OPTIONS.name),
    });
    super({ kind: "fallback", name: resolved.name });
    this.primary = toExecutable(primary, "primary");
    this.options = resolved;
    this.#attempts = Object.freeze([this.primary, ...resolved.fallbacks]);
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    let thrown: unknown;
    try {
      const value = await this.primary.execute(input, ctx);
      this.currentSpan(ctx)?.setAttribute("tta.fallback.index", 0);
      return value;
    } catch (error) {
      thrown = error;
    }
    return this.#recover(thrown, input, ctx);
  }

  /** The primary failed with `thrown`: walk the fallbacks. */
  async #recover(thrown: unknown, input: I, ctx: WorkflowContext): Promise<O> {
    const attempts = this.#attempts;
    const when = this.options.when;
    const span = this.currentSpan(ctx);
    const errors: unknown[] = [];
    for (let index = 1; ; index++) {
      // A cancellation is never a reason to fall back, and is never wrapped.
      if (isContextAborted(ctx)) {
        span?.setAttribute("tta.fallback.attempts", index);
        throw contextAbortReason(ctx);
      }
      const error = normalizeError(thrown, ctx);
      if (isAbortError(error) || (when !== undefined && !when(error))) {
        span?.setAttribute("tta.fallback.attempts", index);
        throw error;
      }
      errors.push(error);
      if (index === attempts.length) {
        span?.setAttribute("tta.fallback.attempts", index);
        throw new FallbackError(exhaustedMessage(this.name, errors), errors);
      }
      this.report(ctx, { type: "fallback", index, errorType: errorType(error) });
      try {
        const value = await (attempts[index] as Executable<I, O>).execute(input, ctx);
        setResult(span, index);
        return value;
      } catch (next) {
        thrown = next;
      }
    }
  }
}

function setResult(span: Span | undefined, index: number): void {
  span?.setAttributes({ "tta.fallback.index": index, "tta.fallback.attempts": index + 1 });
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

function exhaustedMessage(name: string, errors: readonly unknown[]): string {
  const last = errors[errors.length - 1];
  const detail = last instanceof Error ? `${errorType(last)}: ${last.message}` : errorType(last);
  const fallbacks = errors.length - 1;
  return (
    `\`${name}\`: all ${errors.length} attempts failed (the primary and ${fallbacks} ` +
    `fallback${fallbacks === 1 ? "" : "s"}); last error: ${detail.length > 200 ? `${detail.slice(0, 200)}…` : detail}`
  );
}

function resolveFallbacks<I, O>(value: unknown): readonly Executable<I, O>[] {
  if (value === undefined)
    throw new InvalidOptionsError(
      "fallbacks",
      "Expected `fallbacks` (required) to be a primitive, a function or a non-empty array of them, got undefined",
    );
  if (!Array.isArray(value)) return Object.freeze([toExecutable(value as PrimitiveLike<I, O>, "fallbacks")]);
  if (value.length === 0)
    throw new InvalidOptionsError(
      "fallbacks",
      `Expected \`fallbacks\` to be a non-empty array of primitives or functions, got ${describeValue(value)}`,
    );
  return Object.freeze(
    Array.from(value, (item: unknown, i) => toExecutable(item as PrimitiveLike<I, O>, `fallbacks[${i}]`)),
  );
}

/**
 * Wraps `primary` in a {@link FallbackPrimitive}: on failure, each of `fallbacks` is tried in order
 * with the same input; when all fail, a {@link FallbackError} carries every error.
 *
 * @remarks See {@link FallbackPrimitive} for the exact semantics (`when`, cancellation, events).
 *
 * @throws {@link InvalidOptionsError} for a missing or empty `fallbacks`, an invalid item or `when`,
 * or unknown option keys.
 * @example
 * ```ts
 * const chat = fallback(primaryModel, { fallbacks: [backupModel, () => "The assistant is unavailable."] });
 * await chat.execute("hi");
 * ```
 * @since 0.1.0
 */
export function fallback<I, O>(primary: PrimitiveLike<I, O>, options: FallbackOptions<I, O>): FallbackPrimitive<I, O> {
  return new FallbackPrimitive(primary, options);
}
