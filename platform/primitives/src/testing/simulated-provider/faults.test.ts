import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activeOutage,
  chooseFault,
  faultSamples,
  latencySamples,
  lognormalSigma,
  mulberry32,
  outageRetryAfterS,
} from "./faults.js";

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

describe("mulberry32", () => {
  it("gives the same sequence for the same seed, numbers in [0, 1), and another sequence for another seed", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = mulberry32(seed);
        const b = mulberry32(seed);
        const xs = Array.from({ length: 20 }, () => a());
        expect(Array.from({ length: 20 }, () => b())).toEqual(xs);
        for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
      }),
    );
    const one = mulberry32(1);
    const two = mulberry32(2);
    expect(Array.from({ length: 5 }, () => one())).not.toEqual(Array.from({ length: 5 }, () => two()));
  });

  it("is roughly uniform", () => {
    const random = mulberry32(123);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) buckets[Math.floor(random() * 10)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(1_800);
  });
});

describe("latency samples", () => {
  it("are the same for the same seed and differ for another seed", () => {
    const latency = { distribution: "lognormal", medianMs: 100, p99Ms: 1_000 } as const;
    expect(latencySamples(latency, 7, 50)).toEqual(latencySamples(latency, 7, 50));
    expect(latencySamples(latency, 7, 50)).not.toEqual(latencySamples(latency, 8, 50));
  });

  it("fixed: always the given value", () => {
    expect(latencySamples({ distribution: "fixed", ms: 25 }, 3, 5)).toEqual([25, 25, 25, 25, 25]);
  });

  it("uniform: whole ms within [minMs, maxMs] for any seed and bounds", () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(10_000), fc.nat(10_000), (seed, a, b) => {
        const [minMs, maxMs] = a <= b ? [a, b] : [b, a];
        for (const ms of latencySamples({ distribution: "uniform", minMs, maxMs }, seed, 30)) {
          expect(Number.isInteger(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(minMs);
          expect(ms).toBeLessThanOrEqual(maxMs);
        }
      }),
    );
  });

  it("uniform: spread over the range", () => {
    const samples = latencySamples({ distribution: "uniform", minMs: 100, maxMs: 200 }, 11, 10_000);
    expect(quantile(samples, 0.5)).toBeGreaterThan(145);
    expect(quantile(samples, 0.5)).toBeLessThan(155);
  });

  it("lognormal: median and p99 close to the asked ones", () => {
    const samples = latencySamples({ distribution: "lognormal", medianMs: 100, p99Ms: 1_000 }, 42, 20_000);
    expect(quantile(samples, 0.5)).toBeGreaterThan(95);
    expect(quantile(samples, 0.5)).toBeLessThan(105);
    expect(quantile(samples, 0.99)).toBeGreaterThan(900);
    expect(quantile(samples, 0.99)).toBeLessThan(1_100);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
  });

  it("lognormal: σ = ln(p99 / median) / 2.326, and p99 = median gives a constant", () => {
    expect(lognormalSigma(100, 100 * Math.exp(2.326_347_874))).toBeCloseTo(1, 9);
    expect(latencySamples({ distribution: "lognormal", medianMs: 40, p99Ms: 40 }, 5, 10)).toEqual(
      new Array<number>(10).fill(40),
    );
  });

  it("lognormal: non-negative whole ms for any seed and parameters", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100 }), (s, m, k) => {
        for (const ms of latencySamples({ distribution: "lognormal", medianMs: m, p99Ms: m * k }, s, 20)) {
          expect(Number.isInteger(ms) && ms >= 0).toBe(true);
        }
      }),
    );
  });
});

describe("random faults", () => {
  it("lay the rates end to end: 429, 500, hang, malformed, stream-cut, then ok", () => {
    const rates = { rate429: 0.1, rate500: 0.1, rateHang: 0.1, rateMalformed: 0.1, rateStreamCut: 0.1 };
    const kinds = [0, 0.15, 0.25, 0.35, 0.45, 0.5, 0.99].map((u) => chooseFault(rates, u).kind);
    expect(kinds).toEqual(["429", "500", "hang", "malformed", "stream-cut", "ok", "ok"]);
    expect(chooseFault({}, 0).kind).toBe("ok");
    expect(chooseFault({ rate500: 1 }, 0.999_999).kind).toBe("500");
  });

  it("a random 429 says retry after 1 second", () => {
    expect(chooseFault({ rate429: 1 }, 0.5)).toEqual({ kind: "429", retryAfterS: 1 });
  });

  it("follow the rates over many requests, the same for the same seed", () => {
    const rates = { rate429: 0.3, rate500: 0.1 };
    const samples = faultSamples(rates, 9, 10_000);
    const count = (kind: string) => samples.filter((fault) => fault.kind === kind).length;
    expect(count("429")).toBeGreaterThan(2_800);
    expect(count("429")).toBeLessThan(3_200);
    expect(count("500")).toBeGreaterThan(850);
    expect(count("500")).toBeLessThan(1_150);
    expect(faultSamples(rates, 9, 100)).toEqual(samples.slice(0, 100));
  });
});

describe("outages", () => {
  const outages = [
    { startMs: 0, endMs: 1_000, status: 503 },
    { startMs: 5_000, endMs: 9_500, status: 502 },
  ];

  it("cover [startMs, endMs)", () => {
    expect(activeOutage(outages, 0)?.status).toBe(503);
    expect(activeOutage(outages, 999)?.status).toBe(503);
    expect(activeOutage(outages, 1_000)).toBeUndefined();
    expect(activeOutage(outages, 5_000)?.status).toBe(502);
    expect(activeOutage(outages, 9_500)).toBeUndefined();
  });

  it("say retry after the seconds left, rounded up, at least 1", () => {
    expect(outageRetryAfterS(outages[1]!, 5_000)).toBe(5);
    expect(outageRetryAfterS(outages[1]!, 9_499.5)).toBe(1);
    expect(outageRetryAfterS(outages[0]!, 0)).toBe(1);
  });
});
