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
import type { Catalog, CatalogEntry } from "../catalog.js";
import { defaultCatalog } from "../catalog.js";
import type { LanguageModel, ModelRequest } from "../language-model.js";
import type { TokenEstimate } from "../model-options.js";
import { estimateTokens } from "../model-options.js";
import type { AdaptiveTimeoutOptions, ModelRouterOptions, RouterCandidate } from "./types.js";

/** The router's breaker defaults (before `isFailure`, which the router supplies). */
export const DEFAULT_ROUTER_BREAKER: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureThreshold: 5,
  recoveryTimeoutMs: 5_000,
});

/** Defaults of {@link ModelRouterOptions} without a preset. @since 0.1.0 */
export const DEFAULT_MODEL_ROUTER_OPTIONS: {
  readonly strategy: "cheapest";
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: boolean;
  readonly coolDownAfter429s: number;
  readonly maxWaitMs: number;
  readonly name: string;
} = Object.freeze({
  strategy: "cheapest",
  maxRetries: 2,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  jitter: true,
  coolDownAfter429s: 5,
  maxWaitMs: 1_000,
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

/** An adaptive attempt timeout after validation. @internal */
export interface ResolvedAdaptive {
  readonly quantile: number;
  readonly multiplier: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly minSamples: number;
}

/** A candidate after validation. @internal */
export interface ResolvedCandidate {
  readonly model: LanguageModel;
  readonly entry: CatalogEntry;
  readonly breaker: CircuitBreakerOptions | false;
  readonly maxRetries: number;
}

/** Router options after validation. @internal */
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
  readonly maxHedges: number;
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

function isLanguageModel(value: unknown): value is LanguageModel {
  const lm = value as Partial<LanguageModel> | null;
  return (
    typeof lm === "object" &&
    lm !== null &&
    typeof lm.generate === "function" &&
    typeof lm.modelId === "string" &&
    lm.modelId !== "" &&
    typeof lm.provider === "string"
  );
}

function breakerOption(
  option: string,
  value: unknown,
  fallback: CircuitBreakerOptions | false,
): CircuitBreakerOptions | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (!isPlainObject(value)) fail(option, "circuit breaker options or false", value);
  return fallback === false ? value : { ...fallback, ...value };
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
    const listed = catalog.get(model.modelId);
    if (listed === undefined)
      throw new InvalidOptionsError(
        `${option}.model`,
        `Candidate ${JSON.stringify(model.modelId.slice(0, 100))} is not in the router's catalogue; add it with \`catalog.extend([...])\` (the router needs its capabilities, context window and prices)`,
      );
    return {
      model,
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
  const weighted = isPlainObject(value) ? (value as { weighted?: unknown }).weighted : undefined;
  if (!Array.isArray(weighted)) fail("strategy", `"cheapest", "fastest", "ordered" or { weighted: number[] }`, value);
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
  const quantile = opts.quantile ?? 0.99;
  if (typeof quantile !== "number" || !(quantile > 0 && quantile < 1))
    fail("attemptTimeout.quantile", "a number in (0, 1)", quantile);
  const multiplier = opts.multiplier ?? 1.5;
  if (typeof multiplier !== "number" || !Number.isFinite(multiplier) || multiplier < 1)
    fail("attemptTimeout.multiplier", "a finite number ≥ 1", multiplier);
  const minMs = durationOption("attemptTimeout.minMs", opts.minMs, 250);
  const maxMs = durationOption("attemptTimeout.maxMs", opts.maxMs, 30_000);
  if (maxMs < minMs) fail("attemptTimeout.maxMs", `≥ attemptTimeout.minMs (${minMs})`, maxMs);
  return {
    fixed: undefined,
    adaptive: {
      quantile,
      multiplier,
      minMs,
      maxMs,
      minSamples: integerOption("attemptTimeout.minSamples", opts.minSamples, 20, { min: 1, max: 512 }),
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

function resolveHedge(value: unknown): Pick<ResolvedRouterOptions, "hedgeAfterMs" | "maxHedges" | "hedgeMinSamples"> {
  if (value === undefined) return { hedgeAfterMs: undefined, maxHedges: 0, hedgeMinSamples: 20 };
  const opts = readOptions("hedge", value, ["afterMs", "maxHedges", "minSamples"]);
  if (opts.afterMs === undefined) fail("hedge.afterMs", `a number of ms > 0, "p95" or "p99" (required)`, undefined);
  const afterMs =
    opts.afterMs === "p95" || opts.afterMs === "p99" ? opts.afterMs : durationOption("hedge.afterMs", opts.afterMs, 0);
  return {
    hedgeAfterMs: afterMs,
    maxHedges: integerOption("hedge.maxHedges", opts.maxHedges, 1, { min: 1, max: 10 }),
    hedgeMinSamples: integerOption("hedge.minSamples", opts.minSamples, 20, { min: 1, max: 512 }),
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
    maxDelayMs: Math.max(maxDelayMs, initialDelayMs),
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
