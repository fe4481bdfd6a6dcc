// Span model helpers: normalizing untrusted span views, building the display tree, classifying spans
// (retry, fallback, model call, breaker, router, cache) and the short badges shown next to names.
// Pure functions: no DOM.

import { formatCount, num } from "./format.js";

/**
 * @typedef {string | number | boolean | Array<string | number | boolean>} AttributeValue
 * @typedef {{ name: string, timeMs: number, attributes: Record<string, AttributeValue> }} SpanEvent
 * @typedef {{ spanId: string, parentSpanId: string, name: string, kind: string, service: string,
 *   startMs: number, endMs: number, durationMs: number, status: { code: string, message: string },
 *   attributes: Record<string, AttributeValue>, events: SpanEvent[] }} Span
 * @typedef {{ span: Span, depth: number, childCount: number, orphan: boolean }} SpanRow
 */

/**
 * Coerces an untrusted `SpanView` into the expected shape.
 * @param {any} raw
 * @returns {Span}
 */
export function normalizeSpan(raw) {
  const s = raw && typeof raw === "object" ? raw : {};
  const startMs = num(s.startMs);
  const endMs = Math.max(startMs, num(s.endMs, startMs + num(s.durationMs)));
  const status = s.status && typeof s.status === "object" ? s.status : {};
  const code = status.code === "error" || status.code === "ok" ? status.code : "unset";
  return {
    spanId: str(s.spanId),
    parentSpanId: str(s.parentSpanId),
    name: str(s.name) || "(unnamed)",
    kind: str(s.kind),
    service: str(s.service),
    startMs,
    endMs,
    durationMs: Math.max(0, num(s.durationMs, endMs - startMs)),
    status: { code, message: str(status.message) },
    attributes: attributesOf(s.attributes),
    events: Array.isArray(s.events)
      ? s.events.map((/** @type {any} */ e) => {
          const ev = e && typeof e === "object" ? e : {};
          return {
            name: str(ev.name) || "(event)",
            timeMs: num(ev.timeMs, startMs),
            attributes: attributesOf(ev.attributes),
          };
        })
      : [],
  };
}

/** @param {unknown} value */
function str(value) {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

/**
 * @param {unknown} raw
 * @returns {Record<string, AttributeValue>}
 */
function attributesOf(raw) {
  /** @type {Record<string, AttributeValue>} */
  const out = Object.create(null);
  if (!raw || typeof raw !== "object") return out;
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((v) => ["string", "number", "boolean"].includes(typeof v));
  }
  return out;
}

/**
 * Orders spans depth-first (children by start time) with their depth. Spans whose parent is not in the
 * trace (not received yet, or dropped) are shown as roots and flagged `orphan`.
 * @param {Span[]} spans
 * @param {number} cap the most rows to return
 * @returns {{ rows: SpanRow[], startMs: number, endMs: number }}
 */
export function buildTree(spans, cap) {
  /** @type {Map<string, Span>} */
  const byId = new Map();
  for (const span of spans) if (span.spanId !== "" && !byId.has(span.spanId)) byId.set(span.spanId, span);
  /** @type {Map<string, Span[]>} */
  const children = new Map();
  /** @type {Span[]} */
  const roots = [];
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const span of spans) {
    startMs = Math.min(startMs, span.startMs);
    endMs = Math.max(endMs, span.endMs);
    const parent = span.parentSpanId;
    if (parent !== "" && parent !== span.spanId && byId.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(span);
      else children.set(parent, [span]);
    } else {
      roots.push(span);
    }
  }
  // Ties (the SDK records start times to the millisecond) go to the span that ended first: it ran first.
  const byStart = (/** @type {Span} */ a, /** @type {Span} */ b) => a.startMs - b.startMs || a.endMs - b.endMs;
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  /** @type {SpanRow[]} */
  const rows = [];
  /** @type {Set<Span>} */
  const seen = new Set();
  // Iterative depth-first walk (a deep or cyclic parent chain cannot overflow the stack).
  /** @type {Array<{ span: Span, depth: number, orphan: boolean }>} */
  const stack = roots
    .slice()
    .reverse()
    .map((span) => ({ span, depth: 0, orphan: span.parentSpanId !== "" }));
  while (stack.length > 0 && rows.length < cap) {
    const item = /** @type {{ span: Span, depth: number, orphan: boolean }} */ (stack.pop());
    if (seen.has(item.span)) continue;
    seen.add(item.span);
    const kids = children.get(item.span.spanId) ?? [];
    rows.push({ span: item.span, depth: item.depth, childCount: kids.length, orphan: item.orphan });
    for (let i = kids.length - 1; i >= 0; i -= 1) {
      const kid = /** @type {Span} */ (kids[i]);
      stack.push({ span: kid, depth: item.depth + 1, orphan: false });
    }
  }
  // Spans caught in a parent cycle are never reached from a root: show them flat at the end.
  if (rows.length < cap && seen.size < spans.length) {
    for (const span of spans) {
      if (rows.length >= cap) break;
      if (!seen.has(span)) rows.push({ span, depth: 0, childCount: 0, orphan: true });
    }
  }
  if (!Number.isFinite(startMs)) startMs = 0;
  if (!Number.isFinite(endMs) || endMs < startMs) endMs = startMs;
  return { rows, startMs, endMs };
}

