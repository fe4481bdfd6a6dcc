// Circuit-breaker state over time: one coloured timeline per breaker (closed / half-open / open
// segments between its observed transitions) with the current state as a badge.
// Untrusted strings (breaker names) are set with textContent / data-* / title only (see dom.js).

import { h, place, replace } from "./dom.js";
import { formatClock, formatDateTime, formatDuration, num } from "./format.js";

/** @typedef {"closed" | "open" | "half-open"} BreakerState */

/**
 * @param {unknown} value
 * @returns {BreakerState}
 */
function stateOf(value) {
  return value === "open" || value === "half-open" ? value : "closed";
}

/**
 * Renders the breakers of `/api/resilience` into `container`.
 * @param {HTMLElement} container
 * @param {unknown} rawBreakers
 * @param {{ startMs: number, endMs: number } | undefined} range the time range shared with the chart
 */
export function renderBreakers(container, rawBreakers, range) {
  const breakers = (Array.isArray(rawBreakers) ? rawBreakers : [])
    .map((b) => normalizeBreaker(b))
    .filter((b) => b.name !== "")
    .sort((a, b) => a.name.localeCompare(b.name));
  if (breakers.length === 0) {
    replace(container, [h("p", { class: "placeholder", text: "No circuit breaker has reported yet." })]);
    return;
  }
  let startMs = range?.startMs ?? Infinity;
  let endMs = range?.endMs ?? -Infinity;
  for (const b of breakers) {
    for (const t of b.transitions) {
      startMs = Math.min(startMs, t.timeMs);
      endMs = Math.max(endMs, t.timeMs);
    }
  }
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) {
    startMs = 0;
    endMs = 1;
  }
  const span = Math.max(endMs - startMs, 1);

  const rows = breakers.map((b) => {
    const segments = collapse(b.transitions);
    const opened = segments.filter((s) => s.state === "open").length;
    const track = h("div", {
      class: "breaker__track",
      testid: "breaker-timeline",
      data: { breaker: b.name, "opened-count": opened },
    });
    if (segments.length === 0) track.append(h("div", { class: "breaker__none", text: "no transitions recorded" }));
    for (let i = 0; i < segments.length; i += 1) {
      const seg = /** @type {{ timeMs: number, state: BreakerState }} */ (segments[i]);
      const until = segments[i + 1]?.timeMs ?? endMs;
      const el = h("div", {
        class: `breaker__segment state-${seg.state}`,
        testid: "breaker-segment",
        title: `${b.name}: ${seg.state} from ${formatDateTime(seg.timeMs)} for ${formatDuration(until - seg.timeMs)}`,
        data: { state: seg.state },
      });
      place(el, ((seg.timeMs - startMs) / span) * 100, (Math.max(until - seg.timeMs, 0) / span) * 100);
      track.append(el);
    }
    return h("div", { class: "breaker" }, [
      h("div", { class: "breaker__head" }, [
        h("span", { class: "breaker__name", text: b.name, title: b.name }),
        h("span", {
          class: `badge badge--state-${b.state}`,
          testid: "breaker-state",
          data: { breaker: b.name, state: b.state },
          text: b.state,
          title: `current state of ${b.name}`,
        }),
        h("span", {
          class: "breaker__opened muted",
          text: opened === 0 ? "never opened" : opened === 1 ? "opened once" : `opened ${opened}×`,
        }),
      ]),
      track,
    ]);
  });
  const scale = h("div", { class: "breaker__scale muted" }, [
    h("span", { text: formatClock(startMs) }),
    h("span", { text: formatClock(endMs) }),
  ]);
  const legend = h("div", { class: "legend" }, [
    h("span", { class: "legend__item state-closed", text: "closed" }),
    h("span", { class: "legend__item state-half-open", text: "half-open" }),
    h("span", { class: "legend__item state-open", text: "open" }),
  ]);
  replace(container, [...rows, scale, legend]);
}

/**
 * @param {any} raw
 * @returns {{ name: string, state: BreakerState, transitions: Array<{ timeMs: number, state: BreakerState }> }}
 */
function normalizeBreaker(raw) {
  const b = raw && typeof raw === "object" ? raw : {};
  const transitions = (Array.isArray(b.transitions) ? b.transitions : [])
    .map((/** @type {any} */ t) => ({ timeMs: num(t?.timeMs, NaN), state: stateOf(t?.state) }))
    .filter((/** @type {{ timeMs: number }} */ t) => Number.isFinite(t.timeMs))
    .sort((/** @type {{ timeMs: number }} */ a, /** @type {{ timeMs: number }} */ c) => a.timeMs - c.timeMs);
  return { name: typeof b.name === "string" ? b.name : "", state: stateOf(b.state), transitions };
}

/**
 * Merges consecutive observations of the same state into one segment start.
 * @param {Array<{ timeMs: number, state: BreakerState }>} transitions sorted by time
 */
function collapse(transitions) {
  /** @type {Array<{ timeMs: number, state: BreakerState }>} */
  const out = [];
  for (const t of transitions) if (out.at(-1)?.state !== t.state) out.push(t);
  return out;
}
