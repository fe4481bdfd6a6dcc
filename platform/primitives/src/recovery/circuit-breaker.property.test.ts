/**
 * Model-based property test: random sequences of calls, bursts of concurrent calls, calls whose work
 * ignores its signal under an enclosing `timeout` (timed out or cancelled, settling late or never),
 * clock advances, state reads, resets and isolations, checked step by step against a small reference
 * model of the breaker (state, transitions in order, inner executions, and what every caller gets).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WorkflowContext } from "../core/index.js";
import { CircuitOpenError } from "../core/index.js";
import { createTestContext } from "../testing/index.js";
import { circuitBreaker } from "./circuit-breaker.js";
import type { CircuitBreakerOptions } from "./circuit-breaker.js";
import { timeout } from "./timeout.js";

type State = "closed" | "open" | "half-open";

interface Config {
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly halfOpenMaxConcurrent: number;
  readonly recoveryTimeoutMs: number;
  readonly slowCallMs: number | undefined;
  readonly window: { readonly size: number; readonly minimumCalls: number; readonly rate: number } | undefined;
}

type Op =
  | { readonly op: "call"; readonly ok: boolean }
  | { readonly op: "burst"; readonly outcomes: readonly boolean[] }
  /** Through `timeout(breaker)`, work that ignores its signal; settles after `latencyMs` (or never). */
  | { readonly op: "deaf"; readonly ok: boolean; readonly latencyMs: number | undefined; readonly cancel: boolean }
  | { readonly op: "advance"; readonly ms: number }
  | { readonly op: "read" }
  | { readonly op: "reset" }
  | { readonly op: "isolate" };

/** Inner latency of every call of a burst. */
const BURST_LATENCY = 10;
/** `timeoutMs` of the `timeout` around a "deaf" call, and when a cancelled one is aborted by its caller. */
const DEAF_TIMEOUT = 15;
const DEAF_CANCEL_AT = 5;

interface Ticket {
  readonly epoch: number;
  readonly probe: boolean;
}

/** The reference: the breaker's rules written as plainly as possible. */
class Model {
  state: State = "closed";
  now = 0;
  openUntil = 0;
  failures = 0;
  probes = 0;
  probeSuccesses = 0;
  epoch = 0;
  window: boolean[] = [];
  innerCalls = 0;
  readonly transitions: string[] = [];
  readonly config: Config;

  constructor(config: Config) {
    this.config = config;
  }

  /** The lazy open → half-open change, when a call or a `state` read observes it. */
  observe(): void {
    if (this.state === "open" && this.now >= this.openUntil) this.go("half-open");
  }

  go(to: State, openUntil = this.now + this.config.recoveryTimeoutMs): void {
    this.transitions.push(`${this.state}>${to}`);
    this.restart(to);
    if (to === "open") this.openUntil = openUntil;
  }

  restart(state: State): void {
    this.state = state;
    this.epoch++;
    this.failures = 0;
    this.probes = 0;
    this.probeSuccesses = 0;
    this.window = [];
  }

  /** A call arrives: the rejection it gets, or the ticket of an inner execution. */
  admit(): string | Ticket {
    this.observe();
    if (this.state === "open") return `open:${this.openUntil - this.now}`;
    if (this.state === "half-open") {
      if (this.probes >= this.config.halfOpenMaxConcurrent) return "open:0";
      this.probes++;
      this.innerCalls++;
      return { epoch: this.epoch, probe: true };
    }
    this.innerCalls++;
    return { epoch: this.epoch, probe: false };
  }

  /** An inner execution settles after `elapsed` ms. */
  settle(ticket: Ticket, ok: boolean, elapsed: number): void {
    if (ticket.epoch !== this.epoch) return;
    const slow = this.config.slowCallMs !== undefined && elapsed > this.config.slowCallMs;
    const failure = !ok || slow;
    if (ticket.probe) {
      this.probes--;
      if (failure) this.go("open");
      else if (++this.probeSuccesses >= this.config.successThreshold) this.go("closed");
      return;
    }
    const w = this.config.window;
    if (w !== undefined) {
      this.window.push(failure);
      if (this.window.length > w.size) this.window.shift();
      const failed = this.window.filter(Boolean).length;
      if (this.window.length >= w.minimumCalls && failed / this.window.length >= w.rate) this.go("open");
    } else if (!failure) this.failures = 0;
    else if (++this.failures >= this.config.failureThreshold) this.go("open");
  }

