/**
 * `ModelRouterPrimitive`: routes each model request over several candidates — capability, context
 * window and price aware, with per-candidate breakers, cool-downs, adaptive attempt timeouts, hedging
 * and stream failover before the first chunk.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import type { WorkflowContext } from "../core/context.js";
import { createContext, isContextAborted } from "../core/context.js";
import { contextKey } from "../core/context-key.js";
import { RouteNotFoundError } from "../core/errors.js";
import { isObserved } from "../core/instrumentation.js";
import type { EventFields, RouteEvent } from "../core/instrumentation.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { errorType } from "../internal/tracing.js";
import { modelCallCost } from "./catalog.js";
import type { ModelResponse } from "./language-model.js";
import type { ModelStream } from "./model-stream.js";
import { checkRequest } from "./model-options.js";
import { Candidate } from "./router/candidate.js";
import { checkNeeds, providerRequest, rank } from "./router/ranking.js";
import type { ResolvedRouterOptions } from "./router/options.js";
import { resolveRouterOptions } from "./router/options.js";
import { RouteRun } from "./router/route-run.js";
import type { ModelRouterOptions, RouteInfo, RoutedRequest, RoutedResponse, RouteSkip } from "./router/types.js";

/** Where `executeWithRoute` collects the route of its own call. */
interface RouteSink {
  readonly router: object;
  route: RouteInfo | undefined;
}
const ROUTE_SINK = contextKey<RouteSink>("tta.model-router.route");

/**
 * A candidate's health as the router sees it (a snapshot).
 * @since 0.1.0
 */
export interface CandidateStatus {
  readonly model: string;
  /** Breaker state (`"closed"` when the candidate has no breaker). */
  readonly breaker: "closed" | "open" | "half-open";
  /** Remaining candidate-wide cool-down, ms (0 when none). */
  readonly coolingDownMs: number;
  /** Observed latency of whole answers (0 before the first). */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Observations behind the latency figures (at most 512: the recent window). */
  readonly samples: number;
}

/**
 * Shared by the router and its stream face: candidates, ranking, and the end of a route.
 * @internal
 */
class RouterCore {
  readonly options: ResolvedRouterOptions;
  readonly candidates: readonly Candidate[];
  /** The clock of the last routed call (cool-downs are on it); the system clock before the first. */
  clock: Clock;

  constructor(options: ResolvedRouterOptions, clock: Clock) {
    this.clock = clock;
    this.options = options;
    this.candidates = options.candidates.map((c) => new Candidate(c, options));
  }

  begin(request: RoutedRequest, ctx: WorkflowContext, span: Span | undefined, stream: boolean): RouteRun {
    checkRequest(request);
    checkNeeds(request.needs);
    this.clock = ctx.clock;
    const skipped: RouteSkip[] = [];
    const order = rank(this.options, this.candidates, request, stream, skipped);
    if (order.length === 0) {
      const reasons = skipped.map(
        (s) => `${s.model} (${s.reason === "capability" ? "lacks a needed capability" : "context window too small"})`,
      );
      throw new RouteNotFoundError(
        "no candidate",
        this.candidates.map((c) => c.id),
        `No candidate of the model router can serve this request: ${reasons.join(", ")}`,
      );
    }
    span?.setAttribute("tta.route.candidates", order.length);
    const run = new RouteRun(this.options, ctx, span, providerRequest(request), stream, order);
    if (skipped.length > 0) {
      run.skipped = skipped;
      for (const s of skipped)
        span?.addEvent("tta.route.skip", { "tta.route.model": s.model, "tta.route.reason": s.reason });
    }
    return run;
  }

  /** The route record of a finished run (`response` absent for a stream). */
  info(run: RouteRun, response: ModelResponse | undefined): RouteInfo {
    const winner = run.winner!;
    const usage = response?.usage ?? { inputTokens: 0, outputTokens: 0 };
    return {
      model: winner.id,
      provider: winner.model.provider,
      responseModel: response?.model ?? winner.id,
      attempts: run.log.length,
      hedged: run.hedged,
      usage,
      costUsd:
        response === undefined ? undefined : modelCallCost(this.options.catalog, winner.id, response.model, usage),
      log: run.log,
      skipped: run.skipped ?? [],
    };
  }
}

/** Distinct candidates tried before the winner. */
function failovers(run: RouteRun): number {
  const models = new Set<string>();
  for (const a of run.log) if (a.outcome !== "lost-hedge") models.add(a.model);
  return Math.max(0, models.size - 1);
}

