/**
 * A bounded streaming latency estimate: two rotating log-bucket histograms.
 *
 * @packageDocumentation
 */

/** Bucket 0 holds latencies below 1 ms; bucket `i ≥ 1` holds `[RATIO^(i-1), RATIO^i)` ms. */
const RATIO = 1.15;
const LOG_RATIO = Math.log(RATIO);
/** 1.15^100 ≈ 1.2e6 ms (20 minutes); longer latencies land in the last bucket. */
const BUCKETS = 101;
/** Observations per half-window: the estimate covers the last 256–512 successful calls. */
const HALF_WINDOW = 256;
/** Quantiles are recomputed at most once per this many observations. */
const REFRESH_EVERY = 8;

/**
 * Latency quantiles of a candidate's recent calls, in constant memory.
 *
 * @remarks
 * Observations go into the current histogram; when it holds {@link HALF_WINDOW} of them it becomes the
 * previous one and a cleared histogram takes its place, so the estimate follows the last 256–512 calls
 * (a provider that got slower shows it within a few hundred calls) and memory never grows. A quantile is
 * read as the geometric middle of its bucket: within ±7.5 % of an observed value. Reads are cached and
 * refreshed every few observations, so the hot path costs one `Math.log` and two array writes.
 * @internal
 */
export class LatencyEstimate {
  #current = new Uint32Array(BUCKETS);
  #previous = new Uint32Array(BUCKETS);
  #currentCount = 0;
  #previousCount = 0;
  #sinceRefresh = REFRESH_EVERY;
  #p50 = 0;
  #p95 = 0;
  #p99 = 0;

  /** Observations the estimate currently covers (257 to 512 once warmed up). */
  get count(): number {
    return this.#currentCount + this.#previousCount;
  }

  /** Records one latency in ms (negative or non-finite values are ignored). */
  observe(ms: number): void {
    if (!(ms >= 0) || ms === Infinity) return;
    const index = ms < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms) / LOG_RATIO));
    if (this.#currentCount === HALF_WINDOW) {
      const cleared = this.#previous;
      cleared.fill(0);
      this.#previous = this.#current;
      this.#previousCount = HALF_WINDOW;
      this.#current = cleared;
      this.#currentCount = 0;
    }
    this.#current[index]! += 1;
    this.#currentCount += 1;
    this.#sinceRefresh += 1;
  }

  /** Median latency in ms (0 with no observation). */
  get p50(): number {
    this.#refresh();
    return this.#p50;
  }

  /** 95th percentile latency in ms (0 with no observation). */
  get p95(): number {
    this.#refresh();
    return this.#p95;
  }

  /** 99th percentile latency in ms (0 with no observation). */
  get p99(): number {
    this.#refresh();
    return this.#p99;
  }

  /** Any quantile `q` in [0, 1], computed now (0 with no observation). */
  quantile(q: number): number {
    const total = this.count;
    if (total === 0) return 0;
    const target = Math.max(1, Math.ceil(q * total));
    const current = this.#current;
    const previous = this.#previous;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += current[i]! + previous[i]!;
      if (seen >= target) return i === 0 ? 0.5 : Math.pow(RATIO, i - 0.5);
    }
    return Math.pow(RATIO, BUCKETS - 1.5);
  }

  #refresh(): void {
    if (this.#sinceRefresh < REFRESH_EVERY) return;
    this.#sinceRefresh = 0;
    this.#p50 = this.quantile(0.5);
    this.#p95 = this.quantile(0.95);
    this.#p99 = this.quantile(0.99);
  }
}
