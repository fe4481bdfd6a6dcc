// The detail pane of the selected span: its identity, timing and status, an attributes table and its
// events. Untrusted strings are set with textContent / data-* / title only (see dom.js).

import { h, replace } from "./dom.js";
import { formatDateTime, formatDuration, formatOffset, formatValue } from "./format.js";

/**
 * @typedef {import("./spans.js").Span} Span
 * @typedef {import("./spans.js").AttributeValue} AttributeValue
 */

/**
 * Fills `container` with the details of `span` (or a placeholder).
 * @param {HTMLElement} container
 * @param {Span | undefined} span
 * @param {number} traceStartMs
 */
export function renderSpanDetail(container, span, traceStartMs) {
  if (!span) {
    replace(container, [h("p", { class: "placeholder", text: "Select a span to see its attributes and events." })]);
    container.removeAttribute("data-span-id");
    return;
  }
  container.setAttribute("data-span-id", span.spanId);
  const status = span.status.code;
  const facts = [
    ["Service", span.service || "–"],
    ["Kind", span.kind || "–"],
    ["Start", `${formatOffset(span.startMs - traceStartMs)} (${formatDateTime(span.startMs)})`],
    ["Duration", formatDuration(span.durationMs)],
    ["Span id", span.spanId],
    ["Parent", span.parentSpanId || "– (root)"],
  ];
  if (span.status.message) facts.push(["Status message", span.status.message]);

  replace(container, [
    h("header", { class: "detail__header" }, [
      h("h3", { class: "detail__name", text: span.name, title: span.name }),
      h("span", { class: `badge badge--status-${status}`, text: status }),
    ]),
    h(
      "dl",
      { class: "detail__facts" },
      facts.flatMap(([term, value]) => [h("dt", { text: term }), h("dd", { text: value, title: value })]),
    ),
    attributesSection("Attributes", span.attributes),
    eventsSection(span, traceStartMs),
  ]);
}

/**
 * @param {string} title
 * @param {Record<string, AttributeValue>} attributes
 */
function attributesSection(title, attributes) {
  const keys = Object.keys(attributes).sort((a, b) => a.localeCompare(b));
  return h("section", { class: "detail__section" }, [
    h("h4", { text: `${title} (${keys.length})` }),
    keys.length === 0 ? h("p", { class: "muted", text: "None." }) : attributeTable(attributes, keys),
  ]);
}

/**
 * @param {Record<string, AttributeValue>} attributes
 * @param {string[]} keys
 */
function attributeTable(attributes, keys) {
  const body = h("tbody");
  for (const key of keys) {
    const value = attributes[key];
    body.append(
      h("tr", { data: { key } }, [
        h("th", { text: key, title: key, attrs: { scope: "row" } }),
        h("td", { class: `value value--${Array.isArray(value) ? "array" : typeof value}`, text: formatValue(value) }),
      ]),
    );
  }
  return h("table", { class: "kv" }, [body]);
}

/**
 * @param {Span} span
 * @param {number} traceStartMs
 */
function eventsSection(span, traceStartMs) {
  const events = span.events;
  return h("section", { class: "detail__section" }, [
    h("h4", { text: `Events (${events.length})` }),
    events.length === 0
      ? h("p", { class: "muted", text: "None." })
      : h(
          "ol",
          { class: "events" },
          events.map((event) => {
            const keys = Object.keys(event.attributes).sort((a, b) => a.localeCompare(b));
            return h("li", { class: "events__item", data: { event: event.name } }, [
              h("div", { class: "events__head" }, [
                h("span", { class: "events__time mono", text: formatOffset(event.timeMs - traceStartMs) }),
                h("span", { class: "events__name", text: event.name }),
              ]),
              keys.length > 0 ? attributeTable(event.attributes, keys) : null,
            ]);
          }),
        ),
  ]);
}
