/**
 * `@tta/primitives/recovery` re-exports every error class its primitives throw, as the same class
 * objects as `@tta/primitives/core` (DESIGN §3.3; issue 11, item 7): a user who imports only this
 * subpath can `catch (e) { if (e instanceof CircuitOpenError) … }`.
 */
import { describe, expect, it } from "vitest";
import * as core from "@tta/primitives/core";
import * as recovery from "@tta/primitives/recovery";
import { createTestContext } from "../testing/index.js";
import { CORE_ERROR_CLASSES, errorClassesUsedBy, errorOf, exportedBy } from "../test-support/subpath-errors.js";

const { bulkhead, circuitBreaker, compensation, fallback, rateLimit, retry, saga, timeout } = recovery;

const expectExported = exportedBy(recovery);

const fails = (message: string) => (): never => {
  throw new Error(message);
};

describe("@tta/primitives/recovery error exports", () => {
  it("re-exports, as core's own class objects, every core error class its modules import or construct", () => {
    const used = errorClassesUsedBy("recovery");
    expect(used).toEqual(expect.arrayContaining(["CircuitOpenError", "FallbackError", "TimeoutError"]));
    for (const name of [...used, "InvalidOptionsError", "TimeoutError", "TtaError"]) {
      expect((recovery as Record<string, unknown>)[name], name).toBeDefined();
      expect((recovery as Record<string, unknown>)[name], name).toBe(CORE_ERROR_CLASSES.get(name));
    }
    expect(recovery.isTtaError).toBe(core.isTtaError);
    expect(recovery.TtaErrorCode).toBe(core.TtaErrorCode);
  });

  it("exports the class of the error each recovery primitive throws", async () => {
    expectExported(await errorOf(() => retry(() => 1, { maxRetries: -1 })), "InvalidOptionsError");

    const ctx = createTestContext();
    const slow = errorOf(() => timeout(() => new Promise<never>(() => undefined), { timeoutMs: 10 }).execute(1, ctx));
    await ctx.clock.advance(10);
    expectExported(await slow, "TimeoutError");

    const breaker = circuitBreaker(() => 1);
    breaker.isolate();
    expectExported(await errorOf(() => breaker.execute(1)), "CircuitOpenError");

    expectExported(await errorOf(() => fallback(fails("a"), { fallbacks: fails("b") }).execute(1)), "FallbackError");

    const undoFails = fails("undo failed");
    expectExported(
      await errorOf(() =>
        saga<number>()
          .step((n: number) => n, undoFails)
          .step(fails("step 2"), () => 0)
          .execute(1),
      ),
      "CompensationError",
    );
    expectExported(await errorOf(() => compensation(fails("forward"), undoFails).execute(1)), "CompensationError");

    const busy = createTestContext();
    const guarded = bulkhead(() => new Promise<number>((resolve) => busy.clock.schedule(10, () => resolve(1))), {
      maxConcurrent: 1,
    });
    const first = guarded.execute(1, busy);
    expectExported(await errorOf(() => guarded.execute(2, busy)), "BulkheadRejectedError");
    await busy.clock.advance(10);
    await first;

    const limited = rateLimit((n: number) => n, { tokensPerInterval: 1, intervalMs: 1_000, mode: "reject" });
    const limitedCtx = createTestContext();
    await limited.execute(1, limitedCtx);
    expectExported(await errorOf(() => limited.execute(2, limitedCtx)), "RateLimitedError");

    const thrownString = await errorOf(() =>
      retry(
        () => {
          throw "not an Error";
        },
        { maxRetries: 0 },
      ).execute(1),
    );
    expectExported(thrownString, "TtaError");
    expect(recovery.isTtaError(thrownString, recovery.TtaErrorCode.NON_ERROR_THROWN)).toBe(true);
  });
});
