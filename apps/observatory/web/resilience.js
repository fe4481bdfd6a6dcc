// The resilience panel: headline numbers (retries, fallbacks, hedges, failovers, cache hit rate), the
// per-model table, breaker timelines and the per-bucket chart, from `GET /api/resilience`.
// Untrusted strings (model and provider names) are set with textContent / data-* / title only.

import { renderBreakers } from "./breakers.js";
import { h, replace } from "./dom.js";
import { formatCost, formatCount, formatDuration, formatPercent, num } from "./format.js";
import { TimelineChart } from "./timeline-chart.js";

/** The resilience panel. */
export class ResiliencePanel {
  /**
   * @param {{ retries: HTMLElement, retriesDetail: HTMLElement, fallbacks: HTMLElement, hedges: HTMLElement,
   *   failovers: HTMLElement, cacheHitRate: HTMLElement, cacheDetail: HTMLElement, models: HTMLElement,
   *   breakers: HTMLElement, chart: HTMLElement, bucket: HTMLElement }} elements
   */
  constructor(elements) {
    this.el = elements;
    this.chart = new TimelineChart(elements.chart);
  }

  /**
   * Shows one `/api/resilience` answer.
   * @param {any} data
   * @returns {string[]} the model names (for the trace list's model filter)
   */
  update(data) {
    const d = data && typeof data === "object" ? data : {};
    const retries = num(d.retries?.total);
    setNumber(this.el.retries, retries);
    const byName = d.retries?.byName && typeof d.retries.byName === "object" ? Object.entries(d.retries.byName) : [];
    this.el.retriesDetail.textContent =
      byName.length > 0
        ? byName
            .sort((a, b) => num(b[1]) - num(a[1]))
            .slice(0, 3)
            .map(([name, count]) => `${name}: ${formatCount(count)}`)
            .join(" · ")
        : "retry events";
    setNumber(this.el.fallbacks, num(d.fallbacks?.total));
    setNumber(this.el.hedges, num(d.hedges?.total));
    setNumber(this.el.failovers, num(d.failovers?.total));

    const hits = num(d.cache?.hits);
    const misses = num(d.cache?.misses);
    const lookups = hits + misses;
    const rate = lookups > 0 ? num(d.cache?.hitRate, hits / lookups) : NaN;
    this.el.cacheHitRate.textContent = Number.isFinite(rate) ? formatPercent(rate) : "–";
    this.el.cacheHitRate.setAttribute("data-value", Number.isFinite(rate) ? String(rate) : "");
    this.el.cacheDetail.textContent = `${formatCount(hits)} hits · ${formatCount(misses)} misses`;

    const models = renderModels(this.el.models, d.models);
    const buckets = Array.isArray(d.timeline?.buckets) ? d.timeline.buckets : [];
    const bucketMs = num(d.timeline?.bucketMs);
    const range =
      buckets.length > 0
        ? { startMs: num(buckets[0]?.startMs), endMs: num(buckets.at(-1)?.startMs) + bucketMs }
        : undefined;
    this.el.bucket.textContent = bucketMs > 0 ? `(per ${formatDuration(bucketMs)})` : "";
    renderBreakers(this.el.breakers, d.breakers, range);
    this.chart.update(d.timeline);
    return models;
  }
}

/**
 * Writes an integer for tests and readers (`data-value` holds the raw number).
 * @param {HTMLElement} el
 * @param {number} value
 */
function setNumber(el, value) {
  el.textContent = String(Math.round(value));
  el.setAttribute("data-value", String(value));
}

/**
 * @param {HTMLElement} container
 * @param {unknown} raw
 * @returns {string[]} the model names
 */
function renderModels(container, raw) {
  const models = (Array.isArray(raw) ? raw : [])
    .map((/** @type {any} */ m) => ({
      model: typeof m?.model === "string" ? m.model : "(unknown)",
      provider: typeof m?.provider === "string" ? m.provider : "",
      calls: num(m?.calls),
      errors: num(m?.errors),
      inputTokens: num(m?.inputTokens),
      outputTokens: num(m?.outputTokens),
      costUsd: num(m?.costUsd),
    }))
    .sort((a, b) => b.calls - a.calls);
  if (models.length === 0) {
    replace(container, [h("p", { class: "placeholder", text: "No model calls yet." })]);
    return [];
  }
  const head = h("thead", null, [
    h(
      "tr",
      null,
      ["Model", "Provider", "Calls", "Errors", "Input tok", "Output tok", "Cost"].map((label, i) =>
        h("th", { text: label, class: i >= 2 ? "num" : "", attrs: { scope: "col" } }),
      ),
    ),
  ]);
  const body = h(
    "tbody",
    null,
    models.map((m) => {
      const errorRate = m.calls > 0 ? m.errors / m.calls : 0;
      return h("tr", { data: { model: m.model } }, [
        h("td", { class: "models__model", text: m.model, title: m.model }),
        h("td", { class: "muted", text: m.provider, title: m.provider }),
        h("td", { class: "num", text: formatCount(m.calls) }),
        h("td", {
          class: `num${m.errors > 0 ? " text-error" : ""}`,
          text: m.errors > 0 ? `${formatCount(m.errors)} (${formatPercent(errorRate)})` : "0",
        }),
        h("td", { class: "num", text: formatCount(m.inputTokens) }),
        h("td", { class: "num", text: formatCount(m.outputTokens) }),
        h("td", { class: "num", text: formatCost(m.costUsd) }),
      ]);
    }),
  );
  const total = models.reduce((sum, m) => sum + m.costUsd, 0);
  const foot = h("tfoot", null, [
    h("tr", null, [
      h("td", { text: "Total", attrs: { colspan: 2 } }),
      h("td", { class: "num", text: formatCount(models.reduce((s, m) => s + m.calls, 0)) }),
      h("td", { class: "num", text: formatCount(models.reduce((s, m) => s + m.errors, 0)) }),
      h("td", { class: "num", text: formatCount(models.reduce((s, m) => s + m.inputTokens, 0)) }),
      h("td", { class: "num", text: formatCount(models.reduce((s, m) => s + m.outputTokens, 0)) }),
      h("td", { class: "num", text: formatCost(total) }),
    ]),
  ]);
  replace(container, [h("table", { class: "table models" }, [head, body, foot])]);
  return models.map((m) => m.model);
}
