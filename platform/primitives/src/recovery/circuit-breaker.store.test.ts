import { describe, expect, it } from "vitest";
import type { TtaEvent } from "../core/index.js";
import { CircuitOpenError, subscribe } from "../core/index.js";
import { TestClock, createTestContext } from "../testing/index.js";
import { invalidOption } from "../test-support/index.js";
import { circuitBreaker } from "./circuit-breaker.js";
import type { CircuitBreakerOptions } from "./circuit-breaker.js";
import type {
  CircuitAdmission,
  CircuitBreakerStore,
  CircuitOutcome,
  CircuitRecordResult,
} from "./circuit-breaker/store-driver.js";

/**
 * A shared in-memory store with the semantics of a Redis store (consecutive failures, one probe,
 * `successThreshold` 1), answering asynchronously, logging what it was asked.
 */
function fakeStore(failureThreshold = 2, recoveryTimeoutMs = 100) {
  let state: "closed" | "open" | "half-open" = "closed";
  let failures = 0;
  let openUntil = 0;
  let probeBusy = false;
  const log: string[] = [];
  const store: CircuitBreakerStore & { log: string[] } = {
    log,
    async acquire(now: number): Promise<CircuitAdmission> {
      await Promise.resolve();
      log.push("acquire");
      let transition: CircuitAdmission["transition"];
      if (state === "open") {
        if (now < openUntil) return { allowed: false, state, probe: false, retryAfterMs: openUntil - now };
        state = "half-open";
        probeBusy = false;
        transition = { from: "open", to: "half-open" };
      }
      const extra = transition === undefined ? {} : { transition };
      if (state === "closed") return { allowed: true, state, probe: false, retryAfterMs: 0 };
      if (probeBusy) return { allowed: false, state, probe: false, retryAfterMs: 0, ...extra };
      probeBusy = true;
      return { allowed: true, state, probe: true, retryAfterMs: 0, ...extra };
    },
    async record(outcome: CircuitOutcome, probe: boolean, now: number): Promise<CircuitRecordResult> {
      await Promise.resolve();
      log.push(`${outcome}${probe ? ":probe" : ""}`);
      const from = state;
      if (probe) {
        probeBusy = false;
        if (outcome === "failure") [state, openUntil] = ["open", now + recoveryTimeoutMs];
        else if (outcome === "success") [state, failures] = ["closed", 0];
      } else if (state === "closed") {
        failures = outcome === "failure" ? failures + 1 : 0;
        if (failures >= failureThreshold) [state, openUntil, failures] = ["open", now + recoveryTimeoutMs, 0];
      }
      return from === state ? { state } : { state, transition: { from, to: state } };
    },
  };
  return store;
}

const fail = (): Promise<string> => Promise.reject(new Error("down"));
const ok = (): Promise<string> => Promise.resolve("ok");

function settle(run: Promise<unknown>): Promise<string> {
  return run.then(
    (v) => String(v),
    (e: unknown) => (e instanceof CircuitOpenError ? `open:${e.retryAfterMs}` : "fail"),
  );
}

describe("circuitBreaker without a store", () => {
  it("keeps the in-memory path: no store in the options, reset/isolate work", async () => {
    const breaker = circuitBreaker(ok, { failureThreshold: 1 });
    expect("store" in breaker.options).toBe(false);
    expect(await breaker.execute(undefined)).toBe("ok");
    breaker.isolate();
    expect(breaker.state).toBe("open");
    breaker.reset();
    expect(breaker.state).toBe("closed");
  });
});

