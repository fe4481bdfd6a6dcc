/**
 * Bounded, sanitised Prometheus label values: user-chosen strings (primitive names, model names)
 * must never create unbounded cardinality.
 */

/** The value that replaces every label value past the cap. */
export const OVERFLOW_LABEL = "other";

const MAX_LENGTH = 64;
// Printable ASCII except quote and backslash; everything else (control characters, newlines,
// non-ASCII) becomes "_" so a value is safe in every backend's query language and log line.
const UNSAFE = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/g;

/** Sanitises one label value: safe characters only, at most 64 of them, never empty. */
export function sanitizeLabel(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  const clean = text.replace(UNSAFE, "_").slice(0, MAX_LENGTH);
  return clean === "" ? "_" : clean;
}

/**
 * Keeps the first `max` distinct (sanitised) values; later ones map to {@link OVERFLOW_LABEL}.
 * Lookups of known values cost one `Map.get`.
 */
export class LabelCap {
  readonly #max: number;
  readonly #known = new Map<string, string>();
  #overflowed = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** Whether some value was mapped to {@link OVERFLOW_LABEL}. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** The label value to use for `raw`. */
  value(raw: string): string {
    const known = this.#known.get(raw);
    if (known !== undefined) return known;
    if (this.#known.size >= this.#max) {
      this.#overflowed = true;
      return OVERFLOW_LABEL;
    }
    const clean = sanitizeLabel(raw);
    this.#known.set(raw, clean);
    return clean;
  }
}
