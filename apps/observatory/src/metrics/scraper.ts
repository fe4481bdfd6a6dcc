/**
 * Scrapes Prometheus endpoints (an app's `/metrics`, e.g. `setupObservability({ metrics: { port } })`)
 * for the `tta_*` and `gen_ai_*` metrics the page shows beside the spans.
 *
 * @packageDocumentation
 */
import { ObservatoryError } from "../errors.js";
import { parseScrape } from "./families.js";
import type { MetricFamilyView } from "./prometheus-text.js";

/** Bounds of a scraper. */
export interface ScraperOptions {
  /** Time between the end of one round of scrapes and the start of the next. */
  readonly intervalMs: number;
  /** Largest response body read from a target, in bytes. @defaultValue 4 MiB */
  readonly maxBodyBytes?: number;
  /** Series kept per target. @defaultValue 10 000 */
  readonly maxSeries?: number;
  /** Called after each round (the page's live updates). */
  readonly onScrape?: () => void;
}

/** One target's last scrape. */
export interface ScrapeTargetView {
  readonly url: string;
  /** Whether the last scrape worked; `undefined` before the first one. */
  readonly up: boolean | undefined;
  /** When the last scrape finished, epoch ms. */
  readonly scrapedAtMs?: number;
  /** Why the last scrape failed (no response body is ever quoted). */
  readonly error?: string;
  readonly series: number;
  /** Series left out (over the bound, or not a number). */
  readonly skipped: number;
}

/** What `GET /api/metrics` answers. */
export interface MetricsView {
  readonly intervalMs: number;
  readonly targets: readonly ScrapeTargetView[];
  /** The families of every target that answered, each with its target's URL. */
  readonly families: readonly (MetricFamilyView & { readonly target: string })[];
}

interface TargetState {
  view: ScrapeTargetView;
  families: MetricFamilyView[];
}

/** Most targets one observatory scrapes. */
export const MAX_SCRAPE_TARGETS = 16;

/**
 * Validates a scrape target: an absolute `http:`/`https:` URL without credentials (they would show on
 * the page and in `/api/metrics`). Returns it normalised.
 *
 * @throws {@link ObservatoryError} `INVALID_OPTIONS` naming `option`.
 */
export function scrapeTargetUrl(value: unknown, option: string): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw new ObservatoryError("INVALID_OPTIONS", `startObservatory: ${option} must be an http:// or https:// URL`);
  if (url.username !== "" || url.password !== "")
    throw new ObservatoryError("INVALID_OPTIONS", `startObservatory: ${option} must not contain credentials`);
  return url.href;
}

/** Why a fetch failed, in a few words (the network error's code, not its full text). */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `no answer within ${timeoutMs} ms`;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string")
      return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH"
        ? `cannot connect (${code})`
        : `network error (${code})`;
  }
  return error instanceof Error ? error.message : "request failed";
}

/** Reads at most `limit` bytes of `response`'s body as UTF-8, or throws a message saying it is larger. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const length = Number(response.headers.get("content-length"));
  if (Number.isFinite(length) && length > limit) throw new Error(`body over ${limit} bytes`);
  if (response.body === null) return "";
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Scrapes its targets every `intervalMs` (rounds never overlap) and keeps each one's last answer.
 * A target that fails (refused, timed out, not 2xx, too large, unreadable) is shown as down with the
 * reason, and keeps being tried; nothing it sends can stop the observatory.
 */
export class MetricsScraper {
  readonly #targets = new Map<string, TargetState>();
  readonly #intervalMs: number;
  readonly #maxBodyBytes: number;
  readonly #maxSeries: number;
  readonly #onScrape: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #inFlight = new AbortController();
  #closed = false;
  /** A target was added during a round: the next round starts at once. */
  #soon = false;

  constructor(options: ScraperOptions) {
    this.#intervalMs = options.intervalMs;
    this.#maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.#maxSeries = options.maxSeries ?? 10_000;
    this.#onScrape = options.onScrape;
  }

  /**
   * Adds a target (ignored when already there) and scrapes it soon.
   * @throws {@link ObservatoryError} `INVALID_OPTIONS` for a bad URL or more than {@link MAX_SCRAPE_TARGETS}.
   */
  add(url: string): void {
    const href = scrapeTargetUrl(url, "scrape target");
    if (this.#targets.has(href)) return;
    if (this.#targets.size >= MAX_SCRAPE_TARGETS)
      throw new ObservatoryError("INVALID_OPTIONS", `startObservatory: at most ${MAX_SCRAPE_TARGETS} scrape targets`);
    this.#targets.set(href, { view: { url: href, up: undefined, series: 0, skipped: 0 }, families: [] });
    this.#schedule(0);
  }

  /**
   * Scrapes every target now and resolves when done. A round already in progress (it may have read a
   * target before its latest changes) is waited for first, then a fresh one runs.
   */
  async scrapeNow(): Promise<void> {
    if (this.#round !== undefined) await this.#round;
    if (this.#closed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#runRound();
  }

  /** The targets and what they last answered. */
  view(): MetricsView {
    const families: (MetricFamilyView & { target: string })[] = [];
    for (const { view, families: own } of this.#targets.values())
      for (const family of own) families.push({ ...family, target: view.url });
    return { intervalMs: this.#intervalMs, targets: [...this.#targets.values()].map((t) => t.view), families };
  }

  /** Stops scraping and abandons the requests in flight. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight.abort();
    await this.#round;
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    if (this.#round !== undefined) {
      if (delayMs === 0) this.#soon = true; // the round in progress schedules the next
      return;
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#runRound();
    }, delayMs);
    this.#timer.unref();
  }

  #runRound(): Promise<void> {
    this.#round ??= (async () => {
      try {
        await Promise.all([...this.#targets.values()].map((target) => this.#scrape(target)));
        this.#onScrape?.();
      } finally {
        this.#round = undefined;
        const soon = this.#soon;
        this.#soon = false;
        this.#schedule(soon ? 0 : this.#intervalMs);
      }
    })();
    return this.#round;
  }

  async #scrape(target: TargetState): Promise<void> {
    const { url } = target.view;
    const timeoutMs = Math.min(this.#intervalMs, 10_000);
    let text: string;
    try {
      const response = await fetch(url, {
        headers: { accept: "text/plain;version=0.0.4" },
        redirect: "error",
        signal: AbortSignal.any([this.#inFlight.signal, AbortSignal.timeout(timeoutMs)]),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      text = await readLimited(response, this.#maxBodyBytes);
    } catch (error) {
      this.#fail(target, describeFailure(error, timeoutMs));
      return;
    }
    try {
      const parsed = parseScrape(text, this.#maxSeries);
      target.families = parsed.families;
      target.view = { url, up: true, scrapedAtMs: Date.now(), series: parsed.series, skipped: parsed.skipped };
    } catch (error) {
      this.#fail(target, error instanceof Error ? error.message : "not Prometheus text format");
    }
  }

  #fail(target: TargetState, error: string): void {
    if (this.#closed) return;
    target.families = [];
    target.view = { url: target.view.url, up: false, scrapedAtMs: Date.now(), error, series: 0, skipped: 0 };
  }
}
