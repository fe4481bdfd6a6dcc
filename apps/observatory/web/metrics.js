// The metrics card: the scrape targets (up or down, with the reason) and the `tta_*` / `gen_ai_*`
// series they last answered, from `GET /api/metrics`.
// Untrusted strings (URLs, metric names, label names and values, help texts) go through textContent
// and title only; a target URL is shown as text, never made a link.

import { h, replace } from "./dom.js";
import { formatClock, formatCount, num } from "./format.js";

/** The most rows shown; the rest are counted. */
const MAX_ROWS = 300;

/** The metrics card. */
export class MetricsPanel {
  /** @param {{ targets: HTMLElement, table: HTMLElement }} elements */
  constructor(elements) {
    this.el = elements;
  }

  /**
   * Shows one `/api/metrics` answer.
   * @param {any} data
   * @returns {number} how long to wait before asking again (the server's scrape interval), 0 without targets
   */
  update(data) {
    const d = data && typeof data === "object" ? data : {};
    const targets = Array.isArray(d.targets) ? d.targets : [];
    replace(this.el.targets, targets.length === 0 ? [placeholder()] : targets.map(renderTarget));
    renderSeries(this.el.table, Array.isArray(d.families) ? d.families : [], targets.length > 1);
    return targets.length === 0 ? 0 : num(d.intervalMs);
  }
}

function placeholder() {
  return h("p", {
    class: "placeholder",
    text: "No scrape targets. Start the observatory with --scrape <url> (an app's /metrics) to see its tta_* and gen_ai_* metrics here.",
  });
}

/** @param {any} target */
function renderTarget(target) {
  const url = typeof target?.url === "string" ? target.url : "";
  const state = target?.up === true ? "up" : target?.up === false ? "down" : "pending";
  const when = Number.isFinite(target?.scrapedAtMs) ? ` · ${formatClock(target.scrapedAtMs)}` : "";
  const detail =
    state === "down"
      ? ` · ${typeof target?.error === "string" ? target.error : "failed"}`
      : state === "up"
        ? ` · ${formatCount(num(target?.series))} series${num(target?.skipped) > 0 ? `, ${formatCount(num(target.skipped))} skipped` : ""}`
        : " · waiting for the first scrape";
  return h("div", { class: "scrape-target", testid: "scrape-target", data: { state } }, [
    h("span", { class: `scrape-target__state scrape-target__state--${state}`, text: state }),
    h("span", { class: "scrape-target__url", text: url, title: url }),
    h("span", { class: "muted", text: `${when}${detail}` }),
  ]);
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function formatMetricValue(value) {
  if (value === null) return "NaN/Inf";
  const n = num(value, Number.NaN);
  if (!Number.isFinite(n)) return "–";
  return Number.isInteger(n) ? formatCount(n) : String(Number(n.toPrecision(6)));
}

/**
 * @param {HTMLElement} container
 * @param {any[]} families
 * @param {boolean} showTarget
 */
function renderSeries(container, families, showTarget) {
  /** @type {HTMLElement[]} */
  const rows = [];
  let total = 0;
  for (const family of families) {
    const name = typeof family?.name === "string" ? family.name : "";
    const type = typeof family?.type === "string" ? family.type : "untyped";
    const help = typeof family?.help === "string" ? family.help : "";
    for (const sample of Array.isArray(family?.samples) ? family.samples : []) {
      total++;
      if (rows.length >= MAX_ROWS) continue;
      const labels =
        sample?.labels && typeof sample.labels === "object"
          ? Object.entries(sample.labels)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(", ")
          : "";
      const value =
        type === "histogram" || type === "summary"
          ? `${formatMetricValue(sample?.count)} obs · Σ ${formatMetricValue(sample?.sum)}`
          : formatMetricValue(sample?.value);
      rows.push(
        h("tr", { data: { metric: name } }, [
          h("td", { class: "metrics__name", text: name, title: help || name }),
          h("td", { class: "muted metrics__labels", text: labels, title: labels }),
          showTarget ? h("td", { class: "muted", text: String(family?.target ?? "") }) : null,
          h("td", { class: "num", text: value }),
        ]),
      );
    }
  }
  if (total === 0) {
    replace(container, []);
    return;
  }
  const head = h("thead", null, [
    h(
      "tr",
      null,
      ["Metric", "Labels", ...(showTarget ? ["Target"] : []), "Value"].map((label, i, all) =>
        h("th", { text: label, class: i === all.length - 1 ? "num" : "", attrs: { scope: "col" } }),
      ),
    ),
  ]);
  const more =
    total > rows.length
      ? h("p", { class: "muted", text: `${formatCount(total - rows.length)} more series not shown` })
      : null;
  replace(container, [
    h("table", { class: "table metrics", testid: "metrics-table" }, [head, h("tbody", null, rows)]),
    more,
  ]);
}
