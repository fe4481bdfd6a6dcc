/**
 * The circuit breaker's external-store path: the state lives in a {@link CircuitBreakerStore}
 * (e.g. Redis, shared by every process) and this module runs calls against it. The in-memory
 * path does not touch this module.
 */
import { diag } from "@opentelemetry/api";
import type { WorkflowContext } from "../../core/context.js";
import { contextAbortReason, isContextAborted } from "../../core/context.js";
import { InvalidOptionsError, isTtaError } from "../../core/errors.js";
import type { CircuitState } from "../../core/instrumentation.js";
import type { Executable } from "../../core/workflow-primitive.js";
import { normalizeError } from "../../core/workflow-primitive.js";
import { describeValue } from "../../internal/options.js";
import type { CircuitStateChange } from "../circuit-breaker.js";
import type { StateChange, StateChangeNotifier } from "./circuit-state.js";
import { ProbeWatch, openError } from "./circuit-state.js";

/** A call outcome as a {@link CircuitBreakerStore} records it. @since 0.1.0 */
export type CircuitOutcome = "success" | "failure" | "neutral";

/**
 * What {@link CircuitBreakerStore.acquire} answers: whether the call may run, and as a half-open
 * probe or not.
 * @since 0.1.0
 */
export interface CircuitAdmission {
  /** Whether the call may run. */
  readonly allowed: boolean;
  /** The state the store is in after this decision. */
  readonly state: CircuitState;
  /** Whether the call runs as the half-open probe (it must then be recorded with `probe: true`). */
  readonly probe: boolean;
  /** When refused: ms until a probe is allowed (0 when half-open with the probe slot busy). */
  readonly retryAfterMs: number;
  /** The transition this decision made (e.g. open → half-open), if any. */
  readonly transition?: CircuitStateChange;
}

/** What {@link CircuitBreakerStore.record} answers. @since 0.1.0 */
export interface CircuitRecordResult {
  /** The state after recording. */
  readonly state: CircuitState;
  /** The transition this record made (e.g. closed → open), if any. */
  readonly transition?: CircuitStateChange;
}

/**
 * Circuit-breaker state kept outside the primitive, e.g. in Redis so that every process shares
 * one breaker (`redisBreakerStore` in `@tta/redis`).
 *
 * @remarks
 * The store owns the rules: it counts consecutive failures, opens at its failure threshold, lets
 * one probe through after its recovery timeout and closes after its success threshold; it may use
 * its own clock (`now` is the caller's context clock). `acquire` decides whether a call may run;
 * every allowed call is then recorded once with `record` (a `"neutral"` outcome, e.g. a cancelled
 * call, only frees a probe slot). Results may be synchronous or promises. A rejection of `acquire`
 * rejects the call; a rejection of `record` is logged once and ignored (the call keeps its own
 * result). The transitions a store reports are the ones this process caused or observed; the
 * breaker reports them as `circuit-state` events and to its `onStateChange` listeners.
 * @example
 * ```ts
 * let failures = 0;
 * const store: CircuitBreakerStore = {
 *   acquire: () => ({ allowed: failures < 3, state: failures < 3 ? "closed" : "open", probe: false, retryAfterMs: 1_000 }),
 *   record: (outcome) => ((failures = outcome === "failure" ? failures + 1 : 0), { state: failures < 3 ? "closed" : "open" }),
 * };
 * const guarded = circuitBreaker(callModel, { store });
 * ```
 * @since 0.1.0
 */
export interface CircuitBreakerStore {
  /** Decides whether a call may run now (taking the probe slot when half-open). */
  acquire(now: number): CircuitAdmission | PromiseLike<CircuitAdmission>;
  /** Records how an allowed call ended; `probe` as `acquire` answered. */
  record(outcome: CircuitOutcome, probe: boolean, now: number): CircuitRecordResult | PromiseLike<CircuitRecordResult>;
}

/** Options the store holds itself, so a breaker with a `store` refuses them. */
const STORE_OWNED = ["failureThreshold", "recoveryTimeoutMs", "successThreshold", "halfOpenMaxConcurrent"] as const;

/**
 * Validates the `store` option (`undefined` = none) against the other options.
 * @throws InvalidOptionsError naming `store` (not a store, or together with `window`) or the
 * threshold given with it.
 * @internal
 */
export function resolveStoreOption(opts: Readonly<Record<string, unknown>>): CircuitBreakerStore | undefined {
  const store = opts.store;
  if (store === undefined) return undefined;
  if (
    typeof store !== "object" ||
    store === null ||
    typeof (store as { acquire?: unknown }).acquire !== "function" ||
    typeof (store as { record?: unknown }).record !== "function"
  )
    throw new InvalidOptionsError(
      "store",
      `Expected \`store\` to be a CircuitBreakerStore with acquire and record methods, got ${describeValue(store)}`,
    );
  if (opts.window !== undefined)
    throw new InvalidOptionsError(
      "store",
      "`store` cannot be combined with `window`: a store counts consecutive failures, not failure rates",
    );
  for (const field of STORE_OWNED)
    if (opts[field] !== undefined)
      throw new InvalidOptionsError(
        field,
        `The circuitBreaker option \`${field}\` is not allowed with \`store\`: the store holds the thresholds`,
      );
  return store as CircuitBreakerStore;
}

