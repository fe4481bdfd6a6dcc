/**
 * The models of the simulated provider (`startSimulatedProvider`) and a catalogue that prices them:
 * test fixtures, kept out of the shipped `defaultCatalog`.
 *
 * @packageDocumentation
 */
import type { Catalog, CatalogEntry } from "../orchestration/catalog.js";
import { defaultCatalog } from "../orchestration/catalog.js";

/**
 * The simulated provider's default models: `sim-small` (priced like a small model) and `sim-large`
 * (priced like a large one), provider `"simulated"`.
 * @since 0.1.0
 */
export const SIMULATED_MODELS: readonly CatalogEntry[] = Object.freeze([
  {
    id: "sim-small",
    provider: "simulated",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    capabilities: ["tools", "json"],
    tier: "small",
  },
  {
    id: "sim-large",
    provider: "simulated",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
    capabilities: ["tools", "json", "reasoning", "code"],
    tier: "large",
  },
]);

/**
 * `defaultCatalog` plus {@link SIMULATED_MODELS}: what the simulated provider prices its answers with
 * by default, and what to give `model(...)` or `@tta/observability` (`metrics.catalog`) when they
 * talk to it, so costs show up in events, spans and metrics.
 *
 * @example
 * ```ts
 * const llm = model(openAICompatible({ baseURL: server.baseURL, model: "sim-small" }), { catalog: simulatedCatalog });
 * ```
 * @since 0.1.0
 */
export const simulatedCatalog: Catalog = defaultCatalog.extend(SIMULATED_MODELS);
