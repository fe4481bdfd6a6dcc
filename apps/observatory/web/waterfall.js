// The waterfall of the selected trace: one row per span, indented by depth (from parentSpanId), a bar
// positioned by start and duration relative to the trace, span events as ticks. Subtrees collapse.
// Untrusted strings are set with textContent / data-* / title only (see dom.js).

import { h, place, replace } from "./dom.js";
import { formatClock, formatCount, formatDuration, formatOffset, plural, shortId } from "./format.js";
import { buildTree, eventClass, normalizeSpan, spanBadges, spanClasses } from "./spans.js";

/** The most span rows drawn for one trace; the rest are summarized in a note. */
export const MAX_RENDERED_SPANS = 2000;
/** The most event ticks drawn on one span bar. */
const MAX_TICKS_PER_SPAN = 64;
/** Indentation stops growing past this depth (the depth is still shown in the tooltip). */
const MAX_INDENT_DEPTH = 24;

/**
 * @typedef {import("./spans.js").Span} Span
 * @typedef {import("./spans.js").SpanRow} SpanRow
 */

/** The waterfall pane. */
export class Waterfall {
  /**
   * @param {{ summary: HTMLElement, body: HTMLElement }} elements
   * @param {{ onSelectSpan: (span: Span | undefined, traceStartMs: number) => void }} callbacks
   */
  constructor(elements, callbacks) {
    this.el = elements;
    this.callbacks = callbacks;
    /** @type {string | undefined} */
    this.traceId = undefined;
    /** @type {SpanRow[]} */
    this.rows = [];
    /** @type {HTMLElement[]} */
    this.rowEls = [];
    /** @type {Set<string>} */
    this.collapsed = new Set();
    /** @type {string | undefined} */
    this.selectedSpanId = undefined;
    this.startMs = 0;
    this.#wire();
    this.clear("Select a trace to see its waterfall.");
  }

  /**
   * Shows a placeholder message.
   * @param {string} message
   */
  clear(message) {
    this.traceId = undefined;
    this.rows = [];
    this.rowEls = [];
    this.selectedSpanId = undefined;
    replace(this.el.summary, [h("span", { class: "muted", text: "No trace selected" })]);
    replace(this.el.body, [h("p", { class: "placeholder", text: message })]);
    this.callbacks.onSelectSpan(undefined, 0);
  }

  /**
   * Shows a trace (`GET /api/traces/:id` answer). Keeps the selected span and collapsed subtrees when
   * the same trace is shown again (live update).
   * @param {any} trace
   */
  show(trace) {
    const traceId = typeof trace?.traceId === "string" ? trace.traceId : "";
    /** @type {Span[]} */
    const spans = Array.isArray(trace?.spans) ? trace.spans.map(normalizeSpan) : [];
    if (traceId !== this.traceId) {
      this.collapsed.clear();
      this.selectedSpanId = undefined;
    }
    this.traceId = traceId;
    const { rows, startMs, endMs } = buildTree(spans, MAX_RENDERED_SPANS);
    this.rows = rows;
    this.startMs = startMs;
    const total = Math.max(endMs - startMs, 0.001);
    const errors = spans.filter((/** @type {Span} */ s) => s.status.code === "error").length;
    this.#renderSummary(traceId, spans, rows, startMs, endMs, errors);

    const frag = document.createDocumentFragment();
    frag.append(axis(total));
    this.rowEls = rows.map((row) => {
      const el = spanRow(row, startMs, total);
      frag.append(el);
      return el;
    });
    if (spans.length > rows.length) {
      frag.append(
        h("p", {
          class: "note",
          text: `Showing the first ${formatCount(rows.length)} of ${formatCount(spans.length)} spans.`,
        }),
      );
    }
    if (rows.length === 0) frag.append(h("p", { class: "placeholder", text: "This trace has no spans." }));
    this.el.body.replaceChildren(frag);
    this.#applyCollapsed();

    const keep = this.selectedSpanId !== undefined && rows.some((r) => r.span.spanId === this.selectedSpanId);
    this.selectSpan(keep ? this.selectedSpanId : rows[0]?.span.spanId, false);
  }

