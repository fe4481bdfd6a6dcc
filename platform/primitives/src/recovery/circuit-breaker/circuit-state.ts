/**
 * The circuit breaker's state machine, apart from execution: states, epochs, counts, probe slots
 * and transitions. `CircuitBreakerPrimitive` runs the calls and reports the transitions.
 */
import { diag } from "@opentelemetry/api";
import type { Clock } from "../../core/clock.js";
import { systemClock } from "../../core/clock.js";
import type { WorkflowContext } from "../../core/context.js";
import { isContextAborted, isNeverSignal } from "../../core/context.js";
import { CircuitOpenError } from "../../core/errors.js";
import type { CircuitState } from "../../core/instrumentation.js";
import { offAbort, onAbort } from "../../internal/abort-fanout.js";
import type { FailureWindow } from "./sliding-window.js";

/** State codes (small integers on the hot path). @internal */
export const CLOSED = 0;
/** @internal */
export const OPEN = 1;
/** @internal */
export const HALF_OPEN = 2;
/** @internal */
export type StateCode = typeof CLOSED | typeof OPEN | typeof HALF_OPEN;
/** Public names of the state codes. @internal */
export const STATE_NAMES: readonly [CircuitState, CircuitState, CircuitState] = ["closed", "open", "half-open"];

/** How a settled call counts. @internal */
export const NEUTRAL = 0;
/** @internal */
export const SUCCESS = 1;
/** @internal */
export const FAILURE = 2;
/** @internal */
export type Outcome = typeof NEUTRAL | typeof SUCCESS | typeof FAILURE;

/** The thresholds the machine applies (a subset of the resolved breaker options). @internal */
export interface CircuitRules {
  readonly failureThreshold: number;
  readonly recoveryTimeoutMs: number;
  readonly successThreshold: number;
  readonly halfOpenMaxConcurrent: number;
}

/**
 * Called after every transition; `ctx` is the call that caused it, `undefined` for `reset`,
 * `isolate` and `state` reads.
 * @internal
 */
export type TransitionHandler = (from: StateCode, to: StateCode, ctx: WorkflowContext | undefined) => void;

/**
 * Closed / open / half-open bookkeeping.
 *
 * @remarks
 * Every transition (and every reset) starts a new **epoch** with clean counts; a call remembers the
 * epoch it started in, and its result is ignored if the epoch changed meanwhile (a late failure
 * from before the breaker opened, a probe that outlived a reset). `open` is stored as "open until
 * `openUntil`"; the change to half-open is made when `observe` is called at or after that time.
 * @internal
 */
export class CircuitStateMachine {
  /** Clock of the last context seen, for `state` reads and context-less transitions. */
  clock: Clock = systemClock;
  #state: StateCode = CLOSED;
  #epoch = 0;
  #consecutiveFailures = 0;
  /** Clock time from which an open breaker lets probes through; `Infinity` while isolated. */
  #openUntil = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;
  #onClosedSuccess: <T>(value: T) => T = this.#closedSuccessOf(0);
  readonly #rules: CircuitRules;
  readonly #window: FailureWindow | undefined;
  readonly #onTransition: TransitionHandler;

  constructor(rules: CircuitRules, window: FailureWindow | undefined, onTransition: TransitionHandler) {
    this.#rules = rules;
    this.#window = window;
    this.#onTransition = onTransition;
  }

  /** The last reported state (an `OPEN` may already be due for half-open until observed). */
  get state(): StateCode {
    return this.#state;
  }

