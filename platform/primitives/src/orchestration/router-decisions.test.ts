/**
 * `modelRouter` decisions: breakers, cool-downs, adaptive timeouts, hedges, capability filtering, and
 * how each one shows on the span and in the `route` event.
 */
import { describe, expect, it } from "vitest";
import { CircuitOpenError, RouteNotFoundError, createContext } from "../core/index.js";
import { TestClock, createTestContext } from "../testing/index.js";
import { recordEvents } from "../test-support/index.js";
import { registerSdk, spans } from "../test-support/model-fixtures.js";
import { ScriptedModel, hi, routerCatalog as catalog } from "../test-support/router-fixtures.js";
import type { Step } from "../test-support/router-fixtures.js";
import { modelRouter } from "./router.js";

function models(primary: readonly Step[], backup: readonly Step[] = [{ ok: "from backup" }]) {
  const clock = new TestClock();
  return {
    clock,
    primary: new ScriptedModel("cheap", clock, primary),
    backup: new ScriptedModel("backup", clock, backup),
  };
}

describe("breakers and cool-downs", () => {
  it("skips a candidate whose breaker is open, without calling it", async () => {
    const { clock, primary, backup } = models([{ fail: 500 }]);
    const router = modelRouter({
      candidates: [primary, backup],
      catalog,
      breaker: { failureThreshold: 1, recoveryTimeoutMs: 60_000 },
      retry: { maxRetries: 0 },
    });
    await router.execute(hi, createTestContext({ clock }));
    expect(router.status()[0]).toMatchObject({ model: "cheap", breaker: "open" });
    const { route } = await router.executeWithRoute(hi, createTestContext({ clock }));
    expect(primary.calls).toBe(1);
    expect(route).toMatchObject({
      model: "backup",
      attempts: 1,
      skipped: [{ model: "cheap", reason: "breaker-open" }],
    });
  });

  it("does not open a breaker on 429s (a rate limit is a cool-down, not an outage)", async () => {
    const { clock, primary, backup } = models([{ fail: 429 }]);
    const router = modelRouter({
      candidates: [primary, backup],
      catalog,
      breaker: { failureThreshold: 1 },
      retry: { maxRetries: 0 },
    });
    for (let i = 0; i < 3; i++) await router.execute(hi, createTestContext({ clock }));
    expect(router.status()[0]!.breaker).toBe("closed");
    expect(primary.calls).toBe(3);
  });

  it("cools a candidate down for every request after a 503 with Retry-After (an outage)", async () => {
    const { clock, primary, backup } = models([{ fail: 503, retryAfterMs: 20_000 }, { ok: "back" }]);
    const router = modelRouter({ candidates: [primary, backup], catalog });
    const ctx = () => createTestContext({ clock, timeoutMs: 10_000 });
    expect((await router.execute(hi, ctx())).text).toBe("from backup");
    expect(router.status()[0]!.coolingDownMs).toBe(20_000);
    expect((await router.execute(hi, ctx())).text).toBe("from backup");
    expect(primary.calls).toBe(1);
    await clock.advance(20_000);
    expect((await router.execute(hi, ctx())).text).toBe("back");
  });

  it("cools a candidate down after `coolDownAfter429s` 429s in a row, not after one", async () => {
    const { clock, primary, backup } = models([{ fail: 429, retryAfterMs: 60_000 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog, coolDownAfter429s: 2 });
    const ctx = () => createTestContext({ clock, timeoutMs: 10_000 });
    await router.execute(hi, ctx());
    expect(router.status()[0]!.coolingDownMs).toBe(0);
    await router.execute(hi, ctx());
    expect(router.status()[0]!.coolingDownMs).toBe(60_000);
    await router.execute(hi, ctx());
    expect(primary.calls).toBe(2);
  });

  it("cools a candidate down until its reset when an answer says no requests are left", async () => {
    const exhausted = { remainingRequests: 0, resetRequestsMs: 3_000 };
    const { clock, primary, backup } = models([{ ok: "last one", rateLimit: exhausted }, { ok: "again" }]);
    const router = modelRouter({ candidates: [primary, backup], catalog, retry: { maxDelayMs: 1_000 } });
    expect((await router.execute(hi, createTestContext({ clock }))).text).toBe("last one");
    expect((await router.execute(hi, createTestContext({ clock }))).text).toBe("from backup");
    await clock.advance(3_000);
    expect((await router.execute(hi, createTestContext({ clock }))).text).toBe("again");
  });

  it("throws CircuitOpenError naming each candidate when none can be tried", async () => {
    const { clock, primary } = models([{ fail: 503, retryAfterMs: 30_000 }]);
    const router = modelRouter({ candidates: [primary], catalog });
    await router.execute(hi, createTestContext({ clock, timeoutMs: 5_000 })).catch(() => undefined);
    const error = await router.execute(hi, createTestContext({ clock, timeoutMs: 5_000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).message).toContain("cheap (cooling-down)");
    expect((error as CircuitOpenError).retryAfterMs).toBe(30_000);
  });
});

describe("attempt timeouts and hedging", () => {
  it("abandons a hung primary at the adaptive timeout (1.5 × its observed p99) and fails over", async () => {
    const steps: Step[] = [
      ...Array.from({ length: 20 }, () => ({ ok: "fast", ms: 100 })),
      { hang: true, ignoreAbort: true },
    ];
    const { clock, primary, backup } = models(steps);
    // One attempt on the primary per request: the timed-out attempt is not retried on it.
    const router = modelRouter({
      candidates: [{ model: primary, maxRetries: 0 }, backup],
      catalog,
      attemptTimeout: { minMs: 50 },
    });
    for (let i = 0; i < 20; i++) {
      const done = router.execute(hi, createTestContext({ clock }));
      await clock.advance(100);
      await done;
    }
    const limit = 1.5 * router.status()[0]!.p99Ms;
    expect(limit).toBeGreaterThan(1.5 * 100 * 0.92);
    expect(limit).toBeLessThan(1.5 * 100 * 1.08);
    const start = clock.now();
    const done = router.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(Math.ceil(limit));
    const { response, route } = await done;
    expect(response.text).toBe("from backup");
    expect(backup.startedAt[0]! - start).toBeCloseTo(limit, 6);
    expect(primary.signals.at(-1)!.aborted).toBe(true);
    expect(route.log.map((a) => a.outcome)).toEqual(["timeout", "success"]);
  });

  it("uses maxMs until it has minSamples observations", async () => {
    const { clock, primary, backup } = models([{ hang: true }]);
    const router = modelRouter({
      candidates: [primary, backup],
      catalog,
      attemptTimeout: { maxMs: 3_000 },
      retry: { maxRetries: 0 },
    });
    const done = router.execute(hi, createTestContext({ clock }));
    await clock.advance(2_999);
    expect(backup.calls).toBe(0);
    await clock.advance(1);
    expect((await done).text).toBe("from backup");
  });

  it("hedges at afterMs: the first success wins and the loser's signal is aborted", async () => {
    const { clock, primary, backup } = models([{ ok: "slow cheap", ms: 1_000 }], [{ ok: "from backup", ms: 100 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog, hedge: { afterMs: 200 } });
    const events = recordEvents();
    const done = router.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(199);
    expect(backup.calls).toBe(0);
    await clock.advance(1);
    expect(backup.startedAt).toEqual([200]);
    await clock.advance(100);
    const { response, route } = await done;
    expect(response.text).toBe("from backup");
    expect(primary.signals[0]!.aborted).toBe(true);
    expect(route).toMatchObject({ model: "backup", hedged: true, attempts: 2 });
    expect(route.log.map((a) => [a.model, a.outcome, a.hedge])).toEqual([
      ["backup", "success", true],
      ["cheap", "lost-hedge", false],
    ]);
    expect(router.status()[0]!.breaker).toBe("closed");
    expect(events.filter((e) => e.type === "route")).toMatchObject([
      { model: "backup", hedged: true, attempts: 2, failovers: 0 },
    ]);
  });

  it("keeps the first answer when the loser answers late despite the abort, and reports the late charge", async () => {
    const { clock, primary, backup } = models(
      [{ ok: "late cheap", ms: 1_000, ignoreAbort: true }],
      [{ ok: "from backup", ms: 10 }],
    );
    const router = modelRouter({ candidates: [primary, backup], catalog, hedge: { afterMs: 50 } });
    const events = recordEvents();
    const done = router.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(60);
    const { response, route } = await done;
    expect(response.text).toBe("from backup");
    expect(route.log.map((a) => [a.model, a.outcome])).toEqual([
      ["backup", "success"],
      ["cheap", "lost-hedge"],
    ]);
    await clock.advance(1_000);
    // The late answer is not the caller's, but what it cost is in the event stream (and in a budget).
    const calls = events.filter((e) => e.type === "model-call").map((e) => [e.model, e.outcome]);
    expect(calls).toEqual([
      ["backup", "success"],
      ["cheap", "success"],
    ]);
    expect(route.attempts).toBe(2);
  });
});

describe("which candidates can serve", () => {
  it("skips candidates without a needed capability or with a too-small context window", async () => {
    const clock = new TestClock();
    const plain = new ScriptedModel("plain", clock, [{ ok: "plain" }]);
    const tiny = new ScriptedModel("tiny", clock, [{ ok: "tiny" }]);
    const backup = new ScriptedModel("backup", clock, [{ ok: "backup" }]);
    const router = modelRouter({ candidates: [plain, tiny, backup], catalog });
    const long = { messages: [{ role: "user" as const, content: "x".repeat(400) }] };
    const withTools = { ...long, tools: [{ name: "f", parameters: { type: "object" } }] };
    const { route } = await router.executeWithRoute(withTools, createTestContext({ clock }));
    expect(route.model).toBe("backup");
    expect(route.skipped).toEqual([
      { model: "plain", reason: "capability" },
      { model: "tiny", reason: "context-window" },
    ]);
    expect((await router.execute({ ...hi, needs: ["code"] }, createTestContext({ clock }))).text).toBe("backup");
    expect((await router.execute(hi, createTestContext({ clock }))).text).toBe("plain");
  });

  it("throws RouteNotFoundError explaining each candidate when none can serve", async () => {
    const clock = new TestClock();
    const router = modelRouter({ candidates: [new ScriptedModel("plain", clock, [{ ok: "x" }])], catalog });
    const error = await router.execute({ ...hi, needs: ["vision"] }, createContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouteNotFoundError);
    expect((error as Error).message).toBe(
      "No candidate of the model router can serve this request: plain (lacks a needed capability)",
    );
  });

  it("fails over on a content-filter finish only when asked, and keeps that answer as a last resort", async () => {
    const { clock, primary, backup } = models([{ ok: "filtered", finishReason: "content-filter" }], [{ fail: 503 }]);
    const plainRouter = modelRouter({ candidates: [primary, backup], catalog });
    expect((await plainRouter.execute(hi, createTestContext({ clock }))).text).toBe("filtered");
    // With a healthy second candidate, the filtered attempt is logged as such and the other one answers.
    const healthy = new ScriptedModel("backup", clock, [{ ok: "clean" }]);
    const moving = modelRouter({ candidates: [primary, healthy], catalog, failover: { contentFilter: true } });
    const moved = await moving.executeWithRoute(hi, createTestContext({ clock }));
    expect(moved.response.text).toBe("clean");
    expect(moved.route.log.map((a) => [a.model, a.outcome, a.errorType])).toEqual([
      ["cheap", "error", "content-filter"],
      ["backup", "success", undefined],
    ]);
    const router = modelRouter({
      candidates: [primary, backup],
      catalog,
      failover: { contentFilter: true },
      retry: { maxRetries: 0 },
    });
    const { response, route } = await router.executeWithRoute(hi, createTestContext({ clock }));
    expect(response.text).toBe("filtered");
    // The filtered answer is the last resort: its attempt is the route's one success.
    expect(route.log.map((a) => [a.model, a.outcome, a.errorType])).toEqual([
      ["cheap", "success", undefined],
      ["backup", "error", "PROVIDER_ERROR"],
    ]);
    expect(route.model).toBe("cheap");
  });

  it("rejects with the caller's abort reason and aborts the attempt", async () => {
    const { clock, primary, backup } = models([{ hang: true }]);
    const router = modelRouter({ candidates: [primary, backup], catalog });
    const controller = new AbortController();
    const done = router.execute(hi, createTestContext({ clock, signal: controller.signal }));
    const reason = new Error("user left");
    await clock.advance(10);
    controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(primary.signals[0]!.aborted).toBe(true);
    expect(backup.calls).toBe(0);
  });
});

describe("what the span shows (real SDK)", () => {
  it("records skips, failovers and the result on the router span, with a breaker and a chat span per attempt", async () => {
    registerSdk();
    const { clock, primary, backup } = models([{ fail: 429, retryAfterMs: 5_000 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog, name: "llm" });
    await router.execute(hi, createTestContext({ clock, timeoutMs: 2_000 }));
    const all = spans();
    const span = all.find((s) => s.name === "tta.model-router")!;
    expect(span.attributes).toMatchObject({
      "tta.primitive.name": "llm",
      "tta.route.candidates": 2,
      "tta.route.model": "backup",
      "tta.route.attempts": 2,
      "tta.route.hedged": false,
    });
    expect(
      span.events.map((e) => [e.name, e.attributes?.["tta.route.model"], e.attributes?.["tta.route.reason"]]),
    ).toEqual([
      ["tta.route.failover", "cheap", "PROVIDER_ERROR"],
      ["tta.route.skip", "cheap", "cooling-down"],
    ]);
    expect(all.filter((s) => s.name.startsWith("chat ")).map((s) => s.name)).toEqual(["chat cheap", "chat backup"]);
    expect(all.filter((s) => s.name === "tta.circuit-breaker")).toHaveLength(2);
  });
});

describe("review fixes", () => {
  it("recovers when a candidate got slower than its adaptive timeout (maxMs after 3 timeouts in a row)", async () => {
    const steps: Step[] = [...Array.from({ length: 20 }, () => ({ ok: "fast", ms: 500 })), { ok: "slow", ms: 3_000 }];
    const { clock, primary } = models(steps);
    const router = modelRouter({
      candidates: [primary],
      catalog,
      attemptTimeout: { maxMs: 30_000 },
      retry: { maxRetries: 5 },
    });
    for (let i = 0; i < 20; i++) {
      const done = router.execute(hi, createTestContext({ clock }));
      await clock.advance(500);
      await done;
    }
    const done = router.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(20_000);
    const { response, route } = await done;
    expect(response.text).toBe("slow");
    expect(route.log.map((a) => a.outcome)).toEqual(["timeout", "timeout", "timeout", "success"]);
  });

  it("cools a candidate down for everyone after a run of 429s without Retry-After, with a growing backoff", async () => {
    const { clock, primary, backup } = models([{ fail: 429 }]);
    const router = modelRouter({
      candidates: [primary, backup],
      catalog,
      retry: { maxRetries: 0 },
      coolDownAfter429s: 2,
    });
    await router.execute(hi, createTestContext({ clock }));
    expect(router.status()[0]!.coolingDownMs).toBe(0);
    await router.execute(hi, createTestContext({ clock }));
    expect(router.status()[0]!.coolingDownMs).toBe(100);
    await clock.advance(100);
    await router.execute(hi, createTestContext({ clock }));
    expect(router.status()[0]!.coolingDownMs).toBe(200);
  });

  it("when every wait is too long, waits for the candidate that can answer soonest", async () => {
    const { clock, primary, backup } = models(
      [{ fail: 503, retryAfterMs: 8_000 }],
      [{ fail: 503, retryAfterMs: 1_500 }, { ok: "backup again" }],
    );
    const router = modelRouter({ candidates: [primary, backup], catalog, retry: { maxRetries: 0 } });
    await router.execute(hi, createTestContext({ clock })).catch(() => undefined);
    const done = router.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(1_500);
    const { response, route } = await done;
    expect(response.text).toBe("backup again");
    expect(route.log.map((a) => [a.model, a.startMs])).toEqual([["backup", 1_500]]);
  });

  it("reports an open breaker's recovery time as CircuitOpenError.retryAfterMs", async () => {
    const { clock, primary } = models([{ fail: 500 }]);
    const router = modelRouter({
      candidates: [primary],
      catalog,
      breaker: { failureThreshold: 1, recoveryTimeoutMs: 30_000 },
      retry: { maxRetries: 0 },
    });
    await router.execute(hi, createTestContext({ clock })).catch(() => undefined);
    const error = await router.execute(hi, createTestContext({ clock })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterMs).toBe(30_000);
  });

  it("lets the first attempt finish when a hedge is refused with a 400", async () => {
    const { clock, primary, backup } = models([{ ok: "slow but fine", ms: 1_000 }], [{ fail: 400 }]);
    const router = modelRouter({ candidates: [primary, backup], catalog, hedge: { afterMs: 100 } });
    const done = router.executeWithRoute(hi, createTestContext({ clock }));
    await clock.advance(1_000);
    const { response, route } = await done;
    expect(response.text).toBe("slow but fine");
    expect(route.log.map((a) => [a.model, a.outcome, a.status])).toEqual([
      ["backup", "error", 400],
      ["cheap", "success", undefined],
    ]);
  });

  it("numbers two deployments of one model id in the route", async () => {
    const clock = new TestClock();
    const first = new ScriptedModel("cheap", clock, [{ fail: 503 }]);
    const second = new ScriptedModel("cheap", clock, [{ ok: "second key" }]);
    const router = modelRouter({ candidates: [first, second], catalog, retry: { maxRetries: 0 } });
    const { route } = await router.executeWithRoute(hi, createTestContext({ clock }));
    expect(route.log.map((a) => a.model)).toEqual(["cheap", "cheap#2"]);
    expect(route.model).toBe("cheap#2");
  });
});
