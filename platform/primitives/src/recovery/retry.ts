/**
 * `RetryPrimitive`: re-runs a failing inner primitive with exponential backoff and jitter,
 * honouring `Retry-After`, the context's deadline and cancellation.
 *
 * @packageDocumentation
 */
import { diag } from "@opentelemetry/api";
import type { WorkflowContext } from "../core/context.js";
import { contextAbortReason, isContextAborted } from "../core/context.js";
import { InvalidOptionsError, TtaErrorCode, isTtaError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive, normalizeError } from "../core/workflow-primitive.js";
import { computeRetryDelay } from "./retry/backoff.js";
import {
  MAX_TIMER_MS,
  booleanOption,
  choiceOption,
  describeValue,
  durationOption,
  functionOption,
  integerOption,
  isThenable,
  nameOption,
  readOptions,
} from "../internal/options.js";
import { retryAfterMsOf } from "../internal/retry-after.js";
import { errorType } from "../internal/tracing.js";

/**
 * How a computed backoff is randomised (DESIGN §10): `"full"` uniform in [0, d], `"equal"`
 * d/2 + uniform [0, d/2], `"decorrelated"` uniform [initialDelayMs, 3 · previous wait], `"none"` d.
 * @since 0.1.0
 */
export type RetryJitter = "full" | "equal" | "decorrelated" | "none";

/** What {@link RetryOptions.onRetry} receives before each wait. @since 0.1.0 */
export interface RetryInfo {
  /** The 1-based number of the attempt that just failed. */
  readonly attempt: number;
  /** How long the retry waits before the next attempt, in ms. */
  readonly delayMs: number;
  /** The failed attempt's error (a non-`Error` throw arrives wrapped as `NON_ERROR_THROWN`). */
  readonly error: unknown;
}

/**
 * Decides whether a failure is retried; gets the error and the 1-based number of the attempt that
 * just failed. May return a promise.
 * @since 0.1.0
 */
export type RetryPredicate = (error: unknown, attempt: number) => boolean | PromiseLike<boolean>;

/** Options of {@link retry}. `undefined` or `null` for an option means its default. @since 0.1.0 */
export interface RetryOptions {
  /** Retries after the first attempt, an integer ≥ 0 (so at most `maxRetries + 1` attempts). @defaultValue 3 */
  readonly maxRetries?: number;
  /** Wait before the first retry, and the base of the backoff, in ms (≥ 0). @defaultValue 100 */
  readonly initialDelayMs?: number;
  /** Growth of the wait per retry, a finite number ≥ 1 (not used by `"decorrelated"`). @defaultValue 2 */
  readonly backoffFactor?: number;
  /**
   * Cap on every computed wait, in ms (≥ 0, or `Infinity`, with which waits stop growing at 2^31 − 1 ms,
   * the longest timer); a `Retry-After` may exceed it. @defaultValue 30 000
   */
  readonly maxDelayMs?: number;
  /** How the computed wait is randomised; see {@link RetryJitter}. @defaultValue `"full"` */
  readonly jitter?: RetryJitter;
  /**
   * Return `false` (or a promise of it) to stop retrying and rethrow the error. Not called for
   * errors that are never retried, nor after the last attempt. A throwing predicate rejects the
   * retry with its own error. @defaultValue retry every retryable error
   */
  readonly retryOn?: RetryPredicate;
  /** Wait exactly as long as the error's `Retry-After` asks, instead of the computed delay. @defaultValue true */
  readonly respectRetryAfter?: boolean;
  /**
   * Longest `Retry-After` honoured, in ms (≥ 0, or `Infinity`, which still stops at 2^31 − 1 ms, the
   * longest timer); a longer one makes the retry give up and rethrow that error at once.
   * @defaultValue 60 000
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Called before each wait with `{ attempt, delayMs, error }`. Not awaited; a throw or rejection is
   * reported through the OpenTelemetry diag logger and otherwise ignored. @defaultValue none
   */
  readonly onRetry?: (info: RetryInfo) => unknown;
  /** Display name. @defaultValue `"RetryPrimitive"` */
  readonly name?: string;
}

/** The options of a {@link RetryPrimitive} after validation, with defaults applied. @since 0.1.0 */
export interface ResolvedRetryOptions {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly backoffFactor: number;
  readonly maxDelayMs: number;
  readonly jitter: RetryJitter;
  readonly retryOn: RetryPredicate | undefined;
  readonly respectRetryAfter: boolean;
  readonly maxRetryAfterMs: number;
  readonly onRetry: ((info: RetryInfo) => unknown) | undefined;
  readonly name: string;
}

/** Default options of {@link retry} (DESIGN §4). @since 0.1.0 */
export const DEFAULT_RETRY_OPTIONS: ResolvedRetryOptions = Object.freeze({
  maxRetries: 3,
  initialDelayMs: 100,
  backoffFactor: 2,
  maxDelayMs: 30_000,
  jitter: "full",
  retryOn: undefined,
  respectRetryAfter: true,
  maxRetryAfterMs: 60_000,
  onRetry: undefined,
  name: "RetryPrimitive",
});

