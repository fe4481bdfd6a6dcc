/**
 * The model catalogue (DESIGN §6.2): one validated price and capability table, looked up by exact model
 * id, that prices model calls for `model(...)`, the router and `@tta/observability`.
 *
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { InvalidOptionsError } from "../core/errors.js";
import { readOptions } from "../internal/options.js";
import { fail, readCatalogFile, readEntries, readPricesAsOf } from "./catalog-validation.js";
import { DEFAULT_PRICES_AS_OF, defaultCatalogEntries } from "./default-catalog.js";

/**
 * What a model can do, as the router filters on it: `"tools"` (function calling), `"json"` (a JSON
 * output mode), `"vision"` (image input), `"reasoning"` (a thinking/reasoning model), `"code"` (strong at
 * code), `"long-context"` (a context window of several hundred thousand tokens or more).
 * @since 0.1.0
 */
export type Capability = "tools" | "json" | "vision" | "reasoning" | "code" | "long-context";

/** A coarse size/price class of a model, for routing by task complexity. @since 0.1.0 */
export type ModelTier = "small" | "medium" | "large";

/** List prices of a model, in US dollars per million tokens. @since 0.1.0 */
export interface ModelPricing {
  /** USD per 1 000 000 input (prompt) tokens that were not served from the provider's cache. */
  readonly inputPerMillion: number;
  /** USD per 1 000 000 output (completion) tokens. */
  readonly outputPerMillion: number;
  /** USD per 1 000 000 cached input tokens. @defaultValue `inputPerMillion` (no cache discount) */
  readonly cachedInputPerMillion?: number | undefined;
}

/** One model in a {@link Catalog}. @since 0.1.0 */
export interface CatalogEntry {
  /** The model id exactly as the provider names it (`"gpt-4o-mini"`); lookups never match a prefix. */
  readonly id: string;
  /** The provider (`gen_ai.provider.name`): `"openai"`, `"anthropic"`, … */
  readonly provider: string;
  /** Context window in tokens (prompt and completion together), an integer > 0. */
  readonly contextWindow: number;
  /** Largest completion the model produces, in tokens (an integer > 0). @defaultValue unknown */
  readonly maxOutputTokens?: number | undefined;
  /** List prices in USD per million tokens. */
  readonly pricing: ModelPricing;
  /** What the model can do (may be empty). */
  readonly capabilities: readonly Capability[];
  /** Size/price class. @defaultValue unknown */
  readonly tier?: ModelTier | undefined;
}

/**
 * Token usage of one call, to price it. `inputTokens` includes `cachedInputTokens` (OpenAI semantics).
 * @since 0.1.0
 */
export interface CatalogUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens served from the provider's prompt cache (clamped to `[0, inputTokens]`). @defaultValue 0 */
  readonly cachedInputTokens?: number | undefined;
}

/** Options of {@link createCatalog} and {@link Catalog.extend}. @since 0.1.0 */
export interface CatalogOptions {
  /** The date the prices were taken, an ISO date `"YYYY-MM-DD"`. @defaultValue unknown (`undefined`) */
  readonly pricesAsOf?: string | undefined;
}

/**
 * A validated, immutable model catalogue. `JSON.stringify(catalog)` gives the file format that
 * {@link parseCatalog} and {@link loadCatalog} read back.
 * @since 0.1.0
 */
export interface Catalog {
  /** The date the prices were taken (`"YYYY-MM-DD"`), when known. */
  readonly pricesAsOf: string | undefined;
  /** Every entry, frozen, in the order given. */
  readonly models: readonly CatalogEntry[];
  /** The entry whose id is exactly `id` (never a prefix match: `"gpt-4o-mini"` is not `"gpt-4o"`). */
  get(id: string): CatalogEntry | undefined;
  /** Whether an entry's id is exactly `id`. */
  has(id: string): boolean;
  /**
   * Cost of one call in USD: `((input − cached) × inputPerMillion + cached × (cachedInputPerMillion ??
   * inputPerMillion) + output × outputPerMillion) / 1e6`, or `undefined` for a model the catalogue does
   * not list.
   * @throws {@link InvalidOptionsError} naming `usage.inputTokens` (etc.) when a count is not a finite number ≥ 0.
   */
  cost(id: string, usage: CatalogUsage): number | undefined;
  /**
   * A new catalogue: each of `models` replaces the entry with the same id (keeping its position) or is
   * appended. `pricesAsOf` is `options.pricesAsOf`, else this catalogue's.
   * @throws {@link InvalidOptionsError} naming the path (`models[2].tier`) for an invalid entry or a
   * duplicate id within `models`.
   */
  extend(models: readonly CatalogEntry[], options?: CatalogOptions): Catalog;
}

const OPTION_KEYS = ["pricesAsOf"] as const;
const MILLION = 1_000_000;

function count(usage: object, key: keyof CatalogUsage, optional: boolean): number {
  const value: unknown = (usage as Record<string, unknown>)[key];
  if (optional && (value === undefined || value === null)) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    fail(`usage.${key}`, "a finite number ≥ 0", value);
  return value;
}

