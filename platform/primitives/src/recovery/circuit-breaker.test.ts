import { describe, expect, it } from "vitest";
import type { TtaEvent, WorkflowContext } from "../core/index.js";
import { CircuitOpenError, TimeoutError, subscribe } from "../core/index.js";
import {
  MockPrimitive,
  SpanRecorder,
  TestClock,
  createTestContext,
  describePrimitiveContract,
} from "../testing/index.js";
import type { TestContext } from "../testing/index.js";
import { CircuitBreakerPrimitive, DEFAULT_CIRCUIT_BREAKER_OPTIONS, circuitBreaker } from "./circuit-breaker.js";
import type { CircuitBreakerOptions, CircuitStateChange } from "./circuit-breaker.js";
import { invalidOption } from "../test-support/index.js";

/** What a call plans to do: succeed or fail, after `latencyMs` on the context clock (abortable). */
interface Plan {
  readonly ok: boolean;
  readonly latencyMs?: number;
}

/** An inner primitive driven by its input, counting its executions. */
function scripted(error: unknown = new Error("service down")) {
  const inner = {
    executions: 0,
    async execute(plan: Plan, ctx?: WorkflowContext): Promise<string> {
      inner.executions++;
      if (plan.latencyMs !== undefined && ctx !== undefined) await ctx.clock.sleep(plan.latencyMs, ctx.signal);
      if (!plan.ok) throw error;
      return "ok";
    },
  };
  return inner;
}

const OK: Plan = { ok: true };
const FAIL: Plan = { ok: false };

/** Settles a call into a comparable value: "ok", "fail", or "open:<retryAfterMs>". */
function outcome(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => "ok",
    (e: unknown) => (e instanceof CircuitOpenError ? `open:${e.retryAfterMs}` : "fail"),
  );
}

function setup(options?: CircuitBreakerOptions, ctx: TestContext = createTestContext()) {
  const inner = scripted();
  const breaker = circuitBreaker(inner, options);
  const changes: string[] = [];
  breaker.onStateChange(({ from, to }) => changes.push(`${from}>${to}`));
  const call = (plan: Plan, c: WorkflowContext = ctx) => outcome(breaker.execute(plan, c));
  return { inner, breaker, ctx, clock: ctx.clock, changes, call };
}

describePrimitiveContract("circuitBreaker", (inner) => circuitBreaker(inner));
describePrimitiveContract("circuitBreaker with a count window and slow calls", (inner) =>
  circuitBreaker(inner, { window: { kind: "count", size: 10 }, slowCallMs: 1_000 }),
);

describe("closed → open", () => {
  it("opens after failureThreshold consecutive failures and then never runs the inner primitive", async () => {
    const { inner, breaker, clock, call, changes } = setup({ failureThreshold: 3, recoveryTimeoutMs: 1_000 });
    expect(breaker.state).toBe("closed");
    for (let i = 0; i < 2; i++) expect(await call(FAIL)).toBe("fail");
    expect(breaker.state).toBe("closed");
    expect(await call(FAIL)).toBe("fail");
    expect(breaker.state).toBe("open");
    expect(changes).toEqual(["closed>open"]);
    expect(inner.executions).toBe(3);
    expect(await call(OK)).toBe("open:1000");
    await clock.advance(400);
    for (let i = 0; i < 50; i++) expect(await call(OK)).toBe("open:600");
    await clock.advance(599);
    expect(await call(OK)).toBe("open:1");
    expect(inner.executions).toBe(3);
  });

  it("a success resets the consecutive count", async () => {
    const { breaker, call } = setup({ failureThreshold: 2 });
    for (let i = 0; i < 5; i++) {
      await call(FAIL);
      await call(OK);
    }
    expect(breaker.state).toBe("closed");
    await call(FAIL);
    await call(FAIL);
    expect(breaker.state).toBe("open");
  });

  it("uses the defaults: 5 consecutive failures, 60 s open", async () => {
    const { breaker, clock, call } = setup();
    for (let i = 0; i < 4; i++) await call(FAIL);
    expect(breaker.state).toBe("closed");
    await call(FAIL);
    expect(await call(OK)).toBe("open:60000");
    await clock.advance(60_000);
    expect(breaker.state).toBe("half-open");
  });

  it("rejects with a non-retryable CircuitOpenError that names the breaker", async () => {
    const { breaker, ctx } = setup({ failureThreshold: 1, name: "llm" });
    await breaker.execute(FAIL, ctx).catch(() => undefined);
    const error = await breaker.execute(OK, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).code).toBe("CIRCUIT_OPEN");
    expect((error as CircuitOpenError).retryable).toBe(false);
    expect((error as Error).message).toContain('"llm"');
  });

  it("a late failure of a call that started before the breaker opened neither counts nor extends the open period", async () => {
    const { inner, breaker, clock, call } = setup({ failureThreshold: 2, recoveryTimeoutMs: 100 });
    const slow = call({ ok: false, latencyMs: 50 });
    await call(FAIL);
    await call(FAIL);
    expect(breaker.state).toBe("open");
    await clock.advance(50);
    expect(await slow).toBe("fail");
    expect(await call(OK)).toBe("open:50");
    await clock.advance(50);
    expect(await call(OK)).toBe("ok");
    expect(inner.executions).toBe(4);
  });
});

