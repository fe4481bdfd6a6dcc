/**
 * One router candidate: its model primitives behind one circuit breaker, its cool-down, and its
 * observed latencies. State is a few numbers and two fixed-size histograms: bounded by construction.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../../core/context.js";
import { isTtaError } from "../../core/errors.js";
import type { ProviderError } from "../../core/errors.js";
import type { Executable } from "../../core/workflow-primitive.js";
import { CircuitBreakerPrimitive } from "../../recovery/circuit-breaker.js";
import type { CatalogEntry } from "../catalog.js";
import type { LanguageModel, ModelRequest } from "../language-model.js";
import { ModelPrimitive } from "../model.js";
import { StreamModelPrimitive } from "../stream-model.js";
import { LatencyEstimate } from "./latency.js";
import type { ResolvedAdaptive, ResolvedCandidate, ResolvedRouterOptions } from "./options.js";

/** Attempt timeouts in a row after which the adaptive timeout falls back to its `maxMs`. @internal */
export const STUCK_TIMEOUTS = 3;

/** What one attempt runs: a whole answer, or a stream up to its first chunk. @internal */
export interface AttemptInput {
  readonly request: ModelRequest;
  readonly stream: boolean;
}

/**
 * Whether a failure says something about the candidate's health (the router's default breaker
 * `isFailure`): retryable provider errors and attempt timeouts count, except a 429 or an answer with
 * `Retry-After` (the provider said when to come back: a cool-down, not an outage); a 4xx, a caller's
 * abort or a lost hedge does not.
 * @internal
 */
export function countsAgainstCandidate(error: unknown): boolean {
  if (isTtaError(error, "TIMEOUT")) return true;
  if (isTtaError(error, "PROVIDER_ERROR")) {
    const { status, retryAfterMs } = error as ProviderError;
    // A 429, or any answer with Retry-After, says when to come back: a cool-down, not a failure.
    return status !== 429 && retryAfterMs === undefined && error.retryable;
  }
  return false;
}

/** @internal */
export class Candidate {
  readonly model: LanguageModel;
  readonly id: string;
  readonly entry: CatalogEntry;
  readonly maxRetries: number;
  /** Latency of successful whole answers. */
  readonly latency: LatencyEstimate = new LatencyEstimate();
  /** Latency to the first chunk of successful streams (created on the first stream). */
  firstChunk: LatencyEstimate | undefined;
  /** Candidate-wide: no request is sent before this time (context-clock ms). */
  coolUntil = 0;
  /** 429s in a row, across requests (reset by any answer). */
  consecutive429s = 0;
  /** Attempt timeouts in a row (reset by any answer): after 3 the adaptive timeout uses `maxMs`. */
  consecutiveTimeouts = 0;
  readonly breaker: CircuitBreakerPrimitive<AttemptInput, unknown> | undefined;
  readonly #call: Executable<AttemptInput, unknown>;

  constructor(resolved: ResolvedCandidate, options: ResolvedRouterOptions) {
    this.model = resolved.model;
    this.id = resolved.id;
    this.entry = resolved.entry;
    this.maxRetries = resolved.maxRetries;
    const modelOptions = {
      catalog: options.catalog,
      estimateTokens: options.estimateTokens,
      captureContent: options.captureContent,
    };
    const whole = new ModelPrimitive(resolved.model, modelOptions);
    let streaming: StreamModelPrimitive | undefined;
    const model = resolved.model;
    // A plain executable (no span of its own): the breaker's span is the parent of the model's.
    this.#call = {
      execute: (input, ctx) =>
        input.stream
          ? (streaming ??= new StreamModelPrimitive(model, modelOptions)).execute(input.request, ctx)
          : whole.execute(input.request, ctx),
    };
    this.breaker =
      resolved.breaker === false
        ? undefined
        : new CircuitBreakerPrimitive(this.#call, {
            isFailure: countsAgainstCandidate,
            name: `breaker ${this.id}`,
            ...resolved.breaker,
          });
  }

  /** Runs one attempt through the breaker (when there is one). */
  execute(input: AttemptInput, ctx: WorkflowContext): Promise<unknown> {
    return (this.breaker ?? this.#call).execute(input, ctx);
  }

  /** Whether the breaker refuses calls now (reading it may move an expired open breaker to half-open). */
  get open(): boolean {
    return this.breaker !== undefined && this.breaker.state === "open";
  }

  /** The latency estimate of the given call kind. */
  estimate(stream: boolean): LatencyEstimate | undefined {
    return stream ? this.firstChunk : this.latency;
  }

  /** Records a success: its latency, and the end of a run of 429s. */
  succeeded(stream: boolean, ms: number): void {
    this.consecutive429s = 0;
    this.consecutiveTimeouts = 0;
    (stream ? (this.firstChunk ??= new LatencyEstimate()) : this.latency).observe(ms);
  }

  /** Records an attempt timeout. */
  timedOut(): void {
    this.consecutiveTimeouts += 1;
  }

  /**
   * The attempt timeout for this candidate now: fixed, adaptive, or none. The estimate learns from
   * successes only, so a provider that got slower than the adaptive limit would never teach it: after
   * {@link STUCK_TIMEOUTS} timeouts in a row the limit is `maxMs` until the next success.
   */
  timeoutMs(fixed: number | undefined, adaptive: ResolvedAdaptive | undefined, stream: boolean): number | undefined {
    if (adaptive === undefined) return fixed;
    const estimate = this.estimate(stream);
    if (estimate === undefined || estimate.count < adaptive.minSamples || this.consecutiveTimeouts >= STUCK_TIMEOUTS)
      return adaptive.maxMs;
    const q = adaptive.quantile === 0.99 ? estimate.p99 : estimate.quantile(adaptive.quantile);
    return Math.min(adaptive.maxMs, Math.max(adaptive.minMs, q * adaptive.multiplier));
  }

  /** Median latency (0 before the first observation): what a new attempt is expected to take. */
  expectedMs(stream: boolean): number {
    const estimate = this.estimate(stream);
    return estimate === undefined || estimate.count === 0 ? 0 : estimate.p50;
  }
}