/** Validated counts of a usage, with `cached` clamped to `[0, input]`. */
function readUsage(usage: unknown): { input: number; output: number; cached: number } {
  if (typeof usage !== "object" || usage === null)
    fail("usage", "an object { inputTokens, outputTokens, cachedInputTokens? }", usage);
  const input = count(usage, "inputTokens", false);
  const output = count(usage, "outputTokens", false);
  return { input, output, cached: Math.min(count(usage, "cachedInputTokens", true), input) };
}

/** Builds the catalogue object from entries that are already validated and frozen. */
function build(models: readonly CatalogEntry[], pricesAsOf: string | undefined): Catalog {
  const byId = new Map<string, CatalogEntry>();
  for (const entry of models) byId.set(entry.id, entry);
  const frozen = Object.freeze([...models]);
  const get = (id: string): CatalogEntry | undefined => (typeof id === "string" ? byId.get(id) : undefined);
  const catalog: Catalog = {
    pricesAsOf,
    models: frozen,
    get,
    has: (id) => get(id) !== undefined,
    cost(id, usage) {
      // Usage is checked even for an unknown model, so a bad count never goes unnoticed.
      const { input, output, cached } = readUsage(usage);
      const pricing = get(id)?.pricing;
      if (pricing === undefined) return undefined;
      const { inputPerMillion, outputPerMillion, cachedInputPerMillion = inputPerMillion } = pricing;
      return (
        ((input - cached) * inputPerMillion + cached * cachedInputPerMillion + output * outputPerMillion) / MILLION
      );
    },
    extend(models, options) {
      const o = readOptions("Catalog.extend", options, OPTION_KEYS);
      const added = readEntries(models, "models");
      const merged = [...frozen];
      const position = new Map(frozen.map((entry, i) => [entry.id, i]));
      for (const entry of added) {
        const at = position.get(entry.id);
        if (at === undefined) merged.push(entry);
        else merged[at] = entry;
      }
      return build(merged, readPricesAsOf(o.pricesAsOf) ?? pricesAsOf);
    },
  };
  return Object.freeze(catalog);
}

/**
 * Creates a validated, immutable model catalogue from entries (copied and frozen, in the given order).
 *
 * @remarks
 * Lookups are by exact id in a `Map`, so any string is a safe id (`"__proto__"` included). Each entry
 * must be a plain object with only the {@link CatalogEntry} keys; `null` for an optional key means absent.
 * @defaultValue `options.pricesAsOf`: `undefined`
 * @throws {@link InvalidOptionsError} whose `option` (and message) is the exact path of the first problem:
 * `models` not an array, `models[3]` not a plain object, `models[3].foo` an unknown key, `models[3].id`
 * empty or a duplicate, `models[3].contextWindow` not an integer > 0, `models[3].pricing.inputPerMillion`
 * not a finite number ≥ 0, `models[3].capabilities[2]` unknown, `models[3].tier` not a tier, `pricesAsOf`
 * not a real `"YYYY-MM-DD"` date.
 * @example
 * ```ts
 * const catalog = createCatalog(
 *   [{ id: "my-model", provider: "vllm", contextWindow: 32_768, pricing: { inputPerMillion: 0.2, outputPerMillion: 0.6 }, capabilities: ["tools"] }],
 *   { pricesAsOf: "2025-09-01" },
 * );
 * catalog.cost("my-model", { inputTokens: 1000, outputTokens: 500 }); // 0.0005
 * ```
 * @since 0.1.0
 */
export function createCatalog(models: readonly CatalogEntry[], options?: CatalogOptions): Catalog {
  const o = readOptions("createCatalog", options, OPTION_KEYS);
  const pricesAsOf = readPricesAsOf(o.pricesAsOf);
  return build(readEntries(models, "models"), pricesAsOf);
}

function parse(json: unknown): Catalog {
  const { pricesAsOf, models } = readCatalogFile(json);
  return build(models, pricesAsOf);
}

/**
 * Validates a parsed catalogue file, `{ "pricesAsOf"?: "YYYY-MM-DD", "models": [ …entries ] }`, and
 * creates the catalogue.
 *
 * @param json - the parsed JSON (for example `JSON.parse(text)`).
 * @param source - a name for the messages (a file path), prefixed as `catalog.json: Expected …`.
 * @defaultValue `source`: none (messages are not prefixed)
 * @throws {@link InvalidOptionsError} naming the path as {@link createCatalog} does, plus an unknown
 * top-level key (`option` = the key) or a `json` that is not a plain object (`option` = `"catalog"`).
 * @example
 * ```ts
 * const catalog = parseCatalog(JSON.parse(text), "models.json");
 * ```
 * @since 0.1.0
 */
export function parseCatalog(json: unknown, source?: string): Catalog {
  if (source === undefined) return parse(json);
  try {
    return parse(json);
  } catch (error) {
    if (!(error instanceof InvalidOptionsError)) throw error;
    throw new InvalidOptionsError(error.option, `${source}: ${error.message}`, { cause: error.cause });
  }
}

