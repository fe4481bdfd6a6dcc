/**
 * Validation of model catalogue entries and files: every problem is an `InvalidOptionsError` naming the
 * exact path (`models[3].pricing.inputPerMillion`). Hostile input never runs user code or crashes it:
 * only own data properties are read (a getter is rejected, never called), and anything that throws
 * while being inspected (a revoked proxy) is reported as an invalid value at its path.
 *
 * @packageDocumentation
 */
import { InvalidOptionsError } from "../core/errors.js";
import { describeValue, isPlainObject } from "../internal/options.js";
import type { Capability, CatalogEntry, ModelPricing, ModelTier } from "./catalog.js";

/** Every {@link Capability}, in canonical order (the classifier lists `needs` in this order). */
export const CAPABILITIES: readonly Capability[] = ["tools", "json", "vision", "reasoning", "code", "long-context"];
const TIERS: readonly ModelTier[] = ["small", "medium", "large"];
const ENTRY_KEYS = ["id", "provider", "contextWindow", "maxOutputTokens", "pricing", "capabilities", "tier"];
const PRICING_KEYS = ["inputPerMillion", "outputPerMillion", "cachedInputPerMillion"];
const FILE_KEYS = ["pricesAsOf", "models"];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Throws the house-style `InvalidOptionsError`: "Expected `path` to be …, got …". */
export function fail(path: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(path, `Expected \`${path}\` to be ${expected}, got ${describeValue(value)}`);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** An own data property's value (`undefined` when absent); an accessor is rejected without being called. */
function own(target: object, key: string, path: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) return undefined;
  if (!("value" in descriptor))
    throw new InvalidOptionsError(path, `Expected \`${path}\` to be a data property, got a getter or setter`);
  return descriptor.value;
}

/** Rejects own enumerable keys outside `allowed`, naming `prefix.key`. */
function onlyKeys(target: object, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(target)) {
    if (allowed.includes(key)) continue;
    const path = prefix === "" ? key : `${prefix}.${key}`;
    throw new InvalidOptionsError(
      path,
      `Unknown key \`${path}\`; expected one of: ${allowed.map((k) => `\`${k}\``).join(", ")}`,
    );
  }
}

function nonEmptyString(value: unknown, path: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(path, "a non-empty string", value);
  return value;
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) fail(path, "an integer > 0", value);
  return value;
}

function price(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) fail(path, "a finite number ≥ 0", value);
  return value === 0 ? 0 : value; // -0 → 0
}

function readPricing(value: unknown, path: string): ModelPricing {
  if (!isPlainObject(value))
    fail(path, "a plain object { inputPerMillion, outputPerMillion, cachedInputPerMillion? }", value);
  onlyKeys(value, PRICING_KEYS, path);
  const inputPerMillion = price(own(value, "inputPerMillion", `${path}.inputPerMillion`), `${path}.inputPerMillion`);
  const outputPerMillion = price(
    own(value, "outputPerMillion", `${path}.outputPerMillion`),
    `${path}.outputPerMillion`,
  );
  const cachedPath = `${path}.cachedInputPerMillion`;
  const cached = own(value, "cachedInputPerMillion", cachedPath);
  if (cached === undefined || cached === null) return Object.freeze({ inputPerMillion, outputPerMillion });
  return Object.freeze({ inputPerMillion, outputPerMillion, cachedInputPerMillion: price(cached, cachedPath) });
}

function readCapabilities(value: unknown, path: string): readonly Capability[] {
  if (!Array.isArray(value))
    fail(path, `an array of capabilities (${CAPABILITIES.map((c) => `"${c}"`).join(", ")})`, value);
  const out: Capability[] = [];
  for (let i = 0; i < value.length; i++) {
    const at = `${path}[${i}]`;
    const capability = own(value, String(i), at);
    if (typeof capability !== "string" || !(CAPABILITIES as readonly string[]).includes(capability))
      fail(at, `one of ${CAPABILITIES.map((c) => `"${c}"`).join(", ")}`, capability);
    out.push(capability as Capability);
  }
  return Object.freeze(out);
}

function readEntry(value: unknown, path: string): CatalogEntry {
  if (!isPlainObject(value)) fail(path, "a plain object (a catalogue entry)", value);
  onlyKeys(value, ENTRY_KEYS, path);
  const field = (key: string): unknown => own(value, key, `${path}.${key}`);
  const id = nonEmptyString(field("id"), `${path}.id`);
  const provider = nonEmptyString(field("provider"), `${path}.provider`);
  const contextWindow = positiveInteger(field("contextWindow"), `${path}.contextWindow`);
  const maxOutput = field("maxOutputTokens");
  const pricing = readPricing(field("pricing"), `${path}.pricing`);
  const capabilities = readCapabilities(field("capabilities"), `${path}.capabilities`);
  const tier = field("tier");
  if (tier !== undefined && tier !== null && !(typeof tier === "string" && (TIERS as readonly string[]).includes(tier)))
    fail(`${path}.tier`, `one of ${TIERS.map((t) => `"${t}"`).join(", ")}`, tier);
  return Object.freeze({
    id,
    provider,
    contextWindow,
    ...(maxOutput === undefined || maxOutput === null
      ? {}
      : { maxOutputTokens: positiveInteger(maxOutput, `${path}.maxOutputTokens`) }),
    pricing,
    capabilities,
    ...(tier === undefined || tier === null ? {} : { tier: tier as ModelTier }),
  });
}

/** Runs `read`, turning anything but an `InvalidOptionsError` (a throwing proxy trap) into one naming `path`. */
function guarded<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidOptionsError) throw error;
    const reason = error instanceof Error ? error.message : describeValue(error);
    throw new InvalidOptionsError(path, `Could not read \`${path}\`: ${reason}`, { cause: error });
  }
}

/** Validates and copies an array of entries (frozen); a repeated id is an error naming its `…id` path. */
export function readEntries(value: unknown, path: string): CatalogEntry[] {
  return guarded(path, () => {
    if (!Array.isArray(value)) fail(path, "an array of catalogue entries", value);
    const entries: CatalogEntry[] = [];
    const seen = new Map<string, number>();
    for (let i = 0; i < value.length; i++) {
      const at = `${path}[${i}]`;
      const entry = guarded(at, () => readEntry(own(value, String(i), at), at));
      const first = seen.get(entry.id);
      if (first !== undefined)
        throw new InvalidOptionsError(
          `${at}.id`,
          `Duplicate model id ${quote(entry.id)} at \`${at}.id\` (first at \`${path}[${first}].id\`)`,
        );
      seen.set(entry.id, i);
      entries.push(entry);
    }
    return entries;
  });
}

/** `undefined`/`null` → `undefined`; otherwise a real calendar date written `YYYY-MM-DD`. */
export function readPricesAsOf(value: unknown, path = "pricesAsOf"): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === "string" && ISO_DATE.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    fail(path, 'a real date written "YYYY-MM-DD"', value);
  return value;
}

/** The two parts of a catalogue file, validated: `{ "pricesAsOf"?, "models": [...] }`. */
export function readCatalogFile(json: unknown): { pricesAsOf: string | undefined; models: CatalogEntry[] } {
  return guarded("catalog", () => {
    if (!isPlainObject(json)) fail("catalog", 'a plain object { "pricesAsOf"?, "models": [...] }', json);
    onlyKeys(json, FILE_KEYS, "");
    const pricesAsOf = readPricesAsOf(own(json, "pricesAsOf", "pricesAsOf"));
    return { pricesAsOf, models: readEntries(own(json, "models", "models"), "models") };
  });
}
