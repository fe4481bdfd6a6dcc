/**
 * One routed request: picks candidates, runs attempts (with their timeouts and hedges), applies
 * cool-downs and failover, and records the route. Internal to `modelRouter`.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import type { WorkflowContext } from "../../core/context.js";
import { contextAbortReason, isContextAborted } from "../../core/context.js";
import { CircuitOpenError, FallbackError, isTtaError } from "../../core/errors.js";
import type { ProviderError } from "../../core/errors.js";
import type { ModelResponse } from "../language-model.js";
import type { Attempt, AttemptResult } from "./attempt.js";
import { HEDGE, discard, lostHedge, startAttempt } from "./attempt.js";
import { errorType } from "../../internal/tracing.js";
import type { Candidate } from "./candidate.js";
import type { PickState } from "./pick.js";
import { hedgeTarget, pickCandidate, soonestReadyMs } from "./pick.js";
import type { ResolvedRouterOptions } from "./options.js";
import type { RouteAttempt, RouteAttemptOutcome, RouteSkip, RouteSkipReason, RoutedRequest } from "./types.js";

function isContextWindowError(error: ProviderError): boolean {
  return error.status === 400 && /context[_ ]length|context window|maximum context/i.test(error.body + error.message);
}

/** @internal The route of one request, and the loop that produces it. */
export class RouteRun {
  readonly log: RouteAttempt[] = [];
  skipped: RouteSkip[] | undefined;
  hedged = false;
  winner: Candidate | undefined;
  readonly #options: ResolvedRouterOptions;
  readonly #ctx: WorkflowContext;
  readonly #span: Span | undefined;
  readonly #request: RoutedRequest;
  readonly #stream: boolean;
  readonly #order: readonly Candidate[];
  /** When routing started (context clock). */
  readonly start: number;
  readonly #inflight: Attempt[] = [];
  /** Per-request state, created at the first failure. */
  #tries: number[] | undefined;
  #readyAt: number[] | undefined;
  #excluded: boolean[] | undefined;
  #errors: unknown[] | undefined;
  /** Whether this request's one hedge timer fired. */
  #hedged = false;
  /** The slot of the first attempt, until the per-request arrays exist. */
  #firstSlot = -1;
  /** A content-filtered answer, kept for when every other candidate fails. */
  #filtered: { readonly candidate: Candidate; readonly value: unknown; readonly logIndex: number } | undefined;

  constructor(
    options: ResolvedRouterOptions,
    ctx: WorkflowContext,
    span: Span | undefined,
    request: RoutedRequest,
    stream: boolean,
    order: readonly Candidate[],
  ) {
    this.#options = options;
    this.#ctx = ctx;
    this.#span = span;
    this.#request = request;
    this.#stream = stream;
    this.#order = order;
    this.start = ctx.clock.now();
  }

  /** Runs the request to its first success; throws the caller's abort, a non-retryable error, or the exhaustion. */
  async run(): Promise<unknown> {
    const inflight = this.#inflight;
    const ctx = this.#ctx;
    for (;;) {
      if (inflight.length === 0) {
        const pick = this.#pick();
        if (pick === undefined) return this.#lastResort();
        if (pick.waitMs > 0) {
          this.#event("tta.route.wait", { "tta.route.model": pick.candidate.id, "tta.route.wait_ms": pick.waitMs });
          await ctx.clock.sleep(pick.waitMs, ctx.signal);
          continue; // other requests may have opened its breaker or extended its cool-down meanwhile
        }
        this.#launch(pick.candidate, false);
      }
      const result = await this.#next();
      if (result === HEDGE) {
        this.#hedged = true; // one hedge per request, whether or not a candidate was free for it
        const target = isContextAborted(ctx) ? undefined : hedgeTarget(this.#state(), this.#busy(), ctx.clock.now());
        if (target !== undefined) {
          this.hedged = true;
          this.#event("tta.route.hedge", { "tta.route.model": target.id });
          this.#launch(target, true);
        }
        continue;
      }
      if (inflight.length === 1) inflight.length = 0;
      else inflight.splice(inflight.indexOf(result.attempt), 1);
      if (result.ok) {
        if (this.#acceptable(result)) return this.#won(result);
      } else this.#failed(result);
    }
  }

  /** Nothing left to try: the content-filtered answer if there is one, else the error(s). */
  #lastResort(): unknown {
    const filtered = this.#filtered;
    if (filtered === undefined) throw this.#exhausted();
    this.winner = filtered.candidate;
    const entry = this.log[filtered.logIndex]!;
    this.log[filtered.logIndex] = { ...entry, outcome: "success", errorType: undefined };
    return filtered.value;
  }

  #state(): PickState {
    return {
      order: this.#order,
      tries: this.#tries,
      readyAt: this.#readyAt,
      excluded: this.#excluded,
      stream: this.#stream,
    };
  }