describe("half-open", () => {
  async function openBreaker(options: CircuitBreakerOptions) {
    const s = setup({ failureThreshold: 1, recoveryTimeoutMs: 1_000, ...options });
    expect(await s.call(FAIL)).toBe("fail");
    await s.clock.advance(1_000);
    return s;
  }

  it("reads half-open lazily once recoveryTimeoutMs has passed, and reports it when first read", async () => {
    const { breaker, clock, changes } = await openBreaker({});
    await clock.advance(5_000);
    expect(changes).toEqual(["closed>open"]);
    expect(breaker.state).toBe("half-open");
    expect(breaker.state).toBe("half-open");
    expect(changes).toEqual(["closed>open", "open>half-open"]);
  });

  it("a call observes the half-open change itself when nothing read the state", async () => {
    const { changes, call } = await openBreaker({ successThreshold: 1 });
    expect(await call(OK)).toBe("ok");
    expect(changes).toEqual(["closed>open", "open>half-open", "half-open>closed"]);
  });

  it("recoveryTimeoutMs 0 lets a probe through at once", async () => {
    const { breaker, call } = setup({ failureThreshold: 1, recoveryTimeoutMs: 0, successThreshold: 1 });
    await call(FAIL);
    expect(breaker.state).toBe("half-open");
    expect(await call(OK)).toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  for (const halfOpenMaxConcurrent of [1, 3]) {
    it(`100 concurrent calls arriving in half-open run exactly ${halfOpenMaxConcurrent} probe(s); the rest fail fast without waiting`, async () => {
      const { inner, breaker, clock, call } = await openBreaker({ halfOpenMaxConcurrent, successThreshold: 2 });
      const executionsBefore = inner.executions;
      const settled: string[] = [];
      const runs = Array.from({ length: 100 }, () =>
        call({ ok: true, latencyMs: 50 }).then((r) => {
          settled.push(r);
          return r;
        }),
      );
      expect(inner.executions - executionsBefore).toBe(halfOpenMaxConcurrent);
      await clock.advance(0); // one macrotask turn; the probes' 50 ms have not passed
      expect(settled).toHaveLength(100 - halfOpenMaxConcurrent);
      expect(settled.every((r) => r === "open:0")).toBe(true);
      await clock.advance(50);
      const results = await Promise.all(runs);
      expect(results.filter((r) => r === "ok")).toHaveLength(halfOpenMaxConcurrent);
      expect(inner.executions - executionsBefore).toBe(halfOpenMaxConcurrent);
      expect(breaker.state).toBe(halfOpenMaxConcurrent >= 2 ? "closed" : "half-open");
    });
  }

  it("successThreshold probe successes close it, one at a time with a single slot", async () => {
    const { breaker, call, changes } = await openBreaker({ successThreshold: 3 });
    expect(await call(OK)).toBe("ok");
    expect(await call(OK)).toBe("ok");
    expect(breaker.state).toBe("half-open");
    expect(await call(OK)).toBe("ok");
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual(["closed>open", "open>half-open", "half-open>closed"]);
  });

  it("one probe failure re-opens it for a new recoveryTimeoutMs", async () => {
    const { inner, breaker, clock, call, changes } = await openBreaker({ successThreshold: 2 });
    expect(await call(OK)).toBe("ok");
    await clock.advance(10);
    expect(await call(FAIL)).toBe("fail");
    expect(breaker.state).toBe("open");
    expect(await call(OK)).toBe("open:1000");
    await clock.advance(999);
    expect(await call(OK)).toBe("open:1");
    expect(inner.executions).toBe(3);
    await clock.advance(1);
    expect(breaker.state).toBe("half-open");
    expect(changes).toEqual(["closed>open", "open>half-open", "half-open>open", "open>half-open"]);
  });

  it("after closing from half-open, it needs failureThreshold fresh failures to open again", async () => {
    const { breaker, call } = await openBreaker({ successThreshold: 1, failureThreshold: 2 });
    expect(await call(OK)).toBe("ok");
    expect(await call(FAIL)).toBe("fail");
    expect(breaker.state).toBe("closed");
    expect(await call(FAIL)).toBe("fail");
    expect(breaker.state).toBe("open");
  });

  it("an aborted probe frees its slot and counts as neither success nor failure", async () => {
    const { inner, breaker, clock, call } = await openBreaker({ successThreshold: 1 });
    const controller = new AbortController();
    const probeCtx = createTestContext({ clock, signal: controller.signal });
    const probe = breaker.execute({ ok: true, latencyMs: 100 }, probeCtx);
    probe.catch(() => undefined);
    expect(await call(OK)).toBe("open:0");
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await expect(probe).rejects.toBe(reason);
    await clock.advance(0);
    expect(breaker.state).toBe("half-open");
    expect(await call(OK)).toBe("ok");
    expect(breaker.state).toBe("closed");
    expect(inner.executions).toBe(3);
  });

  it("a probe whose error isFailure rejects frees its slot and leaves it half-open", async () => {
    let ignoreErrors = false;
    const { breaker, call } = await openBreaker({ isFailure: () => !ignoreErrors });
    ignoreErrors = true;
    expect(breaker.state).toBe("half-open");
    expect(await call(FAIL)).toBe("fail");
    expect(breaker.state).toBe("half-open");
    expect(await call(OK)).toBe("ok");
  });
});

describe("what counts as a failure", () => {
  it("an error for which isFailure returns false counts as neither failure nor success", async () => {
    const notFound = Object.assign(new Error("404"), { status: 404 });
    const inner = scripted(notFound);
    const breaker = circuitBreaker(inner, {
      failureThreshold: 2,
      isFailure: (e) => (e as { status?: number }).status !== 404,
    });
    const ctx = createTestContext();
    for (let i = 0; i < 10; i++) await expect(breaker.execute(FAIL, ctx)).rejects.toBe(notFound);
    expect(breaker.state).toBe("closed");
    const failing = circuitBreaker(scripted(new Error("500")), { failureThreshold: 2, isFailure: () => true });
    await failing.execute(FAIL, ctx).catch(() => undefined);
    await failing.execute(FAIL, ctx).catch(() => undefined);
    expect(failing.state).toBe("open");
  });

  it("isFailure errors do not reset the consecutive count either", async () => {
    const ignored = new Error("ignored");
    const inner = {
      async execute(plan: { readonly ignored: boolean }): Promise<string> {
        throw plan.ignored ? ignored : new Error("500");
      },
    };
    const breaker = circuitBreaker(inner, { failureThreshold: 2, isFailure: (e) => e !== ignored });
    const ctx = createTestContext();
    await breaker.execute({ ignored: false }, ctx).catch(() => undefined);
    await expect(breaker.execute({ ignored: true }, ctx)).rejects.toBe(ignored);
    expect(breaker.state).toBe("closed");
    await breaker.execute({ ignored: false }, ctx).catch(() => undefined);
    expect(breaker.state).toBe("open");
  });

  it("an inner executable that throws synchronously counts as a failure", async () => {
    const boom = new Error("sync boom");
    const breaker = circuitBreaker<number, number>(
      {
        execute: () => {
          throw boom;
        },
      },
      { failureThreshold: 2 },
    );
    const ctx = createTestContext();
    await expect(breaker.execute(1, ctx)).rejects.toBe(boom);
    await expect(breaker.execute(1, ctx)).rejects.toBe(boom);
    expect(breaker.state).toBe("open");
  });

  it("the isFailure predicate gets the error the caller sees (non-Errors wrapped)", async () => {
    const seen: unknown[] = [];
    const breaker = circuitBreaker(
      () => {
        throw "plain string";
      },
      { isFailure: (e) => (seen.push(e), true) },
    );
    const error = await breaker.execute(1, createTestContext()).catch((e: unknown) => e);
    expect(seen).toEqual([error]);
    expect((error as Error).cause).toBe("plain string");
  });

  it("a throwing isFailure counts the call as a failure and rejects with what it threw", async () => {
    const bug = new Error("predicate bug");
    const { breaker, call, ctx } = setup({
      failureThreshold: 1,
      isFailure: () => {
        throw bug;
      },
    });
    await expect(breaker.execute(FAIL, ctx)).rejects.toBe(bug);
    expect(breaker.state).toBe("open");
    expect(await call(OK)).toBe("open:60000");
  });

  it("by default an error named AbortError does not count, any other error does (TimeoutError included)", async () => {
    const abortError = new DOMException("inner request aborted", "AbortError");
    const aborting = circuitBreaker(scripted(abortError), { failureThreshold: 1 });
    const ctx = createTestContext();
    for (let i = 0; i < 3; i++) await expect(aborting.execute(FAIL, ctx)).rejects.toBe(abortError);
    expect(aborting.state).toBe("closed");
    const timingOut = circuitBreaker(scripted(new TimeoutError("upstream timeout")), { failureThreshold: 1 });
    await timingOut.execute(FAIL, ctx).catch(() => undefined);
    expect(timingOut.state).toBe("open");
    expect(DEFAULT_CIRCUIT_BREAKER_OPTIONS.isFailure(abortError)).toBe(false);
    expect(DEFAULT_CIRCUIT_BREAKER_OPTIONS.isFailure("anything")).toBe(true);
  });

  it("a call cancelled by its signal counts as neither, whatever it rejects with", async () => {
    const { breaker, clock, call } = setup({ failureThreshold: 1 });
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const c = createTestContext({ clock, signal: controller.signal });
      const run = call({ ok: true, latencyMs: 100 }, c);
      controller.abort(new Error(`cancel ${i}`));
      expect(await run).toBe("fail");
      await clock.advance(0);
    }
    expect(breaker.state).toBe("closed");
    expect(await call(OK)).toBe("ok");
  });

  it("a deadline is not a cancellation: a call cut short by a TimeoutError abort counts as a failure", async () => {
    const { breaker, clock, call } = setup({ failureThreshold: 2 });
    for (let i = 0; i < 2; i++) {
      const c = createTestContext({ clock, timeoutMs: 50 });
      const run = call({ ok: true, latencyMs: 1_000 }, c);
      await clock.advance(50);
      expect(await run).toBe("fail");
      await clock.advance(0);
    }
    expect(breaker.state).toBe("open");
  });

  it("isFailure receives the deadline's TimeoutError and can exclude it", async () => {
    const seen: unknown[] = [];
    const { breaker, clock, call } = setup({
      failureThreshold: 1,
      isFailure: (e) => (seen.push(e), !(e instanceof TimeoutError)),
    });
    const c = createTestContext({ clock, timeoutMs: 10 });
    const run = call({ ok: true, latencyMs: 1_000 }, c);
    await clock.advance(10);
    expect(await run).toBe("fail");
    await clock.advance(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(TimeoutError);
    expect(breaker.state).toBe("closed");
  });

  it("a slow success counts as a failure but still returns its result; exactly slowCallMs is not slow", async () => {
    const { breaker, clock, call } = setup({ failureThreshold: 2, slowCallMs: 100 });
    const atLimit = call({ ok: true, latencyMs: 100 });
    await clock.advance(100);
    expect(await atLimit).toBe("ok");
    const first = call({ ok: true, latencyMs: 101 });
    await clock.advance(101);
    expect(await first).toBe("ok");
    expect(breaker.state).toBe("closed");
    const second = call({ ok: true, latencyMs: 150 });
    await clock.advance(150);
    expect(await second).toBe("ok");
    expect(breaker.state).toBe("open");
  });

  it("a slow probe re-opens the breaker", async () => {
    const { breaker, clock, call } = setup({ failureThreshold: 1, recoveryTimeoutMs: 10, slowCallMs: 20 });
    await call(FAIL);
    await clock.advance(10);
    const probe = call({ ok: true, latencyMs: 25 });
    await clock.advance(25);
    expect(await probe).toBe("ok");
    expect(breaker.state).toBe("open");
  });
});

describe("sliding windows", () => {
  it("count: opens on the call where the last `size` calls reach minimumCalls and the failure rate", async () => {
    const { breaker, call } = setup({
      window: { kind: "count", size: 4, minimumCalls: 4, failureRateThreshold: 0.75 },
    });
    const states: string[] = [];
    // S F S → below minimumCalls; S F S S 0.25; F S S F 0.5; S S F F 0.5; S F F F 0.75 → opens on the 7th
    for (const plan of [OK, FAIL, OK, OK, FAIL, FAIL, FAIL]) {
      await call(plan);
      states.push(breaker.state);
    }
    expect(states).toEqual(["closed", "closed", "closed", "closed", "closed", "closed", "open"]);
  });

  it("count: with fewer than minimumCalls calls nothing opens it, even all failures", async () => {
    const { breaker, call } = setup({
      window: { kind: "count", size: 10, minimumCalls: 5, failureRateThreshold: 0.5 },
    });
    for (let i = 0; i < 4; i++) await call(FAIL);
    expect(breaker.state).toBe("closed");
    await call(FAIL);
    expect(breaker.state).toBe("open");
  });

  it("count: a success can trip it by reaching minimumCalls", async () => {
    const { breaker, call } = setup({
      window: { kind: "count", size: 10, minimumCalls: 3, failureRateThreshold: 0.6 },
    });
    await call(FAIL);
    await call(FAIL);
    expect(breaker.state).toBe("closed");
    await call(OK);
    expect(breaker.state).toBe("open");
  });

  it("count: old outcomes slide out; consecutive failures alone do not open it below the rate", async () => {
    const { breaker, call } = setup({
      window: { kind: "count", size: 5, minimumCalls: 5, failureRateThreshold: 0.8 },
    });
    for (const plan of [FAIL, FAIL, FAIL, OK, OK, OK, FAIL, FAIL, FAIL]) await call(plan);
    expect(breaker.state).toBe("closed"); // last 5: O O F F F = 0.6
    await call(FAIL); // O F F F F = 0.8
    expect(breaker.state).toBe("open");
  });

  it("count: defaults are minimumCalls = size and failureRateThreshold 0.5; the window restarts after closing", async () => {
    const { breaker, clock, call } = setup({ window: { kind: "count", size: 4 }, recoveryTimeoutMs: 10 });
    expect(breaker.options.window).toEqual({ kind: "count", size: 4, minimumCalls: 4, failureRateThreshold: 0.5 });
    for (const plan of [FAIL, FAIL, OK]) await call(plan);
    expect(breaker.state).toBe("closed");
    await call(OK);
    expect(breaker.state).toBe("open");
    await clock.advance(10);
    await call(OK);
    await call(OK);
    expect(breaker.state).toBe("closed");
    for (const plan of [FAIL, FAIL, OK]) await call(plan);
    expect(breaker.state).toBe("closed");
  });

  it("time: counts only the calls of the last `size` ms", async () => {
    const { breaker, clock, call } = setup({
      window: { kind: "time", size: 10_000, minimumCalls: 3, failureRateThreshold: 0.6 },
    });
    expect(breaker.options.window?.minimumCalls).toBe(3);
    await call(FAIL); // t = 0
    await clock.advance(1_000);
    await call(OK); // t = 1 000
    await clock.advance(9_500);
    await call(FAIL); // t = 10 500: the t = 0 failure has left the window → S F
    expect(breaker.state).toBe("closed");
    await call(FAIL); // S F F = 0.67
    expect(breaker.state).toBe("open");
  });

  it("time: the same calls within the window open it at the third call", async () => {
    const { breaker, clock, call } = setup({
      window: { kind: "time", size: 10_000, minimumCalls: 3, failureRateThreshold: 0.6 },
    });
    await call(FAIL);
    await clock.advance(1_000);
    await call(OK);
    await clock.advance(7_000);
    await call(FAIL);
    expect(breaker.state).toBe("open");
  });

  it("time: under many calls the rate is right, and every bucket expires after `size` ms", async () => {
    const { breaker, clock, call } = setup({
      window: { kind: "time", size: 1_000, minimumCalls: 100, failureRateThreshold: 0.5 },
    });
    for (let i = 0; i < 5_000; i++) {
      await call(i % 3 === 0 ? FAIL : OK); // a third fail
      if (i % 10 === 0) await clock.advance(7);
    }
    expect(breaker.state).toBe("closed");
    await clock.advance(1_000); // the whole window has expired
    for (let i = 0; i < 99; i++) await call(FAIL);
    expect(breaker.state).toBe("closed"); // 99 calls < minimumCalls
    await call(FAIL);
    expect(breaker.state).toBe("open");
  });

  it("time: the default minimumCalls is 10", () => {
    expect(circuitBreaker(scripted(), { window: { kind: "time", size: 5_000 } }).options.window).toEqual({
      kind: "time",
      size: 5_000,
      minimumCalls: 10,
      failureRateThreshold: 0.5,
    });
  });
});

describe("reset and isolate", () => {
  it("isolate() holds it open (retryAfterMs Infinity) past the recovery timeout until reset()", async () => {
    const { inner, breaker, clock, call, changes } = setup({ recoveryTimeoutMs: 10 });
    breaker.isolate();
    expect(changes).toEqual(["closed>open"]);
    expect(breaker.state).toBe("open");
    expect(await call(OK)).toBe("open:Infinity");
    await clock.advance(1_000_000);
    expect(breaker.state).toBe("open");
    expect(await call(OK)).toBe("open:Infinity");
    expect(inner.executions).toBe(0);
    breaker.reset();
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual(["closed>open", "open>closed"]);
    expect(await call(OK)).toBe("ok");
  });

  it("isolate() while already open emits nothing new but still holds it open", async () => {
    const { breaker, clock, call, changes } = setup({ failureThreshold: 1, recoveryTimeoutMs: 10 });
    await call(FAIL);
    breaker.isolate();
    await clock.advance(100);
    expect(breaker.state).toBe("open");
    expect(changes).toEqual(["closed>open"]);
  });

  it("isolate() from half-open ignores the running probe", async () => {
    const { breaker, clock, call, changes } = setup({
      failureThreshold: 1,
      recoveryTimeoutMs: 10,
      successThreshold: 1,
    });
    await call(FAIL);
    await clock.advance(10);
    const probe = call({ ok: true, latencyMs: 5 });
    breaker.isolate();
    await clock.advance(5);
    expect(await probe).toBe("ok");
    expect(breaker.state).toBe("open");
    expect(changes).toEqual(["closed>open", "open>half-open", "half-open>open"]);
  });

  it("reset() clears the counts and ignores results of calls started before it", async () => {
    const { breaker, clock, call, changes } = setup({ failureThreshold: 2 });
    await call(FAIL);
    const inFlight = call({ ok: false, latencyMs: 10 });
    breaker.reset();
    expect(changes).toEqual([]);
    await clock.advance(10);
    expect(await inFlight).toBe("fail");
    await call(FAIL);
    expect(breaker.state).toBe("closed");
    await call(FAIL);
    expect(breaker.state).toBe("open");
    breaker.reset();
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual(["closed>open", "open>closed"]);
  });
});

describe("onStateChange and events", () => {
  it("listeners run synchronously in subscription order, see the new state, and can unsubscribe", async () => {
    const { breaker, clock, call } = setup({ failureThreshold: 1, recoveryTimeoutMs: 5, successThreshold: 1 });
    const log: string[] = [];
    const stopA = breaker.onStateChange((c) => log.push(`A ${c.from}>${c.to} now ${breaker.state}`));
    breaker.onStateChange((c) => log.push(`B ${c.from}>${c.to}`));
    await call(FAIL);
    await clock.advance(5);
    await call(OK);
    stopA();
    stopA();
    breaker.isolate();
    expect(log).toEqual([
      "A closed>open now open",
      "B closed>open",
      "A open>half-open now half-open",
      "B open>half-open",
      "A half-open>closed now closed",
      "B half-open>closed",
      "B closed>open",
    ]);
  });

  it("a listener that changes the state: every listener and subscriber still sees the changes in order", async () => {
    const events: string[] = [];
    const stop = subscribe((e) => {
      if (e.type === "circuit-state") events.push(`${e.from}>${e.to}`);
    });
    try {
      const { breaker, call, changes } = setup({ failureThreshold: 1 });
      const second: string[] = [];
      breaker.onStateChange(({ to }) => {
        if (to === "open") breaker.reset();
      });
      breaker.onStateChange(({ from, to }) => second.push(`${from}>${to}`));
      expect(await call(FAIL)).toBe("fail");
      expect(breaker.state).toBe("closed");
      expect(changes).toEqual(["closed>open", "open>closed"]);
      expect(second).toEqual(["closed>open", "open>closed"]);
      expect(events).toEqual(["closed>open", "open>closed"]);
    } finally {
      stop();
    }
  });

  it("a throwing listener never breaks the call or the other listeners", async () => {
    const { breaker, call } = setup({ failureThreshold: 1 });
    const seen: CircuitStateChange[] = [];
    breaker.onStateChange(() => {
      throw new Error("listener bug");
    });
    breaker.onStateChange((c) => seen.push(c));
    expect(await call(FAIL)).toBe("fail");
    expect(breaker.state).toBe("open");
    expect(seen).toEqual([{ from: "closed", to: "open" }]);
    expect(() => breaker.onStateChange(42 as never)).toThrow(TypeError);
  });

  it("reports a circuit-state event per transition, in the same order, with the clock of the calls", async () => {
    const events: TtaEvent[] = [];
    const stop = subscribe((e) => events.push(e));
    try {
      const ctx = createTestContext({ workflowId: "wf-breaker", clock: new TestClock(1_000) });
      const { breaker, clock, call, changes } = setup(
        { failureThreshold: 1, recoveryTimeoutMs: 50, successThreshold: 1, name: "llm" },
        ctx,
      );
      await call(FAIL);
      await clock.advance(50);
      expect(breaker.state).toBe("half-open"); // observed by a read: no call context
      await call(OK);
      breaker.isolate();
      breaker.reset();
      const states = events.filter((e) => e.type === "circuit-state");
      expect(states.map((e) => `${e.from}>${e.to}`)).toEqual(changes);
      expect(changes).toEqual(["closed>open", "open>half-open", "half-open>closed", "closed>open", "open>closed"]);
      expect(states.every((e) => e.kind === "circuit-breaker" && e.name === "llm")).toBe(true);
      expect(states.map((e) => e.at)).toEqual([1_000, 1_050, 1_050, 1_050, 1_050]);
      expect(states[0]?.workflowId).toBe("wf-breaker");
      expect(states[2]?.workflowId).toBe("wf-breaker");
      expect(typeof states[1]?.workflowId).toBe("string");
      expect(states[1]?.workflowId).not.toBe("wf-breaker");
    } finally {
      stop();
    }
  });

  it("sets tta.circuit.state on its span: the state when the call arrived", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const { clock, call } = setup({ failureThreshold: 1, recoveryTimeoutMs: 10, successThreshold: 1 });
      await call(FAIL);
      await call(OK);
      await clock.advance(10);
      await call(OK);
      const spans = recorder.spans.filter((s) => s.name === "tta.circuit-breaker");
      expect(spans.map((s) => s.attributes["tta.circuit.state"])).toEqual(["closed", "open", "half-open"]);
      expect(spans[1]?.attributes["error.type"]).toBe("CIRCUIT_OPEN");
      expect(spans[1]?.status.code).toBe(2);
    } finally {
      recorder.uninstall();
    }
  });
});

