/**
 * Validation of `modelRouter` options, presets, and the resolved per-candidate settings.
 *
 * @packageDocumentation
 */
import { InvalidOptionsError } from "../../core/errors.js";
import {
  booleanOption,
  choiceOption,
  describeValue,
  durationOption,
  fail,
  functionOption,
  integerOption,
  isPlainObject,
  nameOption,
  readOptions,
} from "../../internal/options.js";
import type { CircuitBreakerOptions } from "../../recovery/circuit-breaker.js";
import { resolveCircuitBreakerOptions } from "../../recovery/circuit-breaker.js";
import type { Catalog, CatalogEntry } from "../catalog.js";
import { defaultCatalog } from "../catalog.js";
import type { LanguageModel, ModelRequest } from "../language-model.js";
import type { TokenEstimate } from "../model-options.js";
import { estimateTokens, isLanguageModel } from "../model-options.js";
import type { AdaptiveTimeoutOptions, ModelRouterOptions, RouterCandidate } from "./types.js";

/** The router's breaker defaults (before `isFailure`, which the router supplies). */
export const DEFAULT_ROUTER_BREAKER: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureThreshold: 5,
  recoveryTimeoutMs: 5_000,
});

/**
 * Defaults of {@link ModelRouterOptions} without a preset (`adaptive` is what `attemptTimeout:
 * "adaptive"` means; `hedgeMinSamples` applies to `"p95"`/`"p99"` hedges; `breaker` before the router's
 * own `isFailure`).
 * @since 0.1.0
 */
export const DEFAULT_MODEL_ROUTER_OPTIONS: {
  readonly strategy: "cheapest";
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: boolean;
  readonly coolDownAfter429s: number;
  readonly maxWaitMs: number;
  readonly afterFailure: "retry-first";
  readonly adaptive: ResolvedAdaptive;
  readonly hedgeMinSamples: number;
  readonly breaker: Readonly<CircuitBreakerOptions>;
  readonly name: string;
} = Object.freeze({
  strategy: "cheapest",
  maxRetries: 2,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  jitter: true,
  coolDownAfter429s: 5,
  maxWaitMs: 1_000,
  afterFailure: "retry-first",
  adaptive: Object.freeze({ quantile: 0.99, multiplier: 1.5, minMs: 250, maxMs: 30_000, minSamples: 20 }),
  hedgeMinSamples: 20,
  breaker: DEFAULT_ROUTER_BREAKER,
  name: "ModelRouter",
});

/**
 * What the presets set (an explicit option always wins; adaptive `attemptTimeout` options given as an
 * object are merged over the preset's): both rank by price and use adaptive attempt timeouts. `cost`
 * abandons an attempt at 1.25 × its candidate's observed p99 (a hung call is the one tail it cannot
 * hedge) and retries the cheaper candidate first; `latency` abandons at 1.5 × p99, hedges at the
 * in-flight candidate's p99 (a hung or unusually slow call: about 1 % more calls) and, after a failure,
 * tries another ready candidate before retrying the same one.
 * @since 0.1.0
 */
export const MODEL_ROUTER_PRESETS: {
  readonly latency: Pick<ModelRouterOptions, "strategy" | "attemptTimeout" | "hedge" | "afterFailure">;
  readonly cost: Pick<ModelRouterOptions, "strategy" | "attemptTimeout" | "hedge" | "afterFailure">;
} = Object.freeze({
  latency: Object.freeze({
    strategy: "cheapest",
    attemptTimeout: Object.freeze({ multiplier: 1.5 }),
    hedge: Object.freeze({ afterMs: "p99" }),
    afterFailure: "failover-first",
  }),
  cost: Object.freeze({
    strategy: "cheapest",
    attemptTimeout: Object.freeze({ multiplier: 1.25 }),
    afterFailure: "retry-first",
  }),
} as const);

const OPTION_KEYS = [
  "candidates",
  "catalog",
  "preset",
  "strategy",
  "attemptTimeout",
  "firstChunkTimeoutMs",
  "hedge",
  "retry",
  "breaker",
  "latencyGoalMs",
  "maxWaitMs",
  "afterFailure",
  "failover",
  "coolDownAfter429s",
  "name",
  "estimateTokens",
  "captureContent",
] as const;

/** An adaptive attempt timeout after validation. @since 0.1.0 */
export interface ResolvedAdaptive {
  readonly quantile: number;
  readonly multiplier: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly minSamples: number;
}

