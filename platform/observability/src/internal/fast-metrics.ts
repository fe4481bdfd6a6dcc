/**
 * Hot-path metric updates without per-call label hashing.
 *
 * prom-client's `counter.inc(labels)` and `histogram.observe(labels, v)` validate and hash the
 * label object on every call (~230 ns and ~290 ns here), which is more than the primitive
 * execution they measure. These two helpers keep per-series numbers in plain objects that the
 * caller caches, and hand them to the registry when it is collected (at scrape time), exactly.
 */
import type { Counter, LabelValues, Metric, MetricValueWithName, Registry } from "prom-client";
import { Counter as PromCounter } from "prom-client";

/** One series of a {@link BufferedCounter}: increment `pending` on the hot path. */
export interface CounterCell {
  pending: number;
}

/**
 * A prom-client `Counter` whose hot-path increments go to cached {@link CounterCell}s and are added
 * to the counter (one `inc` per series) when the registry collects it.
 */
export class BufferedCounter<L extends string> {
  /** The registered prom-client counter (also usable directly). */
  readonly counter: Counter<L>;
  readonly #cells: { readonly labels: LabelValues<L>; readonly cell: CounterCell }[] = [];

  constructor(config: { name: string; help: string; labelNames: L[]; registers: Registry[] }) {
    const flush = (): void => this.flush();
    this.counter = new PromCounter<L>({ ...config, collect: flush });
  }

  /** A new cell for `labels` (cache it: one cell per label set). */
  cell(labels: LabelValues<L>): CounterCell {
    const cell = { pending: 0 };
    this.#cells.push({ labels, cell });
    return cell;
  }

  /** Adds every pending increment to the counter. */
  flush(): void {
    for (const { labels, cell } of this.#cells) {
      if (cell.pending === 0) continue;
      const amount = cell.pending;
      cell.pending = 0;
      this.counter.inc(labels, amount);
    }
  }
}

/** What {@link AggregatedHistogram.get} returns (prom-client's `get()` shape for a histogram). */
export interface HistogramExport {
  readonly name: string;
  readonly help: string;
  readonly type: "histogram";
  readonly aggregator: "sum";
  readonly values: MetricValueWithName<string>[];
}

/** One series of an {@link AggregatedHistogram}: pass it to `record` on the hot path. */
export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram with the prom-client metric interface (`name`, `help`, `type`, `get()`, `reset()`,
 * `observe(labels, value)`) that aggregates into cached {@link HistogramSeries} with no hashing, and
 * exports exactly what a prom-client `Histogram` with the same buckets would.
 */
export class AggregatedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram" as const;
  readonly aggregator = "sum" as const;
  readonly labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(config: {
    name: string;
    help: string;
    labelNames: string[];
    buckets: readonly number[];
    registers: Registry[];
  }) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = [...config.labelNames];
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
    // prom-client's registry uses only name, get() and reset() of a metric; the type says "one of its classes".
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series for `labels` (created empty on first use); cache it for the hot path. */
  series(labels: Readonly<Record<string, string>>): HistogramSeries {
    const key = this.labelNames.map((name) => labels[name] ?? "").join("\u0000");
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels: { ...labels }, counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  /** Adds one observation to `series`. */
  record(series: HistogramSeries, value: number): void {
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index++;
    series.counts[index] = (series.counts[index] as number) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** prom-client-style `observe(labels, value)` (slower: looks the series up). */
  observe(labels: Readonly<Record<string, string>>, value: number): void {
    if (Number.isFinite(value)) this.record(this.series(labels), value);
  }

  /** Forgets every observation (series stay, at zero). */
  reset(): void {
    for (const series of this.#series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }

  /** The metric in prom-client's export format: cumulative `_bucket`s, `_sum`, `_count`. */
  get(): Promise<HistogramExport> {
    const values: MetricValueWithName<string>[] = [];
    for (const series of this.#series.values()) {
      if (series.count === 0) continue;
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...series.labels }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: "histogram", values, aggregator: "sum" });
  }
}