  /**
   * Selects a span (highlights its row, fills the detail pane).
   * @param {string | undefined} spanId
   * @param {boolean} [scroll]
   */
  selectSpan(spanId, scroll = true) {
    this.selectedSpanId = spanId;
    let selected;
    for (let i = 0; i < this.rows.length; i += 1) {
      const on = this.rows[i]?.span.spanId === spanId;
      const el = this.rowEls[i];
      if (!el) continue;
      el.classList.toggle("is-selected", on);
      el.setAttribute("aria-selected", String(on));
      if (on) {
        selected = this.rows[i]?.span;
        if (scroll) el.scrollIntoView({ block: "nearest" });
      }
    }
    this.callbacks.onSelectSpan(selected, this.startMs);
  }

  /**
   * Expands or collapses the subtree under the row at `index` (toggles when `collapse` is not given).
   * @param {number} index
   * @param {boolean} [collapse]
   */
  #toggle(index, collapse) {
    const row = this.rows[index];
    if (!row || row.childCount === 0) return;
    const id = row.span.spanId;
    const next = collapse ?? !this.collapsed.has(id);
    if (next) this.collapsed.add(id);
    else this.collapsed.delete(id);
    this.#applyCollapsed();
  }

  /** Hides the rows under collapsed spans (rows are in depth-first order). */
  #applyCollapsed() {
    let hideBelow = Infinity;
    for (let i = 0; i < this.rows.length; i += 1) {
      const row = /** @type {SpanRow} */ (this.rows[i]);
      const el = /** @type {HTMLElement} */ (this.rowEls[i]);
      if (row.depth <= hideBelow) hideBelow = Infinity;
      const hidden = row.depth > hideBelow;
      el.hidden = hidden;
      const collapsed = this.collapsed.has(row.span.spanId);
      el.classList.toggle("is-collapsed", collapsed);
      if (row.childCount > 0) el.setAttribute("aria-expanded", String(!collapsed));
      if (!hidden && collapsed) hideBelow = row.depth;
    }
  }

  #renderSummary(
    /** @type {string} */ traceId,
    /** @type {Span[]} */ spans,
    /** @type {SpanRow[]} */ rows,
    /** @type {number} */ startMs,
    /** @type {number} */ endMs,
    /** @type {number} */ errors,
  ) {
    const root = rows[0]?.span;
    const services = [...new Set(spans.map((s) => s.service).filter((s) => s !== ""))];
    const firstError =
      errors > 0 ? h("button", { class: "btn btn--small", text: "First error", attrs: { type: "button" } }) : null;
    firstError?.addEventListener("click", () => {
      const index = this.rows.findIndex((r) => r.span.status.code === "error");
      const row = this.rows[index];
      if (!row) return;
      this.#reveal(index);
      this.selectSpan(row.span.spanId);
    });
    replace(this.el.summary, [
      h("span", { class: "wf-summary__name", text: root?.name ?? "(empty trace)", title: root?.name ?? "" }),
      h("span", { class: "wf-summary__item mono", text: shortId(traceId), title: `trace ${traceId}` }),
      h("span", { class: "wf-summary__item", text: formatDuration(endMs - startMs) }),
      h("span", { class: "wf-summary__item", text: plural(spans.length, "span") }),
      errors > 0 ? h("span", { class: "wf-summary__item text-error", text: plural(errors, "error") }) : null,
      h("span", { class: "wf-summary__item", text: formatClock(startMs) }),
      services.length > 0
        ? h("span", {
            class: "wf-summary__item muted",
            text: services.slice(0, 3).join(", "),
            title: services.join(", "),
          })
        : null,
      firstError,
    ]);
  }

  /** Expands every collapsed ancestor of the row at `index`. */
  #reveal(/** @type {number} */ index) {
    let depth = this.rows[index]?.depth ?? 0;
    for (let i = index - 1; i >= 0 && depth > 0; i -= 1) {
      const row = /** @type {SpanRow} */ (this.rows[i]);
      if (row.depth < depth) {
        this.collapsed.delete(row.span.spanId);
        depth = row.depth;
      }
    }
    this.#applyCollapsed();
  }

  #wire() {
    const body = this.el.body;
    body.addEventListener("click", (event) => {
      const target = /** @type {Element} */ (event.target);
      const rowEl = target.closest(".wf-row");
      if (!rowEl) return;
      const index = this.rowEls.indexOf(/** @type {HTMLElement} */ (rowEl));
      if (index < 0) return;
      if (target.closest(".wf-caret")) {
        this.#toggle(index);
        return;
      }
      this.selectSpan(this.rows[index]?.span.spanId, false);
    });
    body.addEventListener("keydown", (event) => {
      const index = this.rows.findIndex((r) => r.span.spanId === this.selectedSpanId);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        for (let i = index + step; i >= 0 && i < this.rows.length; i += step) {
          if (!this.rowEls[i]?.hidden) {
            this.selectSpan(this.rows[i]?.span.spanId);
            break;
          }
        }
      } else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && index >= 0) {
        event.preventDefault();
        this.#toggle(index, event.key === "ArrowLeft");
      }
    });
  }
}