  #busy(): Candidate[] {
    return this.#inflight.map((a) => a.candidate);
  }

  #pick(): { readonly candidate: Candidate; readonly waitMs: number } | undefined {
    const options = this.#options;
    const now = this.#ctx.clock.now();
    return pickCandidate(
      this.#state(),
      {
        now,
        deadline: this.#ctx.deadline,
        goal: options.latencyGoalMs === undefined ? undefined : this.start + options.latencyGoalMs,
        maxWait: now + options.maxWaitMs,
        failoverFirst: options.failoverFirst,
      },
      (candidate, reason) => this.#skip(candidate, reason),
    );
  }

  /** Index of a candidate in the ranked order (per-request arrays follow it). */
  #slot(candidate: Candidate): number {
    return this.#order.indexOf(candidate);
  }

  #perRequest(): { tries: number[]; readyAt: number[]; excluded: boolean[] } {
    const n = this.#order.length;
    if (this.#tries === undefined) {
      this.#tries = new Array<number>(n).fill(0);
      if (this.#firstSlot >= 0) this.#tries[this.#firstSlot] = 1;
    }
    this.#readyAt ??= new Array<number>(n).fill(0);
    this.#excluded ??= new Array<boolean>(n).fill(false);
    return { tries: this.#tries, readyAt: this.#readyAt, excluded: this.#excluded };
  }

  #skip(candidate: Candidate, reason: RouteSkipReason): void {
    const skipped = (this.skipped ??= []);
    if (skipped.some((s) => s.model === candidate.id && s.reason === reason)) return;
    skipped.push({ model: candidate.id, reason });
    this.#event("tta.route.skip", { "tta.route.model": candidate.id, "tta.route.reason": reason });
  }

  #event(name: string, attributes: Record<string, string | number>): void {
    this.#span?.addEvent(name, attributes);
  }

  #launch(candidate: Candidate, hedge: boolean): void {
    const options = this.#options;
    const ctx = this.#ctx;
    const slot = this.#slot(candidate);
    // The first attempt is only remembered; the per-request arrays exist once something went wrong.
    if (this.#tries === undefined && this.#firstSlot < 0) this.#firstSlot = slot;
    else this.#perRequest().tries[slot]! += 1;
    const limit = this.#stream
      ? (options.firstChunkTimeoutMs ?? candidate.timeoutMs(options.attemptTimeoutMs, options.adaptive, true))
      : candidate.timeoutMs(options.attemptTimeoutMs, options.adaptive, false);
    // An attempt gets a context of its own only when something may abort it alone: a timeout or a hedge.
    const own = limit !== undefined || options.hedgeAfterMs !== undefined;
    this.#inflight.push(
      startAttempt(candidate, hedge, ctx, { request: this.#request, stream: this.#stream }, limit, own),
    );
  }

  /** The next settled attempt, or the hedge timer. */
  #next(): Promise<AttemptResult | typeof HEDGE> {
    const inflight = this.#inflight;
    if (inflight.length > 1) return Promise.race(inflight.map((a) => a.outcome));
    const only = inflight[0]!;
    const delay = this.#hedgeDelay(only);
    if (delay === undefined) return only.outcome;
    return new Promise((resolve) => {
      const cancel = this.#ctx.clock.schedule(delay, () => resolve(HEDGE));
      void only.outcome.then((result) => {
        cancel();
        resolve(result);
      });
    });
  }

  #hedgeDelay(attempt: Attempt): number | undefined {
    const options = this.#options;
    if (this.#hedged || options.hedgeAfterMs === undefined) return undefined;
    let after = options.hedgeAfterMs;
    if (after === "p95" || after === "p99") {
      const estimate = attempt.candidate.estimate(this.#stream);
      if (estimate === undefined || estimate.count < options.hedgeMinSamples) return undefined;
      after = after === "p95" ? estimate.p95 : estimate.p99;
    }
    return Math.max(0, attempt.startedAt + after - this.#ctx.clock.now());
  }

  /** Logs how `attempt` ended; `type` defaults to the error's code or name. */
  #record(
    attempt: Attempt,
    outcome: RouteAttemptOutcome,
    error?: unknown,
    type: string | undefined = error === undefined ? undefined : errorType(error),
  ): void {
    attempt.cancelTimer?.();
    attempt.cancelTimer = undefined;
    const now = this.#ctx.clock.now();
    const status = error === undefined ? undefined : (error as { status?: unknown }).status;
    this.log.push({
      model: attempt.candidate.id,
      outcome,
      errorType: type,
      status: typeof status === "number" ? status : undefined,
      hedge: attempt.hedge,
      startMs: attempt.startedAt - this.start,
      durationMs: now - attempt.startedAt,
    });
  }

  /** A success is kept unless it is a content-filter finish the router was told to fail over on. */
  #acceptable(result: AttemptResult): boolean {
    const { attempt } = result;
    if (
      this.#stream ||
      !this.#options.failoverContentFilter ||
      (result.value as ModelResponse).finishReason !== "content-filter"
    )
      return true;
    this.#record(attempt, "error", undefined, "content-filter");
    attempt.dispose?.();
    this.#filtered ??= { candidate: attempt.candidate, value: result.value, logIndex: this.log.length - 1 };
    this.#perRequest().excluded[this.#slot(attempt.candidate)] = true;
    this.#event("tta.route.failover", {
      "tta.route.model": attempt.candidate.id,
      "tta.route.reason": "content-filter",
    });
    return false;
  }

  #won(result: AttemptResult): unknown {
    const { attempt } = result;
    const candidate = attempt.candidate;
    this.#record(attempt, "success");
    attempt.dispose?.();
    candidate.succeeded(this.#stream, this.#ctx.clock.now() - attempt.startedAt);
    if (!this.#stream)
      this.#applyRateLimit(candidate, (result.value as ModelResponse & { rateLimit?: unknown }).rateLimit);
    this.winner = candidate;
    this.#abandon("lost-hedge");
    return result.value;
  }

  /** Aborts every attempt still in flight (they lost, or the request failed); late answers are discarded. */
  #abandon(outcome: "lost-hedge" | "aborted"): void {
    if (this.#inflight.length === 0) return;
    for (const loser of this.#inflight) {
      this.#record(loser, outcome);
      loser.abort?.(lostHedge());
      loser.dispose?.();
      void loser.outcome.then((late) => {
        if (late.ok) discard(late.value);
      });
    }
    this.#inflight.length = 0;
  }

  /** Cool-down from an answer's rate-limit headers: a candidate with nothing left waits for its reset. */
  #applyRateLimit(candidate: Candidate, info: unknown): void {
    if (typeof info !== "object" || info === null) return;
    const limits = info as {
      remainingRequests?: number;
      remainingTokens?: number;
      resetRequestsMs?: number;
      resetTokensMs?: number;
    };
    let waitMs = 0;
    if (limits.remainingRequests === 0) waitMs = Math.max(waitMs, limits.resetRequestsMs ?? 0);
    if (limits.remainingTokens === 0) waitMs = Math.max(waitMs, limits.resetTokensMs ?? 0);
    if (waitMs > 0) this.#coolDown(candidate, waitMs, "rate-limit-exhausted");
  }

  #coolDown(candidate: Candidate, ms: number, reason: string): void {
    const until = this.#ctx.clock.now() + ms;
    if (until <= candidate.coolUntil) return;
    candidate.coolUntil = until;
    this.#event("tta.route.cooldown", {
      "tta.route.model": candidate.id,
      "tta.route.cooldown_ms": ms,
      "tta.route.reason": reason,
    });
  }

  #failed(result: AttemptResult): void {
    const { attempt, value: error, timedOut } = result;
    const candidate = attempt.candidate;
    attempt.dispose?.();
    const ctx = this.#ctx;
    if (isContextAborted(ctx)) {
      this.#record(attempt, "aborted", error);
      this.#abandon("aborted");
      throw contextAbortReason(ctx);
    }
    const { tries, readyAt, excluded } = this.#perRequest();
    const slot = this.#slot(candidate);
    if (isTtaError(error, "CIRCUIT_OPEN")) {
      // The breaker refused without calling the provider (half-open, probe slots busy): not an attempt.
      tries[slot]! -= 1;
      excluded[slot] = true;
      this.#skip(candidate, "breaker-open");
      return;
    }
    this.#record(attempt, timedOut ? "timeout" : "error", error);
    const now = ctx.clock.now();
    if (timedOut) {
      candidate.timedOut();
      readyAt[slot] = now;
    } else if (isTtaError(error, "PROVIDER_ERROR") && (error as ProviderError).retryable) {
      this.#afterRetryable(candidate, slot, error as ProviderError, now, readyAt, tries);
    } else if (
      isTtaError(error, "PROVIDER_ERROR") &&
      this.#options.failoverContextWindow &&
      isContextWindowError(error as ProviderError)
    ) {
      excluded[slot] = true;
    } else if (this.#inflight.length > 0 && isTtaError(error, "PROVIDER_ERROR")) {
      // A provider refused this request (a 400…) while another attempt runs elsewhere: let that one finish.
      excluded[slot] = true;
    } else {
      // Not retryable (a 400, a budget refusal, a bug in a custom model…): another try will not help.
      this.#abandon("aborted");
      throw error;
    }
    (this.#errors ??= []).push(error);
    this.#event("tta.route.failover", {
      "tta.route.model": candidate.id,
      "tta.route.reason": timedOut ? "timeout" : errorType(error),
    });
  }

  #afterRetryable(
    candidate: Candidate,
    slot: number,
    error: ProviderError,
    now: number,
    readyAt: number[],
    tries: number[],
  ): void {
    const retryAfter = error.retryAfterMs;
    if (error.status === 429) candidate.consecutive429s += 1;
    else candidate.consecutive429s = 0;
    const { initialDelayMs, maxDelayMs, jitter, coolDownAfter429s } = this.#options;
    const run429 = candidate.consecutive429s - coolDownAfter429s;
    if (retryAfter !== undefined && retryAfter >= 0) {
      readyAt[slot] = now + retryAfter;
      // A server error with Retry-After (an outage), or a run of 429s, cools the candidate for everyone.
      if (error.status !== undefined && error.status >= 500) this.#coolDown(candidate, retryAfter, "retry-after");
      else if (run429 >= 0) this.#coolDown(candidate, retryAfter, "rate-limited");
      return;
    }
    // A run of 429s without Retry-After (an exhausted quota…): cool down for everyone with a growing backoff.
    if (run429 >= 0)
      this.#coolDown(candidate, Math.min(maxDelayMs, Math.max(initialDelayMs, 100) * 2 ** run429), "rate-limited");
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, tries[slot]! - 1));
    readyAt[slot] = now + (jitter ? base * (0.5 + Math.random() * 0.5) : base);
  }

  /** Nothing left to try: the content-filtered answer if there is one, else the error(s). */
  #exhausted(): unknown {
    const errors = this.#errors;
    if (errors === undefined || errors.length === 0) {
      const wait = soonestReadyMs(this.#order, this.#ctx.clock.now());
      const reasons = (this.skipped ?? []).map((s) => `${s.model} (${s.reason})`).join(", ");
      return new CircuitOpenError(`No candidate of the model router can take the request now: ${reasons}`, wait);
    }
    if (errors.length === 1) return errors[0];
    return new FallbackError(`All ${this.log.length} attempts of the model router failed`, errors);
  }
}
