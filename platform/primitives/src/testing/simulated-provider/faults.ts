/**
 * The simulated provider's randomness: a seeded PRNG (mulberry32), latency samples (fixed, uniform,
 * lognormal by Box–Muller) and the choice of a random fault. Everything here is pure and
 * deterministic given the seed.
 *
 * @packageDocumentation
 */
import { MAX_TIMER_MS } from "../../internal/options.js";
import type { ResolvedOutage } from "./options.js";
import type { SimulatedErrorRates, SimulatedFault, SimulatedLatency } from "./types.js";

/** `z` of the 99th percentile of the standard normal distribution. */
const Z99 = 2.326_347_874;

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a small, fast 32-bit PRNG. The same seed gives the same sequence of numbers in [0, 1).
 *
 * @param seed - any safe integer (reduced to 32 bits).
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Seeds of the independent fault, latency and error-latency streams of one provider seed. */
export function streamSeeds(seed: number): {
  readonly faults: number;
  readonly latency: number;
  readonly errorLatency: number;
} {
  const base = seed >>> 0;
  return { faults: base, latency: (base ^ 0x9e3779b9) >>> 0, errorLatency: (base ^ 0x85ebca6b) >>> 0 };
}

/** The lognormal σ whose 99th percentile is `p99Ms` when the median is `medianMs`. */
export function lognormalSigma(medianMs: number, p99Ms: number): number {
  return Math.log(p99Ms / medianMs) / Z99;
}

/**
 * One latency sample in ms (rounded to whole ms, at most 2^31 − 1). Draws exactly 0 (`fixed`),
 * 1 (`uniform`) or 2 (`lognormal`) numbers from `random`.
 */
export function sampleLatency(latency: SimulatedLatency, random: Random): number {
  switch (latency.distribution) {
    case "fixed":
      return latency.ms;
    case "uniform":
      return Math.round(latency.minMs + random() * (latency.maxMs - latency.minMs));
    case "lognormal": {
      const u1 = 1 - random(); // (0, 1]: log(0) is never taken
      const u2 = random();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const ms = latency.medianMs * Math.exp(lognormalSigma(latency.medianMs, latency.p99Ms) * z);
      return Math.min(MAX_TIMER_MS, Math.round(ms));
    }
  }
}

/**
 * The first `count` latencies of a provider started with `seed` (what requests 0, 1, 2… wait), for
 * tests of the distributions.
 */
export function latencySamples(latency: SimulatedLatency, seed: number, count: number): number[] {
  const random = mulberry32(streamSeeds(seed).latency);
  return Array.from({ length: count }, () => sampleLatency(latency, random));
}

const RANDOM_FAULTS: readonly [keyof SimulatedErrorRates, SimulatedFault][] = [
  ["rate429", { kind: "429", retryAfterS: 1 }],
  ["rate500", { kind: "500" }],
  ["rateHang", { kind: "hang" }],
  ["rateMalformed", { kind: "malformed" }],
  ["rateStreamCut", { kind: "stream-cut" }],
];
const OK: SimulatedFault = { kind: "ok" };

/**
 * Whether a fault is answered with an error status, so it waits `errorLatency`: `429`, `500` and
 * `status` faults with a status ≥ 400.
 */
export function isErrorFault(fault: SimulatedFault): boolean {
  return fault.kind === "429" || fault.kind === "500" || (fault.kind === "status" && fault.status >= 400);
}

/**
 * The fault for one uniform draw `u` in [0, 1): the rates are laid end to end (429, 500, hang,
 * malformed, stream-cut) and `u` past their sum means `ok`.
 */
export function chooseFault(rates: SimulatedErrorRates, u: number): SimulatedFault {
  let cumulative = 0;
  for (const [key, fault] of RANDOM_FAULTS) {
    const rate = rates[key] ?? 0;
    cumulative += rate;
    if (rate > 0 && u < cumulative) return fault;
  }
  return OK;
}

/**
 * The faults of the first `count` requests of a provider started with `seed` and no script, for
 * tests of the fault mix.
 */
export function faultSamples(rates: SimulatedErrorRates, seed: number, count: number): SimulatedFault[] {
  const random = mulberry32(streamSeeds(seed).faults);
  return Array.from({ length: count }, () => chooseFault(rates, random()));
}

/** The outage covering `elapsedMs` (the first one listed wins), if any. */
export function activeOutage(outages: readonly ResolvedOutage[], elapsedMs: number): ResolvedOutage | undefined {
  return outages.find((outage) => elapsedMs >= outage.startMs && elapsedMs < outage.endMs);
}

/** The `retry-after` of an outage: whole seconds until it ends, rounded up (at least 1). */
export function outageRetryAfterS(outage: ResolvedOutage, elapsedMs: number): number {
  return Math.max(1, Math.ceil((outage.endMs - elapsedMs) / 1000));
}