const OPTION_KEYS = [
  "maxRetries",
  "initialDelayMs",
  "backoffFactor",
  "maxDelayMs",
  "jitter",
  "retryOn",
  "respectRetryAfter",
  "maxRetryAfterMs",
  "onRetry",
  "name",
] as const;
const JITTERS: readonly RetryJitter[] = ["full", "equal", "decorrelated", "none"];

function factorOption(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 1)
    throw new InvalidOptionsError(
      "backoffFactor",
      `Expected \`backoffFactor\` to be a finite number ≥ 1, got ${describeValue(value)}`,
    );
  return value;
}

function resolveOptions(options: unknown): ResolvedRetryOptions {
  const opts = readOptions("retry", options, OPTION_KEYS);
  const d = DEFAULT_RETRY_OPTIONS;
  return Object.freeze({
    maxRetries: integerOption("maxRetries", opts.maxRetries, d.maxRetries, { min: 0 }),
    initialDelayMs: durationOption("initialDelayMs", opts.initialDelayMs, d.initialDelayMs, { allowZero: true }),
    backoffFactor: factorOption(opts.backoffFactor, d.backoffFactor),
    maxDelayMs: durationOption("maxDelayMs", opts.maxDelayMs, d.maxDelayMs, { allowZero: true, allowInfinity: true }),
    jitter: choiceOption("jitter", opts.jitter, JITTERS, d.jitter),
    retryOn: functionOption<RetryPredicate>("retryOn", opts.retryOn),
    respectRetryAfter: booleanOption("respectRetryAfter", opts.respectRetryAfter, d.respectRetryAfter),
    maxRetryAfterMs: durationOption("maxRetryAfterMs", opts.maxRetryAfterMs, d.maxRetryAfterMs, {
      allowZero: true,
      allowInfinity: true,
    }),
    onRetry: functionOption<(info: RetryInfo) => unknown>("onRetry", opts.onRetry),
    name: nameOption(opts.name, d.name),
  });
}

/** Errors that no retry can fix: explicit `retryable: false`, invalid options, an open breaker, an abort. */
function isNeverRetried(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if ((error as { retryable?: unknown }).retryable === false) return true;
  if (isTtaError(error, TtaErrorCode.INVALID_OPTIONS) || isTtaError(error, TtaErrorCode.CIRCUIT_OPEN)) return true;
  return (error as { name?: unknown }).name === "AbortError";
}

/**
 * Runs the inner primitive and, when it fails, runs it again after a backoff, up to `maxRetries`
 * more times.
 *
 * @remarks
 * - **Delays.** The wait before retry k is `min(maxDelayMs, initialDelayMs · backoffFactor^(k−1))`,
 *   jittered (see {@link RetryJitter}) and capped again, so it never exceeds `maxDelayMs`. Waits go
 *   through `ctx.clock.sleep(ms, ctx.signal)`, so a `TestClock` drives them; a zero wait retries at
 *   once without a timer.
 * - **Retry-After.** With `respectRetryAfter`, a server-requested wait (`error.retryAfterMs`, else
 *   header `retry-after-ms`, else `retry-after` seconds or HTTP-date, in `error.headers` then
 *   `error.response.headers`, plain objects or fetch `Headers`) replaces the computed wait exactly,
 *   even above `maxDelayMs`. One above `maxRetryAfterMs` (or above 2^31 − 1 ms, the longest timer)
 *   gives up and rethrows that error. Decorrelated jitter keeps using the last *computed* wait.
 * - **Never retried:** errors with `retryable === false` (including `InvalidOptionsError`,
 *   `CircuitOpenError`, `BulkheadRejectedError`), errors named `AbortError`, and any error once the
 *   context's signal has aborted, in which case the retry rejects with the signal's reason. An
 *   abort during a wait rejects at once with the reason and starts no new attempt.
 * - **Deadline.** If `now + wait >= ctx.deadline`, the retry gives up and rethrows the last error.
 * - **Giving up** rethrows the **last original error** (the same object; a non-`Error` throw is
 *   wrapped as `NON_ERROR_THROWN`).
 * - **Observability.** Each attempt is a child span of the `tta.retry` span. Before each wait the
 *   span gets an event `retry` (`tta.retry.attempt`, `tta.retry.delay_ms`, `error.type`), a `retry`
 *   event is reported to `subscribe` listeners and `onRetry` is called; at the end the span
 *   gets `tta.retry.attempts`.
 * - **Cost.** A first-attempt success adds one `.then` layer (and its failure handler): no timer, no random number.
 *
 * @throws {@link InvalidOptionsError} at construction when `inner` is not a primitive or function,
 * for unknown option keys, and for invalid values: `maxRetries` not an integer ≥ 0, a negative or
 * non-finite delay, `backoffFactor` < 1, an unknown `jitter`, non-function callbacks.
 * @example
 * ```ts
 * const robust = new RetryPrimitive(callModel, { maxRetries: 5, jitter: "decorrelated" });
 * ```
 * @since 0.1.0
 */
