/**
 * `RateLimitPrimitive`: a token bucket in front of the inner primitive; calls wait for tokens or are
 * rejected.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { throwIfContextAborted } from "../core/context.js";
import { InvalidOptionsError, RateLimitedError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import {
  choiceOption,
  describeValue,
  durationOption,
  functionOption,
  integerOption,
  nameOption,
  readOptions,
} from "../internal/options.js";
import { WaitQueue } from "../internal/wait-queue.js";

/**
 * What a {@link RateLimitStore} answers to `take`: the tokens were spent (`ok: true`), or not, with
 * the time until they could be (`retryAfterMs`, `Infinity` when the cost can never be served).
 * @since 0.1.0
 */
export type RateLimitDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/**
 * A token bucket kept outside the primitive, e.g. in Redis so that several processes share one
 * rate (`redisTokenBucket` in `@tta/redis`).
 *
 * @remarks
 * `take(cost, now)` spends `cost` tokens atomically if the bucket holds them. `now` is the caller's
 * context clock (a store may use its own clock instead, e.g. the Redis server's). The store owns
 * capacity, refill and its own failure policy (a Redis store falls back to a local bucket). It may
 * answer synchronously or with a promise; it should not throw (a throw or rejection rejects the call).
 *
 * @example
 * ```ts
 * const local: RateLimitStore = { take: (cost) => (cost <= 1 ? { ok: true } : { ok: false, retryAfterMs: 1_000 }) };
 * const limited = rateLimit(callModel, { store: local });
 * ```
 * @since 0.1.0
 */
export interface RateLimitStore {
  /** Spends `cost` tokens if available. */
  take(cost: number, now: number): RateLimitDecision | PromiseLike<RateLimitDecision>;
}

/** What a rate limiter does when the bucket lacks tokens. @since 0.1.0 */
export type RateLimitMode = "wait" | "reject";

/** Options of {@link rateLimit}. @since 0.1.0 */
export interface RateLimitOptions<I = unknown> {
  /** Bucket capacity and refill amount per `intervalMs`: an integer ≥ 1. Required unless `store` is given. */
  readonly tokensPerInterval?: number;
  /**
   * The refill period in ms (> 0): `tokensPerInterval` tokens are added, continuously, per interval.
   * Required unless `store` is given.
   */
  readonly intervalMs?: number;
  /**
   * Tokens a call spends, from its input: a finite number ≥ 0 (e.g. the estimated LLM tokens of a
   * prompt, with `tokensPerInterval` as the tokens-per-minute quota).
   * @defaultValue `() => 1`
   */
  readonly cost?: (input: I) => number;
  /**
   * `"wait"`: wait (abortably, in FIFO order) for enough tokens. `"reject"`: fail at once with
   * {@link RateLimitedError}, whose `retryAfterMs` says when enough tokens will be there.
   * @defaultValue `"wait"`
   */
  readonly mode?: RateLimitMode;
  /** Display name. @defaultValue `"RateLimitPrimitive"` */
  readonly name?: string;
  /**
   * An external bucket (shared across processes). With it, `tokensPerInterval` and `intervalMs`
   * are not allowed (the store holds capacity and refill) and waiting is by polling: a call sleeps
   * `retryAfterMs` on its context clock and asks again, so cross-process admission is not FIFO.
   * @defaultValue none: an in-memory bucket
   */
  readonly store?: RateLimitStore;
}

/** Resolved options of a {@link RateLimitPrimitive}. @since 0.1.0 */
export interface ResolvedRateLimitOptions<I = unknown> {
  readonly tokensPerInterval: number;
  readonly intervalMs: number;
  readonly cost: ((input: I) => number) | undefined;
  readonly mode: RateLimitMode;
  readonly name: string;
  /** The external bucket, if given (then `tokensPerInterval` and `intervalMs` are 0). */
  readonly store?: RateLimitStore;
}

/** Default options of {@link rateLimit} (`tokensPerInterval` and `intervalMs` are required). @since 0.1.0 */
export const DEFAULT_RATE_LIMIT_OPTIONS: Readonly<{ readonly mode: RateLimitMode; readonly name: string }> =
  Object.freeze({ mode: "wait", name: "RateLimitPrimitive" });

