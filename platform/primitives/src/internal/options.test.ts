import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../core/errors.js";
import { parallel } from "../core/index.js";
import { choiceOption, describeValue } from "./options.js";

const SK = "sk-live-4f9Qz7XbT2mN8pLk3vR6wY1cAb3dE5fG"; // 40 characters: under the old 80-character cut
const TOKEN = "Xq7Lm2Pz9Rt4Vw8Ks1Jn6Hb3Gc5Fd0Ya"; // 32 characters, no known shape

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return (error as Error).message;
  }
  throw new Error("expected an InvalidOptionsError");
}

describe("describeValue", () => {
  it("never echoes a long string: its length and a short redacted prefix instead", () => {
    expect(describeValue(TOKEN)).toBe('a string of 32 characters starting "Xq7Lm2Pz"…');
    expect(describeValue(SK)).toBe('a string of 40 characters starting "[REDACTED]"…');
    expect(describeValue(`Bearer ${TOKEN}`)).toBe('a string of 39 characters starting "Bearer ["…');
  });

  it("quotes short strings, after redaction", () => {
    expect(describeValue("zipkin")).toBe('"zipkin"');
    expect(describeValue("")).toBe('""');
    expect(describeValue("AKIAIOSFODNN7EXAMPLE")).toBe('"[REDACTED]"');
  });

  it("describes strings inside objects the same way, and redacts key-value secrets", () => {
    const text = describeValue({ token: TOKEN, password: "hunter22", mode: "fast" });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("hunter22");
    expect(text).toBe('{"token":"Xq7Lm2Pz…(32 chars)","password":"[REDACTED]","mode":"fast"}');
  });

  it("keeps the other descriptions", () => {
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(-0)).toBe("-0");
    expect(describeValue([1, 2])).toBe("an array of 2");
    expect(describeValue(new Map())).toBe("a Map");
    expect(describeValue(() => 1)).toBe("function (anonymous)");
    expect(describeValue({ a: "x".repeat(10) })).toBe('{"a":"xxxxxxxxxx"}');
  });
});

describe("InvalidOptionsError messages", () => {
  it("do not contain a secret passed where an option was expected", () => {
    for (const secret of [SK, TOKEN]) {
      const message = messageOf(() => choiceOption("mode", secret, ["all", "allSettled"], "all"));
      expect(message).toMatch(/^Expected `mode` to be one of "all", "allSettled", got a string of \d+ characters/);
      expect(message).not.toContain(secret);
      const fromParallel = messageOf(() => parallel([(n: number) => n], { mode: secret as "all" }));
      expect(fromParallel).not.toContain(secret);
    }
  });
});