/**
 * Reads a catalogue file (JSON, see {@link parseCatalog}) with `node:fs/promises` and creates the catalogue.
 *
 * @throws (rejects with) {@link InvalidOptionsError}: `option` `"file"` and the file path in the message
 * when the file cannot be read or is not valid JSON; `option` = the path (`models[1].pricing.inputPerMillion`)
 * and the file path in the message for an invalid shape.
 * @example
 * ```ts
 * const catalog = (await loadCatalog(new URL("./models.json", import.meta.url))).extend(myModels);
 * ```
 * @since 0.1.0
 */
export async function loadCatalog(file: string | URL): Promise<Catalog> {
  const isPath = (typeof file === "string" && file !== "") || file instanceof URL;
  if (!isPath) fail("file", "a non-empty file path or a file: URL", file);
  let shown = String(file);
  let text: string;
  try {
    if (file instanceof URL && file.protocol === "file:") shown = fileURLToPath(file);
    text = await readFile(file, "utf8");
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidOptionsError("file", `Could not read the model catalogue ${shown}: ${reason}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidOptionsError("file", `${shown}: the model catalogue is not valid JSON (${reason})`, { cause });
  }
  return parseCatalog(json, shown);
}

/**
 * The model catalogue shipped with TTA: list prices in USD per million tokens, context windows,
 * output limits, capabilities and tiers of widely used models, `pricesAsOf: "2025-09-01"`. `model(...)`
 * and `@tta/observability` price calls with it unless given another catalogue.
 *
 * @remarks
 * A starting point, not a source of truth: providers change prices and limits, and this table drifts
 * from them between releases. Override or add entries with `defaultCatalog.extend([...], { pricesAsOf })`,
 * or load your own table with {@link loadCatalog}. Included: OpenAI (`gpt-4o`, `gpt-4o-mini`,
 * `gpt-4.1`, `gpt-4.1-mini`, `gpt-4.1-nano`, `o3`, `o4-mini`, `gpt-5`, `gpt-5-mini`, `gpt-5-nano`),
 * Anthropic (`claude-opus-4-1`, `claude-sonnet-4-5`, `claude-sonnet-4-0`, `claude-3-5-haiku-latest`,
 * `claude-haiku-4-5`), Google (`gemini-2.5-pro`, `gemini-2.5-flash`, `gemini-2.0-flash`), Groq
 * (`llama-3.3-70b-versatile`, `llama-3.1-8b-instant`), Mistral (`mistral-large-latest`,
 * `mistral-small-latest`). The simulated test provider's models are in `simulatedCatalog` (from
 * `@tta/primitives/testing`), not here. Long-prompt surcharges (e.g. Gemini 2.5 Pro above 200k tokens) are not modelled: the
 * base price applies. Lookups are by exact id, so a dated snapshot id such as `gpt-4o-2024-08-06` is
 * not listed unless you add it.
 * @example
 * ```ts
 * defaultCatalog.cost("gpt-4o-mini", { inputTokens: 1200, outputTokens: 300 }); // 0.00036
 * const mine = defaultCatalog.extend(
 *   [{ id: "gpt-4o-2024-08-06", provider: "openai", contextWindow: 128_000, pricing: { inputPerMillion: 2.5, outputPerMillion: 10 }, capabilities: ["tools"] }],
 *   { pricesAsOf: "2025-10-01" },
 * );
 * ```
 * @since 0.1.0
 */
export const defaultCatalog: Catalog = createCatalog(defaultCatalogEntries(), { pricesAsOf: DEFAULT_PRICES_AS_OF });

/**
 * The cost of one model call as TTA reports it everywhere (events, spans, budgets, metrics): the
 * entry of the model that answered when `catalog` lists it, else the entry of the configured model;
 * `undefined` when it lists neither.
 *
 * @param model - the configured model id (`gen_ai.request.model`).
 * @param responseModel - the model that answered (`gen_ai.response.model`), when known.
 * @throws what `catalog.cost` throws: {@link InvalidOptionsError} for a usage count that is not a
 * finite number ≥ 0 (or anything a custom catalogue throws).
 * @example
 * ```ts
 * modelCallCost(defaultCatalog, "gpt-4o-mini", "gpt-4o-mini-2024-07-18", { inputTokens: 1000, outputTokens: 100 }); // priced as gpt-4o-mini
 * ```
 * @since 0.1.0
 */
export function modelCallCost(
  catalog: Catalog,
  model: string,
  responseModel: string | undefined,
  usage: CatalogUsage,
): number | undefined {
  const answered =
    responseModel !== undefined && responseModel !== "" && responseModel !== model
      ? catalog.cost(responseModel, usage)
      : undefined;
  const cost = answered ?? catalog.cost(model, usage);
  return typeof cost === "number" && Number.isFinite(cost) && cost >= 0 ? cost : undefined;
}
