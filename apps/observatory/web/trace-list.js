// The trace list (left pane) and its filters.
//
// Rows are kept in a Map keyed by traceId and rebuilt only when their summary changes. The first render
// inserts all rows through one DocumentFragment; later refreshes move only the rows whose position
// changed (new traces at the top, evicted ones at the bottom), so 1,000 traces stay cheap; a list
// scrolled down keeps its first visible row in place while new traces arrive above it.
// Untrusted strings are set with textContent / data-* / title only (see dom.js).

import { h, place } from "./dom.js";
import { formatClock, formatCount, formatDateTime, formatDuration, num, plural } from "./format.js";

/**
 * @typedef {{ traceId: string, rootName: string, service: string, workflowId?: string, startMs: number,
 *   durationMs: number, spanCount: number, errorCount: number, status: "ok" | "error", models: string[],
 *   agents: string[] }} TraceSummary
 */

const TEXT_DEBOUNCE_MS = 250;

/** The trace list with its filter bar. */
export class TraceList {
  /**
   * @param {{ list: HTMLElement, count: HTMLElement, empty: HTMLElement, workflow: HTMLInputElement,
   *   status: HTMLSelectElement, minDuration: HTMLInputElement, model: HTMLSelectElement,
   *   query: HTMLInputElement, clear: HTMLButtonElement }} elements
   * @param {{ onSelect: (traceId: string) => void, onFilterChange: () => void }} callbacks
   */
  constructor(elements, callbacks) {
    this.el = elements;
    this.callbacks = callbacks;
    /** @type {Map<string, { row: HTMLElement, signature: string, spark: HTMLElement }>} */
    this.rows = new Map();
    /** @type {string | undefined} */
    this.selectedId = undefined;
    /** @type {Set<string>} */
    this.models = new Set();
    /** @type {string[]} the trace ids in display order */
    this.order = [];
    this.#wireFilters();
    this.#wireList();
  }

  /** @returns {Record<string, string>} the API query parameters of the current filters */
  params() {
    const min = this.el.minDuration.value.trim();
    return {
      workflow: this.el.workflow.value.trim(),
      status: this.el.status.value,
      minDurationMs: min !== "" && Number.isFinite(Number(min)) ? String(Number(min)) : "",
      model: this.el.model.value,
      q: this.el.query.value.trim(),
    };
  }

  /** @returns {boolean} whether any filter is set */
  filtered() {
    return Object.values(this.params()).some((value) => value !== "");
  }

  /**
   * Shows `traces` (newest first, as the API answers), reusing unchanged rows.
   * @param {unknown[]} traces
   * @param {number} total
   */
  render(traces, total) {
    /** @type {Map<string, { row: HTMLElement, signature: string, spark: HTMLElement }>} */
    const next = new Map();
    /** @type {HTMLElement[]} */
    const ordered = [];
    const summaries = traces.map(normalizeSummary).filter((t) => t.traceId !== "");
    const maxDuration = summaries.reduce((max, t) => Math.max(max, t.durationMs), 0) || 1;
    this.order = [];
    for (const trace of summaries) {
      if (next.has(trace.traceId)) continue;
      const signature = JSON.stringify([
        trace.rootName,
        trace.service,
        trace.workflowId,
        trace.durationMs,
        trace.spanCount,
        trace.errorCount,
        trace.status,
        trace.models,
        trace.agents,
      ]);
      let entry = this.rows.get(trace.traceId);
      if (!entry || entry.signature !== signature) entry = { ...buildRow(trace), signature };
      place(entry.spark, 0, (trace.durationMs / maxDuration) * 100);
      const selected = trace.traceId === this.selectedId;
      entry.row.classList.toggle("is-selected", selected);
      entry.row.setAttribute("aria-selected", String(selected));
      next.set(trace.traceId, entry);
      this.order.push(trace.traceId);
      ordered.push(entry.row);
      for (const model of trace.models) this.models.add(model);
    }
    this.rows = next;
    const anchor = scrollAnchor(this.el.list);
    syncChildren(this.el.list, ordered);
    if (anchor && anchor.row.isConnected) this.el.list.scrollTop = anchor.row.offsetTop - anchor.offset;
    this.el.count.textContent =
      summaries.length < total
        ? `${formatCount(summaries.length)} of ${formatCount(total)} traces`
        : `${formatCount(total)} ${total === 1 ? "trace" : "traces"}`;
    this.el.empty.hidden = summaries.length > 0;
    this.el.empty.textContent = this.filtered()
      ? "No trace matches these filters."
      : "No traces yet. Point an OTLP/HTTP exporter at this server's /v1/traces.";
    this.#refreshModelOptions();
  }