  /**
   * A probe's context aborted before its work settled: it counts at once (a deadline as a failure,
   * a cancellation as neither) and frees its slot; the work's late settlement is ignored.
   */
  abortProbe(ticket: Ticket, deadline: boolean): void {
    if (ticket.epoch !== this.epoch) return;
    this.probes--;
    if (deadline) this.go("open");
  }

  reset(): void {
    if (this.state !== "closed") this.go("closed");
    else this.restart("closed");
  }

  isolate(): void {
    if (this.state !== "open") this.go("open", Infinity);
    else {
      this.restart("open");
      this.openUntil = Infinity;
    }
  }
}

const configArb: fc.Arbitrary<Config> = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 4 }),
  successThreshold: fc.integer({ min: 1, max: 3 }),
  halfOpenMaxConcurrent: fc.integer({ min: 1, max: 3 }),
  recoveryTimeoutMs: fc.constantFrom(0, 15, 40, 100),
  slowCallMs: fc.constantFrom(undefined, 5, 10, 20),
  window: fc.option(
    fc.integer({ min: 1, max: 5 }).chain((size) =>
      fc.record({
        size: fc.constant(size),
        minimumCalls: fc.integer({ min: 1, max: size }),
        rate: fc.constantFrom(0.25, 0.5, 0.6, 1),
      }),
    ),
    { nil: undefined },
  ),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant("call" as const), ok: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("burst" as const),
      outcomes: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("deaf" as const),
      ok: fc.boolean(),
      latencyMs: fc.constantFrom(undefined, 18, 40),
      cancel: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: "read" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "reset" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "isolate" as const }) },
);

function toOptions(config: Config): CircuitBreakerOptions {
  const base: CircuitBreakerOptions = {
    successThreshold: config.successThreshold,
    halfOpenMaxConcurrent: config.halfOpenMaxConcurrent,
    recoveryTimeoutMs: config.recoveryTimeoutMs,
    ...(config.slowCallMs === undefined ? {} : { slowCallMs: config.slowCallMs }),
  };
  const w = config.window;
  return w === undefined
    ? { ...base, failureThreshold: config.failureThreshold }
    : { ...base, window: { kind: "count", size: w.size, minimumCalls: w.minimumCalls, failureRateThreshold: w.rate } };
}