describe("cost of the closed path", () => {
  class CountingClock extends TestClock {
    reads = 0;
    override now(): number {
      this.reads++;
      return super.now();
    }
  }

  it("a closed-state success in consecutive mode never reads the clock; slowCallMs reads it", async () => {
    const clock = new CountingClock();
    const ctx = createTestContext({ clock });
    const plain = circuitBreaker((n: number) => n + 1);
    for (let i = 0; i < 100; i++) await plain.execute(i, ctx);
    await plain.execute(1, ctx).then(() => plain.state);
    expect(clock.reads).toBe(0);
    const counted = circuitBreaker((n: number) => n + 1, { window: { kind: "count", size: 5 } });
    for (let i = 0; i < 100; i++) await counted.execute(i, ctx);
    expect(clock.reads).toBe(0);
    const timed = circuitBreaker((n: number) => n + 1, { slowCallMs: 100 });
    await timed.execute(1, ctx);
    expect(clock.reads).toBe(2);
  });

  it("starts no timer, even when it opens", async () => {
    const { clock, call } = setup({ failureThreshold: 1 });
    await call(OK);
    await call(FAIL);
    await call(OK);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe("options", () => {
  it("resolves the defaults; null options mean the default; options are frozen", () => {
    const breaker = new CircuitBreakerPrimitive(scripted());
    expect(breaker.options).toEqual({ ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, window: undefined, slowCallMs: undefined });
    expect(Object.isFrozen(breaker.options)).toBe(true);
    expect(breaker.name).toBe("CircuitBreakerPrimitive");
    expect(breaker.kind).toBe("circuit-breaker");
    const nulls = circuitBreaker(scripted(), {
      failureThreshold: null,
      recoveryTimeoutMs: null,
      window: null,
      slowCallMs: null,
      isFailure: null,
      name: null,
    } as never);
    expect(nulls.options).toEqual(breaker.options);
    expect(circuitBreaker(scripted(), { name: "db" }).name).toBe("db");
    expect(circuitBreaker(scripted(), { recoveryTimeoutMs: 0 }).options.recoveryTimeoutMs).toBe(0);
  });

  it.each([
    ["failureThreshold", 0],
    ["failureThreshold", 1.5],
    ["failureThreshold", -1],
    ["failureThreshold", Infinity],
    ["failureThreshold", "5"],
    ["successThreshold", 0],
    ["successThreshold", NaN],
    ["halfOpenMaxConcurrent", 0],
    ["halfOpenMaxConcurrent", 2.5],
    ["halfOpenMaxConcurrent", Infinity],
    ["recoveryTimeoutMs", -1],
    ["recoveryTimeoutMs", NaN],
    ["recoveryTimeoutMs", Infinity],
    ["recoveryTimeoutMs", 2 ** 31],
    ["slowCallMs", 0],
    ["slowCallMs", -5],
    ["slowCallMs", Infinity],
    ["isFailure", true],
    ["name", ""],
    ["name", 7],
    ["window", 5],
    ["window", []],
  ])("rejects %s = %s at construction, naming it", (option, value) => {
    const error = invalidOption(() => circuitBreaker(scripted(), { [option]: value }));
    expect(error.option).toBe(option);
  });

  it.each([
    ["window.kind", { kind: "sliding", size: 5 }],
    ["window.kind", { size: 5 }],
    ["window.size", { kind: "count" }],
    ["window.size", { kind: "count", size: 0 }],
    ["window.size", { kind: "count", size: 2.5 }],
    ["window.size", { kind: "time", size: -1 }],
    ["window.size", { kind: "time", size: Infinity }],
    ["window.minimumCalls", { kind: "count", size: 5, minimumCalls: 0 }],
    ["window.minimumCalls", { kind: "count", size: 5, minimumCalls: 6 }],
    ["window.minimumCalls", { kind: "time", size: 5, minimumCalls: 1.5 }],
    ["window.failureRateThreshold", { kind: "count", size: 5, failureRateThreshold: 0 }],
    ["window.failureRateThreshold", { kind: "count", size: 5, failureRateThreshold: 1.01 }],
    ["window.failureRateThreshold", { kind: "count", size: 5, failureRateThreshold: -0.5 }],
    ["window.failureRateThreshold", { kind: "count", size: 5, failureRateThreshold: NaN }],
    ["window.failureRateThreshold", { kind: "count", size: 5, failureRateThreshold: "0.5" }],
    ["window.sise", { kind: "count", sise: 5 }],
  ])("rejects a window with a bad %s", (option, window) => {
    const error = invalidOption(() => circuitBreaker(scripted(), { window } as CircuitBreakerOptions));
    expect(error.option).toBe(option);
  });

  it("accepts failureRateThreshold 1 and rejects failureThreshold together with window", () => {
    expect(
      circuitBreaker(scripted(), { window: { kind: "count", size: 3, failureRateThreshold: 1 } }).options.window
        ?.failureRateThreshold,
    ).toBe(1);
    const error = invalidOption(() =>
      circuitBreaker(scripted(), { failureThreshold: 3, window: { kind: "count", size: 3 } }),
    );
    expect(error.option).toBe("failureThreshold");
  });

  it("rejects unknown keys, non-object options and a bad inner", () => {
    expect(invalidOption(() => circuitBreaker(scripted(), { failureThresold: 3 } as never)).option).toBe(
      "failureThresold",
    );
    for (const options of [null, [], new Map(), "fast", 5])
      invalidOption(() => circuitBreaker(scripted(), options as never));
    expect(invalidOption(() => circuitBreaker(42 as never)).option).toBe("inner");
  });

  it("accepts a MockPrimitive, an executable object or a function as inner", async () => {
    const ctx = createTestContext();
    await expect(circuitBreaker(new MockPrimitive({ returns: 1 })).execute("x", ctx)).resolves.toBe(1);
    await expect(circuitBreaker({ execute: async (n: number) => n * 2 }).execute(2, ctx)).resolves.toBe(4);
    await expect(circuitBreaker((s: string) => s.length).execute("abc", ctx)).resolves.toBe(3);
  });
});
