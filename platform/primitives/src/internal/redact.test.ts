import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "./redact.js";

/**
 * Secret values as callers pass them (API keys, header values): any characters except whitespace and
 * square brackets. A "secret" that overlaps the `[REDACTED]` marker itself (e.g. `"D]abcd"` followed
 * by `"abcd"`, or `"[REDACTED]"`), or ends in whitespace after `Bearer`, can be re-created by the
 * replacement; such values are not realistic keys and are excluded here.
 */
const secret = fc
  .string({ minLength: 6, maxLength: 60, unit: "grapheme" })
  .filter((s) => s.length >= 6 && !/[\s[\]]/.test(s));

describe("redactSecrets", () => {
  it("removes a given secret wherever it is embedded in any text (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), secret, fc.string({ unit: "grapheme" }), (before, s, after) => {
        const text = `${before}${s}${after}`;
        expect(redactSecrets(text, [s])).not.toContain(s);
      }),
      { numRuns: 500 },
    );
  });

  it("removes every occurrence, also when occurrences are adjacent or overlap (property)", () => {
    fc.assert(
      fc.property(secret, fc.array(fc.string({ maxLength: 5 }), { maxLength: 5 }), (s, gaps) => {
        const text = gaps.map((gap) => `${gap}${s}`).join("") + s + s.slice(1) + s;
        expect(redactSecrets(text, [s])).not.toContain(s);
      }),
    );
  });

  it("replaces each secret with the marker and leaves the rest of the text", () => {
    expect(redactSecrets("token=hunter22 user=bob", ["hunter22"])).toBe(`token=${REDACTED} user=bob`);
    expect(redactSecrets("a-secret-value and a-secret-value", ["a-secret-value"])).toBe(`${REDACTED} and ${REDACTED}`);
  });

  it("ignores values shorter than 6 characters (they would shred the text)", () => {
    expect(redactSecrets("content-type: json", ["json", "1"])).toBe("content-type: json");
  });

  it("redacts generic secret shapes without being told the secret", () => {
    const cases: readonly [string, string][] = [
      ["Authorization: Bearer sk-abcdefghijklmnop", "sk-abcdefghijklmnop"],
      ["authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"],
      // Any Authorization scheme, not only Bearer/Basic: the credentials after the scheme go too.
      ["Authorization: Token r8_abcdef123456", "r8_abcdef123456"],
      ['{"Authorization":"Api-Key k3y-v4lu3-1234"}', "k3y-v4lu3-1234"],
      ["proxy-authorization: Digest qwertyuiop", "qwertyuiop"],
      ['{"api_key": "xyz12345678"}', "xyz12345678"],
      ["?apikey=q1w2e3r4t5&x=1", "q1w2e3r4t5"],
      ["x-api-key: abc123def456", "abc123def456"],
      ["key sk-proj-AbCdEf0123456789_ghIJ", "AbCdEf0123456789"],
      ["groq gsk_abcdefgh12345678", "abcdefgh12345678"],
      ["google AIzaSyA1234567890abcdefghijklmn", "SyA1234567890abcdefghijklmn"],
      ["gh ghp_abcdefgh12345678", "abcdefgh12345678"],
      ["hf hf_abcdefgh12345678", "abcdefgh12345678"],
      ["aws AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"],
      ["sts ASIAY34FZKBOKMUTVV7A.", "ASIAY34FZKBOKMUTVV7A"],
    ];
    for (const [text, hidden] of cases) {
      const out = redactSecrets(text);
      expect(out, text).not.toContain(hidden);
      expect(out, text).toContain(REDACTED);
    }
  });

  it("never throws and maps non-strings and empty text to an empty string", () => {
    expect(redactSecrets("")).toBe("");
    expect(redactSecrets(undefined as unknown as string)).toBe("");
    expect(redactSecrets(42 as unknown as string)).toBe("");
    expect(redactSecrets("plain text", [undefined as unknown as string, 7 as unknown as string])).toBe("plain text");
  });
});
