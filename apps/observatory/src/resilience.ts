/**
 * `GET /api/resilience`: retries, breaker states, fallbacks, hedges, failovers, cache hits and model
 * usage, computed from the stored spans. The span, attribute and event names are the ones
 * `@tta/primitives` writes:
 *
 * - retry: `retry` events (`tta.retry.attempt`, `tta.retry.delay_ms`, `error.type`) on `tta.retry` spans
 *   (`recovery/retry.ts`);
 * - circuit breaker: `tta.circuit.state` (`closed` | `open` | `half-open`, the state when the call arrived)
 *   on `tta.circuit-breaker` spans, `error.type` `CIRCUIT_OPEN` (`recovery/circuit-breaker.ts`), and the
 *   model router's `tta.route.skip` events with `tta.route.reason` `breaker-open` for its per-candidate
 *   breakers named `breaker <model>` (`orchestration/router/candidate.ts`, `pick.ts`);
 * - fallback: `tta.fallback.index` > 0 on `tta.fallback` spans (`recovery/fallback.ts`);
 * - hedges and failovers: `tta.route.hedge` / `tta.route.failover` events on `tta.model-router` spans
 *   (`orchestration/router/route-run.ts`);
 * - cache: boolean `tta.cache.hit` on `tta.cache` spans (`performance/cache.ts`);
 * - model calls: `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.provider.name`,
 *   `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`, `tta.llm.cost_usd` (`orchestration/gen-ai.ts`).
 *
 * @packageDocumentation
 */
import { chooseBucketMs, Timeline } from "./timeline.js";
import type { TimelineView } from "./timeline.js";
import type { AttributeValue, SpanRecord } from "./types.js";

/** A circuit breaker's state. */
export type BreakerState = "closed" | "open" | "half-open";

/** One breaker: its latest observed state and every change of state seen. */
export interface BreakerView {
  readonly name: string;
  readonly state: BreakerState;
  /** Oldest first; the first entry is the first state seen. At most 1000 (the latest). */
  readonly transitions: readonly { readonly timeMs: number; readonly state: BreakerState }[];
}

