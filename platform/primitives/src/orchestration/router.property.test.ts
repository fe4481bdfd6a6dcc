/**
 * `modelRouter` invariants over random fault scripts, options and timings (fast-check, fake time): the
 * answer is one success of the route, attempts stay within their bound, every budget charge is reported
 * in the event stream (late answers of losers included), no reservation is left open and no timer left
 * behind.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUDGET_KEY, subscribe } from "../core/index.js";
import type { TtaEvent } from "../core/index.js";
import { TestClock, createTestContext } from "../testing/index.js";
import { LoggingBudget } from "../test-support/model-fixtures.js";
import { ScriptedModel, hi, routerCatalog as catalog } from "../test-support/router-fixtures.js";
import type { Step } from "../test-support/router-fixtures.js";
import { modelRouter } from "./router.js";
import type { ModelRouterOptions } from "./router/types.js";

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ ok: fc.constant("answer"), ms: fc.integer({ min: 0, max: 3_000 }) }),
  fc.record({
    fail: fc.constantFrom(429, 500, 503, 400),
    retryAfterMs: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
    ms: fc.integer({ min: 0, max: 500 }),
  }),
  fc.record({ hang: fc.constant(true as const), ignoreAbort: fc.boolean() }),
);
const script = fc.array(step, { minLength: 1, maxLength: 6 });
const options = fc.record({
  hedge: fc.option(fc.record({ afterMs: fc.integer({ min: 1, max: 2_000 }) }), { nil: undefined }),
  attemptTimeout: fc.option(fc.integer({ min: 100, max: 4_000 }), { nil: undefined }),
  afterFailure: fc.constantFrom("retry-first" as const, "failover-first" as const),
  retry: fc.record({ maxRetries: fc.integer({ min: 0, max: 2 }), jitter: fc.constant(false) }),
  breaker: fc.oneof(fc.constant(false as const), fc.record({ failureThreshold: fc.integer({ min: 1, max: 3 }) })),
  latencyGoalMs: fc.option(fc.integer({ min: 100, max: 5_000 }), { nil: undefined }),
});

describe("modelRouter invariants", () => {
  it("answers with the route's one success, within its attempt bound, reports every charge and leaves nothing running", async () => {
    await fc.assert(
      fc.asyncProperty(script, script, options, async (primarySteps, backupSteps, opts) => {
        const clock = new TestClock();
        const primary = new ScriptedModel("cheap", clock, primarySteps);
        const backup = new ScriptedModel("backup", clock, backupSteps);
        const router = modelRouter({
          ...(opts as Partial<ModelRouterOptions>),
          candidates: [primary, backup],
          catalog,
        });
        const budget = new LoggingBudget();
        const events: TtaEvent[] = [];
        const stop = subscribe((e) => events.push(e));
        try {
          const ctx = createTestContext({ clock, timeoutMs: 10_000 }).withValue(BUDGET_KEY, budget);
          const done = router.executeWithRoute(hi, ctx).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          await clock.advance(11_000);
          const result = await done;
          // Late answers of losers and abandoned attempts that ignore their signal: let them all land.
          await clock.advance(60_000);

          const maxAttempts = 2 * (opts.retry.maxRetries + 1) + (opts.hedge === undefined ? 0 : 1);
          expect(primary.calls + backup.calls).toBeLessThanOrEqual(maxAttempts);
          if (result.ok) {
            const { route, response } = result.value;
            expect(route.log.filter((a) => a.outcome === "success")).toHaveLength(1);
            expect(response.model).toBe(route.model);
            expect(route.attempts).toBe(primary.calls + backup.calls);
          }

          // Every commit is a successful model-call event; every reservation is settled exactly once.
          const commits = budget.log.filter((l) => l[0] === "commit").length;
          const releases = budget.log.filter((l) => l[0] === "release").length;
          const reserves = budget.log.filter((l) => l[0] === "reserve").length;
          // A call that hangs and ignores its abort never settles, so neither does its reservation.
          const played = (steps: readonly Step[], calls: number): Step[] =>
            Array.from({ length: calls }, (_, k) => steps[Math.min(k, steps.length - 1)]!);
          const neverSettle = [...played(primarySteps, primary.calls), ...played(backupSteps, backup.calls)].filter(
            (s) => "hang" in s && s.ignoreAbort === true,
          ).length;
          const reported = events.filter((e) => e.type === "model-call" && e.outcome === "success").length;
          expect(commits).toBe(reported);
          expect(reserves - commits - releases).toBeLessThanOrEqual(neverSettle);
          expect(clock.pendingTimers).toBe(0);
        } finally {
          stop();
        }
      }),
      { numRuns: 200 },
    );
  });
});