/** A candidate after validation. @since 0.1.0 */
export interface ResolvedCandidate {
  readonly model: LanguageModel;
  /** The candidate's name in route logs, spans and events: its `modelId`, `#2`… for a second deployment. */
  readonly id: string;
  readonly entry: CatalogEntry;
  readonly breaker: CircuitBreakerOptions | false;
  readonly maxRetries: number;
}

/**
 * `modelRouter` options after validation and presets (`router.options`).
 * @since 0.1.0
 */
export interface ResolvedRouterOptions {
  readonly candidates: readonly ResolvedCandidate[];
  readonly catalog: Catalog;
  readonly strategy: "cheapest" | "fastest" | "ordered";
  /** Cumulative weights (last = total) for `{ weighted }`, else undefined. */
  readonly weights: readonly number[] | undefined;
  readonly attemptTimeoutMs: number | undefined;
  readonly adaptive: ResolvedAdaptive | undefined;
  readonly firstChunkTimeoutMs: number | undefined;
  readonly hedgeAfterMs: number | "p95" | "p99" | undefined;
  readonly hedgeMinSamples: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: boolean;
  readonly latencyGoalMs: number | undefined;
  readonly maxWaitMs: number;
  readonly failoverFirst: boolean;
  readonly failoverContentFilter: boolean;
  readonly failoverContextWindow: boolean;
  readonly coolDownAfter429s: number;
  readonly name: string;
  readonly estimateTokens: (request: ModelRequest) => TokenEstimate;
  readonly captureContent: boolean;
}

function breakerOption(
  option: string,
  value: unknown,
  fallback: CircuitBreakerOptions | false,
): CircuitBreakerOptions | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (!isPlainObject(value)) fail(option, "circuit breaker options or false", value);
  const merged: CircuitBreakerOptions = fallback === false ? value : { ...fallback, ...value };
  checkBreaker(option, merged);
  return merged;
}

/** Validates breaker options now, so an error names `breaker.x` (or `candidates[i].breaker.x`), not `x`. */
function checkBreaker(option: string, options: CircuitBreakerOptions): void {
  try {
    resolveCircuitBreakerOptions(options);
  } catch (error) {
    if (!(error instanceof InvalidOptionsError)) throw error;
    const inner = error.option;
    throw new InvalidOptionsError(
      `${option}.${inner}`,
      error.message.replaceAll(`\`${inner}\``, `\`${option}.${inner}\``),
    );
  }
}

function resolveCandidates(
  value: unknown,
  catalog: Catalog,
  breaker: CircuitBreakerOptions | false,
  maxRetries: number,
): ResolvedCandidate[] {
  if (!Array.isArray(value) || value.length === 0)
    fail("candidates", "a non-empty array of LanguageModels or { model } entries", value);
  const seen = new Set<LanguageModel>();
  return (value as readonly unknown[]).map((item, i) => {
    const option = `candidates[${i}]`;
    const entry: Partial<RouterCandidate> = isLanguageModel(item)
      ? { model: item }
      : (item as Partial<RouterCandidate>);
    if (!isPlainObject(entry) && !isLanguageModel(item))
      fail(option, "a LanguageModel or { model, breaker?, maxRetries? }", item);
    if (!isLanguageModel(item)) {
      const opts = readOptions(option, item, ["model", "breaker", "maxRetries"]);
      if (!isLanguageModel(opts.model))
        fail(`${option}.model`, "a LanguageModel ({ provider, modelId, generate })", opts.model);
    }
    const model = entry.model!;
    if (seen.has(model))
      fail(option, "a model not listed twice", `the same model as an earlier candidate (${model.modelId})`);
    seen.add(model);
    // Two deployments of one model (two keys, two regions) share a modelId: number them in logs and spans.
    const twins = [...seen].filter((m) => m.modelId === model.modelId).length;
    const listed = catalog.get(model.modelId);
    if (listed === undefined)
      throw new InvalidOptionsError(
        `${option}.model`,
        `Candidate ${JSON.stringify(model.modelId.slice(0, 100))} is not in the router's catalogue; add it with \`catalog.extend([...])\` (the router needs its capabilities, context window and prices)`,
      );
    return {
      model,
      id: twins === 1 ? model.modelId : `${model.modelId}#${twins}`,
      entry: listed,
      breaker: breakerOption(
        `${option}.breaker`,
        isLanguageModel(item) ? undefined : (entry.breaker ?? undefined),
        breaker,
      ),
      maxRetries: integerOption(
        `${option}.maxRetries`,
        isLanguageModel(item) ? undefined : (entry.maxRetries ?? undefined),
        maxRetries,
        {
          min: 0,
          max: 100,
        },
      ),
    };
  });
}

