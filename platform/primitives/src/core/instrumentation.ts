/**
 * The one event hook every primitive reports through. `@tta/observability` subscribes to it to
 * produce metrics and logs; users can subscribe too.
 *
 * @packageDocumentation
 */
import { createContextKey, diag } from "@opentelemetry/api";
import type { BudgetResource } from "./errors.js";

/** Fields every event carries. @since 0.1.0 */
export interface PrimitiveEventBase {
  /** Primitive kind, as in the span name `tta.<kind>` (e.g. `"sequential"`). */
  readonly kind: string;
  /** The primitive's `name` (defaults to its class name). */
  readonly name: string;
  /** The run's workflow id. */
  readonly workflowId: string;
  /** The run's correlation id. */
  readonly correlationId: string;
  /** Clock time of the event (epoch ms, from the context's clock). */
  readonly at: number;
}

/** A primitive execution started. @since 0.1.0 */
export interface StartEvent extends PrimitiveEventBase {
  readonly type: "start";
}

/** How an execution ended: `aborted` when it rejected with its signal's reason. @since 0.1.0 */
export type ExecutionOutcome = "success" | "error" | "aborted";

/** A primitive execution settled. @since 0.1.0 */
export interface EndEvent extends PrimitiveEventBase {
  readonly type: "end";
  readonly outcome: ExecutionOutcome;
  /** Duration on the context's clock. */
  readonly durationMs: number;
  /** `TtaError` code, else the error's `name`; absent on success. */
  readonly errorType?: string;
}

/** A retry is about to wait `delayMs` before attempt `attempt + 1`. @since 0.1.0 */
export interface RetryEvent extends PrimitiveEventBase {
  readonly type: "retry";
  /** The 1-based attempt that just failed. */
  readonly attempt: number;
  /** The wait before the next attempt. */
  readonly delayMs: number;
  /** `TtaError` code or error name of the failure. */
  readonly errorType: string;
}

/** Circuit breaker states. @since 0.1.0 */
export type CircuitState = "closed" | "open" | "half-open";