/**
 * Routes model requests over several candidate models (DESIGN §6.3): `RoutedRequest → ModelResponse`.
 *
 * @remarks
 * Per request the router:
 * - drops candidates that lack a needed capability (`tools` when the request has tools, `json` for a
 *   `responseFormat`, plus `request.needs`) or whose context window cannot hold the token estimate,
 *   and orders the rest by `strategy`;
 * - skips a candidate whose breaker is open, and waits for one that is cooling down (after a
 *   `Retry-After`, a rate-limit header that says nothing is left, or a backoff) only when the wait is at
 *   most `maxWaitMs` and ends in time for the deadline and the `latencyGoalMs`; otherwise it fails over
 *   at once (a longer wait happens only when no other candidate can take the request);
 * - runs each attempt through the candidate's own
 *   {@link @tta/primitives!recovery.CircuitBreakerPrimitive | CircuitBreakerPrimitive} and a
 *   {@link ModelPrimitive} (so each attempt has its GenAI span, `model-call` event, cost and budget
 *   charge), abandons it at `attemptTimeout` (fixed, or adaptive from the candidate's observed latency),
 *   and with `hedge` starts the next ready candidate when it has not answered in time, keeping the first
 *   success and aborting the other (its HTTP request is closed);
 * - fails over on retryable errors (network, 408, 409, 429, 5xx, attempt timeouts), retries a candidate
 *   up to its `maxRetries`, and throws a non-retryable error (a 400, a budget refusal) at once.
 *
 * When every candidate is used up it throws the only error, or a `FallbackError` with each attempt's
 * error, or — when nothing could even be tried — a `CircuitOpenError` naming each candidate and why.
 * Every decision is an event on the router's span (`tta.route.skip`, `.wait`, `.cooldown`, `.hedge`,
 * `.failover`); the result is on the span (`tta.route.model`, `.attempts`, `.hedged`), in the `route`
 * event and from {@link ModelRouterPrimitive.executeWithRoute}. {@link ModelRouterPrimitive.stream}
 * fails over only before the first chunk. Per-candidate state is a few numbers and two fixed-size
 * latency histograms.
 *
 * @example
 * ```ts
 * const router = modelRouter({ preset: "latency", candidates: [cheap, backup], latencyGoalMs: 2_000 });
 * const { response, route } = await router.executeWithRoute({ messages }, createContext({ timeoutMs: 10_000 }));
 * ```
 * @since 0.1.0
 */
export class ModelRouterPrimitive extends WorkflowPrimitive<RoutedRequest, ModelResponse> {
  /** The validated options. */
  readonly options: ResolvedRouterOptions;
  readonly #core: RouterCore;
  readonly #streamer: RouterStreamPrimitive;

  /** @throws {@link InvalidOptionsError} naming the option (an empty `candidates`, a model missing from the catalogue, …). */
  constructor(options: ModelRouterOptions) {
    const resolved = resolveRouterOptions(options);
    super({ kind: "model-router", name: resolved.name });
    this.options = resolved;
    this.#core = new RouterCore(resolved, systemClock);
    this.#streamer = new RouterStreamPrimitive(this.#core);
  }

  protected async run(request: RoutedRequest, ctx: WorkflowContext): Promise<ModelResponse> {
    const span = this.currentSpan(ctx);
    const core = this.#core;
    const run = core.begin(request, ctx, span, false);
    const startedAt = run.start;
    let response: ModelResponse;
    try {
      response = (await run.run()) as ModelResponse;
    } catch (error) {
      this.#end(ctx, span, run, startedAt, undefined, error);
      throw error;
    }
    const sink = ctx.getValue(ROUTE_SINK);
    const wanted = sink !== undefined && sink.router === this && sink.route === undefined;
    const route = wanted || isObserved() ? core.info(run, response) : undefined;
    if (wanted) sink.route = route;
    this.#end(ctx, span, run, startedAt, route, undefined);
    return response;
  }

