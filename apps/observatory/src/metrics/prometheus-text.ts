/**
 * A reader of the Prometheus text exposition format (version 0.0.4, what prom-client and the
 * OpenTelemetry Prometheus exporter serve).
 *
 * Written here because the npm parsers checked (ADR 0022) merge every series of a labelled histogram
 * into one, or reject a whole scrape over one `NaN`. This one reads line by line: a line it cannot read
 * is counted and skipped, never fatal.
 *
 * @packageDocumentation
 */

/** A metric type, lower case as in `# TYPE`. */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

/** One series: a value, or for histograms and summaries a count and a sum. */
export interface MetricSampleView {
  readonly labels: Readonly<Record<string, string>>;
  /** Counters, gauges, untyped (`NaN`, `+Inf` and `-Inf` arrive as `null`, as in JSON). */
  readonly value?: number | null;
  /** Histograms and summaries (`_count`). */
  readonly count?: number | null;
  /** Histograms and summaries (`_sum`). */
  readonly sum?: number | null;
}

/** One metric family. */
export interface MetricFamilyView {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: readonly MetricSampleView[];
}

/** What {@link parsePrometheusText} read. */
export interface PrometheusText {
  readonly families: MetricFamilyView[];
  /** Sample lines read. */
  readonly sampleLines: number;
  /** Lines that were neither a comment, a blank nor a readable sample. */
  readonly invalidLines: number;
}

interface Family {
  readonly name: string;
  type: MetricType;
  help: string;
  readonly series: Map<
    string,
    { labels: Record<string, string>; value?: number | null; count?: number | null; sum?: number | null }
  >;
}

const TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A sample value: a number, `null` for NaN/±Inf, `undefined` when it is not a value at all. */
function readValue(text: string): number | null | undefined {
  if (NUMBER.test(text)) return Number(text);
  return /^(NaN|[+-]?Inf)$/i.test(text) ? null : undefined;
}

/** Undoes the escapes of a label value (`\\`, `\"`, `\n`) or of a HELP text (`\\`, `\n`). */
function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_all, c: string) => (c === "n" ? "\n" : c));
}

/** Reads `{a="1",b="2"}` from `line` at `at`; returns the labels and where they end, or undefined. */
function readLabels(line: string, at: number): { labels: Record<string, string>; end: number } | undefined {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = at + 1; // after "{"
  for (;;) {
    while (line[i] === " ") i++;
    if (line[i] === "}") return { labels: { ...labels }, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (name === undefined) return undefined;
    i += name.length;
    while (line[i] === " ") i++;
    if (line[i] !== "=" || line[i + 1] !== '"') return undefined;
    i += 2;
    let raw = "";
    for (;;) {
      const c = line[i];
      if (c === undefined) return undefined;
      if (c === "\\") {
        raw += line.slice(i, i + 2);
        i += 2;
      } else if (c === '"') {
        i++;
        break;
      } else {
        raw += c;
        i++;
      }
    }
    labels[name] = unescape(raw);
    while (line[i] === " ") i++;
    if (line[i] === ",") i++;
    else if (line[i] !== "}") return undefined;
  }
}

/** The family a sample name belongs to, given the types declared so far (`h_bucket` → `h`). */
function familyOf(name: string, families: Map<string, Family>): { family: string; part: string } {
  for (const suffix of ["_bucket", "_count", "_sum"]) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === "histogram" || (type === "summary" && suffix !== "_bucket")) return { family: base, part: suffix };
  }
  return { family: name, part: "" };
}

function familyNamed(families: Map<string, Family>, name: string): Family {
  let family = families.get(name);
  if (family === undefined) {
    family = { name, type: "untyped", help: "", series: new Map() };
    families.set(name, family);
  }
  return family;
}

/** The series key: the labels without `le` (histograms) and `quantile` (summaries), in a fixed order. */
function seriesKey(labels: Record<string, string>, type: MetricType): string {
  const drop = type === "histogram" ? "le" : type === "summary" ? "quantile" : undefined;
  const pairs = Object.entries(labels).filter(([key]) => key !== drop);
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(pairs);
}

/** Reads one sample line into `families`; false when the line cannot be read. */
function readSample(line: string, families: Map<string, Family>): boolean {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) return false;
  let i = name.length;
  let labels: Record<string, string> = {};
  if (line[i] === "{") {
    const read = readLabels(line, i);
    if (read === undefined) return false;
    labels = read.labels;
    i = read.end;
  }
  const fields = line.slice(i).trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === "") return false;
  const value = readValue(fields[0]!);
  if (value === undefined) return false;
  const { family: familyName, part } = familyOf(name, families);
  const family = familyNamed(families, familyName);
  const key = seriesKey(labels, family.type);
  let series = family.series.get(key);
  if (series === undefined) {
    const own = { ...labels };
    if (family.type === "histogram") delete own.le;
    if (family.type === "summary") delete own.quantile;
    series = { labels: own };
    family.series.set(key, series);
  }
  if (part === "_count") series.count = value;
  else if (part === "_sum") series.sum = value;
  else if (part === "" && family.type !== "histogram" && family.type !== "summary") series.value = value;
  // Buckets and quantiles are read (the line is valid) but not kept: the page shows counts and sums.
  return true;
}

/**
 * Reads Prometheus text exposition format: `# HELP` and `# TYPE` lines, samples with labels (escapes
 * undone), values including `NaN` and `±Inf`, optional timestamps (ignored). Histogram and summary
 * series are grouped by their labels without `le` / `quantile` into one sample with `count` and `sum`.
 */
export function parsePrometheusText(text: string): PrometheusText {
  const families = new Map<string, Family>();
  let sampleLines = 0;
  let invalidLines = 0;
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const meta = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (meta === null) continue; // a plain comment
      const family = familyNamed(families, meta[2]!);
      const rest = meta[3] ?? "";
      if (meta[1] === "HELP") family.help = unescape(rest);
      else if (TYPES.has(rest.trim()) && family.series.size === 0) family.type = rest.trim() as MetricType;
      continue;
    }
    if (readSample(line, families)) sampleLines++;
    else invalidLines++;
  }
  const out: MetricFamilyView[] = [];
  for (const family of families.values()) {
    if (family.series.size === 0) continue;
    out.push({ name: family.name, type: family.type, help: family.help, samples: [...family.series.values()] });
  }
  return { families: out, sampleLines, invalidLines };
}