/** A circuit breaker changed state. @since 0.1.0 */
export interface CircuitStateEvent extends PrimitiveEventBase {
  readonly type: "circuit-state";
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/** A fallback chain moved on to the fallback at `index` (1 = first fallback) after a failure. @since 0.1.0 */
export interface FallbackEvent extends PrimitiveEventBase {
  readonly type: "fallback";
  readonly index: number;
  readonly errorType: string;
}

/** A timeout primitive's own deadline fired. @since 0.1.0 */
export interface TimeoutEvent extends PrimitiveEventBase {
  readonly type: "timeout";
  readonly timeoutMs: number;
}

/** A bulkhead queued, admitted from the queue, or rejected a call. @since 0.1.0 */
export interface BulkheadEvent extends PrimitiveEventBase {
  readonly type: "bulkhead";
  readonly action: "queued" | "dequeued" | "rejected";
  readonly inFlight: number;
  readonly queued: number;
}

/** A rate limiter made a call wait, or rejected it. @since 0.1.0 */
export interface RateLimitEvent extends PrimitiveEventBase {
  readonly type: "rate-limit";
  readonly action: "waited" | "rejected";
  readonly waitMs: number;
  readonly cost: number;
}

/** A cache lookup: `hit` (served from the store), `coalesced` (joined an in-flight run), `miss`, or `stale` (served stale while refreshing). @since 0.1.0 */
export interface CacheEvent extends PrimitiveEventBase {
  readonly type: "cache";
  readonly result: "hit" | "miss" | "coalesced" | "stale";
  /** A hash of the cache key (never the raw key). */
  readonly keyHash: string;
}

/**
 * One model call finished (DESIGN §6.2): reported by `model(...)` and `streamModel(...)` once per
 * call, with token usage and cost. Prompts and completions are never part of it.
 * @since 0.1.0
 */
export interface ModelCallEvent extends PrimitiveEventBase {
  readonly type: "model-call";
  /** The configured model id (`gen_ai.request.model`). */
  readonly model: string;
  /** The model that answered (`gen_ai.response.model`); the configured id when the call failed. */
  readonly responseModel: string;
  /** The provider (`gen_ai.provider.name`). */
  readonly provider: string;
  /**
   * Prompt tokens (0 when the call failed before any output; for a stream stopped after output, the
   * estimate it was charged).
   */
  readonly inputTokens: number;
  /** Completion tokens (0 when the call failed before any output; characters / 4 of a stopped stream's text). */
  readonly outputTokens: number;
  /** Prompt tokens served from the provider's cache, when it said. */
  readonly cachedInputTokens?: number | undefined;
  /** Cost in USD from the catalogue; `undefined` when the catalogue does not list the model. */
  readonly costUsd?: number | undefined;
  /** Duration on the context's clock, ms (for a stream: until it finished). */
  readonly durationMs: number;
  /** How the call ended. */
  readonly outcome: ExecutionOutcome;
  /** `TtaError` code or error name on failure (`undefined` on success, and for a stream left early). */
  readonly errorType?: string | undefined;
  /** Whether the call streamed. */
  readonly streaming: boolean;
  /**
   * Whether the token counts are TTA's estimate rather than the provider's: a stream stopped after
   * output, or an answer with output for which the provider reported no usage (input estimate,
   * characters / 4 of the output).
   */
  readonly usageEstimated: boolean;
}

/**
 * A model router finished routing one request (DESIGN §6.3): which candidate answered, after how many
 * provider calls, whether a hedge ran. For a stream, reported at its first chunk (its usage comes with
 * the `model-call` event when it ends).
 * @since 0.1.0
 */
export interface RouteEvent extends PrimitiveEventBase {
  readonly type: "route";
  /** `modelId` of the candidate that answered; `undefined` when routing failed. */
  readonly model: string | undefined;
  /** Provider calls made (hedges included). */
  readonly attempts: number;
  /** Whether a hedge was started. */
  readonly hedged: boolean;
  /**
   * Distinct candidates that failed before the one that answered (0 when the first choice answered; a
   * hedge's loser does not count); when routing failed, all tried candidates but one.
   */
  readonly failovers: number;
  /** Cost in USD of the answer (not of a stream), when the catalogue prices it. */
  readonly costUsd?: number | undefined;
  /** Duration on the context's clock, ms (a stream: until its first chunk). */
  readonly durationMs: number;
  readonly outcome: ExecutionOutcome;
  /** `TtaError` code or error name on failure. */
  readonly errorType?: string | undefined;
}

/**
 * A budget crossed a limit (DESIGN §9): `level: "soft"` when spend passed a soft limit (reported once
 * per limit), `"hard"` when a reservation was refused with `BudgetExceededError`. `kind` is `"budget"`,
 * `name` the budget's name. Amounts only, never content.
 * @since 0.1.0
 */
export interface BudgetEvent extends PrimitiveEventBase {
  readonly type: "budget";
  /** Which limit. */
  readonly resource: BudgetResource;
  readonly level: "soft" | "hard";
  /** The limit crossed (the soft limit for `"soft"`). */
  readonly limit: number;
  /** Committed plus reserved spend on that resource, when the event was reported. */
  readonly spent: number;
  /** What the reservation asked for (0 for a soft limit crossed by a commit). */
  readonly requested: number;
}

/**
 * Every event a primitive can report; switch on `type`. Later primitives add members
 * (`model-call`, …).
 * @since 0.1.0
 */
export type TtaEvent =
  | StartEvent
  | EndEvent
  | RetryEvent
  | CircuitStateEvent
  | FallbackEvent
  | TimeoutEvent
  | BulkheadEvent
  | RateLimitEvent
  | CacheEvent
  | ModelCallEvent
  | RouteEvent
  | BudgetEvent;

/** The fields of an event that its primitive supplies (the base fields are filled in). @since 0.1.0 */
export type EventFields<E extends TtaEvent = TtaEvent> = E extends TtaEvent ? Omit<E, keyof PrimitiveEventBase> : never;

/** Receives events synchronously. A throwing listener is reported once via the OTel diag logger and ignored. @since 0.1.0 */
export type EventListener = (event: TtaEvent) => void;

interface Hub {
  /** Replaced (copy-on-write) on every change, so emit can iterate without copying. */
  listeners: readonly EventListener[];
  warned: boolean;
}

/** One versioned global slot, so duplicate copies of the package share subscribers. */
const HUB_KEY = Symbol.for("tta.instrumentation.v1");
const slot = globalThis as { [HUB_KEY]?: Hub };
const hub: Hub = (slot[HUB_KEY] ??= { listeners: [], warned: false });

/**
 * Subscribes to every event of every primitive in this process; returns the unsubscribe function.
 *
 * @remarks
 * Listeners run synchronously inside the primitive, so keep them cheap. With no subscriber, a
 * primitive pays one check per event and builds no event objects.
 *
 * @example
 * ```ts
 * const stop = subscribe((e) => { if (e.type === "end") console.log(e.kind, e.outcome, e.durationMs); });
 * // …
 * stop();
 * ```
 * @since 0.1.0
 */
export function subscribe(listener: EventListener): () => void {
  if (typeof listener !== "function") throw new TypeError("subscribe(listener): listener must be a function");
  hub.listeners = [...hub.listeners, listener];
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    const index = hub.listeners.indexOf(listener);
    if (index >= 0) hub.listeners = [...hub.listeners.slice(0, index), ...hub.listeners.slice(index + 1)];
  };
}

/**
 * Whether anyone listens: primitives check this before building an event. One property read.
 * @since 0.1.0
 */
export function isObserved(): boolean {
  return hub.listeners.length !== 0;
}

/**
 * Delivers `event` to every listener; a throwing listener is reported once and never breaks the
 * primitive. Call only when {@link isObserved} is true.
 * @since 0.1.0
 */
export function emit(event: TtaEvent): void {
  for (const listener of hub.listeners) {
    try {
      listener(event);
    } catch (error) {
      if (!hub.warned) {
        hub.warned = true;
        diag.warn("@tta/primitives: an event listener threw; further listener errors are not reported", error);
      }
    }
  }
}

/** What {@link RUN_CONTEXT_KEY} holds: the ids of the workflow run a span belongs to. @since 0.1.0 */
export interface RunIdentity {
  readonly workflowId: string;
  readonly correlationId: string;
}

/**
 * OpenTelemetry context key under which every active `tta.*` span's context also carries the run's
 * {@link RunIdentity}, so loggers and exporters (e.g. `@tta/observability`'s pino mixin) can tag
 * lines written inside a workflow. Set only when tracing is on.
 *
 * @example
 * ```ts
 * const run = context.active().getValue(RUN_CONTEXT_KEY) as RunIdentity | undefined;
 * ```
 * @since 0.1.0
 */
export const RUN_CONTEXT_KEY: symbol = createContextKey("tta.run");
