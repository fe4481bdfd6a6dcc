// The observatory page: wires the trace list, the waterfall, the span detail and the resilience
// panel to the API, and refreshes them on `/api/events` updates.
//
// SECURITY RULE (for every module in this folder): span names, attribute keys and values, event
// names, service, model and breaker names, ids — everything that comes from telemetry — is untrusted.
// It is rendered only through `textContent`, or through `setAttribute` on `data-*`, `title` and
// `class` attributes (class values from fixed lists). Never `innerHTML`, `outerHTML`,
// `insertAdjacentHTML` or `document.write`; never a URL (`href`, `src`, `action`) built from data;
// never `eval`, `new Function` or `setTimeout`/`setInterval` with a string. The Content-Security-Policy
// (`script-src 'self'`, no inline scripts or styles) is the second line of defence, not the first.

import { ApiError, createApi, pageToken } from "./api.js";
import { byId } from "./dom.js";
import { formatCount } from "./format.js";
import { MetricsPanel } from "./metrics.js";
import { ResiliencePanel } from "./resilience.js";
import { renderSpanDetail } from "./span-detail.js";
import { throttle } from "./throttle.js";
import { TraceList } from "./trace-list.js";
import { Waterfall } from "./waterfall.js";

/** The most traces listed (the server keeps 1,000 by default). */
const LIST_LIMIT = 1000;
/** The list and the counts are refreshed at most this often on live updates. */
const LIST_INTERVAL_MS = 1000;
/** The resilience panel is recomputed at most this often on live updates. */
const RESILIENCE_INTERVAL_MS = 2000;
/** Poll this often while the event stream is down. */
const POLL_INTERVAL_MS = 10_000;

const api = createApi({ token: pageToken() });

const banner = byId("banner");
const connection = byId("connection");
const liveToggle = /** @type {HTMLInputElement} */ (byId("live"));
const detail = byId("span-detail");

const stats = {
  traces: byId("stat-traces"),
  spans: byId("stat-spans"),
  ingested: byId("stat-ingested"),
  droppedTraces: byId("stat-dropped-traces"),
  droppedSpans: byId("stat-dropped-spans"),
  rejected: byId("stat-rejected"),
};

const waterfall = new Waterfall(
  { summary: byId("waterfall-summary"), body: byId("waterfall") },
  { onSelectSpan: (span, traceStartMs) => renderSpanDetail(detail, span, traceStartMs) },
);

const list = new TraceList(
  {
    list: byId("trace-list"),
    count: byId("trace-count"),
    empty: byId("trace-empty"),
    workflow: /** @type {HTMLInputElement} */ (byId("filter-workflow")),
    status: /** @type {HTMLSelectElement} */ (byId("filter-status")),
    minDuration: /** @type {HTMLInputElement} */ (byId("filter-min-duration")),
    model: /** @type {HTMLSelectElement} */ (byId("filter-model")),
    query: /** @type {HTMLInputElement} */ (byId("filter-query")),
    clear: /** @type {HTMLButtonElement} */ (byId("filter-clear")),
  },
  {
    onSelect: (traceId) => void selectTrace(traceId),
    onFilterChange: () => void refreshList(),
  },
);

const resilience = new ResiliencePanel({
  retries: byId("res-retries"),
  retriesDetail: byId("res-retries-detail"),
  fallbacks: byId("res-fallbacks"),
  hedges: byId("res-hedges"),
  failovers: byId("res-failovers"),
  cacheHitRate: byId("res-cache-hit-rate"),
  cacheDetail: byId("res-cache-detail"),
  models: byId("models"),
  breakers: byId("breakers"),
  chart: byId("timeline-chart"),
  bucket: byId("timeline-bucket"),
});
const resilienceWindow = /** @type {HTMLSelectElement} */ (byId("resilience-window"));
const metrics = new MetricsPanel({ targets: byId("scrape-targets"), table: byId("metrics") });

/** @type {{ selected?: string, selectedSignature?: string, listAbort?: AbortController,
 *   traceAbort?: AbortController, streamLive: boolean }} */
const state = { streamLive: false };

// ---- loading -------------------------------------------------------------------------------------

async function refreshList() {
  state.listAbort?.abort();
  const abort = new AbortController();
  state.listAbort = abort;
  try {
    const data = await api.getJson("/api/traces", { ...list.params(), limit: LIST_LIMIT }, abort.signal);
    const traces = Array.isArray(data?.traces) ? data.traces : [];
    list.render(traces, typeof data?.total === "number" ? data.total : traces.length);
    clearError();
    const first = traces[0];
    if (state.selected === undefined && typeof first?.traceId === "string") {
      // Nothing chosen yet (page just opened, or the first trace just arrived): show the newest.
      void selectTrace(first.traceId);
    } else if (state.selected !== undefined) {
      // Reload the open trace when more of its spans arrived.
      const summary = traces.find((/** @type {any} */ t) => t?.traceId === state.selected);
      if (summary && signatureOf(summary) !== state.selectedSignature) void loadTrace(state.selected, summary);
    }
  } catch (error) {
    if (!abort.signal.aborted) showError(error);
  }
}

/** @param {any} summary */
function signatureOf(summary) {
  return `${summary?.spanCount}|${summary?.durationMs}|${summary?.errorCount}`;
}

/** @param {string} traceId */
async function selectTrace(traceId) {
  if (traceId === state.selected) return;
  state.selected = traceId;
  list.select(traceId);
  await loadTrace(traceId, undefined);
}

/**
 * @param {string} traceId
 * @param {any} summary the list entry the load answers (for change detection)
 */
