/**
 * Small value checks shared by the model layer (providers, errors, GenAI attributes).
 */

/** A non-null, non-array object (a JSON object as parsed, or a record). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` when it is a finite number ≥ 0 (a token count, a cost), else `undefined`. */
export function nonNegative(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `text` cut to at most `max` characters, the last one an ellipsis when it was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
