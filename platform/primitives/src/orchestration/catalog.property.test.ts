/**
 * Laws of `Catalog.cost`: linear in the usage, never negative, the plain formula when nothing is
 * cached, and never more expensive with cached tokens when the cached price is not above the input price.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CatalogUsage, ModelPricing } from "./catalog.js";
import { createCatalog } from "./catalog.js";

const money = fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true });
const tokens = fc.integer({ min: 0, max: 10_000_000 });

const pricing: fc.Arbitrary<ModelPricing> = fc.record(
  { inputPerMillion: money, outputPerMillion: money, cachedInputPerMillion: money },
  { requiredKeys: ["inputPerMillion", "outputPerMillion"] },
);

/** A usage whose cached tokens do not exceed its input tokens (so clamping never applies). */
const usage: fc.Arbitrary<CatalogUsage> = fc
  .tuple(tokens, tokens, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([inputTokens, outputTokens, share]) => ({
    inputTokens,
    outputTokens,
    cachedInputTokens: Math.floor(inputTokens * share),
  }));

const costOf = (p: ModelPricing, u: CatalogUsage): number => {
  const cost = createCatalog([{ id: "m", provider: "p", contextWindow: 1, pricing: p, capabilities: [] }]).cost("m", u);
  if (cost === undefined) throw new Error("the model is listed");
  return cost;
};

/** Equal up to floating-point rounding, relative to the size of the values. */
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe("Catalog.cost laws", () => {
  it("is non-negative", () => {
    fc.assert(
      fc.property(pricing, usage, (p, u) => {
        expect(costOf(p, u)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("is linear: cost(a + b) = cost(a) + cost(b) and cost(k·a) = k·cost(a)", () => {
    fc.assert(
      fc.property(pricing, usage, usage, fc.integer({ min: 0, max: 1000 }), (p, a, b, k) => {
        const sum: CatalogUsage = {
          inputTokens: a.inputTokens + b.inputTokens,
          outputTokens: a.outputTokens + b.outputTokens,
          cachedInputTokens: (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0),
        };
        expect(close(costOf(p, sum), costOf(p, a) + costOf(p, b))).toBe(true);
        const scaled: CatalogUsage = {
          inputTokens: k * a.inputTokens,
          outputTokens: k * a.outputTokens,
          cachedInputTokens: k * (a.cachedInputTokens ?? 0),
        };
        expect(close(costOf(p, scaled), k * costOf(p, a))).toBe(true);
      }),
    );
  });

  it("with nothing cached, equals (input × inputPerMillion + output × outputPerMillion) / 1e6", () => {
    fc.assert(
      fc.property(pricing, tokens, tokens, fc.boolean(), (p, inputTokens, outputTokens, explicitZero) => {
        const u: CatalogUsage = explicitZero
          ? { inputTokens, outputTokens, cachedInputTokens: 0 }
          : { inputTokens, outputTokens };
        const plain = (inputTokens * p.inputPerMillion + outputTokens * p.outputPerMillion) / 1e6;
        expect(close(costOf(p, u), plain)).toBe(true);
      }),
    );
  });

  it("cached tokens never cost more when cachedInputPerMillion ≤ inputPerMillion", () => {
    fc.assert(
      fc.property(pricing, usage, (p, u) => {
        const cheaper: ModelPricing = {
          ...p,
          cachedInputPerMillion: Math.min(p.cachedInputPerMillion ?? 0, p.inputPerMillion),
        };
        const withCache = costOf(cheaper, u);
        const without = costOf(cheaper, { inputTokens: u.inputTokens, outputTokens: u.outputTokens });
        expect(withCache <= without || close(withCache, without)).toBe(true);
      }),
    );
  });
});