describe("circuitBreaker with a store", () => {
  it("failures through one breaker open the other sharing the store; events fire where observed", async () => {
    const clock = new TestClock(1_000);
    const ctx = createTestContext({ clock });
    const store = fakeStore(2, 100);
    let failing = true;
    const a = circuitBreaker(() => (failing ? fail() : ok()), { store, name: "a" });
    const b = circuitBreaker(ok, { store, name: "b" });
    const seenA: string[] = [];
    const seenB: string[] = [];
    a.onStateChange(({ from, to }) => seenA.push(`${from}>${to}`));
    b.onStateChange(({ from, to }) => seenB.push(`${from}>${to}`));
    const events: TtaEvent[] = [];
    const stop = subscribe((e) => events.push(e));
    try {
      expect(await settle(a.execute(undefined, ctx))).toBe("fail");
      expect(await settle(a.execute(undefined, ctx))).toBe("fail");
      expect(a.state).toBe("open");
      expect(b.state).toBe("closed"); // last known: b has not asked yet
      await clock.advance(40);
      expect(await settle(b.execute(undefined, ctx))).toBe("open:60");
      expect(b.state).toBe("open");
      expect(seenA).toEqual(["closed>open"]);
      expect(seenB).toEqual([]);
      await clock.advance(60);
      failing = false;
      expect(await settle(a.execute(undefined, ctx))).toBe("ok");
      expect(a.state).toBe("closed");
      expect(seenA).toEqual(["closed>open", "open>half-open", "half-open>closed"]);
      const states = events.filter((e) => e.type === "circuit-state");
      expect(states.map((e) => `${e.name} ${e.from}>${e.to}`)).toEqual([
        "a closed>open",
        "a open>half-open",
        "a half-open>closed",
      ]);
    } finally {
      stop();
    }
  });

  it("half-open: only the probe runs; other callers fail fast with retryAfterMs 0", async () => {
    const clock = new TestClock(0);
    const ctx = createTestContext({ clock });
    const store = fakeStore(1, 10);
    let release: (v: string) => void = () => undefined;
    let calls = 0;
    const breaker = circuitBreaker(
      () => (++calls === 1 ? fail() : new Promise<string>((resolve) => (release = resolve))),
      { store },
    );
    expect(await settle(breaker.execute(undefined, ctx))).toBe("fail");
    await clock.advance(10);
    const probe = settle(breaker.execute(undefined, ctx));
    await new Promise((r) => setTimeout(r, 0));
    expect(await settle(breaker.execute(undefined, ctx))).toBe("open:0");
    release("done");
    expect(await probe).toBe("done");
    expect(calls).toBe(2);
    expect(store.log).toEqual(["acquire", "failure", "acquire", "acquire", "success:probe"]);
  });

  it("counts like the in-memory breaker: isFailure false and cancellations are neutral, slow successes fail", async () => {
    const clock = new TestClock(0);
    const store = fakeStore(5, 10);
    const breaker = circuitBreaker(
      async (ms: number) => {
        await clock.sleep(ms);
        if (ms === 1) throw new Error("ignored");
        return "ok";
      },
      { store, isFailure: (e) => !(e instanceof Error && e.message === "ignored"), slowCallMs: 50 },
    );
    const ctx = createTestContext({ clock });
    const ignored = settle(breaker.execute(1, ctx));
    await clock.advance(1);
    expect(await ignored).toBe("fail");
    const slow = breaker.execute(60, ctx);
    await clock.advance(60);
    expect(await slow).toBe("ok");
    expect(store.log).toEqual(["acquire", "acquire", "failure"]);
    const abort = new AbortController();
    const cancelled = settle(breaker.execute(5, createTestContext({ clock, signal: abort.signal })));
    await new Promise((r) => setTimeout(r, 0));
    abort.abort();
    expect(await cancelled).toBe("fail");
    expect(store.log).toEqual(["acquire", "acquire", "failure", "acquire"]);
  });

  it("an aborted probe frees the slot at the abort (recorded neutral)", async () => {
    const clock = new TestClock(0);
    const store = fakeStore(1, 0);
    let first = true;
    const breaker = circuitBreaker(
      () => {
        if (first) {
          first = false;
          return fail();
        }
        return new Promise<string>(() => undefined); // ignores its signal
      },
      { store },
    );
    expect(await settle(breaker.execute(undefined, createTestContext({ clock })))).toBe("fail");
    const abort = new AbortController();
    const probe = breaker.execute(undefined, createTestContext({ clock, signal: abort.signal }));
    probe.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 0));
    abort.abort();
    await new Promise((r) => setTimeout(r, 0));
    expect(store.log).toEqual(["acquire", "failure", "acquire", "neutral:probe"]);
  });

  it("a rejecting acquire rejects the call; a rejecting record is ignored", async () => {
    const boom = new Error("store down");
    const refusing = circuitBreaker(ok, {
      store: { acquire: () => Promise.reject(boom), record: () => ({ state: "closed" }) },
    });
    await expect(refusing.execute(undefined)).rejects.toBe(boom);
    const forgetful = circuitBreaker(ok, {
      store: {
        acquire: () => ({ allowed: true, state: "closed", probe: false, retryAfterMs: 0 }),
        record: () => Promise.reject(boom),
      },
    });
    expect(await forgetful.execute(undefined)).toBe("ok");
  });

  it("rejects bad combinations, naming the field; reset/isolate throw", () => {
    const store = fakeStore();
    const bad = (options: Record<string, unknown>) =>
      invalidOption(() => circuitBreaker(ok, options as CircuitBreakerOptions)).option;
    expect(bad({ store: {} })).toBe("store");
    expect(bad({ store: { acquire: () => undefined } })).toBe("store");
    expect(bad({ store, window: { kind: "count", size: 10 } })).toBe("store");
    expect(bad({ store, failureThreshold: 3 })).toBe("failureThreshold");
    expect(bad({ store, recoveryTimeoutMs: 3 })).toBe("recoveryTimeoutMs");
    expect(bad({ store, successThreshold: 3 })).toBe("successThreshold");
    expect(bad({ store, halfOpenMaxConcurrent: 3 })).toBe("halfOpenMaxConcurrent");
    const breaker = circuitBreaker(ok, { store });
    expect(breaker.options.store).toBe(store);
    expect(() => breaker.reset()).toThrow(TypeError);
    expect(() => breaker.isolate()).toThrow(TypeError);
  });
});