/**
 * The time axis above the rows.
 * @param {number} total trace duration in ms
 */
function axis(total) {
  const track = h("div", { class: "wf-track wf-axis__track" });
  for (let i = 0; i <= 4; i += 1) {
    const tick = h("span", {
      class: `wf-axis__tick${i === 4 ? " is-last" : ""}`,
      text: formatDuration((total * i) / 4),
    });
    place(tick, i * 25);
    track.append(tick);
  }
  return h("div", { class: "wf-row wf-axis", attrs: { "aria-hidden": "true" } }, [
    h("div", { class: "wf-label muted", text: "Span" }),
    h("div", { class: "wf-dur muted", text: "Duration" }),
    track,
  ]);
}

/**
 * One span row: label (indented, caret, name, badges), duration, and the bar with its event ticks.
 * @param {SpanRow} row
 * @param {number} startMs trace start
 * @param {number} total trace duration in ms
 */
function spanRow(row, startMs, total) {
  const span = row.span;
  const bar = h("div", {
    class: "wf-bar",
    title: `${span.name}\n${formatOffset(span.startMs - startMs)} · ${formatDuration(span.durationMs)}`,
  });
  place(bar, ((span.startMs - startMs) / total) * 100, (span.durationMs / total) * 100);
  const track = h("div", { class: "wf-track" }, [bar]);
  for (const event of span.events.slice(0, MAX_TICKS_PER_SPAN)) {
    const tick = h("span", {
      class: `wf-tick ${eventClass(event.name)}`,
      title: `${event.name} ${formatOffset(event.timeMs - startMs)}`,
      data: { event: event.name },
    });
    place(tick, ((event.timeMs - startMs) / total) * 100);
    track.append(tick);
  }
  const label = h(
    "div",
    { class: "wf-label", title: `${span.name}${span.service ? ` · ${span.service}` : ""} · depth ${row.depth}` },
    [
      row.childCount > 0
        ? h("span", { class: "wf-caret", attrs: { role: "button", "aria-label": "collapse or expand" } })
        : h("span", { class: "wf-caret wf-caret--leaf" }),
      h("span", { class: "wf-kind" }),
      h("span", { class: "wf-name", text: span.name }),
      row.orphan ? h("span", { class: "badge badge--muted", text: "orphan", title: "parent span not received" }) : null,
      ...spanBadges(span).map((b) => h("span", { class: `badge badge--${b.kind}`, text: b.text, title: b.title })),
    ],
  );
  label.style.setProperty("--depth", String(Math.min(row.depth, MAX_INDENT_DEPTH)));
  return h(
    "div",
    {
      class: ["wf-row", ...spanClasses(span)].join(" "),
      testid: "span-bar",
      data: { "span-name": span.name, "span-id": span.spanId, status: span.status.code, depth: row.depth },
      attrs: { role: "row", "aria-selected": "false" },
    },
    [label, h("div", { class: "wf-dur", text: formatDuration(span.durationMs) }), track],
  );
}
