import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { circuitBreaker } from "../circuit-breaker.js";
import { createTestContext } from "../../testing/index.js";
import { invalidOption } from "../../test-support/index.js";
import { HUGE_COUNTS, RETAINED_LIMIT_BYTES, UNSAFE_COUNTS, retainedBytes } from "../../test-support/bounds.js";
import { CountWindow, resolveWindow } from "./sliding-window.js";

describe("CountWindow", () => {
  it("trips exactly like the last `size` outcomes say, across growth and clear (property, against a model)", () => {
    const op = fc.oneof(
      { weight: 20, arbitrary: fc.boolean() },
      { weight: 1, arbitrary: fc.constant("clear" as const) },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.array(op, { maxLength: 900 }),
        (size, minimum, threshold, ops) => {
          const minimumCalls = Math.min(size, minimum);
          const window = new CountWindow(size, minimumCalls, threshold);
          let model: boolean[] = [];
          for (const o of ops) {
            if (o === "clear") {
              window.clear();
              model = [];
              continue;
            }
            model.push(o);
            if (model.length > size) model.shift();
            const failures = model.filter(Boolean).length;
            const expected = model.length >= minimumCalls && failures / model.length >= threshold;
            expect(window.record(o)).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Issue 10 item 1: a count window preallocated one byte per call of its size (`new Uint8Array(size)`):
// 2 GB for 2 ** 31 − 1, a RangeError (not an InvalidOptionsError) past the typed-array limit.
describe("bounded allocation (ADR 0013)", () => {
  it("a breaker with a huge count window allocates nothing for the bound and still answers", async () => {
    for (const size of HUGE_COUNTS) {
      const { value: breaker, bytes } = retainedBytes(() =>
        circuitBreaker((x: number) => x + 1, { window: { kind: "count", size, minimumCalls: 1 } }),
      );
      expect(bytes, `window.size ${size}`).toBeLessThan(RETAINED_LIMIT_BYTES);
      expect(breaker.options.window?.size).toBe(size);
      await expect(breaker.execute(1, createTestContext())).resolves.toBe(2);
    }
  });

  it("a huge count window fills one bit per call, never per slot of its size", () => {
    const { value: window, bytes } = retainedBytes(() => {
      const w = new CountWindow(2 ** 31 - 1, 10, 0.5);
      for (let i = 0; i < 10_000; i++) w.record(i % 3 === 0);
      return w;
    });
    expect(bytes).toBeLessThan(RETAINED_LIMIT_BYTES);
    expect(window.record(true)).toBe(false); // 3 334 failures in 10 001 calls
  });

  it("a count size past Number.MAX_SAFE_INTEGER is an InvalidOptionsError naming window.size", () => {
    for (const size of [...UNSAFE_COUNTS, Infinity]) {
      const error = invalidOption(() => resolveWindow({ kind: "count", size }));
      expect(error.option).toBe("window.size");
      expect(invalidOption(() => circuitBreaker(() => 1, { window: { kind: "count", size } })).option).toBe(
        "window.size",
      );
    }
    expect(resolveWindow({ kind: "count", size: Number.MAX_SAFE_INTEGER })?.size).toBe(Number.MAX_SAFE_INTEGER);
  });
});