function resolveStrategy(
  value: unknown,
  count: number,
): { strategy: ResolvedRouterOptions["strategy"]; weights: number[] | undefined } {
  if (value === undefined) return { strategy: DEFAULT_MODEL_ROUTER_OPTIONS.strategy, weights: undefined };
  if (value === "cheapest" || value === "fastest" || value === "ordered")
    return { strategy: value, weights: undefined };
  if (!isPlainObject(value)) fail("strategy", `"cheapest", "fastest", "ordered" or { weighted: number[] }`, value);
  const weighted = readOptions("strategy", value, ["weighted"]).weighted;
  if (!Array.isArray(weighted)) fail("strategy.weighted", "an array of weights (one per candidate)", weighted);
  if (weighted.length !== count)
    fail("strategy.weighted", `an array of ${count} weights (one per candidate)`, weighted);
  let total = 0;
  const cumulative = (weighted as unknown[]).map((w, i) => {
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0)
      fail(`strategy.weighted[${i}]`, "a finite number ≥ 0", w);
    total += w;
    return total;
  });
  if (total <= 0) fail("strategy.weighted", "weights with a positive sum", weighted);
  return { strategy: "ordered", weights: cumulative };
}

function resolveAdaptive(value: unknown): { fixed: number | undefined; adaptive: ResolvedAdaptive | undefined } {
  if (value === undefined) return { fixed: undefined, adaptive: undefined };
  if (typeof value === "number") return { fixed: durationOption("attemptTimeout", value, 0), adaptive: undefined };
  if (value !== "adaptive" && !isPlainObject(value))
    fail("attemptTimeout", `a number of ms, "adaptive" or adaptive options`, value);
  const opts = readOptions("attemptTimeout", value === "adaptive" ? undefined : value, [
    "quantile",
    "multiplier",
    "minMs",
    "maxMs",
    "minSamples",
  ]) as Readonly<Record<keyof AdaptiveTimeoutOptions, unknown>>;
  const d = DEFAULT_MODEL_ROUTER_OPTIONS.adaptive;
  const quantile = opts.quantile ?? d.quantile;
  if (typeof quantile !== "number" || !(quantile > 0 && quantile < 1))
    fail("attemptTimeout.quantile", "a number in (0, 1)", quantile);
  const multiplier = opts.multiplier ?? d.multiplier;
  if (typeof multiplier !== "number" || !Number.isFinite(multiplier) || multiplier < 1)
    fail("attemptTimeout.multiplier", "a finite number ≥ 1", multiplier);
  const minMs = durationOption("attemptTimeout.minMs", opts.minMs, d.minMs);
  const maxMs = durationOption("attemptTimeout.maxMs", opts.maxMs, d.maxMs);
  if (maxMs < minMs) fail("attemptTimeout.maxMs", `≥ attemptTimeout.minMs (${minMs})`, maxMs);
  return {
    fixed: undefined,
    adaptive: {
      quantile,
      multiplier,
      minMs,
      maxMs,
      minSamples: integerOption("attemptTimeout.minSamples", opts.minSamples, d.minSamples, { min: 1, max: 512 }),
    },
  };
}

/**
 * The caller's `attemptTimeout` over the preset's: adaptive options given as an object keep the
 * preset's other adaptive settings (`{ maxMs: 3000 }` with the cost preset keeps its multiplier).
 */
function mergeAdaptive(given: unknown, preset: unknown): unknown {
  if (given === undefined) return preset;
  if (!isPlainObject(given) || !isPlainObject(preset)) return given;
  return { ...preset, ...given };
}

function resolveHedge(value: unknown): Pick<ResolvedRouterOptions, "hedgeAfterMs" | "hedgeMinSamples"> {
  const minSamples = DEFAULT_MODEL_ROUTER_OPTIONS.hedgeMinSamples;
  if (value === undefined) return { hedgeAfterMs: undefined, hedgeMinSamples: minSamples };
  const opts = readOptions("hedge", value, ["afterMs", "minSamples"]);
  const afterMs = opts.afterMs;
  if (afterMs !== "p95" && afterMs !== "p99" && (typeof afterMs !== "number" || !(afterMs > 0)))
    fail("hedge.afterMs", `a number of ms > 0, "p95" or "p99" (required)`, afterMs);
  return {
    hedgeAfterMs: typeof afterMs === "number" ? durationOption("hedge.afterMs", afterMs, 0) : afterMs,
    hedgeMinSamples: integerOption("hedge.minSamples", opts.minSamples, minSamples, { min: 1, max: 512 }),
  };
}