  /** The current epoch; pass it back to {@link CircuitStateMachine.settle}. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Makes the lazy open → half-open change if it is due at `now`; returns the state. */
  observe(now: number, ctx: WorkflowContext | undefined): StateCode {
    if (this.#state === OPEN && now >= this.#openUntil) this.#transition(HALF_OPEN, ctx);
    return this.#state;
  }

  /** While open: ms until a probe is allowed (`Infinity` while isolated). */
  retryAfterMs(now: number): number {
    return Math.max(0, this.#openUntil - now);
  }

  /** While half-open: takes a probe slot, or returns `false` when all are busy. */
  tryProbe(): boolean {
    if (this.#probesInFlight >= this.#rules.halfOpenMaxConcurrent) return false;
    this.#probesInFlight++;
    return true;
  }

  /**
   * The closed-state success of consecutive mode as a `then` handler of the current epoch (made once
   * per epoch, so a call allocates no closure for it): O(1), no clock; passes the value through.
   */
  get onClosedSuccess(): <T>(value: T) => T {
    return this.#onClosedSuccess;
  }

  /**
   * Records how a call of `epoch` ended (a probe frees its slot); may transition. Reads the clock
   * only when needed (a time window, or opening).
   */
  settle(outcome: Outcome, epoch: number, probe: boolean, ctx: WorkflowContext): void {
    if (epoch !== this.#epoch) return;
    if (probe) {
      this.#probesInFlight--;
      if (outcome === FAILURE) this.#open(ctx, ctx.clock.now());
      else if (outcome === SUCCESS && ++this.#probeSuccesses >= this.#rules.successThreshold)
        this.#transition(CLOSED, ctx);
      return;
    }
    if (outcome === NEUTRAL) return;
    const window = this.#window;
    if (window !== undefined) {
      const now = window.timed ? ctx.clock.now() : 0;
      if (window.record(outcome === FAILURE, now)) this.#open(ctx, window.timed ? now : ctx.clock.now());
    } else if (outcome === SUCCESS) this.#consecutiveFailures = 0;
    else if (++this.#consecutiveFailures >= this.#rules.failureThreshold) this.#open(ctx, ctx.clock.now());
  }

  /** Closes (from any state) with clean counts; in-flight results are ignored. */
  reset(): void {
    if (this.#state !== CLOSED) this.#transition(CLOSED, undefined);
    else this.#enter(CLOSED);
  }

  /** Opens until the next `reset()` (reported only if it was not open already). */
  isolate(): void {
    if (this.#state !== OPEN) this.#transition(OPEN, undefined, Infinity);
    else {
      this.#enter(OPEN);
      this.#openUntil = Infinity;
    }
  }

  #open(ctx: WorkflowContext, now: number): void {
    this.#transition(OPEN, ctx, now + this.#rules.recoveryTimeoutMs);
  }

  #closedSuccessOf(epoch: number): <T>(value: T) => T {
    return (value) => {
      if (epoch === this.#epoch) this.#consecutiveFailures = 0;
      return value;
    };
  }

  /** Sets the state and starts a new epoch with clean counts. */
  #enter(to: StateCode): void {
    this.#state = to;
    this.#epoch++;
    if (to === CLOSED) this.#onClosedSuccess = this.#closedSuccessOf(this.#epoch);
    this.#consecutiveFailures = 0;
    this.#probesInFlight = 0;
    this.#probeSuccesses = 0;
    this.#window?.clear();
  }

  /** Changes state (`openUntil`: when an `OPEN` lets probes through), then calls the handler. */
  #transition(to: StateCode, ctx: WorkflowContext | undefined, openUntil = 0): void {
    const from = this.#state;
    this.#enter(to);
    if (to === OPEN) this.#openUntil = openUntil;
    this.#onTransition(from, to, ctx);
  }
}

/**
 * Watches one half-open probe: if its context aborts before the work settles, `count` runs once
 * (the breaker counts the probe and frees its slot then, so work that ignores its signal cannot hold
 * the slot for ever) and the work's own settlement must then be ignored. Listens only when the
 * context can abort (reading `ctx.signal` materialises a lazy one: probes are rare), through the
 * shared per-signal fan-out, and stops listening when the work settles.
 * @internal
 */
export class ProbeWatch {
  /** What `count` returned (a throwing `isFailure`'s error, the late failure's rejection). */
  rejection: unknown = undefined;
  #pending = true;
  #signal: AbortSignal | undefined = undefined;
  #listener: (() => void) | undefined = undefined;

  constructor(ctx: WorkflowContext, count: () => unknown) {
    const abort = (): void => {
      if (!this.#pending) return;
      this.#pending = false;
      this.#signal = undefined;
      this.#listener = undefined;
      this.rejection = count();
    };
    if (isContextAborted(ctx)) {
      abort();
      return;
    }
    const signal = ctx.signal;
    if (isNeverSignal(signal)) return;
    this.#signal = signal;
    this.#listener = abort;
    onAbort(signal, abort);
  }

  /** The work settled: stops listening; `false` when the abort already counted the probe. */
  settled(): boolean {
    const listener = this.#listener;
    if (listener !== undefined) offAbort(this.#signal as AbortSignal, listener);
    this.#signal = undefined;
    this.#listener = undefined;
    const pending = this.#pending;
    this.#pending = false;
    return pending;
  }
}

/**
 * The rejection of a refused call: open (`retryAfterMs` until a probe, `Infinity` while isolated),
 * or half-open with all `busySlots` probe slots taken (`retryAfterMs` 0).
 * @internal
 */
export function openError(name: string, retryAfterMs: number, busySlots: number): CircuitOpenError {
  const message =
    busySlots > 0
      ? `Circuit breaker "${name}" is half-open and its ${busySlots} probe slot(s) are busy`
      : retryAfterMs === Infinity
        ? `Circuit breaker "${name}" is isolated; calls are refused until reset()`
        : `Circuit breaker "${name}" is open; a probe is allowed in ${retryAfterMs} ms`;
  return new CircuitOpenError(message, retryAfterMs);
}

/** A state change as listeners see it. @internal */
export interface StateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/**
 * The `onStateChange` listeners of one breaker, and in-order delivery: for each change, `report`
 * (the event) and then every listener, synchronously. A change made by a listener (e.g. a `reset()`)
 * is queued and delivered after the current one, so everyone sees the changes in order. A throwing
 * listener is reported once through the OpenTelemetry diag logger and otherwise ignored.
 * @internal
 */
export class StateChangeNotifier {
  readonly #name: string;
  readonly #report: (change: StateChange, ctx: WorkflowContext | undefined) => void;
  #listeners: readonly ((change: StateChange) => void)[] = [];
  #queue: [StateChange, WorkflowContext | undefined][] | undefined = undefined;
  #warned = false;

  constructor(name: string, report: (change: StateChange, ctx: WorkflowContext | undefined) => void) {
    this.#name = name;
    this.#report = report;
  }

  subscribe(listener: (change: StateChange) => void): () => void {
    if (typeof listener !== "function") throw new TypeError("onStateChange(listener): listener must be a function");
    this.#listeners = [...this.#listeners, listener];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners = this.#listeners.filter((_, i) => i !== index);
    };
  }

  notify(change: StateChange, ctx: WorkflowContext | undefined): void {
    if (this.#queue !== undefined) {
      this.#queue.push([change, ctx]);
      return;
    }
    const queue: [StateChange, WorkflowContext | undefined][] = [[change, ctx]];
    this.#queue = queue;
    try {
      for (let i = 0; i < queue.length; i++) {
        const [next, nextCtx] = queue[i] as [StateChange, WorkflowContext | undefined];
        this.#report(next, nextCtx);
        for (const listener of this.#listeners) this.#call(listener, next);
      }
    } finally {
      this.#queue = undefined;
    }
  }

  #call(listener: (change: StateChange) => void, change: StateChange): void {
    try {
      listener(change);
    } catch (error) {
      if (!this.#warned) {
        this.#warned = true;
        diag.warn(`@tta/primitives: an onStateChange listener of "${this.#name}" threw; ignoring it`, error);
      }
    }
  }
}