const OPTION_KEYS = ["tokensPerInterval", "intervalMs", "cost", "mode", "name", "store"] as const;

function storeOption(value: unknown): RateLimitStore | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || typeof (value as { take?: unknown }).take !== "function")
    throw new InvalidOptionsError(
      "store",
      `Expected \`store\` to be a RateLimitStore with a take method, got ${describeValue(value)}`,
    );
  return value as RateLimitStore;
}

/** Deficits worth less than this many ms of refill count as satisfied (floating-point slack). */
const SLACK_MS = 1e-6;

/**
 * Runs the inner primitive when a token bucket holds enough tokens for the call's `cost(input)`.
 *
 * @remarks
 * - The bucket starts full with `tokensPerInterval` tokens and refills continuously at
 *   `tokensPerInterval` per `intervalMs`, computed from the context clock on each call (no
 *   background timer). One instance is one shared bucket for every call through it; use one clock
 *   for all of them.
 * - A call that finds enough tokens (and nobody waiting) spends them and runs at once: no timer,
 *   no listener.
 * - `mode: "wait"`: other calls wait in a FIFO queue and are admitted strictly in arrival order, so a
 *   costly call is never starved by cheap ones arriving after it (a cheap call may wait behind a
 *   costly one). One timer, on the first waiter's clock, fires when it can be served. A waiter whose
 *   signal aborts leaves the queue at once, rejects with the signal's reason and spends no tokens.
 *   A call with cost 0 never waits.
 * - Tokens are spent when a call is let through and never given back, even if it is then aborted: a
 *   running call holds nothing, so work that never settles cannot block later calls.
 * - `mode: "reject"`: a call without enough tokens fails with {@link RateLimitedError}; its
 *   `retryAfterMs` is the time until enough tokens will be there, rounded up to a whole ms.
 * - A cost above `tokensPerInterval` can never be served: {@link RateLimitedError} at once with
 *   `retryAfterMs` `Infinity`, in both modes. A `cost` that returns something other than a finite
 *   number ≥ 0 rejects the call with {@link InvalidOptionsError} naming `cost`.
 * - Events: `{ type: "rate-limit", action: "waited", waitMs, cost }` when a call got its tokens after
 *   waiting `waitMs`, `action: "rejected"` with `waitMs` = `retryAfterMs`. Span attributes:
 *   `tta.rate_limit.cost` and `tta.rate_limit.wait_ms`.
 * - `store`: the bucket lives outside (e.g. in Redis, shared by every process); see
 *   {@link RateLimitStore}. The default path (no store) is unchanged: no extra await or allocation.
 *
 * @throws {@link InvalidOptionsError} at construction: `inner` not a primitive or function, missing
 * or invalid `tokensPerInterval` (integer ≥ 1) or `intervalMs` (> 0, finite), `cost` not a
 * function, unknown `mode` or option.
 * @example
 * ```ts
 * // 90 000 LLM tokens per minute, spent by estimated prompt size.
 * const llm = new RateLimitPrimitive(askModel, {
 *   tokensPerInterval: 90_000,
 *   intervalMs: 60_000,
 *   cost: (req: { prompt: string }) => Math.ceil(req.prompt.length / 4),
 * });
 * ```
 * @since 0.1.0
 */