  /**
   * Adds model names seen elsewhere (the resilience panel) to the model filter.
   * @param {string[]} models
   */
  addModels(models) {
    for (const model of models) if (model) this.models.add(model);
    this.#refreshModelOptions();
  }

  /**
   * Marks `traceId` selected (no callback).
   * @param {string | undefined} traceId
   */
  select(traceId) {
    if (this.selectedId !== undefined) {
      const previous = this.rows.get(this.selectedId)?.row;
      previous?.classList.remove("is-selected");
      previous?.setAttribute("aria-selected", "false");
    }
    this.selectedId = traceId;
    if (traceId === undefined) return;
    const row = this.rows.get(traceId)?.row;
    if (row) {
      row.classList.add("is-selected");
      row.setAttribute("aria-selected", "true");
    }
  }

  #refreshModelOptions() {
    const select = this.el.model;
    const have = new Set(Array.from(select.options, (o) => o.value));
    const missing = [...this.models].filter((m) => !have.has(m));
    if (missing.length === 0) return;
    const current = select.value;
    const sorted = [...this.models].sort((a, b) => a.localeCompare(b));
    const frag = document.createDocumentFragment();
    frag.append(h("option", { text: "All models", attrs: { value: "" } }));
    // `new Option(text, value)` sets the label as text and the value as a plain form value.
    for (const model of sorted) frag.append(new Option(model, model));
    select.replaceChildren(frag);
    select.value = current;
  }

  #wireFilters() {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const changed = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      this.el.clear.hidden = !this.filtered();
      this.callbacks.onFilterChange();
    };
    const debounced = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(changed, TEXT_DEBOUNCE_MS);
    };
    for (const input of [this.el.workflow, this.el.minDuration, this.el.query]) {
      input.addEventListener("input", debounced);
      input.addEventListener("change", changed);
    }
    this.el.status.addEventListener("change", changed);
    this.el.model.addEventListener("change", changed);
    this.el.clear.addEventListener("click", () => {
      this.el.workflow.value = "";
      this.el.status.value = "";
      this.el.minDuration.value = "";
      this.el.model.value = "";
      this.el.query.value = "";
      changed();
    });
    this.el.clear.hidden = true;
  }

  #wireList() {
    const list = this.el.list;
    list.addEventListener("click", (event) => {
      const row = /** @type {Element} */ (event.target).closest("[data-trace-id]");
      const id = row?.getAttribute("data-trace-id");
      if (id) this.callbacks.onSelect(id);
    });
    list.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Home" && event.key !== "End") return;
      if (this.order.length === 0) return;
      event.preventDefault();
      const index = this.selectedId === undefined ? -1 : this.order.indexOf(this.selectedId);
      let target = index;
      if (event.key === "ArrowDown") target = Math.min(this.order.length - 1, index + 1);
      if (event.key === "ArrowUp") target = Math.max(0, index - 1);
      if (event.key === "Home") target = 0;
      if (event.key === "End") target = this.order.length - 1;
      const id = this.order[target];
      if (id === undefined || id === this.selectedId) return;
      this.callbacks.onSelect(id);
      this.rows.get(id)?.row.scrollIntoView({ block: "nearest" });
    });
  }
}

/**
 * The first row visible in a scrolled list and its distance from the top edge, so the list can be put
 * back where the reader was after rows are inserted above (none when scrolled to the top: new traces
 * should then appear).
 * @param {HTMLElement} list
 * @returns {{ row: HTMLElement, offset: number } | undefined}
 */
