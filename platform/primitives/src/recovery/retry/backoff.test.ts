import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BackoffJitter, BackoffOptions } from "./backoff.js";
import { computeRetryDelay } from "./backoff.js";
import { MAX_TIMER_MS } from "../../internal/options.js";

const delayArb = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100_000, noNaN: true }));
const optionsArb = (jitter?: BackoffJitter): fc.Arbitrary<BackoffOptions> =>
  fc.record({
    initialDelayMs: delayArb,
    backoffFactor: fc.oneof(fc.constant(1), fc.double({ min: 1, max: 10, noNaN: true })),
    maxDelayMs: fc.oneof(delayArb, fc.constant(Infinity)),
    jitter: jitter === undefined ? fc.constantFrom("full", "equal", "decorrelated", "none") : fc.constant(jitter),
  });
const attemptArb = fc.integer({ min: 1, max: 60 });
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** The DESIGN §10 base delay d (cap applied before jitter). */
function base(o: BackoffOptions, attempt: number): number {
  const cap = Math.min(o.maxDelayMs, MAX_TIMER_MS);
  return Math.min(cap, o.initialDelayMs === 0 ? 0 : o.initialDelayMs * o.backoffFactor ** (attempt - 1));
}

describe("computeRetryDelay", () => {
  it("is never negative and never above maxDelayMs, whatever the jitter (property)", () => {
    fc.assert(
      fc.property(optionsArb(), attemptArb, delayArb, randomArb, (o, attempt, previous, random) => {
        const delay = computeRetryDelay(o, attempt, previous, random);
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(o.maxDelayMs);
        expect(delay).toBeLessThanOrEqual(MAX_TIMER_MS);
      }),
      { numRuns: 500 },
    );
  });

  it('"none" is exactly min(maxDelayMs, initialDelayMs · backoffFactor^(attempt−1)) (property)', () => {
    fc.assert(
      fc.property(optionsArb("none"), attemptArb, randomArb, (o, attempt, random) => {
        expect(computeRetryDelay(o, attempt, 12_345, random)).toBe(base(o, attempt));
      }),
      { numRuns: 300 },
    );
  });

  it('"full" is uniform in [0, d]: random · d (property)', () => {
    fc.assert(
      fc.property(optionsArb("full"), attemptArb, randomArb, (o, attempt, random) => {
        const d = base(o, attempt);
        const delay = computeRetryDelay(o, attempt, 0, random);
        expect(delay).toBeCloseTo(random * d, 6);
        expect(delay).toBeLessThanOrEqual(d);
      }),
      { numRuns: 300 },
    );
  });

  it('"equal" is d/2 + uniform [0, d/2] (property)', () => {
    fc.assert(
      fc.property(optionsArb("equal"), attemptArb, randomArb, (o, attempt, random) => {
        const d = base(o, attempt);
        const delay = computeRetryDelay(o, attempt, 0, random);
        expect(delay).toBeGreaterThanOrEqual(d / 2);
        expect(delay).toBeLessThanOrEqual(d);
        expect(delay).toBeCloseTo(d / 2 + (random * d) / 2, 6);
      }),
      { numRuns: 300 },
    );
  });

  it('"decorrelated" is min(maxDelayMs, uniform [initialDelayMs, 3 · previous]) and ignores backoffFactor (property)', () => {
    fc.assert(
      fc.property(optionsArb("decorrelated"), attemptArb, delayArb, randomArb, (o, attempt, previous, random) => {
        const delay = computeRetryDelay(o, attempt, previous, random);
        const lo = Math.min(o.initialDelayMs, 3 * previous);
        const hi = Math.max(o.initialDelayMs, 3 * previous);
        const cap = Math.min(o.maxDelayMs, MAX_TIMER_MS);
        expect(delay).toBeGreaterThanOrEqual(Math.min(cap, lo) - 1e-6);
        expect(delay).toBeLessThanOrEqual(Math.min(cap, hi) + 1e-6);
        expect(delay).toBeCloseTo(Math.min(cap, o.initialDelayMs + random * (3 * previous - o.initialDelayMs)), 6);
        expect(computeRetryDelay({ ...o, backoffFactor: 1 }, 1, previous, random)).toBe(delay);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the DESIGN examples", () => {
    const o: BackoffOptions = { initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 30_000, jitter: "none" };
    expect([1, 2, 3, 4, 5].map((k) => computeRetryDelay(o, k, 0, 0.5))).toEqual([100, 200, 400, 800, 1600]);
    expect(computeRetryDelay(o, 20, 0, 0.5)).toBe(30_000);
    expect(computeRetryDelay({ ...o, jitter: "full" }, 3, 0, 0.25)).toBe(100);
    expect(computeRetryDelay({ ...o, jitter: "equal" }, 3, 0, 0.5)).toBe(300);
    // Decorrelated starts from previous = initialDelayMs: uniform [100, 300].
    expect(computeRetryDelay({ ...o, jitter: "decorrelated" }, 1, 100, 0)).toBe(100);
    expect(computeRetryDelay({ ...o, jitter: "decorrelated" }, 1, 100, 0.5)).toBe(200);
    expect(computeRetryDelay({ ...o, jitter: "decorrelated", maxDelayMs: 150 }, 1, 100, 0.5)).toBe(150);
  });

  it("an unbounded cap still yields a wait a timer can express; a zero base stays zero", () => {
    const o: BackoffOptions = { initialDelayMs: 100, backoffFactor: 10, maxDelayMs: Infinity, jitter: "none" };
    expect(computeRetryDelay(o, 3, 0, 0)).toBe(10_000);
    expect(computeRetryDelay(o, 400, 0, 0)).toBe(MAX_TIMER_MS);
    expect(computeRetryDelay({ ...o, initialDelayMs: 0 }, 2_000, 0, 0)).toBe(0);
  });
});
