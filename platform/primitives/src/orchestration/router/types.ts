/**
 * Public types of `modelRouter`: candidates, strategies, timeouts, hedging, and the route record
 * every routed call produces.
 *
 * @packageDocumentation
 */
import type { CircuitBreakerOptions } from "../../recovery/circuit-breaker.js";
import type { Capability, Catalog } from "../catalog.js";
import type { LanguageModel, ModelRequest, ModelResponse, Usage } from "../language-model.js";

/**
 * How the router orders the candidates that can serve a request.
 *
 * @remarks
 * - `"cheapest"`: by the request's estimated cost from the catalogue prices (ties keep the given order).
 * - `"fastest"`: by each candidate's observed median latency (a candidate with no observation yet
 *   counts as 0 ms, so every candidate is tried early).
 * - `"ordered"`: the order given.
 * - `{ weighted }`: one candidate drawn at random with the given weights goes first (to spread load
 *   over keys or deployments), the rest follow in the given order.
 * @since 0.1.0
 */
export type RouterStrategy = "cheapest" | "fastest" | "ordered" | { readonly weighted: readonly number[] };

/**
 * A candidate with its own settings.
 * @since 0.1.0
 */
export interface RouterCandidate {
  /** The model; its `modelId` must be in the router's catalogue. */
  readonly model: LanguageModel;
  /**
   * This candidate's circuit breaker options (merged over the router's `breaker`), or `false` for none.
   * @defaultValue the router's `breaker`
   */
  readonly breaker?: CircuitBreakerOptions | false | undefined;
  /** Retries of one request on this candidate (attempts = `maxRetries + 1`). @defaultValue the router's `retry.maxRetries` */
  readonly maxRetries?: number | undefined;
}

/**
 * `attemptTimeout` computed from a candidate's observed latency: `multiplier ×` the `quantile` of its
 * recent successful calls, clamped to `[minMs, maxMs]`; `maxMs` until `minSamples` calls were seen.
 * @since 0.1.0
 */
export interface AdaptiveTimeoutOptions {
  /** @defaultValue 0.99 */
  readonly quantile?: number | undefined;
  /** @defaultValue 1.5 */
  readonly multiplier?: number | undefined;
  /** @defaultValue 250 */
  readonly minMs?: number | undefined;
  /** @defaultValue 30000 */
  readonly maxMs?: number | undefined;
  /** @defaultValue 20 */
  readonly minSamples?: number | undefined;
}

/**
 * Hedged requests: when the call in flight has not answered after `afterMs`, the next candidate
 * that is ready is started too; the first success wins and the other call is aborted. One hedge per
 * request: when its timer fires and no other candidate can start, the request goes on unhedged.
 * @since 0.1.0
 */
export interface HedgeOptions {
  /**
   * Delay before the hedge, in ms (> 0), or `"p95"` / `"p99"`: the in-flight candidate's observed 95th / 99th
   * percentile latency (no hedge until it has `minSamples` observations).
   */
  readonly afterMs: number | "p95" | "p99";
  /** Observations needed before a `"p95"` / `"p99"` hedge. @defaultValue 20 */
  readonly minSamples?: number | undefined;
}

/**
 * Retries inside the router (per candidate) and the waits between them.
 * @since 0.1.0
 */
export interface RouterRetryOptions {
  /** Retries of one request on each candidate (attempts = `maxRetries + 1`). @defaultValue 2 */
  readonly maxRetries?: number | undefined;
  /** Backoff after a failure without `Retry-After`: `initialDelayMs × 2^(n-1)`, capped. @defaultValue 100 */
  readonly initialDelayMs?: number | undefined;
  /** @defaultValue 5000 */
  readonly maxDelayMs?: number | undefined;
  /** Randomise backoff delays between 50 % and 100 % of their value. @defaultValue true */
  readonly jitter?: boolean | undefined;
}

/**
 * Options of {@link modelRouter}. `undefined` or `null` means the default (or the preset's value).
 * @since 0.1.0
 */
