/**
 * The `tta_*` and `gen_ai_*` metric families of a Prometheus scrape, as the page shows them.
 *
 * @packageDocumentation
 */
import { parsePrometheusText } from "./prometheus-text.js";
import type { MetricFamilyView, MetricSampleView } from "./prometheus-text.js";

/** What a scrape's text held, once filtered. */
export interface ParsedScrape {
  readonly families: MetricFamilyView[];
  /** Series kept (at most `maxSeries`). */
  readonly series: number;
  /** Series left out over `maxSeries`, plus lines that could not be read. */
  readonly skipped: number;
}

/** The families the observatory keeps: TTA's own and the OpenTelemetry GenAI client metrics. */
export const KEPT_METRIC_PREFIXES: readonly string[] = ["tta_", "gen_ai_"];

/**
 * Reads a scrape and keeps the `tta_*` and `gen_ai_*` families, at most `maxSeries` series in all.
 *
 * @throws `Error("not Prometheus text format")` when the text has lines but none of them is a sample
 * or a comment (an HTML page, say).
 */
export function parseScrape(text: string, maxSeries: number): ParsedScrape {
  const read = parsePrometheusText(text);
  if (read.sampleLines === 0 && read.invalidLines > 0) throw new Error("not Prometheus text format");
  const families: MetricFamilyView[] = [];
  let series = 0;
  let skipped = read.invalidLines;
  for (const family of read.families) {
    if (!KEPT_METRIC_PREFIXES.some((prefix) => family.name.startsWith(prefix))) continue;
    const room = Math.max(0, maxSeries - series);
    const samples: MetricSampleView[] = family.samples.slice(0, room);
    skipped += family.samples.length - samples.length;
    series += samples.length;
    if (samples.length > 0) families.push({ ...family, samples });
  }
  return { families, series, skipped };
}
