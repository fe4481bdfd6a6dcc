/**
 * Laws of `classifyTask`: rule words match whole words only (never inside a longer word, always between
 * separators, in any case); results are well-formed and deterministic; extra rules only add needs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CAPABILITIES } from "./catalog-validation.js";
import { DEFAULT_CLASSIFIER_RULES, classifyTask } from "./classifier.js";
import type { ClassifierRule } from "./classifier.js";

/** Every default rule word. */
const keyword = fc.constantFrom(...DEFAULT_CLASSIFIER_RULES.flatMap((rule) => rule.words));
/** Word characters of scripts written with spaces (Latin, accented, Cyrillic, Greek, digits, `_`). */
const wordChars = fc.string({ unit: fc.constantFrom(..."abqxzéßøЖжλ7_"), minLength: 1, maxLength: 4 });
/** Separators: whitespace and punctuation. */
const separator = fc.constantFrom(" ", "\n", "\t", ".", ",", "(", ")", '"', "!", "?", ":", ";", "/", "—", "'");
const randomCase = (text: string, flips: readonly boolean[]): string =>
  [...text].map((c, i) => (flips[i % Math.max(1, flips.length)] ? c.toUpperCase() : c.toLowerCase())).join("");
const flips = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 });
/** Any text: random Unicode, or random Unicode with default rule words spliced in. */
const anyText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 400 }),
  fc
    .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 20 }), keyword, separator), { maxLength: 40 })
    .map((parts) => parts.join("")),
);

const only = (word: string): ClassifierRule[] => [{ words: [word], need: "code" }];

describe("classifyTask laws", () => {
  it("a rule word embedded inside a longer word never matches", async () => {
    await fc.assert(
      fc.asyncProperty(
        keyword,
        fc.option(wordChars, { nil: "" }),
        fc.option(wordChars, { nil: "" }),
        flips,
        async (word, prefix, suffix, f) => {
          fc.pre(prefix !== "" || suffix !== "");
          const text = `${prefix}${randomCase(word, f)}${suffix}`;
          const result = await classifyTask({ rules: only(word), longContextChars: Infinity }).execute(text);
          expect(result.needs).toEqual([]);
        },
      ),
    );
  });

  it("a rule word between separators matches, in any case", async () => {
    await fc.assert(
      fc.asyncProperty(keyword, separator, separator, flips, async (word, before, after, f) => {
        const text = `see${before}${randomCase(word, f)}${after}now`;
        const result = await classifyTask({ rules: only(word), longContextChars: Infinity }).execute(text);
        expect(result.needs).toEqual(["code"]);
        expect(result.reasons).toEqual([`matched ${JSON.stringify(word)} → code`]);
      }),
    );
  });

  it("needs are known capabilities, without duplicates, in canonical order; complexity is a known level", async () => {
    const classifier = classifyTask({ longContextChars: 200 });
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const { complexity, needs, reasons } = await classifier.execute(text);
        expect(["simple", "moderate", "complex"]).toContain(complexity);
        expect(needs).toEqual(CAPABILITIES.filter((c) => needs.includes(c)));
        expect(reasons.every((r) => typeof r === "string")).toBe(true);
        if (needs.length > 0) expect(complexity).not.toBe("simple");
        if (complexity === "simple") expect(reasons).toEqual([]);
      }),
    );
  });

  it("is deterministic: the same text gives the same result, from the same or another classifier", async () => {
    const a = classifyTask();
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const first = await a.execute(text);
        expect(await a.execute(text)).toEqual(first);
        expect(await classifyTask().execute(text)).toEqual(first);
      }),
    );
  });

  it("extra rules only add needs and never lower the complexity", async () => {
    const base = classifyTask();
    const level = { simple: 0, moderate: 1, complex: 2 } as const;
    await fc.assert(
      fc.asyncProperty(anyText, keyword, async (text, word) => {
        const before = await base.execute(text);
        const after = await classifyTask({ extraRules: [{ words: [word], need: "tools" }] }).execute(text);
        for (const need of before.needs) expect(after.needs).toContain(need);
        expect(level[after.complexity]).toBeGreaterThanOrEqual(level[before.complexity]);
      }),
    );
  });
});
