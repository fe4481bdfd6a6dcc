// Number, time and value formatting for the observatory page (pure functions, no DOM).

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dateClock = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/**
 * Coerces an untrusted value to a finite number (NaN, strings that are not numbers → `fallback`).
 * @param {unknown} value
 * @param {number} [fallback]
 */
export function num(value, fallback = 0) {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

/**
 * A duration in milliseconds, short and human: `0.42 ms`, `123 ms`, `1.23 s`, `2m 03s`.
 * @param {unknown} ms
 */
export function formatDuration(ms) {
  const v = num(ms, NaN);
  if (!Number.isFinite(v)) return "–";
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 10) return `${v.toFixed(1)} ms`;
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 10_000) return `${(v / 1000).toFixed(2)} s`;
  if (v < 60_000) return `${(v / 1000).toFixed(1).replace(/\.0$/, "")} s`;
  const minutes = Math.floor(v / 60_000);
  const seconds = Math.floor((v % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
}

/**
 * An integer with the locale's grouping (`12,345`).
 * @param {unknown} value
 */
export function formatCount(value) {
  return integer.format(num(value));
}

/**
 * US dollars with enough digits for fractions of a cent.
 * @param {unknown} value
 */
export function formatCost(value) {
  const v = num(value);
  if (v === 0) return "$0";
  if (v < 0.01) return `$${v.toFixed(5)}`;
  if (v < 10) return `$${v.toFixed(4)}`;
  return `$${v.toFixed(2)}`;
}

/**
 * A ratio (0..1) as a percentage, `–` when not a number.
 * @param {unknown} ratio
 */
export function formatPercent(ratio) {
  const v = num(ratio, NaN);
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : "–";
}

/**
 * Wall-clock time of day for an epoch-ms timestamp.
 * @param {unknown} ms
 */
export function formatClock(ms) {
  const v = num(ms, NaN);
  return Number.isFinite(v) ? clock.format(new Date(v)) : "–";
}

/**
 * Date and time for an epoch-ms timestamp (tooltips).
 * @param {unknown} ms
 */
export function formatDateTime(ms) {
  const v = num(ms, NaN);
  return Number.isFinite(v) ? dateClock.format(new Date(v)) : "–";
}

/**
 * An offset from a trace's start: `+12.3 ms`.
 * @param {number} ms
 */
export function formatOffset(ms) {
  return `+${formatDuration(Math.max(0, ms))}`;
}

/**
 * An attribute value (string, number, boolean or an array of them) as display text.
 * @param {unknown} value
 */
export function formatValue(value) {
  if (Array.isArray(value)) return `[${value.map((item) => formatScalar(item)).join(", ")}]`;
  return formatScalar(value);
}

/** @param {unknown} value */
function formatScalar(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return "";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * A short id for display (first 8 hex characters); the full id goes in a `title`.
 * @param {unknown} id
 */
export function shortId(id) {
  const s = typeof id === "string" ? id : "";
  return s.length > 10 ? `${s.slice(0, 8)}…` : s;
}

/**
 * A count with its noun, singular for one: `1 error`, `3 errors`.
 * @param {unknown} count
 * @param {string} noun the singular
 */
export function plural(count, noun) {
  return `${formatCount(count)} ${num(count) === 1 ? noun : `${noun}s`}`;
}