  #end(
    ctx: WorkflowContext,
    span: Span | undefined,
    run: RouteRun,
    startedAt: number,
    route: RouteInfo | undefined,
    error: unknown,
  ): void {
    const event = finishRoute(ctx, span, run, startedAt, route?.costUsd, error);
    if (event !== undefined) this.report(ctx, event);
  }

  /**
   * Executes the request and returns the response with its {@link RouteInfo}: the model that answered,
   * provider calls, hedging, usage, cost, every attempt and every skipped candidate.
   * @throws what `execute` throws.
   * @example
   * ```ts
   * const llm = modelRouter({ candidates: [cheap, backup], preset: "cost" });
   * const { response, route } = await llm.executeWithRoute(request, createContext({ timeoutMs: 10_000 }));
   * console.log(route.model, route.attempts, route.costUsd, route.log.map((a) => a.outcome), response.text);
   * ```
   */
  async executeWithRoute(request: RoutedRequest, ctx?: WorkflowContext): Promise<RoutedResponse> {
    const sink: RouteSink = { router: this, route: undefined };
    const own = ctx === undefined ? createContext() : undefined;
    try {
      const response = await this.execute(request, (ctx ?? own!).withValue(ROUTE_SINK, sink));
      return { response, route: sink.route! };
    } finally {
      own?.dispose();
    }
  }

  /**
   * Streams the answer of the first candidate that produces a first chunk: failures, timeouts
   * (`firstChunkTimeoutMs`) and hedges act before it, never after it (a failure after the first chunk is
   * the stream's `StreamInterruptedError`). Candidates without `stream` are skipped. Rate-limit headers
   * of a stream's `finish` chunk are not used for cool-downs (only whole answers' are).
   * @throws what `execute` throws, before the first chunk.
   * @example
   * ```ts
   * const llm = modelRouter({ candidates: [cheap, backup], firstChunkTimeoutMs: 2_000 });
   * for await (const chunk of await llm.stream(request, ctx)) if (chunk.type === "text") process.stdout.write(chunk.text);
   * ```
   */
  stream(request: RoutedRequest, ctx?: WorkflowContext): Promise<ModelStream> {
    return this.#streamer.execute(request, ctx);
  }

  /**
   * A snapshot of every candidate's health: breaker state, remaining cool-down, observed latency.
   * @example
   * ```ts
   * const llm = modelRouter({ candidates: [cheap, backup] });
   * for (const c of llm.status()) console.log(c.model, c.breaker, c.coolingDownMs, c.p99Ms);
   * ```
   */
  status(): CandidateStatus[] {
    const now = this.#core.clock.now();
    return this.#core.candidates.map((c) => ({
      model: c.id,
      breaker: c.breaker?.state ?? "closed",
      coolingDownMs: Math.max(0, c.coolUntil - now),
      p50Ms: c.latency.p50,
      p95Ms: c.latency.p95,
      p99Ms: c.latency.p99,
      samples: c.latency.count,
    }));
  }
}

/** Sets the span attributes at the end of a routed call; returns the `route` event when someone listens. */
function finishRoute(
  ctx: WorkflowContext,
  span: Span | undefined,
  run: RouteRun,
  startedAt: number,
  costUsd: number | undefined,
  error: unknown,
): EventFields<RouteEvent> | undefined {
  const model = error === undefined ? run.winner?.id : undefined;
  if (span !== undefined) {
    if (model !== undefined) span.setAttribute("tta.route.model", model);
    span.setAttribute("tta.route.attempts", run.log.length);
    span.setAttribute("tta.route.hedged", run.hedged);
  }
  if (!isObserved()) return undefined;
  return {
    type: "route",
    model,
    attempts: run.log.length,
    hedged: run.hedged,
    failovers: failovers(run),
    costUsd,
    durationMs: ctx.clock.now() - startedAt,
    outcome: error === undefined ? "success" : isContextAborted(ctx) ? "aborted" : "error",
    errorType: error === undefined ? undefined : errorType(error),
  };
}

/** The router's stream face: the same candidates and state, a `ModelStream` result. @internal */
class RouterStreamPrimitive extends WorkflowPrimitive<RoutedRequest, ModelStream> {
  readonly #core: RouterCore;

  constructor(core: RouterCore) {
    super({ kind: "model-router", name: core.options.name });
    this.#core = core;
  }

  protected async run(request: RoutedRequest, ctx: WorkflowContext): Promise<ModelStream> {
    const span = this.currentSpan(ctx);
    const run = this.#core.begin(request, ctx, span, true);
    const startedAt = run.start;
    let stream: ModelStream;
    try {
      stream = (await run.run()) as ModelStream;
    } catch (error) {
      const event = finishRoute(ctx, span, run, startedAt, undefined, error);
      if (event !== undefined) this.report(ctx, event);
      throw error;
    }
    const event = finishRoute(ctx, span, run, startedAt, undefined, undefined);
    if (event !== undefined) this.report(ctx, event);
    return stream;
  }
}

/**
 * Creates a {@link ModelRouterPrimitive}.
 *
 * @param options - candidates (required, each in the catalogue), `preset`, `strategy`, timeouts,
 * hedging, retries, breaker, latency goal, failover switches.
 * @throws {@link InvalidOptionsError} naming the option: an empty `candidates`, a candidate missing from
 * the catalogue, a `hedge.afterMs` ≤ 0, a `retry.maxRetries` that is not an integer ≥ 0, …
 * @example
 * ```ts
 * const router = modelRouter({
 *   candidates: [openAICompatible({ baseURL, model: "gpt-4o-mini", apiKey }), fromAiSdk(anthropic("claude-3-5-haiku-latest"))],
 *   preset: "cost",
 * });
 * const answer = await router.execute({ messages: [{ role: "user", content: "Hi" }] }, createContext({ timeoutMs: 10_000 }));
 * ```
 * @since 0.1.0
 */
export function modelRouter(options: ModelRouterOptions): ModelRouterPrimitive {
  return new ModelRouterPrimitive(options);
}
