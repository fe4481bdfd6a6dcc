// The spans / errors / retries / fallbacks per time bucket chart, drawn with uPlot (loaded by
// index.html as a classic script from /assets/uplot.min.js, exposing `window.uPlot`).

import { h, replace } from "./dom.js";
import { num } from "./format.js";

const HEIGHT = 200;

/** Series colours (fixed; readable on the light and the dark theme). */
const COLOURS = {
  spans: "#3b82f6",
  errors: "#dc2626",
  retries: "#d97706",
  fallbacks: "#7c3aed",
};

/** A uPlot chart that follows its container's width. */
export class TimelineChart {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    /** @type {any} */
    this.plot = undefined;
    this.observer = new ResizeObserver(() => this.#resize());
    this.observer.observe(container);
  }

  /**
   * Draws the buckets (`/api/resilience` `timeline`).
   * @param {any} timeline
   */
  update(timeline) {
    const buckets = Array.isArray(timeline?.buckets) ? timeline.buckets : [];
    /** @type {any} */
    const UPlot = /** @type {any} */ (window).uPlot;
    if (typeof UPlot !== "function") {
      replace(this.container, [h("p", { class: "placeholder", text: "Chart library not loaded." })]);
      return;
    }
    if (buckets.length === 0) {
      this.#destroy();
      replace(this.container, [h("p", { class: "placeholder", text: "No spans in this window yet." })]);
      return;
    }
    const data = [
      buckets.map((/** @type {any} */ b) => num(b?.startMs) / 1000),
      buckets.map((/** @type {any} */ b) => num(b?.spans)),
      buckets.map((/** @type {any} */ b) => num(b?.errors)),
      buckets.map((/** @type {any} */ b) => num(b?.retries)),
      buckets.map((/** @type {any} */ b) => num(b?.fallbacks)),
    ];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    replace(this.container, []);
    this.plot = new UPlot(this.#options(UPlot), data, this.container);
  }

  /** @param {any} UPlot */
  #options(UPlot) {
    const styles = getComputedStyle(document.documentElement);
    const axisColour = styles.getPropertyValue("--text-muted").trim() || "#6b7280";
    const gridColour = styles.getPropertyValue("--grid").trim() || "rgba(0,0,0,0.08)";
    const axis = {
      stroke: axisColour,
      grid: { stroke: gridColour, width: 1 },
      ticks: { stroke: gridColour, width: 1 },
      font: "11px system-ui, sans-serif",
    };
    const stepped = UPlot.paths?.stepped ? UPlot.paths.stepped({ align: 1 }) : undefined;
    const line = (/** @type {string} */ label, /** @type {string} */ colour, /** @type {boolean} */ fill) => ({
      label,
      stroke: colour,
      width: 1.5,
      ...(fill ? { fill: `${colour}22` } : {}),
      ...(stepped ? { paths: stepped } : {}),
      points: { show: false },
    });
    return {
      width: Math.max(240, this.container.clientWidth),
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
      scales: {
        x: { time: true },
        y: {
          range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [
            0,
            Math.max(1, max * 1.1),
          ],
        },
      },
      axes: [axis, { ...axis, size: 56 }],
      series: [
        {},
        line("spans", COLOURS.spans, true),
        line("errors", COLOURS.errors, true),
        line("retries", COLOURS.retries, false),
        line("fallbacks", COLOURS.fallbacks, false),
      ],
    };
  }

  #resize() {
    if (!this.plot) return;
    const width = Math.max(240, this.container.clientWidth);
    if (Math.abs(width - this.plot.width) > 1) this.plot.setSize({ width, height: HEIGHT });
  }

  #destroy() {
    this.plot?.destroy();
    this.plot = undefined;
  }
}
