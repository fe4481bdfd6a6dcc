/**
 * `CircuitBreakerPrimitive`: stops calling a failing dependency for a while, then lets a bounded
 * number of probes through to find out whether it recovered.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { contextAbortReason, createContext, isContextAborted } from "../core/context.js";
import { isTtaError } from "../core/errors.js";
import type { CircuitState } from "../core/instrumentation.js";
import { isObserved } from "../core/instrumentation.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive, normalizeError } from "../core/workflow-primitive.js";
import type { Outcome } from "./circuit-breaker/circuit-state.js";
import {
  CLOSED,
  CircuitStateMachine,
  FAILURE,
  NEUTRAL,
  OPEN,
  ProbeWatch,
  STATE_NAMES,
  SUCCESS,
  StateChangeNotifier,
  openError,
} from "./circuit-breaker/circuit-state.js";
import { createFailureWindow } from "./circuit-breaker/sliding-window.js";
import { StoreDriver } from "./circuit-breaker/store-driver.js";
import type {
  CircuitBreakerOptions,
  CircuitStateListener,
  ResolvedCircuitBreakerOptions,
} from "./circuit-breaker/options.js";
import { resolveCircuitBreakerOptions } from "./circuit-breaker/options.js";

export { DEFAULT_CIRCUIT_BREAKER_OPTIONS, resolveCircuitBreakerOptions } from "./circuit-breaker/options.js";
export type {
  CircuitBreakerOptions,
  CircuitBreakerWindow,
  CircuitStateChange,
  CircuitStateListener,
  ResolvedCircuitBreakerOptions,
  ResolvedCircuitBreakerWindow,
} from "./circuit-breaker/options.js";

const STATE_ATTRIBUTE = "tta.circuit.state";

/**
 * Wraps a primitive with a circuit breaker: after repeated failures it stops calling it and fails fast with
 * `CircuitOpenError` (code `CIRCUIT_OPEN`), then lets at most `halfOpenMaxConcurrent` probes through at a time
 * to find out whether it recovered.
 *
 * @remarks
 * - **closed**: calls run; `failureThreshold` consecutive failures (or, with `window`, a failure rate ≥
 *   `failureRateThreshold` over at least `minimumCalls` calls) open the breaker; a success resets the count.
 *   The closed path is O(1): no per-call history, no timer, the clock read only for `slowCallMs` or a time window.
 * - **open**: calls reject at once with `CircuitOpenError` without running the inner primitive; `retryAfterMs`
 *   is the time until a probe is allowed (`Infinity` while isolated).
 * - **half-open**: once `recoveryTimeoutMs` has passed (computed lazily, reported when first observed by a call or
 *   a `state` read), up to `halfOpenMaxConcurrent` calls run as probes; every other caller rejects at once with
 *   `retryAfterMs` 0 and never waits. `successThreshold` probe successes close the breaker; one probe failure
 *   re-opens it for another `recoveryTimeoutMs`.
 * - A call cancelled by its context's signal and an error for which `isFailure` returns `false` count as neither
 *   success nor failure. A deadline is not a cancellation: when the abort reason is a `TimeoutError` (an
 *   enclosing `timeout` or the context deadline), `isFailure(reason)` decides (by default, a failure), so a
 *   hanging dependency still opens the breaker. A probe is counted when its context aborts, even if its work
 *   ignores the signal: its slot is freed then and the work's late result ignored (it listens to the probe's
 *   signal while the probe runs). A result that arrives after the breaker changed state is ignored.
 * - Every transition calls the `onStateChange` listeners synchronously and reports a `circuit-state` event, with
 *   the context of the call that caused it (for `reset()`, `isolate()` and `state` reads: a fresh root context on
 *   the last clock seen). The span gets `tta.circuit.state`: the state when the call arrived.
 *
 * - With `store` (see {@link CircuitBreakerStore}) the state lives outside, shared by every process: each call
 *   awaits the store's `acquire` and `record`; `state` is the last state the store reported; events fire in the
 *   process that observed the transition; `reset()`/`isolate()` throw (use the store's own methods).
 *
 * Time comes from the context's clock; `state` uses the clock of the last context seen (the system clock before
 * any), so use one clock per breaker. Put the breaker innermost: `retry(timeout(circuitBreaker(llm), …), …)`.
 *
 * @throws {@link InvalidOptionsError} at construction: thresholds or `halfOpenMaxConcurrent` not an
 * integer ≥ 1, a negative or non-finite `recoveryTimeoutMs`, a bad `slowCallMs`, `window` with an
 * unknown kind or key, a bad `size`, `minimumCalls` or `failureRateThreshold` outside (0, 1],
 * `failureThreshold` together with `window`, `store` without `acquire`/`record` or together with
 * `window` or a threshold, unknown option keys, or an inner that is not a primitive.
 * @example
 * ```ts
 * const guarded = new CircuitBreakerPrimitive(callModel, { failureThreshold: 3, recoveryTimeoutMs: 30_000 });
 * guarded.onStateChange(({ from, to }) => log.warn({ from, to }, "model breaker"));
 * try { await guarded.execute(prompt, ctx); } catch (e) { if (isTtaError(e, "CIRCUIT_OPEN")) useCache(); }
 * ```
 * @since 0.1.0
 */