/** Usage of one model (by requested model and provider). */
export interface ModelUsageView {
  readonly model: string;
  /** `""` when the spans name no provider. */
  readonly provider: string;
  readonly calls: number;
  readonly errors: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** `GET /api/resilience`. */
export interface ResilienceView {
  readonly retries: { readonly total: number; readonly byName: Record<string, number> };
  /** Sorted by name. */
  readonly breakers: readonly BreakerView[];
  readonly fallbacks: { readonly total: number };
  readonly hedges: { readonly total: number };
  readonly failovers: { readonly total: number };
  /** `hitRate` is hits / (hits + misses), 0 when there were no lookups. */
  readonly cache: { readonly hits: number; readonly misses: number; readonly hitRate: number };
  /** Most calls first. */
  readonly models: readonly ModelUsageView[];
  readonly timeline: TimelineView;
}

/** Options of {@link computeResilience}. */
export interface ResilienceOptions {
  /** Only spans that started at or after this time (ms since the epoch). @defaultValue all */
  readonly sinceMs?: number;
  /** Timeline bucket width; a value too small for the time range is raised. @defaultValue chosen from the range */
  readonly bucketMs?: number;
}

const BREAKER_STATES: ReadonlySet<string> = new Set(["closed", "open", "half-open"]);
const MAX_TRANSITIONS = 1000;

function str(value: AttributeValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function num(value: AttributeValue | undefined): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function isKind(span: SpanRecord, kind: string): boolean {
  return span.name === `tta.${kind}` || span.attributes["tta.primitive.kind"] === kind;
}

interface Observation {
  readonly timeMs: number;
  readonly state: BreakerState;
}

class Tally {
  retries = 0;
  readonly retriesByName: Record<string, number> = Object.create(null) as Record<string, number>;
  fallbacks = 0;
  hedges = 0;
  failovers = 0;
  hits = 0;
  misses = 0;
  readonly breakers = new Map<string, Observation[]>();
  readonly models = new Map<string, { -readonly [K in keyof ModelUsageView]: ModelUsageView[K] }>();

  observe(name: string, timeMs: number, state: BreakerState): void {
    let list = this.breakers.get(name);
    if (list === undefined) this.breakers.set(name, (list = []));
    list.push({ timeMs, state });
  }
}

function tallySpan(span: SpanRecord, tally: Tally, timeline: Timeline | undefined): void {
  const attributes = span.attributes;
  let retries = 0;
  for (const event of span.events) {
    if (event.name === "retry" && isKind(span, "retry")) {
      retries++;
      timeline?.add(event.timeMs, "retries");
    } else if (event.name === "tta.route.hedge") tally.hedges++;
    else if (event.name === "tta.route.failover") tally.failovers++;
    else if (event.name === "tta.route.skip" && event.attributes["tta.route.reason"] === "breaker-open") {
      const model = str(event.attributes["tta.route.model"]);
      if (model !== undefined) tally.observe(`breaker ${model}`, event.timeMs, "open");
    }
  }
  if (retries > 0) {
    const name = str(attributes["tta.primitive.name"]) ?? span.name;
    tally.retries += retries;
    tally.retriesByName[name] = (tally.retriesByName[name] ?? 0) + retries;
  }
  const fallbackIndex = attributes["tta.fallback.index"];
  if (typeof fallbackIndex === "number" && fallbackIndex > 0) {
    tally.fallbacks++;
    timeline?.add(span.startMs, "fallbacks");
  }
  if (isKind(span, "circuit-breaker")) {
    const recorded = str(attributes["tta.circuit.state"]);
    const state =
      recorded !== undefined && BREAKER_STATES.has(recorded)
        ? (recorded as BreakerState)
        : attributes["error.type"] === "CIRCUIT_OPEN"
          ? "open"
          : undefined;
    if (state !== undefined) tally.observe(str(attributes["tta.primitive.name"]) ?? span.name, span.startMs, state);
  }
  const hit = attributes["tta.cache.hit"];
  if (typeof hit === "boolean") {
    if (hit) tally.hits++;
    else tally.misses++;
  }
  const model = str(attributes["gen_ai.request.model"]);
  if (model !== undefined && attributes["gen_ai.operation.name"] !== undefined) {
    const provider = str(attributes["gen_ai.provider.name"]) ?? "";
    const key = `${model}\u0000${provider}`;
    let usage = tally.models.get(key);
    if (usage === undefined) {
      usage = { model, provider, calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
      tally.models.set(key, usage);
    }
    usage.calls++;
    if (span.status.code === "error") usage.errors++;
    usage.inputTokens += num(attributes["gen_ai.usage.input_tokens"]);
    usage.outputTokens += num(attributes["gen_ai.usage.output_tokens"]);
    usage.costUsd += num(attributes["tta.llm.cost_usd"]);
  }
}

function breakerView(name: string, observations: Observation[]): BreakerView {
  observations.sort((a, b) => a.timeMs - b.timeMs);
  const transitions: Observation[] = [];
  for (const observation of observations)
    if (transitions.at(-1)?.state !== observation.state) transitions.push(observation);
  const last = observations.at(-1) as Observation;
  return { name, state: last.state, transitions: transitions.slice(-MAX_TRANSITIONS) };
}

/**
 * Aggregates the resilience view from `spans` (typically `store.spans()`).
 *
 * @example
 * ```ts
 * const view = computeResilience(store.spans(), { sinceMs: Date.now() - 60_000 });
 * console.log(view.retries.total, view.cache.hitRate);
 * ```
 */
export function computeResilience(spans: Iterable<SpanRecord>, options: ResilienceOptions = {}): ResilienceView {
  const sinceMs = options.sinceMs ?? -Infinity;
  const selected: SpanRecord[] = [];
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const span of spans) {
    if (span.startMs < sinceMs) continue;
    selected.push(span);
    if (span.startMs < minMs) minMs = span.startMs;
    if (span.endMs > maxMs) maxMs = span.endMs;
  }
  const bucketMs = chooseBucketMs(selected.length === 0 ? 0 : maxMs - minMs, options.bucketMs);
  const timeline = selected.length === 0 ? undefined : new Timeline(minMs, maxMs, bucketMs);
  const tally = new Tally();
  for (const span of selected) {
    timeline?.add(span.startMs, "spans");
    if (span.status.code === "error") timeline?.add(span.startMs, "errors");
    tallySpan(span, tally, timeline);
  }
  const lookups = tally.hits + tally.misses;
  return {
    retries: { total: tally.retries, byName: { ...tally.retriesByName } },
    breakers: [...tally.breakers.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, observations]) => breakerView(name, observations)),
    fallbacks: { total: tally.fallbacks },
    hedges: { total: tally.hedges },
    failovers: { total: tally.failovers },
    cache: { hits: tally.hits, misses: tally.misses, hitRate: lookups === 0 ? 0 : tally.hits / lookups },
    models: [...tally.models.values()].sort((a, b) => b.calls - a.calls || (a.model < b.model ? -1 : 1)),
    timeline: timeline?.view() ?? { bucketMs, buckets: [] },
  };
}
