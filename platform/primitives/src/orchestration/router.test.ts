/**
 * `modelRouter`: failover, cool-downs, breakers, adaptive timeouts and hedging on fake time.
 */
import { describe, expect, it } from "vitest";
import { FallbackError, ProviderError, subscribe } from "../core/index.js";
import { TestClock, createTestContext } from "../testing/index.js";
import { modelRouter } from "./router.js";
import { ScriptedModel, hi, routerCatalog as catalog } from "../test-support/router-fixtures.js";

function setup(
  primarySteps: ConstructorParameters<typeof ScriptedModel>[2],
  backupSteps = [{ ok: "from backup" }] as ConstructorParameters<typeof ScriptedModel>[2],
) {
  const clock = new TestClock();
  const primary = new ScriptedModel("cheap", clock, primarySteps);
  const backup = new ScriptedModel("backup", clock, backupSteps);
  return { clock, primary, backup };
}

describe("modelRouter: failover and waiting", () => {
  it("answers from the cheapest candidate when it is healthy", async () => {
    const { clock, primary, backup } = setup([{ ok: "from cheap" }]);
    const router = modelRouter({ candidates: [backup, primary], catalog });
    const { response, route } = await router.executeWithRoute(hi, createTestContext({ clock }));
    expect(response.text).toBe("from cheap");
    expect(route).toMatchObject({ model: "cheap", attempts: 1, hedged: false, skipped: [] });
    expect(route.costUsd).toBeCloseTo((10 * 1 + 5 * 4) / 1e6, 12);
    expect(backup.calls).toBe(0);
  });

  it("fails over at once when a 429's Retry-After (5 s) does not fit the 2 s left", async () => {
    const { clock, primary, backup } = setup([{ fail: 429, retryAfterMs: 5_000 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog });
    const { response, route } = await router.executeWithRoute(hi, createTestContext({ clock, timeoutMs: 2_000 }));
    expect(response.text).toBe("from backup");
    expect(backup.startedAt).toEqual([clock.now()]);
    expect(clock.now()).toBe(0);
    expect(route.log.map((a) => [a.model, a.outcome, a.status])).toEqual([
      ["cheap", "error", 429],
      ["backup", "success", undefined],
    ]);
    expect(route.skipped).toContainEqual({ model: "cheap", reason: "cooling-down" });
  });

  it("waits out a Retry-After that fits the deadline and retries the cheaper candidate", async () => {
    const { clock, primary, backup } = setup([{ fail: 429, retryAfterMs: 1_000 }, { ok: "from cheap" }]);
    const router = modelRouter({ candidates: [primary, backup], catalog });
    const done = router.execute(hi, createTestContext({ clock, timeoutMs: 10_000 }));
    await clock.advance(999);
    expect(primary.calls).toBe(1);
    await clock.advance(1);
    expect((await done).text).toBe("from cheap");
    expect(primary.startedAt).toEqual([0, 1_000]);
    expect(backup.calls).toBe(0);
  });

  it("fails over instead of waiting when the wait would end past latencyGoalMs", async () => {
    const { clock, primary, backup } = setup([{ fail: 429, retryAfterMs: 1_500 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog, latencyGoalMs: 1_000 });
    expect((await router.execute(hi, createTestContext({ clock }))).text).toBe("from backup");
    expect(clock.now()).toBe(0);
  });

  it("throws a non-retryable error (400) at once without trying the other candidate", async () => {
    const { clock, primary, backup } = setup([{ fail: 400 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog });
    await expect(router.execute(hi, createTestContext({ clock }))).rejects.toMatchObject({ status: 400 });
    expect(backup.calls).toBe(0);
  });

  it("retries a candidate after a 500 with backoff, up to maxRetries, then fails over", async () => {
    const { clock, primary, backup } = setup([{ fail: 500 }]);
    const router = modelRouter({
      candidates: [primary, backup],
      catalog,
      breaker: false,
      retry: { maxRetries: 2, initialDelayMs: 100, jitter: false },
    });
    const done = router.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(1_000);
    const { route } = await done;
    expect(primary.startedAt).toEqual([0, 100, 300]);
    expect(route.model).toBe("backup");
    expect(route.attempts).toBe(4);
    expect(route.skipped).toContainEqual({ model: "cheap", reason: "exhausted" });
  });

  it("throws FallbackError with every attempt's error when all candidates are used up", async () => {
    const { clock, primary, backup } = setup([{ fail: 503 }], [{ fail: 502 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog, retry: { maxRetries: 0 } });
    const error = await router.execute(hi, createTestContext({ clock })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FallbackError);
    expect((error as FallbackError).errors.map((e) => (e as ProviderError).status)).toEqual([503, 502]);
  });

  it("rethrows the only error when a single attempt was made", async () => {
    const { clock, primary } = setup([{ fail: 503 }]);
    const router = modelRouter({ candidates: [primary], catalog, retry: { maxRetries: 0 } });
    await expect(router.execute(hi, createTestContext({ clock }))).rejects.toBeInstanceOf(ProviderError);
  });

  it("with afterFailure: failover-first, tries the other candidate before retrying the failed one", async () => {
    const { clock, primary, backup } = setup([{ fail: 500 }, { ok: "from cheap" }]);
    const retryFirst = modelRouter({ candidates: [primary, backup], catalog, retry: { initialDelayMs: 0 } });
    const first = retryFirst.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(0);
    expect((await first).route.log.map((a) => a.model)).toEqual(["cheap", "cheap"]);
    const { clock: c2, primary: p2, backup: b2 } = setup([{ fail: 500 }, { ok: "from cheap" }]);
    const failoverFirst = modelRouter({ candidates: [p2, b2], catalog, afterFailure: "failover-first" });
    const { route } = await failoverFirst.executeWithRoute(hi, createTestContext({ clock: c2 }));
    expect(route.log.map((a) => a.model)).toEqual(["cheap", "backup"]);
  });

  it("orders three candidates by price, and by observed median latency with strategy fastest", async () => {
    const clock = new TestClock();
    const fail = [{ fail: 503 }] as const;
    const third = new ScriptedModel("third", clock, [...fail]);
    const backup = new ScriptedModel("backup", clock, [...fail]);
    const cheap = new ScriptedModel("cheap", clock, [...fail]);
    const cheapest = modelRouter({ candidates: [third, backup, cheap], catalog, retry: { maxRetries: 0 } });
    const error = await cheapest.execute(hi, createTestContext({ clock })).catch((e: unknown) => e);
    expect((error as FallbackError).errors.map((e) => (e as ProviderError).status)).toHaveLength(3);
    expect([cheap, backup, third].map((m) => m.calls)).toEqual([1, 1, 1]);
    const tried: string[] = [];
    const log = modelRouter({ candidates: [third, backup, cheap], catalog, retry: { maxRetries: 0 } });
    const stop = subscribe((e) => {
      if (e.type === "model-call") tried.push(e.model);
    });
    await log.execute(hi, createTestContext({ clock })).catch(() => undefined);
    stop();
    expect(tried).toEqual(["cheap", "backup", "third"]);
    const order: string[] = [];
    const spy = (id: string, ms: number) => {
      const m = new ScriptedModel(id, clock, [{ ok: id, ms }]);
      const generate = m.generate.bind(m);
      m.generate = (r, o) => (order.push(id), generate(r, o));
      return m;
    };
    const fastest = modelRouter({
      candidates: [spy("third", 30), spy("backup", 10), spy("cheap", 20)],
      catalog,
      strategy: "fastest",
    });
    // Unobserved candidates count as 0 ms, so the first three calls try each once (given order, stable).
    for (let i = 0; i < 4; i++) {
      const done = fastest.execute(hi, createTestContext({ clock }));
      await clock.advance(30);
      await done;
    }
    expect(order).toEqual(["third", "backup", "cheap", "backup"]);
  });

  it("applies presets under explicit options, merging adaptive timeout settings", () => {
    const clock = new TestClock();
    const lm = new ScriptedModel("cheap", clock, [{ ok: "x" }]);
    const cost = modelRouter({ candidates: [lm], catalog, preset: "cost", attemptTimeout: { maxMs: 3_000 } }).options;
    expect(cost.adaptive).toMatchObject({ multiplier: 1.25, maxMs: 3_000, quantile: 0.99 });
    expect([cost.hedgeAfterMs, cost.failoverFirst, cost.strategy]).toEqual([undefined, false, "cheapest"]);
    const latency = modelRouter({ candidates: [lm], catalog, preset: "latency", afterFailure: "retry-first" }).options;
    expect(latency.adaptive).toMatchObject({ multiplier: 1.5, maxMs: 30_000 });
    expect([latency.hedgeAfterMs, latency.failoverFirst]).toEqual(["p99", false]);
    const fixed = modelRouter({ candidates: [lm], catalog, preset: "latency", attemptTimeout: 2_000 }).options;
    expect([fixed.attemptTimeoutMs, fixed.adaptive]).toEqual([2_000, undefined]);
  });
});