export class RetryPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The primitive that is retried. */
  readonly inner: Executable<I, O>;
  /** The resolved options. */
  readonly options: ResolvedRetryOptions;

  constructor(inner: PrimitiveLike<I, O>, options?: RetryOptions) {
    const resolved = resolveOptions(options);
    super({ kind: "retry", name: resolved.name });
    this.options = resolved;
    this.inner = toExecutable(inner, "inner");
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    // Success path: one `.then`, no async frame. The attempts attribute is set up front; the
    // failure path overwrites it with the final count.
    this.currentSpan(ctx)?.setAttribute("tta.retry.attempts", 1);
    return this.inner.execute(input, ctx).then(undefined, (error: unknown) => this.#retryAfter(error, input, ctx));
  }

  /** The failure path: decide, wait, try again, until success or a reason to give up. */
  async #retryAfter(firstError: unknown, input: I, ctx: WorkflowContext): Promise<O> {
    const options = this.options;
    let thrown = firstError;
    let attempt = 1;
    let previousDelay = options.initialDelayMs;
    try {
      for (;;) {
        if (isContextAborted(ctx)) throw contextAbortReason(ctx);
        const error = normalizeError(thrown, ctx);
        if (attempt > options.maxRetries || isNeverRetried(error)) throw error;
        const retryOn = options.retryOn;
        if (retryOn !== undefined) {
          let verdict: unknown = retryOn(error, attempt);
          if (isThenable(verdict)) verdict = await verdict;
          if (!verdict) throw error;
          if (isContextAborted(ctx)) throw contextAbortReason(ctx);
        }
        const clock = ctx.clock;
        let delayMs: number | undefined;
        if (options.respectRetryAfter) {
          delayMs = retryAfterMsOf(error, clock.now());
          if (delayMs !== undefined && (delayMs > options.maxRetryAfterMs || delayMs > MAX_TIMER_MS)) throw error;
        }
        if (delayMs === undefined) {
          delayMs = computeRetryDelay(options, attempt, previousDelay, options.jitter === "none" ? 0 : Math.random());
          previousDelay = delayMs;
        }
        if (ctx.deadline !== undefined && clock.now() + delayMs >= ctx.deadline) throw error;
        this.#announce(ctx, attempt, delayMs, error);
        if (delayMs > 0) await this.#wait(ctx, delayMs);
        if (isContextAborted(ctx)) throw contextAbortReason(ctx);
        attempt++;
        try {
          return await this.inner.execute(input, ctx);
        } catch (next) {
          thrown = next;
        }
      }
    } finally {
      this.currentSpan(ctx)?.setAttribute("tta.retry.attempts", attempt);
    }
  }

  async #wait(ctx: WorkflowContext, delayMs: number): Promise<void> {
    try {
      await ctx.clock.sleep(delayMs, ctx.signal);
    } catch (error) {
      // A clock rejects a sleep on abort with the signal's reason; report exactly that.
      if (isContextAborted(ctx)) throw contextAbortReason(ctx);
      throw error;
    }
  }

  /** Span event, `retry` event and `onRetry`, in that order, before a wait. */
  #announce(ctx: WorkflowContext, attempt: number, delayMs: number, error: unknown): void {
    const type = errorType(error);
    this.currentSpan(ctx)?.addEvent("retry", {
      "tta.retry.attempt": attempt,
      "tta.retry.delay_ms": delayMs,
      "error.type": type,
    });
    this.report(ctx, { type: "retry", attempt, delayMs, errorType: type });
    const onRetry = this.options.onRetry;
    if (onRetry === undefined) return;
    try {
      const result = onRetry({ attempt, delayMs, error });
      if (isThenable(result)) result.then(undefined, (failure: unknown) => reportCallbackFailure(this.name, failure));
    } catch (failure) {
      reportCallbackFailure(this.name, failure);
    }
  }
}

function reportCallbackFailure(name: string, failure: unknown): void {
  diag.warn(`@tta/primitives: onRetry of ${name} threw; the retry goes on`, failure);
}

/**
 * Wraps `inner` in a {@link RetryPrimitive}: `retry(inner, opts)` ≡ `new RetryPrimitive(inner, opts)`.
 *
 * @remarks
 * Defaults (see {@link DEFAULT_RETRY_OPTIONS}): 3 retries (4 attempts), 100 ms initial delay doubling
 * up to 30 s with full jitter, `Retry-After` honoured up to 60 s. Put `retry` outside a `timeout` so
 * each attempt gets its own time limit, and outside a circuit breaker (an open breaker's
 * `CircuitOpenError` is not retried).
 *
 * @param inner - the primitive, executable object or function to retry.
 * @param options - see {@link RetryOptions}.
 * @throws {@link InvalidOptionsError} for an invalid `inner` or invalid options, naming the option.
 * @example
 * ```ts
 * const robust = retry(callModel, { maxRetries: 2, retryOn: (e) => !(e instanceof ProviderError && e.status === 400) });
 * const answer = await robust.execute(prompt, createContext({ timeoutMs: 30_000 }));
 * ```
 * @since 0.1.0
 */
export function retry<I, O>(inner: PrimitiveLike<I, O>, options?: RetryOptions): RetryPrimitive<I, O> {
  return new RetryPrimitive(inner, options);
}
