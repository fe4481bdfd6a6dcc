/**
 * The demo's side of the observatory: start it on the first free port from the one asked for, and
 * check (for `--once`) that it holds one trace per ticket of the batch and scrapes the demo's metrics.
 *
 * @packageDocumentation
 */

/** What the demo uses of a running observatory (`startObservatory` of `@tta/observatory`). */
export interface ObservatoryHandle {
  readonly url: string;
  readonly port: number;
  /** Adds a Prometheus endpoint for the observatory to scrape (the demo's own `/metrics`). */
  addScrapeTarget(url: string): void;
  /** Scrapes the targets now. */
  scrapeNow(): Promise<void>;
  close(): Promise<void>;
}

/** Starts an observatory on `port` of 127.0.0.1 (0: any free port). */
export type StartObservatory = (options: { host: string; port: number }) => Promise<ObservatoryHandle>;

/** Whether an error (or one of its causes) says the port is taken. */
function portInUse(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE" || e.message.includes("EADDRINUSE")) return true;
  }
  return false;
}

/**
 * Starts the observatory on `port`, or on the next of `tries` ports when it is taken; `note` says so.
 *
 * @example
 * ```ts
 * const { observatory, note } = await startObservatoryNear(startObservatory, 4318);
 * ```
 */
export async function startObservatoryNear(
  start: StartObservatory,
  port: number,
  tries = 10,
): Promise<{ observatory: ObservatoryHandle; note: string | undefined }> {
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
    throw new RangeError(`the observatory port must be an integer from 0 to 65535, got ${port}`);
  const last = port === 0 ? 0 : Math.min(65_535, port + tries - 1);
  for (let candidate = port; ; candidate++) {
    try {
      const observatory = await start({ host: "127.0.0.1", port: candidate });
      const note = candidate === port ? undefined : `port ${port} is in use; the observatory took port ${candidate}`;
      return { observatory, note };
    } catch (error) {
      if (!portInUse(error) || candidate >= last) {
        if (portInUse(error))
          throw new Error(`ports ${port}–${last} are all in use; set OBSERVATORY_PORT to a free one`, {
            cause: error,
          });
        throw error;
      }
    }
  }
}

/** The parts of `/api/traces` and `/api/stats` the check reads. */
interface TraceList {
  readonly traces: readonly { readonly traceId: string; readonly workflowId?: string }[];
}
interface Stats {
  readonly traces: number;
  readonly spans: number;
  readonly droppedTraces: number;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${new URL(url).pathname} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The outcome of {@link checkTraces}. */
export interface TraceCheck {
  readonly ok: boolean;
  /** One line, e.g. `observatory holds 12 traces for 12 tickets: ok`. */
  readonly message: string;
}

/**
 * Checks that the observatory at `url` holds exactly one trace per workflow id of the batch, polling
 * (every 100 ms, at most `waitMs`) since ingestion may trail the exporter's flush by a moment.
 */
export async function checkTraces(url: string, workflowIds: readonly string[], waitMs = 5_000): Promise<TraceCheck> {
  const wanted = new Set(workflowIds);
  const began = Date.now();
  for (;;) {
    let failure: string;
    try {
      const [list, stats] = await Promise.all([
        getJson<TraceList>(`${url}/api/traces?limit=1000`),
        getJson<Stats>(`${url}/api/stats`),
      ]);
      const perWorkflow = new Map<string, number>();
      for (const trace of list.traces)
        if (trace.workflowId !== undefined && wanted.has(trace.workflowId))
          perWorkflow.set(trace.workflowId, (perWorkflow.get(trace.workflowId) ?? 0) + 1);
      const held = [...perWorkflow.values()].reduce((sum, n) => sum + n, 0);
      const missing = workflowIds.filter((id) => !perWorkflow.has(id));
      const split = [...perWorkflow].filter(([, n]) => n > 1).map(([id]) => id);
      const summary = `observatory holds ${held} traces for ${workflowIds.length} tickets`;
      const detail = `(${stats.spans} spans stored, ${stats.droppedTraces} traces dropped)`;
      if (missing.length === 0 && split.length === 0) return { ok: true, message: `${summary}: ok ${detail}` };
      failure = `${summary}: FAILED ${detail}${missing.length > 0 ? `; no trace for ${missing.slice(0, 5).join(", ")}` : ""}${
        split.length > 0 ? `; split into several traces: ${split.slice(0, 5).join(", ")}` : ""
      }`;
    } catch (error) {
      failure = `observatory check: FAILED (${error instanceof Error ? error.message : String(error)})`;
    }
    if (Date.now() - began >= waitMs) return { ok: false, message: failure };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The parts of `/api/metrics` {@link checkMetrics} reads. */
interface MetricsAnswer {
  readonly targets: readonly { readonly url: string; readonly up?: boolean; readonly error?: string }[];
  readonly families: readonly { readonly name: string; readonly samples: readonly unknown[] }[];
}

/**
 * Checks that the observatory at `url` scrapes `target` and holds the demo's `tta_*` metrics (after
 * asking it to scrape once more, so the batch's last tickets are counted).
 */
export async function checkMetrics(observatory: ObservatoryHandle, target: string): Promise<TraceCheck> {
  try {
    await observatory.scrapeNow();
    const answer = await getJson<MetricsAnswer>(`${observatory.url}/api/metrics`);
    const scraped = answer.targets.find((t) => t.url === target);
    const series = answer.families.reduce((sum, f) => sum + f.samples.length, 0);
    const executions = answer.families.some((f) => f.name === "tta_primitive_executions_total");
    const summary = `observatory scraped ${series} tta_*/gen_ai_* series from ${target}`;
    if (scraped?.up === true && executions) return { ok: true, message: `${summary}: ok` };
    const why =
      scraped === undefined
        ? "not a target"
        : scraped.up !== true
          ? (scraped.error ?? "down")
          : "no tta_primitive_executions_total";
    return { ok: false, message: `${summary}: FAILED (${why})` };
  } catch (error) {
    return {
      ok: false,
      message: `observatory metrics check: FAILED (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}