async function loadTrace(traceId, summary) {
  state.traceAbort?.abort();
  const abort = new AbortController();
  state.traceAbort = abort;
  try {
    const trace = await api.getJson(`/api/traces/${encodeURIComponent(traceId)}`, undefined, abort.signal);
    if (state.selected !== traceId) return;
    state.selectedSignature = signatureOf(
      summary ?? { spanCount: trace?.spans?.length, durationMs: undefined, errorCount: undefined },
    );
    waterfall.show(trace);
  } catch (error) {
    if (abort.signal.aborted) return;
    if (error instanceof ApiError && error.status === 404) {
      waterfall.clear("This trace is no longer stored (the oldest traces are evicted).");
    } else {
      showError(error);
    }
  }
}

async function refreshStats() {
  try {
    const s = await api.getJson("/api/stats");
    stats.traces.textContent = formatCount(s?.traces);
    stats.spans.textContent = formatCount(s?.spans);
    stats.ingested.textContent = formatCount(s?.ingestedSpans);
    stats.droppedTraces.textContent = formatCount(s?.droppedTraces);
    stats.droppedSpans.textContent = formatCount(s?.droppedSpans);
    stats.rejected.textContent = formatCount(s?.rejectedRequests);
    for (const [el, value] of [
      [stats.droppedTraces, s?.droppedTraces],
      [stats.droppedSpans, s?.droppedSpans],
      [stats.rejected, s?.rejectedRequests],
    ]) {
      el.classList.toggle("is-warning", typeof value === "number" && value > 0);
    }
  } catch (error) {
    showError(error);
  }
}

/** Refreshes the resilience panel now (`schedule(true)`) or at most every RESILIENCE_INTERVAL_MS. */
const resilienceRefresh = throttle(() => void refreshResilience(), RESILIENCE_INTERVAL_MS);

async function refreshResilience() {
  const windowMs = Number(resilienceWindow.value);
  const params = windowMs > 0 ? { sinceMs: Date.now() - windowMs } : {};
  try {
    const data = await api.getJson("/api/resilience", params);
    list.addModels(resilience.update(data));
  } catch (error) {
    showError(error);
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let metricsTimer;

/**
 * Asks for the metrics again after `ms`, or (paused, or the page hidden) checks again after `ms`.
 * @param {number} ms
 */
function scheduleMetrics(ms) {
  clearTimeout(metricsTimer);
  metricsTimer = setTimeout(() => {
    if (liveToggle.checked && !document.hidden) void refreshMetrics();
    else scheduleMetrics(ms);
  }, ms);
}

/**
 * Shows the scraped metrics, then asks again after the server's scrape interval (every
 * POLL_INTERVAL_MS while there is no target yet: one may be added while the page is open).
 */
async function refreshMetrics() {
  clearTimeout(metricsTimer);
  let againMs;
  try {
    const intervalMs = metrics.update(await api.getJson("/api/metrics"));
    againMs = intervalMs > 0 ? Math.max(1000, intervalMs) : POLL_INTERVAL_MS;
  } catch (error) {
    showError(error);
    againMs = POLL_INTERVAL_MS;
  }
  scheduleMetrics(againMs);
}

/** Refreshes everything (on load, on the Refresh button, on live updates). */
function refreshAll() {
  void refreshList();
  void refreshStats();
  resilienceRefresh.schedule();
}

/** Live updates refresh the list and the counts at most every LIST_INTERVAL_MS. */
const liveRefresh = throttle(refreshAll, LIST_INTERVAL_MS);

// ---- live updates --------------------------------------------------------------------------------

let pendingWhilePaused = false;

function onUpdate() {
  if (!liveToggle.checked || document.hidden) {
    pendingWhilePaused = true;
    byId("refresh").classList.toggle("has-news", true);
    return;
  }
  liveRefresh.schedule();
}

api.openEvents({
  onUpdate,
  onStatus: (status) => {
    state.streamLive = status === "live";
    connection.textContent = status;
    connection.setAttribute("data-state", status);
  },
});

setInterval(() => {
  if (!state.streamLive && liveToggle.checked && !document.hidden) refreshAll();
}, POLL_INTERVAL_MS);

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && pendingWhilePaused && liveToggle.checked) catchUp();
});

liveToggle.addEventListener("change", () => {
  if (liveToggle.checked && pendingWhilePaused) catchUp();
});

byId("refresh").addEventListener("click", () => {
  catchUp();
  resilienceRefresh.schedule(true);
  void refreshMetrics();
});

resilienceWindow.addEventListener("change", () => resilienceRefresh.schedule(true));

byId("filters").addEventListener("submit", (event) => event.preventDefault());

function catchUp() {
  pendingWhilePaused = false;
  byId("refresh").classList.toggle("has-news", false);
  refreshAll();
}

// ---- errors --------------------------------------------------------------------------------------

/** @param {unknown} error */
function showError(error) {
  const unauthorized = error instanceof ApiError && (error.status === 401 || error.status === 403);
  banner.textContent = unauthorized
    ? "Not authorized: open this page with the access token (…/?token=<token>) printed by the observatory."
    : `Cannot reach the observatory API (${error instanceof Error ? error.message : "unknown error"}). Retrying on the next update.`;
  banner.hidden = false;
}

function clearError() {
  banner.hidden = true;
}

// ---- start ---------------------------------------------------------------------------------------

renderSpanDetail(detail, undefined, 0);
void refreshList();
void refreshStats();
resilienceRefresh.schedule(true);
void refreshMetrics();