export class RateLimitPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The wrapped primitive. */
  readonly inner: Executable<I, O>;
  /** The resolved options. */
  readonly options: ResolvedRateLimitOptions<I>;
  readonly #capacity: number;
  readonly #intervalMs: number;
  readonly #cost: ((input: I) => number) | undefined;
  readonly #reject: boolean;
  readonly #queue: WaitQueue<number>;
  #tokens: number;
  #updatedAt: number | undefined = undefined;
  #cancelTimer: (() => void) | undefined = undefined;
  readonly #store: RateLimitStore | undefined;

  /**
   * @param inner - the primitive (or function) to rate-limit.
   * @param options - see {@link RateLimitOptions}; `tokensPerInterval` and `intervalMs` are required.
   */
  constructor(inner: PrimitiveLike<I, O>, options: RateLimitOptions<I>) {
    const opts = readOptions("rateLimit", options, OPTION_KEYS);
    const store = storeOption(opts.store);
    for (const field of ["tokensPerInterval", "intervalMs"] as const) {
      if (store === undefined && opts[field] === undefined)
        throw new InvalidOptionsError(field, `The rateLimit option \`${field}\` is required`);
      if (store !== undefined && opts[field] !== undefined)
        throw new InvalidOptionsError(
          field,
          `The rateLimit option \`${field}\` is not allowed with \`store\`: the store holds capacity and refill`,
        );
    }
    const base = {
      tokensPerInterval:
        store === undefined ? integerOption("tokensPerInterval", opts.tokensPerInterval, 1, { min: 1 }) : 0,
      intervalMs: store === undefined ? durationOption("intervalMs", opts.intervalMs, 1) : 0,
      cost: functionOption<(input: I) => number>("cost", opts.cost),
      mode: choiceOption<RateLimitMode>("mode", opts.mode, ["wait", "reject"], DEFAULT_RATE_LIMIT_OPTIONS.mode),
      name: nameOption(opts.name, DEFAULT_RATE_LIMIT_OPTIONS.name),
    };
    const resolved: ResolvedRateLimitOptions<I> = Object.freeze(store === undefined ? base : { ...base, store });
    super({ kind: "rate-limit", name: resolved.name });
    this.options = resolved;
    this.inner = toExecutable(inner, "inner");
    this.#capacity = resolved.tokensPerInterval;
    this.#intervalMs = resolved.intervalMs;
    this.#cost = resolved.cost;
    this.#reject = resolved.mode === "reject";
    this.#store = store;
    this.#tokens = resolved.tokensPerInterval;
    this.#queue = new WaitQueue<number>((wasHead) => {
      if (!wasHead) return;
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
      this.#pump();
    });
  }

  /** Calls waiting for tokens now. */
  get waiting(): number {
    return this.#queue.length;
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    const cost = this.#cost === undefined ? 1 : this.#costOf(input);
    if (this.#store !== undefined) return this.#runWithStore(this.#store, input, ctx, cost);
    this.#refill(ctx.clock.now());
    if (cost === 0 || (this.#queue.length === 0 && (this.#tokens >= cost || this.#msUntil(cost) === 0))) {
      this.#tokens -= cost;
      const span = this.currentSpan(ctx);
      if (span !== undefined) {
        span.setAttribute("tta.rate_limit.cost", cost);
        span.setAttribute("tta.rate_limit.wait_ms", 0);
      }
      return this.inner.execute(input, ctx);
    }
    if (cost > this.#capacity)
      return this.#rejectCall(ctx, cost, Infinity, `cost ${cost} exceeds the bucket capacity ${this.#capacity}`);
    if (this.#reject) {
      const retryAfterMs = this.#msUntil(cost);
      return this.#rejectCall(ctx, cost, retryAfterMs, `not enough tokens; retry in ${retryAfterMs} ms`);
    }
    return this.#waitThenRun(input, ctx, cost);
  }

  #costOf(input: I): number {
    const cost = (this.#cost as (input: I) => number)(input);
    if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0)
      throw new InvalidOptionsError(
        "cost",
        `Expected \`cost(input)\` to return a finite number ≥ 0, got ${describeValue(cost)}`,
      );
    return cost;
  }

  #rejectCall(ctx: WorkflowContext, cost: number, retryAfterMs: number, why: string): Promise<never> {
    this.report(ctx, { type: "rate-limit", action: "rejected", waitMs: retryAfterMs, cost });
    return Promise.reject(new RateLimitedError(`Rate limit "${this.name}": ${why}`, retryAfterMs));
  }

  async #waitThenRun(input: I, ctx: WorkflowContext, cost: number): Promise<O> {
    const startedAt = ctx.clock.now();
    const first = this.#queue.length === 0;
    const admitted = this.#queue.enqueue(ctx, cost);
    if (first) this.#schedule();
    await admitted;
    const waitMs = ctx.clock.now() - startedAt;
    this.report(ctx, { type: "rate-limit", action: "waited", waitMs, cost });
    const span = this.currentSpan(ctx);
    if (span !== undefined) {
      span.setAttribute("tta.rate_limit.cost", cost);
      span.setAttribute("tta.rate_limit.wait_ms", waitMs);
    }
    return this.inner.execute(input, ctx);
  }

  /** With an external store: take, or sleep `retryAfterMs` on the context clock and ask again. */
  async #runWithStore(store: RateLimitStore, input: I, ctx: WorkflowContext, cost: number): Promise<O> {
    const startedAt = ctx.clock.now();
    if (cost > 0) {
      for (;;) {
        const decision = await store.take(cost, ctx.clock.now());
        throwIfContextAborted(ctx);
        if (decision.ok) break;
        const retryAfterMs = decision.retryAfterMs;
        if (this.#reject || retryAfterMs === Infinity)
          return this.#rejectCall(
            ctx,
            cost,
            retryAfterMs,
            retryAfterMs === Infinity
              ? `cost ${cost} exceeds the bucket capacity`
              : `not enough tokens; retry in ${retryAfterMs} ms`,
          );
        await ctx.clock.sleep(Math.max(1, Math.ceil(retryAfterMs)), ctx.signal);
      }
    }
    const waitMs = ctx.clock.now() - startedAt;
    if (waitMs > 0) this.report(ctx, { type: "rate-limit", action: "waited", waitMs, cost });
    const span = this.currentSpan(ctx);
    if (span !== undefined) {
      span.setAttribute("tta.rate_limit.cost", cost);
      span.setAttribute("tta.rate_limit.wait_ms", waitMs);
    }
    return this.inner.execute(input, ctx);
  }

  /** Adds the tokens refilled since the last update (capped at capacity). */
  #refill(now: number): void {
    const last = this.#updatedAt;
    this.#updatedAt = now;
    if (last === undefined || now <= last) return;
    const tokens = this.#tokens + ((now - last) * this.#capacity) / this.#intervalMs;
    this.#tokens = tokens > this.#capacity ? this.#capacity : tokens;
  }

  /** Whole ms until the bucket holds `cost` tokens (0 if it does now). */
  #msUntil(cost: number): number {
    const ms = ((cost - this.#tokens) * this.#intervalMs) / this.#capacity;
    return ms <= SLACK_MS ? 0 : Math.ceil(ms - SLACK_MS);
  }

  /** Arms the one timer for the first waiter (which cannot be served yet). */
  #schedule(): void {
    const head = this.#queue.peek();
    if (head === undefined) return;
    this.#cancelTimer = head.ctx.clock.schedule(this.#msUntil(head.data), () => {
      this.#cancelTimer = undefined;
      this.#pump();
    });
  }

  /** Serves waiters in order while the bucket allows, then re-arms the timer for the next one. */
  #pump(): void {
    for (let head = this.#queue.peek(); head !== undefined; head = this.#queue.peek()) {
      this.#refill(head.ctx.clock.now());
      if (this.#tokens < head.data && this.#msUntil(head.data) > 0) {
        this.#schedule();
        return;
      }
      this.#tokens -= head.data;
      this.#queue.admit();
    }
  }
}

/**
 * Wraps `inner` in a {@link RateLimitPrimitive} (token bucket; wait or reject).
 *
 * @throws {@link InvalidOptionsError} for an invalid `inner` or invalid options (naming the option).
 * @example
 * ```ts
 * const search = rateLimit(webSearch, { tokensPerInterval: 10, intervalMs: 1_000, mode: "reject" });
 * ```
 * @since 0.1.0
 */
export function rateLimit<I, O>(inner: PrimitiveLike<I, O>, options: RateLimitOptions<I>): RateLimitPrimitive<I, O> {
  return new RateLimitPrimitive(inner, options);
}