export class CircuitBreakerPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The protected primitive. */
  readonly inner: Executable<I, O>;
  /** The resolved options. */
  readonly options: ResolvedCircuitBreakerOptions;

  readonly #machine: CircuitStateMachine;
  /** Consecutive mode without `slowCallMs`: a closed-state success only resets a counter. */
  readonly #plainSuccess: boolean;
  /** Whether a call must read the clock when it starts (`slowCallMs`). */
  readonly #timed: boolean;
  readonly #notifier: StateChangeNotifier;
  readonly #driver: StoreDriver<I, O> | undefined;

  constructor(inner: PrimitiveLike<I, O>, options?: CircuitBreakerOptions) {
    const resolved = resolveCircuitBreakerOptions(options);
    super({ kind: "circuit-breaker", name: resolved.name });
    this.options = resolved;
    this.inner = toExecutable(inner, "inner");
    const window = resolved.window === undefined ? undefined : createFailureWindow(resolved.window);
    this.#notifier = new StateChangeNotifier(resolved.name, (change, ctx) => {
      if (isObserved())
        this.report(ctx ?? createContext({ clock: this.#machine.clock }), { type: "circuit-state", ...change });
    });
    this.#machine = new CircuitStateMachine(resolved, window, (from, to, ctx) =>
      this.#notifier.notify({ from: STATE_NAMES[from], to: STATE_NAMES[to] }, ctx),
    );
    this.#timed = resolved.slowCallMs !== undefined;
    this.#plainSuccess = window === undefined && !this.#timed;
    this.#driver =
      resolved.store &&
      new StoreDriver(resolved.store, resolved, this.inner, (ctx, state) => {
        if (state !== undefined) this.currentSpan(ctx)?.setAttribute(STATE_ATTRIBUTE, state);
        return this.#notifier;
      });
  }

  /**
   * The current state. Reading it after `recoveryTimeoutMs` has passed turns `"open"` into
   * `"half-open"` (and notifies listeners), using the clock of the last context seen.
   */
  get state(): CircuitState {
    if (this.#driver !== undefined) return this.#driver.state;
    const machine = this.#machine;
    const state = machine.state === OPEN ? machine.observe(machine.clock.now(), undefined) : machine.state;
    return STATE_NAMES[state];
  }

  /**
   * Calls `listener({ from, to })` synchronously on every state change, in subscription order;
   * returns the function that unsubscribes it. A throwing listener is reported once through the
   * OpenTelemetry diag logger and never breaks the breaker or the call.
   *
   * @throws TypeError when `listener` is not a function.
   */
  onStateChange(listener: CircuitStateListener): () => void {
    return this.#notifier.subscribe(listener);
  }

  /**
   * Closes the breaker and clears its counts (from any state, isolation included). Results of calls
   * started before the reset are ignored. Notifies listeners unless it was already closed.
   * @throws TypeError with a `store` (reset the store instead).
   */
  reset(): void {
    this.#driver?.refuse("reset");
    this.#machine.reset();
  }

  /**
   * Holds the breaker open until `reset()`: every call rejects with `retryAfterMs` `Infinity`.
   * Notifies listeners with `{ from, to: "open" }` unless it was already open.
   * @throws TypeError with a `store`.
   */
  isolate(): void {
    this.#driver?.refuse("isolate");
    this.#machine.isolate();
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    if (this.#driver !== undefined) return this.#driver.run(input, ctx);
    const machine = this.#machine;
    machine.clock = ctx.clock;
    if (machine.state !== CLOSED) return this.#runGuarded(input, ctx);
    this.currentSpan(ctx)?.setAttribute(STATE_ATTRIBUTE, "closed");
    if (this.#plainSuccess) {
      // The hot path: no async frame, no clock read, O(1) bookkeeping.
      const epoch = machine.epoch;
      let work: Promise<O>;
      try {
        work = this.inner.execute(input, ctx);
      } catch (thrown) {
        return Promise.reject(this.#failed(thrown, ctx, epoch, false));
      }
      return work.then(machine.onClosedSuccess, (thrown: unknown) => {
        throw this.#failed(thrown, ctx, epoch, false);
      });
    }
    return this.#runClosed(input, ctx);
  }

  /** Closed, with a window or `slowCallMs`. */
  async #runClosed(input: I, ctx: WorkflowContext): Promise<O> {
    const machine = this.#machine;
    const epoch = machine.epoch;
    const startedAt = this.#timed ? ctx.clock.now() : 0;
    let value: O;
    try {
      value = await this.inner.execute(input, ctx);
    } catch (thrown) {
      throw this.#failed(thrown, ctx, epoch, false);
    }
    machine.settle(this.#successOutcome(ctx, startedAt), epoch, false, ctx);
    return value;
  }

  /** Open or half-open: reject at once, or run as a probe. */
  async #runGuarded(input: I, ctx: WorkflowContext): Promise<O> {
    const machine = this.#machine;
    const now = ctx.clock.now();
    const state = machine.observe(now, ctx);
    this.currentSpan(ctx)?.setAttribute(STATE_ATTRIBUTE, STATE_NAMES[state]);
    if (state === OPEN) throw openError(this.name, machine.retryAfterMs(now), 0);
    if (!machine.tryProbe()) throw openError(this.name, 0, this.options.halfOpenMaxConcurrent);
    const epoch = machine.epoch;
    // An aborted probe is counted, and frees its slot, at the abort: its work may ignore the signal.
    const watch = new ProbeWatch(ctx, () => this.#judge(contextAbortReason(ctx), ctx, epoch, true));
    let value: O;
    try {
      value = await this.inner.execute(input, ctx);
    } catch (thrown) {
      if (watch.settled()) throw this.#failed(thrown, ctx, epoch, true);
      throw watch.rejection ?? normalizeError(thrown, ctx);
    }
    if (watch.settled()) machine.settle(this.#successOutcome(ctx, now), epoch, true, ctx);
    return value;
  }

  #successOutcome(ctx: WorkflowContext, startedAt: number): Outcome {
    const slowCallMs = this.options.slowCallMs;
    return slowCallMs !== undefined && ctx.clock.now() - startedAt > slowCallMs ? FAILURE : SUCCESS;
  }

  /** Classifies and records a failed call; returns what the caller must reject with. */
  #failed(thrown: unknown, ctx: WorkflowContext, epoch: number, probe: boolean): unknown {
    const error = normalizeError(thrown, ctx);
    return this.#judge(error, ctx, epoch, probe) ?? error;
  }

  /** Records a failed or aborted call of `epoch`; returns what a throwing `isFailure` threw, if it threw. */
  #judge(error: unknown, ctx: WorkflowContext, epoch: number, probe: boolean): unknown {
    if (epoch !== this.#machine.epoch) return undefined;
    let judged = error;
    if (isContextAborted(ctx)) {
      // Cancelled: counts as neither, unless a deadline cut it short (the dependency was too slow).
      const reason = contextAbortReason(ctx);
      if (!isTtaError(reason, "TIMEOUT")) {
        this.#machine.settle(NEUTRAL, epoch, probe, ctx);
        return undefined;
      }
      judged = reason;
    }
    let outcome: Outcome;
    let predicateError: unknown;
    try {
      outcome = this.options.isFailure(judged) ? FAILURE : NEUTRAL;
    } catch (thrown) {
      outcome = FAILURE;
      predicateError = normalizeError(thrown, ctx);
    }
    this.#machine.settle(outcome, epoch, probe, ctx);
    return predicateError;
  }
}

/**
 * Wraps `inner` in a {@link CircuitBreakerPrimitive}.
 *
 * @remarks See {@link CircuitBreakerPrimitive} for the state machine and {@link CircuitBreakerOptions}
 * for the options and their defaults.
 * @throws {@link InvalidOptionsError} for invalid options or an invalid `inner` (see the class).
 * @example
 * ```ts
 * const window = { kind: "count", size: 20, failureRateThreshold: 0.5 } as const;
 * const llm = circuitBreaker(callModel, { window, slowCallMs: 10_000 });
 * const answer = await retry(timeout(llm, { timeoutMs: 15_000 })).execute(prompt, ctx);
 * ```
 * @since 0.1.0
 */
export function circuitBreaker<I, O>(
  inner: PrimitiveLike<I, O>,
  options?: CircuitBreakerOptions,
): CircuitBreakerPrimitive<I, O> {
  return new CircuitBreakerPrimitive(inner, options);
}
