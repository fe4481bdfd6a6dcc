/**
 * `@tta/primitives/options` (issue 11, item 5): the one option-validation implementation, as other TTA
 * packages and custom primitives import it.
 */
import { describe, expect, it } from "vitest";
import { InvalidOptionsError as CoreInvalidOptionsError } from "../core/index.js";
import {
  InvalidOptionsError,
  booleanOption,
  choiceOption,
  fail,
  integerOption,
  readOptions,
} from "@tta/primitives/options";

function caught(fn: () => unknown): InvalidOptionsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error("expected an InvalidOptionsError");
}

describe("@tta/primitives/options", () => {
  it("throws the core InvalidOptionsError class (one class object, so `instanceof` works everywhere)", () => {
    expect(InvalidOptionsError).toBe(CoreInvalidOptionsError);
    expect(caught(() => fail("x", "a boolean", 1))).toBeInstanceOf(CoreInvalidOptionsError);
  });

  it("names a nested option by its dotted path", () => {
    const unknown = caught(() =>
      readOptions("setupObservability", { exporter: "otlp", sampleRate: 1 }, ["exporter"], "tracing"),
    );
    expect(unknown.option).toBe("tracing.sampleRate");
    expect(unknown.message).toBe(
      "Unknown option `tracing.sampleRate` for setupObservability; expected one of: `exporter`",
    );

    const notObject = caught(() => readOptions("setupObservability", [1], ["exporter"], "tracing"));
    expect(notObject.option).toBe("tracing");
    expect(notObject.message).toBe("Expected `tracing` to be a plain object or omitted, got an array of 1");
  });

  it("keeps the top-level wording without a path", () => {
    const unknown = caught(() => readOptions("parallel", { concurency: 2 }, ["concurrency", "name"]));
    expect(unknown.option).toBe("concurency");
    expect(unknown.message).toBe("Unknown option `concurency` for parallel; expected one of: `concurrency`, `name`");
    expect(caught(() => readOptions("parallel", null, ["name"])).option).toBe("parallel options");
  });

  it("reads own keys with null meaning the default", () => {
    const o = readOptions("x", { a: null, b: 2 }, ["a", "b"], "x");
    expect(integerOption("x.a", o.a, 7, { min: 0 })).toBe(7);
    expect(integerOption("x.b", o.b, 7, { min: 0 })).toBe(2);
    expect(booleanOption("x.c", undefined, true)).toBe(true);
  });

  it("words values the house way: `Expected \\`x\\` to be …, got …`", () => {
    expect(caught(() => integerOption("metrics.port", 70_000, 0, { min: 0, max: 65_535 })).message).toBe(
      "Expected `metrics.port` to be an integer ≥ 0 and ≤ 65535, got 70000",
    );
    expect(caught(() => choiceOption("logging.level", "verbose", ["info", "warn"], "info")).message).toBe(
      'Expected `logging.level` to be one of "info", "warn", got "verbose"',
    );
  });
});
