/**
 * The bounded in-memory trace store.
 *
 * @packageDocumentation
 */
import { capSpan } from "./limits.js";
import { matchesQuery, queryLimit } from "./query.js";
import type { TraceQuery } from "./query.js";
import { summarize } from "./summary.js";
import type { SummaryEntry } from "./summary.js";
import type { SpanRecord, SpanView, StoreStats, TraceDetail, TraceList, TraceSummary } from "./types.js";

/** Bounds of a {@link TraceStore}. */
export interface TraceStoreOptions {
  /** Traces kept; the oldest (by first-seen time) is evicted for a new one. @defaultValue 1000 */
  readonly maxTraces?: number;
  /** Spans kept per trace; later spans of a full trace are dropped. @defaultValue 2000 */
  readonly maxSpansPerTrace?: number;
  /**
   * Spans kept in all; the oldest traces are evicted to stay within it. At least `maxSpansPerTrace`.
   * @defaultValue 200 000
   */
  readonly maxSpans?: number;
}

/** The store's defaults. */
export const DEFAULT_STORE_OPTIONS = Object.freeze({ maxTraces: 1000, maxSpansPerTrace: 2000, maxSpans: 200_000 });

/** What one {@link TraceStore.ingest} did. */
export interface IngestResult {
  /** Spans stored (new or replacing one with the same id). */
  readonly accepted: number;
  /** Spans dropped because their trace was full. */
  readonly dropped: number;
}

interface TraceEntry {
  readonly traceId: string;
  readonly spans: Map<string, SpanRecord>;
  summary: SummaryEntry | undefined;
}

function toView(span: SpanRecord): SpanView {
  const { traceId: _traceId, ...view } = span;
  return view;
}

/** Each span's depth below its trace's stored roots (a parent not stored counts as a root). */
function depths(spans: ReadonlyMap<string, SpanRecord>): Map<string, number> {
  const depth = new Map<string, number>();
  const of = (span: SpanRecord): number => {
    const known = depth.get(span.spanId);
    if (known !== undefined) return known;
    // Walk up iteratively (a hostile parent chain may be long or cyclic).
    const chain: SpanRecord[] = [];
    const seen = new Set<string>();
    let current: SpanRecord | undefined = span;
    let base = 0;
    while (current !== undefined && !seen.has(current.spanId)) {
      const cached = depth.get(current.spanId);
      if (cached !== undefined) {
        base = cached + 1;
        break;
      }
      seen.add(current.spanId);
      chain.push(current);
      current = current.parentSpanId === undefined ? undefined : spans.get(current.parentSpanId);
    }
    for (let i = chain.length - 1; i >= 0; i--)
      depth.set((chain[i] as SpanRecord).spanId, base + (chain.length - 1 - i));
    return depth.get(span.spanId) ?? 0;
  };
  for (const span of spans.values()) of(span);
  return depth;
}

/**
 * Keeps the newest traces in memory, within fixed bounds: at most `maxTraces` traces (the trace seen
 * first is evicted first), `maxSpansPerTrace` spans per trace (later ones dropped) and `maxSpans` in
 * all, each span within {@link SPAN_LIMITS}. Spans of a trace may arrive in several batches and in any
 * order; a span whose id is already stored replaces it.
 *
 * @example
 * ```ts
 * const store = new TraceStore({ maxTraces: 100 });
 * store.ingest(decodeOtlp(body, "json"));
 * console.log(store.list({ status: "error" }).total, store.stats().spans);
 * ```
 */
export class TraceStore {
  /** The resolved bounds. */
  readonly limits: Readonly<Required<TraceStoreOptions>>;
  /** In first-seen order (Map iteration order), so the first key is the next to evict. */
  readonly #traces = new Map<string, TraceEntry>();
  readonly #listeners = new Set<() => void>();
  readonly #traceListeners = new Set<(traceIds: ReadonlySet<string>) => void>();
  #spanCount = 0;
  #droppedTraces = 0;
  #droppedSpans = 0;
  #rejectedRequests = 0;
  #ingestedSpans = 0;
  #latestTraceId: string | null = null;
  #version = 0;

  /** @param options - bounds; each must be an integer ≥ 1 (the caller validates). */
  constructor(options: TraceStoreOptions = {}) {
    const maxSpansPerTrace = options.maxSpansPerTrace ?? DEFAULT_STORE_OPTIONS.maxSpansPerTrace;
    this.limits = Object.freeze({
      maxTraces: options.maxTraces ?? DEFAULT_STORE_OPTIONS.maxTraces,
      maxSpansPerTrace,
      maxSpans: Math.max(options.maxSpans ?? DEFAULT_STORE_OPTIONS.maxSpans, maxSpansPerTrace),
    });
  }

  /** Increases whenever the stored spans change. */
  get version(): number {
    return this.#version;
  }