async function check(config: Config, ops: readonly Op[]): Promise<void> {
  const model = new Model(config);
  const ctx = createTestContext();
  let innerCalls = 0;
  const inner = {
    async execute(plan: { ok: boolean; latencyMs: number; hang?: boolean }, c?: WorkflowContext): Promise<string> {
      innerCalls++;
      // Never looks at its signal.
      if (plan.hang === true) await new Promise(() => undefined);
      if (plan.latencyMs > 0) await (c as WorkflowContext).clock.sleep(plan.latencyMs);
      if (!plan.ok) throw new Error("inner failure");
      return "ok";
    },
  };
  const breaker = circuitBreaker(inner, toOptions(config));
  const timed = timeout(breaker, { timeoutMs: DEAF_TIMEOUT });
  const transitions: string[] = [];
  breaker.onStateChange(({ from, to }) => transitions.push(`${from}>${to}`));
  const outcome = (run: Promise<unknown>): Promise<string> =>
    run.then(
      () => "ok",
      (e: unknown) => (e instanceof CircuitOpenError ? `open:${e.retryAfterMs}` : "fail"),
    );

  for (const [step, op] of ops.entries()) {
    const where = `step ${step} ${JSON.stringify(op)}`;
    switch (op.op) {
      case "call": {
        const ticket = model.admit();
        const got = await outcome(breaker.execute({ ok: op.ok, latencyMs: 0 }, ctx));
        if (typeof ticket !== "string") model.settle(ticket, op.ok, 0);
        expect(got, where).toBe(typeof ticket === "string" ? ticket : op.ok ? "ok" : "fail");
        break;
      }
      case "burst": {
        const tickets = op.outcomes.map(() => model.admit());
        const runs = op.outcomes.map((ok) => outcome(breaker.execute({ ok, latencyMs: BURST_LATENCY }, ctx)));
        await ctx.clock.advance(BURST_LATENCY);
        model.now += BURST_LATENCY;
        tickets.forEach((t, i) => {
          if (typeof t !== "string") model.settle(t, op.outcomes[i] as boolean, BURST_LATENCY);
        });
        const expected = tickets.map((t, i) => (typeof t === "string" ? t : op.outcomes[i] ? "ok" : "fail"));
        expect(await Promise.all(runs), where).toEqual(expected);
        break;
      }
      case "deaf": {
        const ticket = model.admit();
        const controller = new AbortController();
        const callCtx = op.cancel ? ctx.child({ signal: controller.signal }) : ctx;
        const plan = { ok: op.ok, latencyMs: op.latencyMs ?? 0, hang: op.latencyMs === undefined };
        const run = outcome(timed.execute(plan, callCtx));
        const abortAt = op.cancel ? DEAF_CANCEL_AT : DEAF_TIMEOUT;
        await ctx.clock.advance(abortAt);
        model.now += abortAt;
        if (op.cancel) controller.abort(new Error("caller gave up"));
        if (typeof ticket !== "string" && ticket.probe) model.abortProbe(ticket, !op.cancel);
        expect(await run, where).toBe(typeof ticket === "string" ? ticket : "fail");
        if (op.latencyMs !== undefined) {
          await ctx.clock.advance(op.latencyMs - abortAt);
          model.now += op.latencyMs - abortAt;
          // A closed call still counts when it settles: a cancelled one's error as neither.
          if (typeof ticket !== "string" && !ticket.probe && !(op.cancel && !op.ok))
            model.settle(ticket, op.ok, op.latencyMs);
        }
        break;
      }
      case "advance":
        await ctx.clock.advance(op.ms);
        model.now += op.ms;
        break;
      case "read":
        model.observe();
        expect(breaker.state, where).toBe(model.state);
        break;
      case "reset":
        breaker.reset();
        model.reset();
        break;
      case "isolate":
        breaker.isolate();
        model.isolate();
        break;
    }
    expect(innerCalls, `${where}: inner executions`).toBe(model.innerCalls);
    expect(transitions, `${where}: transitions`).toEqual(model.transitions);
  }
  model.observe();
  expect(breaker.state).toBe(model.state);
  expect(transitions).toEqual(model.transitions);
}

describe("circuit breaker against a reference model (property)", () => {
  it("state, transitions, inner executions and every caller's outcome match the model", async () => {
    await fc.assert(fc.asyncProperty(configArb, fc.array(opArb, { minLength: 1, maxLength: 60 }), check), {
      numRuns: 300,
    });
  });

  it("no inner execution happens while open (failures only, never enough time to recover)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 80 }),
        async (failureThreshold, outcomes) => {
          const ctx = createTestContext();
          let executions = 0;
          const breaker = circuitBreaker(
            async (ok: boolean) => {
              executions++;
              if (!ok) throw new Error("down");
              return ok;
            },
            { failureThreshold, recoveryTimeoutMs: 1_000 },
          );
          let consecutive = 0;
          let expected = 0;
          let open = false;
          for (const ok of outcomes) {
            await breaker.execute(ok, ctx).catch(() => undefined);
            if (open) continue;
            expected++;
            consecutive = ok ? 0 : consecutive + 1;
            if (consecutive >= failureThreshold) open = true;
            await ctx.clock.advance(10);
          }
          expect(executions).toBe(expected);
          expect(breaker.state).toBe(open ? "open" : "closed");
        },
      ),
      { numRuns: 200 },
    );
  });
});