/**
 * Validates `modelRouter` options.
 * @throws {@link InvalidOptionsError} naming the option.
 * @internal
 */
export function resolveRouterOptions(options: unknown): ResolvedRouterOptions {
  if (options === undefined) fail("options", "router options with `candidates`", options);
  const opts = readOptions("modelRouter", options, OPTION_KEYS);
  const presetName = opts.preset;
  if (presetName !== undefined && presetName !== "latency" && presetName !== "cost")
    fail("preset", `"latency" or "cost"`, presetName);
  const preset: Partial<ModelRouterOptions> = presetName === undefined ? {} : MODEL_ROUTER_PRESETS[presetName];
  const catalog = (opts.catalog ?? defaultCatalog) as Catalog;
  if (typeof (catalog as Partial<Catalog> | null)?.get !== "function")
    throw new InvalidOptionsError("catalog", `Expected \`catalog\` to be a Catalog, got ${describeValue(catalog)}`);
  const retry = readOptions("retry", opts.retry, ["maxRetries", "initialDelayMs", "maxDelayMs", "jitter"]);
  const d = DEFAULT_MODEL_ROUTER_OPTIONS;
  const maxRetries = integerOption("retry.maxRetries", retry.maxRetries, d.maxRetries, { min: 0, max: 100 });
  const breaker = breakerOption("breaker", opts.breaker, DEFAULT_ROUTER_BREAKER);
  const candidates = resolveCandidates(opts.candidates, catalog, breaker, maxRetries);
  const { strategy, weights } = resolveStrategy(opts.strategy ?? preset.strategy, candidates.length);
  const timeout = resolveAdaptive(mergeAdaptive(opts.attemptTimeout, preset.attemptTimeout));
  const failover = readOptions("failover", opts.failover, ["contentFilter", "contextWindow"]);
  const initialDelayMs = durationOption("retry.initialDelayMs", retry.initialDelayMs, d.initialDelayMs, {
    allowZero: true,
  });
  const maxDelayMs = durationOption("retry.maxDelayMs", retry.maxDelayMs, d.maxDelayMs, { allowZero: true });
  if (maxDelayMs < initialDelayMs) fail("retry.maxDelayMs", `≥ retry.initialDelayMs (${initialDelayMs})`, maxDelayMs);
  return {
    candidates,
    catalog,
    strategy,
    weights,
    attemptTimeoutMs: timeout.fixed,
    adaptive: timeout.adaptive,
    firstChunkTimeoutMs:
      opts.firstChunkTimeoutMs === undefined
        ? undefined
        : durationOption("firstChunkTimeoutMs", opts.firstChunkTimeoutMs, 0),
    ...resolveHedge(opts.hedge ?? preset.hedge),
    initialDelayMs,
    maxDelayMs,
    jitter: booleanOption("retry.jitter", retry.jitter, d.jitter),
    latencyGoalMs:
      opts.latencyGoalMs === undefined ? undefined : durationOption("latencyGoalMs", opts.latencyGoalMs, 0),
    maxWaitMs: durationOption("maxWaitMs", opts.maxWaitMs, d.maxWaitMs, { allowZero: true }),
    failoverFirst:
      choiceOption(
        "afterFailure",
        opts.afterFailure ?? preset.afterFailure,
        ["retry-first", "failover-first"],
        "retry-first",
      ) === "failover-first",
    failoverContentFilter: booleanOption("failover.contentFilter", failover.contentFilter, false),
    failoverContextWindow: booleanOption("failover.contextWindow", failover.contextWindow, false),
    coolDownAfter429s: integerOption("coolDownAfter429s", opts.coolDownAfter429s, d.coolDownAfter429s, {
      min: 1,
      max: 1_000,
    }),
    name: nameOption(opts.name, d.name),
    estimateTokens:
      functionOption<(r: ModelRequest) => TokenEstimate>("estimateTokens", opts.estimateTokens) ?? estimateTokens,
    captureContent: booleanOption("captureContent", opts.captureContent, false),
  };
}
