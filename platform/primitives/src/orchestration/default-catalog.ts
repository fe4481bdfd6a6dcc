/**
 * The data of `defaultCatalog` (built in `catalog.ts`): widely used models with their list prices as of
 * 2025-09-01, and the two models of the simulated test provider. Not exported from the package.
 *
 * @packageDocumentation
 */
import type { Capability, CatalogEntry, ModelTier } from "./catalog.js";

/** The date of the shipped prices. */
export const DEFAULT_PRICES_AS_OF = "2025-09-01";

type Row = readonly [
  id: string,
  contextWindow: number,
  maxOutputTokens: number | undefined,
  price: readonly [input: number, output: number, cachedInput?: number],
  capabilities: readonly Capability[],
  tier: ModelTier,
];

const CHAT: readonly Capability[] = ["tools", "json", "vision"];
const THINKING: readonly Capability[] = ["tools", "json", "vision", "reasoning", "code"];
const LONG_THINKING: readonly Capability[] = [...THINKING, "long-context"];

const PROVIDERS: Readonly<Record<string, readonly Row[]>> = {
  openai: [
    ["gpt-4o", 128_000, 16_384, [2.5, 10, 1.25], CHAT, "large"],
    ["gpt-4o-mini", 128_000, 16_384, [0.15, 0.6, 0.075], CHAT, "small"],
    ["gpt-4.1", 1_047_576, 32_768, [2, 8, 0.5], [...CHAT, "code", "long-context"], "large"],
    ["gpt-4.1-mini", 1_047_576, 32_768, [0.4, 1.6, 0.1], [...CHAT, "code", "long-context"], "medium"],
    ["gpt-4.1-nano", 1_047_576, 32_768, [0.1, 0.4, 0.025], [...CHAT, "long-context"], "small"],
    ["o3", 200_000, 100_000, [2, 8, 0.5], THINKING, "large"],
    ["o4-mini", 200_000, 100_000, [1.1, 4.4, 0.275], THINKING, "medium"],
    ["gpt-5", 400_000, 128_000, [1.25, 10, 0.125], LONG_THINKING, "large"],
    ["gpt-5-mini", 400_000, 128_000, [0.25, 2, 0.025], LONG_THINKING, "medium"],
    ["gpt-5-nano", 400_000, 128_000, [0.05, 0.4, 0.005], [...CHAT, "reasoning", "long-context"], "small"],
  ],
  anthropic: [
    ["claude-opus-4-1", 200_000, 32_000, [15, 75, 1.5], THINKING, "large"],
    ["claude-sonnet-4-5", 200_000, 64_000, [3, 15, 0.3], THINKING, "large"],
    ["claude-sonnet-4-0", 200_000, 64_000, [3, 15, 0.3], THINKING, "large"],
    ["claude-3-5-haiku-latest", 200_000, 8_192, [0.8, 4, 0.08], CHAT, "small"],
    ["claude-haiku-4-5", 200_000, 64_000, [1, 5, 0.1], THINKING, "small"],
  ],
  google: [
    ["gemini-2.5-pro", 1_048_576, 65_536, [1.25, 10, 0.31], LONG_THINKING, "large"],
    ["gemini-2.5-flash", 1_048_576, 65_536, [0.3, 2.5, 0.075], LONG_THINKING, "medium"],
    ["gemini-2.0-flash", 1_048_576, 8_192, [0.1, 0.4, 0.025], [...CHAT, "long-context"], "small"],
  ],
  groq: [
    ["llama-3.3-70b-versatile", 131_072, 32_768, [0.59, 0.79], ["tools", "json"], "medium"],
    ["llama-3.1-8b-instant", 131_072, 131_072, [0.05, 0.08], ["tools", "json"], "small"],
  ],
  mistral: [
    ["mistral-large-latest", 131_072, undefined, [2, 6], ["tools", "json", "code"], "large"],
    ["mistral-small-latest", 131_072, undefined, [0.1, 0.3], CHAT, "small"],
  ],
};

/** The shipped entries, in provider order (validated by `createCatalog` when `defaultCatalog` is built). */
export function defaultCatalogEntries(): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  for (const [provider, rows] of Object.entries(PROVIDERS)) {
    for (const [id, contextWindow, maxOutputTokens, [input, output, cached], capabilities, tier] of rows) {
      out.push({
        id,
        provider,
        contextWindow,
        maxOutputTokens,
        pricing: { inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cached },
        capabilities,
        tier,
      });
    }
  }
  return out;
}