/**
 * The CSS classes (from a fixed list) describing what a span is.
 * @param {Span} span
 * @returns {string[]}
 */
export function spanClasses(span) {
  const classes = [];
  const name = span.name;
  const a = span.attributes;
  if (name === "tta.retry") classes.push("span--retry");
  else if (name === "tta.fallback") classes.push("span--fallback");
  else if (name === "tta.circuit-breaker") classes.push("span--breaker");
  else if (name === "tta.model-router") classes.push("span--router");
  else if (name === "tta.cache") classes.push("span--cache");
  else if (name.startsWith("chat ") || a["gen_ai.operation.name"] !== undefined) classes.push("span--llm");
  if (num(a["tta.fallback.index"]) > 0) classes.push("is-fallback-used");
  if (a["tta.circuit.state"] === "open" || a["error.type"] === "CIRCUIT_OPEN") classes.push("is-breaker-open");
  if (span.status.code === "error") classes.push("is-error");
  return classes;
}

/**
 * Short badges (text + a class from a fixed list) summarizing a span's resilience attributes.
 * @param {Span} span
 * @returns {Array<{ text: string, kind: string, title: string }>}
 */
export function spanBadges(span) {
  const a = span.attributes;
  /** @type {Array<{ text: string, kind: string, title: string }>} */
  const badges = [];
  const retryEvents = span.events.filter((e) => e.name === "retry").length;
  const attempts = num(a["tta.retry.attempts"], retryEvents > 0 ? retryEvents + 1 : 0);
  if (span.name === "tta.retry" && attempts > 1) {
    badges.push({ text: `${attempts} attempts`, kind: "retry", title: `${retryEvents} retries (tta.retry.attempts)` });
  }
  const fallbackIndex = num(a["tta.fallback.index"], -1);
  if (fallbackIndex > 0) {
    badges.push({
      text: `fallback #${fallbackIndex}`,
      kind: "fallback",
      title: "answered by fallback (tta.fallback.index)",
    });
  } else if (span.name === "tta.fallback" && fallbackIndex === 0) {
    badges.push({ text: "primary", kind: "muted", title: "answered by the primary (tta.fallback.index = 0)" });
  }
  const state = a["tta.circuit.state"];
  if (state === "open" || state === "half-open" || state === "closed") {
    badges.push({ text: `breaker ${state}`, kind: `state-${state}`, title: "tta.circuit.state" });
  }
  const routed = a["tta.route.model"];
  if (span.name === "tta.model-router" && typeof routed === "string") {
    badges.push({ text: `→ ${routed}`, kind: "router", title: "tta.route.model" });
  }
  const failovers = span.events.filter((e) => e.name === "tta.route.failover").length;
  if (failovers > 0)
    badges.push({ text: `${failovers} failover`, kind: "fallback", title: "tta.route.failover events" });
  if (a["tta.route.hedged"] === true || span.events.some((e) => e.name === "tta.route.hedge")) {
    badges.push({ text: "hedged", kind: "router", title: "tta.route.hedge" });
  }
  const cache = a["tta.cache.result"];
  if (typeof cache === "string") badges.push({ text: `cache ${cache}`, kind: "cache", title: "tta.cache.result" });
  const input = a["gen_ai.usage.input_tokens"];
  const output = a["gen_ai.usage.output_tokens"];
  if (num(input) > 0 || num(output) > 0) {
    badges.push({
      text: `${formatCount(input)}→${formatCount(output)} tok`,
      kind: "muted",
      title: "gen_ai.usage.input_tokens → gen_ai.usage.output_tokens",
    });
  }
  const errorType = a["error.type"];
  if (typeof errorType === "string" && errorType !== "") {
    badges.push({ text: errorType, kind: "error", title: "error.type" });
  }
  return badges;
}

/**
 * The class of an event tick (from a fixed list).
 * @param {string} name
 */
export function eventClass(name) {
  if (name === "retry") return "tick--retry";
  if (name === "exception") return "tick--error";
  if (name === "tta.route.failover") return "tick--fallback";
  if (name.startsWith("tta.route.")) return "tick--router";
  return "tick--default";
}