function scrollAnchor(list) {
  const top = list.scrollTop;
  if (top <= 0) return undefined;
  for (
    let row = /** @type {HTMLElement | null} */ (list.firstElementChild);
    row;
    row = /** @type {HTMLElement | null} */ (row.nextElementSibling)
  ) {
    if (row.offsetTop + row.offsetHeight > top) return { row, offset: row.offsetTop - top };
  }
  return undefined;
}

/**
 * Makes `list`'s children exactly `rows`, in order, moving as few nodes as possible.
 * @param {HTMLElement} list
 * @param {HTMLElement[]} rows
 */
function syncChildren(list, rows) {
  if (list.firstElementChild === null) {
    const frag = document.createDocumentFragment();
    frag.append(...rows);
    list.append(frag);
    return;
  }
  /** @type {Element | null} */
  let cursor = list.firstElementChild;
  for (const row of rows) {
    if (row === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(row, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

/**
 * Coerces one untrusted `TraceSummary` into the expected shape.
 * @param {any} raw
 * @returns {TraceSummary & { workflowId: string }}
 */
function normalizeSummary(raw) {
  const t = raw && typeof raw === "object" ? raw : {};
  return {
    traceId: typeof t.traceId === "string" ? t.traceId : "",
    rootName: typeof t.rootName === "string" && t.rootName !== "" ? t.rootName : "(unnamed)",
    service: typeof t.service === "string" ? t.service : "",
    workflowId: typeof t.workflowId === "string" ? t.workflowId : "",
    startMs: num(t.startMs),
    durationMs: Math.max(0, num(t.durationMs)),
    spanCount: num(t.spanCount),
    errorCount: num(t.errorCount),
    status: t.status === "error" ? "error" : "ok",
    models: Array.isArray(t.models) ? t.models.filter((/** @type {unknown} */ m) => typeof m === "string") : [],
    agents: Array.isArray(t.agents) ? t.agents.filter((/** @type {unknown} */ a) => typeof a === "string") : [],
  };
}

/**
 * Builds one row.
 * @param {TraceSummary & { workflowId: string }} t
 */
function buildRow(t) {
  const spark = h("span", { class: "trace-row__spark-bar" });
  const meta = [
    t.workflowId
      ? h("span", { class: "trace-row__workflow", text: t.workflowId, title: `workflow ${t.workflowId}` })
      : null,
    h("span", { class: "trace-row__spans", text: plural(t.spanCount, "span") }),
    t.errorCount > 0 ? h("span", { class: "trace-row__errors", text: plural(t.errorCount, "error") }) : null,
    h("span", { class: "trace-row__time", text: formatClock(t.startMs), title: formatDateTime(t.startMs) }),
  ];
  const chips = t.models.slice(0, 4).map((m) => h("span", { class: "chip chip--model", text: m, title: m }));
  if (t.models.length > 4) chips.push(h("span", { class: "chip", text: `+${t.models.length - 4}` }));
  const row = h(
    "li",
    {
      class: `trace-row${t.status === "error" ? " is-error" : ""}`,
      testid: "trace-row",
      data: { "trace-id": t.traceId, status: t.status },
      attrs: { role: "option", "aria-selected": "false" },
    },
    [
      h("div", { class: "trace-row__top" }, [
        h("span", {
          class: `status-dot status-dot--${t.status}`,
          title: t.status === "error" ? "error" : "ok",
        }),
        h("span", { class: "trace-row__name", text: t.rootName, title: `${t.rootName} · ${t.service}` }),
        h("span", { class: "trace-row__duration", text: formatDuration(t.durationMs) }),
      ]),
      h("div", { class: "trace-row__meta" }, meta),
      chips.length > 0 ? h("div", { class: "trace-row__models" }, chips) : null,
      h("div", { class: "trace-row__spark" }, [spark]),
    ],
  );
  return { row, spark };
}