  /**
   * Stores `spans` (typically from `decodeOtlp`), evicting the oldest traces as needed, then notifies
   * the change listeners once. Never throws for span content.
   */
  ingest(spans: readonly SpanRecord[]): IngestResult {
    let accepted = 0;
    let dropped = 0;
    const touched = this.#traceListeners.size > 0 ? new Set<string>() : undefined;
    for (const raw of spans) {
      let entry = this.#traces.get(raw.traceId);
      if (entry === undefined) {
        entry = { traceId: raw.traceId, spans: new Map(), summary: undefined };
        this.#traces.set(raw.traceId, entry);
        while (this.#traces.size > this.limits.maxTraces) this.#evictOldest(touched);
      }
      const replacing = entry.spans.has(raw.spanId);
      if (!replacing && entry.spans.size >= this.limits.maxSpansPerTrace) {
        dropped++;
        continue;
      }
      entry.spans.set(raw.spanId, capSpan(raw));
      entry.summary = undefined;
      if (!replacing) this.#spanCount++;
      accepted++;
      this.#latestTraceId = raw.traceId;
      touched?.add(raw.traceId);
      while (this.#spanCount > this.limits.maxSpans) this.#evictOldest(touched);
    }
    this.#droppedSpans += dropped;
    this.#ingestedSpans += accepted;
    if (accepted > 0) {
      this.#version++;
      if (touched !== undefined) for (const listener of this.#traceListeners) listener(touched);
      for (const listener of this.#listeners) listener();
    }
    return { accepted, dropped };
  }

  #evictOldest(touched: Set<string> | undefined): void {
    const oldest = this.#traces.keys().next();
    if (oldest.done === true) return;
    const entry = this.#traces.get(oldest.value) as TraceEntry;
    touched?.add(oldest.value);
    this.#traces.delete(oldest.value);
    this.#spanCount -= entry.spans.size;
    this.#droppedTraces++;
    if (this.#latestTraceId === oldest.value) this.#latestTraceId = null;
  }

  /** Counts a `POST /v1/traces` request answered 400, 413 or 415. */
  recordRejectedRequest(): void {
    this.#rejectedRequests++;
  }

  /**
   * A trace's spans sorted by start time (a parent before its children when they start together), or
   * `undefined` when it is not stored.
   */
  get(traceId: string): TraceDetail | undefined {
    const entry = this.#traces.get(traceId);
    if (entry === undefined) return undefined;
    const depth = depths(entry.spans);
    const spans = [...entry.spans.values()].sort(
      (a, b) => a.startMs - b.startMs || (depth.get(a.spanId) ?? 0) - (depth.get(b.spanId) ?? 0) || b.endMs - a.endMs,
    );
    return { traceId, spans: spans.map(toView) };
  }

  /** A trace's summary, or `undefined` when it is not stored. */
  summary(traceId: string): TraceSummary | undefined {
    const entry = this.#traces.get(traceId);
    return entry === undefined ? undefined : this.#summaryOf(entry).summary;
  }

  #summaryOf(entry: TraceEntry): SummaryEntry {
    entry.summary ??= summarize(entry.traceId, entry.spans);
    return entry.summary;
  }

  /** The traces matching `query`, newest (latest start) first, at most `query.limit`. */
  list(query: TraceQuery = {}): TraceList {
    const matched: TraceSummary[] = [];
    for (const entry of this.#traces.values()) {
      const summary = this.#summaryOf(entry);
      if (matchesQuery(summary, query)) matched.push(summary.summary);
    }
    matched.sort((a, b) => b.startMs - a.startMs);
    return { traces: matched.slice(0, queryLimit(query)), total: matched.length };
  }

  /** Every stored span, trace by trace (oldest trace first). */
  *spans(): IterableIterator<SpanRecord> {
    for (const entry of this.#traces.values()) yield* entry.spans.values();
  }

  /** A trace's spans as stored (first-stored first), or `undefined` when it is not stored. */
  traceSpans(traceId: string): SpanRecord[] | undefined {
    const entry = this.#traces.get(traceId);
    return entry === undefined ? undefined : [...entry.spans.values()];
  }

  /** Counters and sizes. */
  stats(): StoreStats {
    return {
      traces: this.#traces.size,
      spans: this.#spanCount,
      droppedTraces: this.#droppedTraces,
      droppedSpans: this.#droppedSpans,
      rejectedRequests: this.#rejectedRequests,
      ingestedSpans: this.#ingestedSpans,
    };
  }

  /** The trace that received spans last (`null` before any, or once it was evicted). */
  get latestTraceId(): string | null {
    return this.#latestTraceId;
  }

  /**
   * Calls `listener` after every {@link ingest} that stored spans; returns the function that removes it.
   * A throwing listener is the caller's bug: it propagates out of `ingest`.
   */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Calls `listener` after every {@link ingest} that stored spans with the ids of the traces that
   * changed: those that received spans and those evicted (no longer stored); also after
   * {@link clear}. Returns the function that removes it.
   */
  onTracesChange(listener: (traceIds: ReadonlySet<string>) => void): () => void {
    this.#traceListeners.add(listener);
    return () => this.#traceListeners.delete(listener);
  }

  /** Removes every trace (counters are kept). */
  clear(): void {
    const removed = new Set(this.#traces.keys());
    this.#traces.clear();
    this.#spanCount = 0;
    this.#latestTraceId = null;
    this.#version++;
    if (removed.size > 0) for (const listener of this.#traceListeners) listener(removed);
  }
}
