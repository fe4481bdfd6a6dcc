/**
 * `modelRouter`: streams (failover before the first chunk, never after), bad options, and the bounded
 * latency estimate behind adaptive timeouts and p95 hedges.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidOptionsError, StreamInterruptedError } from "../core/index.js";
import { MockLanguageModel, TestClock, createTestContext } from "../testing/index.js";
import { ScriptedModel, hi, routerCatalog as catalog } from "../test-support/router-fixtures.js";
import { modelRouter } from "./router.js";
import type { ModelRouterOptions } from "./router/types.js";
import { LatencyEstimate } from "./router/latency.js";

const mock = (modelId: string, extra: ConstructorParameters<typeof MockLanguageModel>[0] = {}) =>
  new MockLanguageModel({ modelId, responses: [`answer from ${modelId}`], ...extra });

describe("streams through the router", () => {
  it("fails over when a stream fails before its first chunk", async () => {
    const router = modelRouter({
      candidates: [mock("cheap", { failStreamAfterChunks: 0 }), mock("backup")],
      catalog,
      retry: { maxRetries: 0 },
    });
    const stream = await router.stream(hi, createTestContext());
    expect((await stream.collect()).text).toBe("answer from backup");
  });

  it("fails over when the first chunk does not come within firstChunkTimeoutMs", async () => {
    const clock = new TestClock();
    const slow = mock("cheap", { latencyMs: 5_000, clock });
    const router = modelRouter({
      candidates: [slow, mock("backup")],
      catalog,
      firstChunkTimeoutMs: 1_000,
      retry: { maxRetries: 0 },
    });
    const pending = router.stream(hi, createTestContext({ clock }));
    await clock.advance(1_000);
    expect((await (await pending).collect()).text).toBe("answer from backup");
  });

  it("surfaces StreamInterruptedError after the first chunk instead of failing over", async () => {
    const backup = mock("backup");
    const router = modelRouter({
      candidates: [mock("cheap", { failStreamAfterChunks: 1, chunkSize: 4 }), backup],
      catalog,
    });
    const stream = await router.stream(hi, createTestContext());
    await expect(stream.collect()).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(backup.callCount).toBe(0);
  });

  it("skips candidates that cannot stream", async () => {
    const router = modelRouter({ candidates: [mock("cheap", { streaming: false }), mock("backup")], catalog });
    expect((await (await router.stream(hi)).collect()).text).toBe("answer from backup");
  });
});

describe("bad options", () => {
  const clock = new TestClock();
  const lm = new ScriptedModel("cheap", clock, [{ ok: "x" }]);
  const cases: [string, unknown][] = [
    ["candidates", { candidates: [] }],
    ["candidates", {}],
    ["candidates[0].model", { candidates: [new ScriptedModel("unknown-model", clock, [{ ok: "x" }])] }],
    ["catalog", { candidates: [lm], catalog: { models: [] } }],
    ["hedge.afterMs", { candidates: [lm], hedge: { afterMs: 0 } }],
    ["hedge.afterMs", { candidates: [lm], hedge: { afterMs: -5 } }],
    ["hedge.afterMs", { candidates: [lm], hedge: {} }],
    ["retry.maxRetries", { candidates: [lm], retry: { maxRetries: 1.5 } }],
    ["retry.maxRetries", { candidates: [lm], retry: { maxRetries: -1 } }],
    ["candidates[0].maxRetries", { candidates: [{ model: lm, maxRetries: "3" }] }],
    ["strategy", { candidates: [lm], strategy: "random" }],
    ["strategy.weighted", { candidates: [lm], strategy: { weighted: [1, 2] } }],
    ["attemptTimeout.multiplier", { candidates: [lm], attemptTimeout: { multiplier: 0.5 } }],
    ["preset", { candidates: [lm], preset: "fast" }],
    ["latencyGoalMs", { candidates: [lm], latencyGoalMs: 0 }],
    ["candidates[1]", { candidates: [lm, lm] }],
    ["colour", { candidates: [lm], colour: "red" }],
  ];
  it.each(cases)("names %s", (option, options) => {
    let error: unknown;
    try {
      modelRouter({ catalog, ...(options as object) } as ModelRouterOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
  });

  it("checks a request's needs", async () => {
    const router = modelRouter({ candidates: [lm], catalog });
    await expect(router.execute({ ...hi, needs: ["telepathy"] } as never)).rejects.toMatchObject({
      option: "request.needs",
    });
  });
});

describe("LatencyEstimate", () => {
  it("is within one bucket (±7.5 %) of the exact quantile of its window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 256 }),
        fc.constantFrom(0.5, 0.95, 0.99),
        (samples, q) => {
          const estimate = new LatencyEstimate();
          for (const s of samples) estimate.observe(s);
          const sorted = [...samples].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
          const got = estimate.quantile(q);
          expect(got / exact).toBeGreaterThan(1 / 1.0724 - 1e-9);
          expect(got / exact).toBeLessThan(1.0724 + 1e-9);
        },
      ),
    );
  });

  it("keeps at most 512 observations and follows a change in latency", () => {
    const estimate = new LatencyEstimate();
    for (let i = 0; i < 10_000; i++) estimate.observe(100);
    expect(estimate.count).toBeLessThanOrEqual(512);
    expect(estimate.count).toBeGreaterThan(256);
    for (let i = 0; i < 512; i++) estimate.observe(1_000);
    expect(estimate.p50).toBeGreaterThan(900);
  });

  it("ignores negative and non-finite values", () => {
    const estimate = new LatencyEstimate();
    for (const v of [-1, NaN, Infinity]) estimate.observe(v);
    expect(estimate.count).toBe(0);
    expect(estimate.p99).toBe(0);
  });
});
