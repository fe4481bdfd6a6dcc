/**
 * The resilience timeline: counts per fixed-width time bucket.
 *
 * @packageDocumentation
 */

/** One bucket of the timeline. */
export interface TimelineBucket {
  /** Start of the bucket, ms since the epoch (a multiple of `bucketMs`). */
  readonly startMs: number;
  /** Spans that started in the bucket. */
  readonly spans: number;
  /** Failed spans that started in the bucket. */
  readonly errors: number;
  /** `retry` events in the bucket. */
  readonly retries: number;
  /** Spans answered by a fallback that started in the bucket. */
  readonly fallbacks: number;
}

/** The timeline of `GET /api/resilience`. */
export interface TimelineView {
  readonly bucketMs: number;
  /** Oldest first, every bucket from the first span to the last (empty ones included). */
  readonly buckets: readonly TimelineBucket[];
}

/** Bucket widths the timeline picks from, ms. */
const STEPS = [
  100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];
/** Most buckets an automatic width gives. */
const TARGET_BUCKETS = 60;
/** Most buckets ever returned (an explicit width is raised to stay within it). */
const MAX_BUCKETS = 240;

/**
 * The bucket width for a time range: `requested` when given and it yields at most 240 buckets, else the
 * smallest step (100 ms … 1 day) that gives at most 60 buckets.
 */
export function chooseBucketMs(rangeMs: number, requested?: number): number {
  if (requested !== undefined && requested > 0 && rangeMs / requested <= MAX_BUCKETS) return requested;
  for (const step of STEPS) if (rangeMs / step <= TARGET_BUCKETS) return step;
  return Math.ceil(rangeMs / TARGET_BUCKETS);
}

type Counter = "spans" | "errors" | "retries" | "fallbacks";

/** Counts per bucket over `[fromMs, toMs]`. */
export class Timeline {
  readonly #bucketMs: number;
  readonly #firstMs: number;
  readonly #counts: Record<Counter, number>[];

  constructor(fromMs: number, toMs: number, bucketMs: number) {
    this.#bucketMs = bucketMs;
    this.#firstMs = Math.floor(fromMs / bucketMs) * bucketMs;
    const size = Math.floor((toMs - this.#firstMs) / bucketMs) + 1;
    this.#counts = Array.from({ length: size }, () => ({ spans: 0, errors: 0, retries: 0, fallbacks: 0 }));
  }

  /** Adds one to `counter` in the bucket of `timeMs` (times outside the range go to the nearest end). */
  add(timeMs: number, counter: Counter): void {
    const index = Math.floor((timeMs - this.#firstMs) / this.#bucketMs);
    const bucket = this.#counts[Math.min(Math.max(index, 0), this.#counts.length - 1)];
    if (bucket !== undefined) bucket[counter]++;
  }

  view(): TimelineView {
    return {
      bucketMs: this.#bucketMs,
      buckets: this.#counts.map((counts, i) => ({ startMs: this.#firstMs + i * this.#bucketMs, ...counts })),
    };
  }
}