/** The breaker options the driver applies. @internal */
export interface StoreDriverOptions {
  readonly name: string;
  readonly isFailure: (error: unknown) => boolean;
  readonly slowCallMs: number | undefined;
}

/**
 * Sets the call's span state attribute (when `state` is given) and returns the breaker's notifier.
 * @internal
 */
export type StoreDriverHook = (ctx: WorkflowContext, state: CircuitState | undefined) => StateChangeNotifier;

/**
 * Runs calls of one breaker against its store and keeps the last state the store reported.
 * @internal
 */
export class StoreDriver<I, O> {
  /** The last state the store reported (`"closed"` before the first call). */
  state: CircuitState = "closed";
  readonly #store: CircuitBreakerStore;
  readonly #host: StoreDriverOptions;
  readonly #inner: Executable<I, O>;
  readonly #hook: StoreDriverHook;
  #warned = false;

  constructor(store: CircuitBreakerStore, options: StoreDriverOptions, inner: Executable<I, O>, hook: StoreDriverHook) {
    this.#store = store;
    this.#host = options;
    this.#inner = inner;
    this.#hook = hook;
  }

  async run(input: I, ctx: WorkflowContext): Promise<O> {
    const host = this.#host;
    const startedAt = ctx.clock.now();
    const admission = await this.#store.acquire(startedAt);
    this.#observe(admission.state, admission.transition, ctx);
    this.#hook(ctx, admission.transition?.from ?? admission.state);
    if (!admission.allowed) throw openError(host.name, admission.retryAfterMs, admission.state === "half-open" ? 1 : 0);
    const probe = admission.probe;
    // An aborted probe is recorded, and frees its slot, at the abort: its work may ignore the signal.
    const watch = probe ? new ProbeWatch(ctx, () => this.#settle(this.#judge(undefined, ctx), true, ctx)) : undefined;
    let value: O;
    try {
      value = await this.#inner.execute(input, ctx);
    } catch (thrown) {
      const error = normalizeError(thrown, ctx);
      if (watch !== undefined && !watch.settled()) throw watch.rejection ?? error;
      const [outcome, predicateError] = this.#judge(error, ctx);
      await this.#record(outcome, probe, ctx);
      throw predicateError ?? error;
    }
    if (watch !== undefined && !watch.settled()) return value;
    const slow = host.slowCallMs !== undefined && ctx.clock.now() - startedAt > host.slowCallMs;
    await this.#record(slow ? "failure" : "success", probe, ctx);
    return value;
  }

  /** Throws: `reset()` and `isolate()` act on in-memory state only. */
  refuse(method: string): never {
    throw new TypeError(`${method}() is not available on a circuit breaker with a store; use the store's own methods`);
  }

  /** How a failed (`error`) or aborted (`undefined`) call counts, and a throwing `isFailure`'s error. */
  #judge(error: unknown, ctx: WorkflowContext): [CircuitOutcome, unknown] {
    let judged = error;
    if (isContextAborted(ctx)) {
      const reason = contextAbortReason(ctx);
      if (!isTtaError(reason, "TIMEOUT")) return ["neutral", undefined];
      judged = reason;
    }
    try {
      return [this.#host.isFailure(judged) ? "failure" : "neutral", undefined];
    } catch (thrown) {
      return ["failure", normalizeError(thrown, ctx)];
    }
  }

  /** Records an aborted probe without waiting; returns a throwing `isFailure`'s error. */
  #settle([outcome, predicateError]: [CircuitOutcome, unknown], probe: boolean, ctx: WorkflowContext): unknown {
    void this.#record(outcome, probe, ctx);
    return predicateError;
  }

  async #record(outcome: CircuitOutcome, probe: boolean, ctx: WorkflowContext): Promise<void> {
    if (outcome === "neutral" && !probe) return;
    try {
      const result = await this.#store.record(outcome, probe, ctx.clock.now());
      this.#observe(result.state, result.transition, ctx);
    } catch (error) {
      if (!this.#warned) {
        this.#warned = true;
        diag.warn(
          `@tta/primitives: the circuit breaker store of "${this.#host.name}" failed to record; ignoring`,
          error,
        );
      }
    }
  }

  #observe(state: CircuitState, transition: StateChange | undefined, ctx: WorkflowContext): void {
    this.state = state;
    if (transition !== undefined && transition.from !== transition.to)
      this.#hook(ctx, undefined).notify(transition, ctx);
  }
}