export interface ModelRouterOptions {
  /** The models to route between (non-empty), as `LanguageModel`s or {@link RouterCandidate}s. */
  readonly candidates: readonly (LanguageModel | RouterCandidate)[];
  /** Capabilities, context windows and prices of the candidates. @defaultValue `defaultCatalog` */
  readonly catalog?: Catalog | undefined;
  /** Named defaults (see the docs): `"latency"` hedges at p99 and fails over first, `"cost"` never hedges and retries the cheaper candidate first. @defaultValue none */
  readonly preset?: "latency" | "cost" | undefined;
  /** @defaultValue `"cheapest"` */
  readonly strategy?: RouterStrategy | undefined;
  /** Time limit of each attempt, in ms, or adaptive. @defaultValue none (only the caller's deadline) */
  readonly attemptTimeout?: number | "adaptive" | AdaptiveTimeoutOptions | undefined;
  /** Streams: time limit until the first chunk of each attempt. @defaultValue `attemptTimeout` */
  readonly firstChunkTimeoutMs?: number | undefined;
  /** Hedged requests. @defaultValue none */
  readonly hedge?: HedgeOptions | undefined;
  /**
   * Per-candidate retries and backoff.
   * @defaultValue `{ maxRetries: 2, initialDelayMs: 100, maxDelayMs: 5000, jitter: true }`
   */
  readonly retry?: RouterRetryOptions | undefined;
  /**
   * Circuit breaker options of every candidate (`isFailure` defaults to: retryable provider errors and
   * attempt timeouts, never a 429 nor a caller's abort), or `false` for none.
   * @defaultValue `{ failureThreshold: 5, recoveryTimeoutMs: 5000 }`
   */
  readonly breaker?: CircuitBreakerOptions | false | undefined;
  /**
   * A soft latency goal per request, in ms: the router fails over instead of waiting out a
   * `Retry-After` when waiting would end past the goal. The caller's deadline is always a hard limit.
   * @defaultValue none
   */
  readonly latencyGoalMs?: number | undefined;
  /**
   * After a retryable failure: `"retry-first"` keeps the ranked order (the cheaper candidate is retried,
   * after its `Retry-After` or backoff, when that fits); `"failover-first"` tries every other ready
   * candidate once before retrying one that already failed this request (faster, costlier).
   * @defaultValue `"retry-first"` (`"failover-first"` with the `latency` preset)
   */
  readonly afterFailure?: "retry-first" | "failover-first" | undefined;
  /**
   * Also fail over on a `content-filter` finish (that answer is still returned when every other
   * candidate fails) or on a provider's context-length error.
   * @defaultValue `{ contentFilter: false, contextWindow: false }`
   */
  readonly failover?:
    | {
        /** @defaultValue false */
        readonly contentFilter?: boolean | undefined;
        /** @defaultValue false */
        readonly contextWindow?: boolean | undefined;
      }
    | undefined;
  /**
   * The longest the router waits for a candidate that is cooling down (after a `Retry-After` or a
   * backoff) before it tries a lower-ranked one instead; a longer wait happens only when no other
   * candidate can take the request. @defaultValue 1000
   */
  readonly maxWaitMs?: number | undefined;
  /** Consecutive 429s after which a candidate cools down for every request. @defaultValue 5 */
  readonly coolDownAfter429s?: number | undefined;
  /** Display name. @defaultValue `"ModelRouter"` */
  readonly name?: string | undefined;
  /** Token estimate for context-window filtering, cost ranking and budgets. @defaultValue `estimateTokens` */
  readonly estimateTokens?:
    ((request: ModelRequest) => { readonly inputTokens: number; readonly outputTokens: number }) | undefined;
  /** Record prompts and completions on the model spans. @defaultValue false */
  readonly captureContent?: boolean | undefined;
}

/**
 * A request to the router: a `ModelRequest`, optionally with the capabilities it needs beyond the
 * ones the request implies (`tools` → `"tools"`, `responseFormat` → `"json"`).
 * @since 0.1.0
 */
export interface RoutedRequest extends ModelRequest {
  readonly needs?: readonly Capability[] | undefined;
}

/** Why a candidate was not tried (or not tried again). @since 0.1.0 */
export type RouteSkipReason = "capability" | "context-window" | "breaker-open" | "cooling-down" | "exhausted";

/** A candidate the router passed over, and why. @since 0.1.0 */
export interface RouteSkip {
  readonly model: string;
  readonly reason: RouteSkipReason;
}

/** How one attempt ended. @since 0.1.0 */
export type RouteAttemptOutcome = "success" | "error" | "timeout" | "aborted" | "lost-hedge";

/** One provider call the router made. @since 0.1.0 */
export interface RouteAttempt {
  /** The candidate's `modelId`. */
  readonly model: string;
  readonly outcome: RouteAttemptOutcome;
  /** `TtaError` code or error name, on failure. */
  readonly errorType?: string | undefined;
  /** HTTP status of a `ProviderError`. */
  readonly status?: number | undefined;
  /** Whether this attempt was started as a hedge. */
  readonly hedge: boolean;
  /** Start, ms after the routed call started (context clock). */
  readonly startMs: number;
  /** Duration on the context clock, ms. */
  readonly durationMs: number;
}

/**
 * What happened to one routed request: reported on the router's span, in its `route` event and by
 * `executeWithRoute`.
 * @since 0.1.0
 */
export interface RouteInfo {
  /** The candidate that answered: its `modelId` (`#2`, `#3`… for further deployments of one model id). */
  readonly model: string;
  readonly provider: string;
  /** The model the provider said answered (`gen_ai.response.model`). */
  readonly responseModel: string;
  /** Provider calls made (hedges included). */
  readonly attempts: number;
  /** Whether a hedge was started. */
  readonly hedged: boolean;
  /** Usage of the answer. */
  readonly usage: Usage;
  /** Cost in USD of the answer from the catalogue (`undefined` when it does not price the model). */
  readonly costUsd: number | undefined;
  /** Every attempt, in start order. */
  readonly log: readonly RouteAttempt[];
  /** Candidates passed over. */
  readonly skipped: readonly RouteSkip[];
}

/** A response with its route. @since 0.1.0 */
export interface RoutedResponse {
  readonly response: ModelResponse;
  readonly route: RouteInfo;
}
