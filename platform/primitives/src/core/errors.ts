/**
 * The TTA error catalogue: one `TtaError` base with a `code`, and subclasses only where callers branch.
 *
 * @packageDocumentation
 */
import { redactSecrets } from "../internal/redact.js";
import { truncate } from "../internal/values.js";

/**
 * Every error code a TTA primitive can produce, with what it means.
 *
 * @example
 * ```ts
 * try {
 *   await flow.execute(input, createContext({ timeoutMs: 5_000 }));
 * } catch (error) {
 *   if (isTtaError(error, TtaErrorCode.TIMEOUT)) console.log("timed out");
 * }
 * ```
 * @since 0.1.0
 */
export const TtaErrorCode = {
  /** Options given to a primitive or a context were invalid (raised at construction). */
  INVALID_OPTIONS: "INVALID_OPTIONS",
  /** An operation ran past its deadline or `timeoutMs`. */
  TIMEOUT: "TIMEOUT",
  /** A circuit breaker is open (or its half-open probes are busy); the call was not attempted. */
  CIRCUIT_OPEN: "CIRCUIT_OPEN",
  /** A fallback chain ran out: the primary and every fallback failed. */
  FALLBACK_EXHAUSTED: "FALLBACK_EXHAUSTED",
  /** A saga or compensation step's undo failed. */
  COMPENSATION_FAILED: "COMPENSATION_FAILED",
  /** A router's selector returned a key with no route and there is no default. */
  ROUTE_NOT_FOUND: "ROUTE_NOT_FOUND",
  /** A bulkhead's slots and queue are full. */
  BULKHEAD_REJECTED: "BULKHEAD_REJECTED",
  /** A rate limiter in `reject` mode had no tokens. */
  RATE_LIMITED: "RATE_LIMITED",
  /** A token, cost or time budget was exceeded. */
  BUDGET_EXCEEDED: "BUDGET_EXCEEDED",
  /** User code threw something that is not an `Error`; the value is the error's `cause`. */
  NON_ERROR_THROWN: "NON_ERROR_THROWN",
  /** A cache key could not be computed from the input (a function, symbol or cycle in it). */
  UNSERIALIZABLE_KEY: "UNSERIALIZABLE_KEY",
  /** A model provider failed: an HTTP error, a network error, or a malformed response. */
  PROVIDER_ERROR: "PROVIDER_ERROR",
  /** A model's stream failed after it had emitted its first chunk. */
  STREAM_INTERRUPTED: "STREAM_INTERRUPTED",
  /** A model's output did not parse or validate as the requested structure. */
  STRUCTURED_OUTPUT: "STRUCTURED_OUTPUT",
  /**
   * A value given to a shared cache store cannot round-trip through its serialisation (a `Date`,
   * class instance, `BigInt`, non-finite number, function or cycle in it); nothing was written.
   */
  UNSERIALIZABLE_VALUE: "UNSERIALIZABLE_VALUE",
  /** Redis (shared state or a remote queue) could not be reached within the configured timeout. */
  REDIS_UNAVAILABLE: "REDIS_UNAVAILABLE",
} as const;

/** One of the {@link TtaErrorCode} values. @since 0.1.0 */
export type TtaErrorCode = (typeof TtaErrorCode)[keyof typeof TtaErrorCode];

const NOT_RETRYABLE: ReadonlySet<string> = new Set<string>([
  TtaErrorCode.INVALID_OPTIONS,
  TtaErrorCode.CIRCUIT_OPEN,
  TtaErrorCode.BULKHEAD_REJECTED,
  TtaErrorCode.ROUTE_NOT_FOUND,
  TtaErrorCode.FALLBACK_EXHAUSTED,
  TtaErrorCode.COMPENSATION_FAILED,
  TtaErrorCode.BUDGET_EXCEEDED,
  TtaErrorCode.UNSERIALIZABLE_KEY,
  TtaErrorCode.STREAM_INTERRUPTED,
  TtaErrorCode.UNSERIALIZABLE_VALUE,
]);

/** Brand that survives duplicate copies of this package in one process. */
const BRAND = Symbol.for("tta.error");

/** Options accepted by every TTA error constructor. @since 0.1.0 */
export interface TtaErrorOptions {
  /** The underlying cause (ES2022 `Error.cause`). */
  readonly cause?: unknown;
  /**
   * Whether a retry may help.
   * @defaultValue `false` for the codes that retrying cannot fix, `true` otherwise
   */
  readonly retryable?: boolean;
}

/**
 * Base class of every error TTA throws itself.
 *
 * @remarks
 * Errors thrown by user code pass through TTA unchanged; only non-`Error` throws are wrapped (code
 * `NON_ERROR_THROWN`). Use {@link isTtaError} rather than `instanceof` when two copies of the package
 * may be loaded.
 *
 * @example
 * ```ts
 * throw new TtaError("BUDGET_EXCEEDED", "token budget of 1000 exceeded");
 * ```
 * @since 0.1.0
 */
export class TtaError extends Error {
  /** Machine-readable error code. */
  readonly code: TtaErrorCode;
  /** Whether retrying the operation may succeed. */
  readonly retryable: boolean;

  constructor(code: TtaErrorCode, message: string, options?: TtaErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? !NOT_RETRYABLE.has(code);
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, "name", { value: new.target.name, configurable: true, writable: true });
  }
}

/**
 * Tells whether `value` is a TTA error, optionally of one code; works across duplicate package copies.
 *
 * @example
 * ```ts
 * try { await flow.execute(input); } catch (e) { if (isTtaError(e, "TIMEOUT")) retryLater(); }
 * ```
 * @since 0.1.0
 */
export function isTtaError(value: unknown, code?: TtaErrorCode): value is TtaError {
  if (typeof value !== "object" || value === null) return false;
  if ((value as { [BRAND]?: unknown })[BRAND] !== true) return false;
  return code === undefined || (value as TtaError).code === code;
}

/**
 * Raised at construction when a primitive or context gets an invalid option; names the option.
 *
 * @example
 * ```ts
 * sequential([]); // throws InvalidOptionsError: Expected `steps` to be a non-empty array, got []
 * ```
 * @since 0.1.0
 */
export class InvalidOptionsError extends TtaError {
  /** The option that was rejected. */
  readonly option: string;
  constructor(option: string, message: string, options?: { readonly cause?: unknown }) {
    super(TtaErrorCode.INVALID_OPTIONS, message, options);
    this.option = option;
  }
}

/**
 * An operation ran past a deadline: a `timeout` primitive's `timeoutMs`, or a context's deadline.
 *
 * @remarks `retryable` is `true`. `timeoutMs` is the budget that ran out, when known.
 * @since 0.1.0
 */
export class TimeoutError extends TtaError {
  /** The budget that ran out, in ms, when known. */
  readonly timeoutMs: number | undefined;
  constructor(message = "operation timed out", options?: TtaErrorOptions & { readonly timeoutMs?: number }) {
    super(TtaErrorCode.TIMEOUT, message, options);
    this.timeoutMs = options?.timeoutMs;
  }
}

/**
 * A circuit breaker refused the call without running it.
 *
 * @remarks `retryAfterMs` is the time until a probe will be allowed: 0 when probes are merely busy,
 * `Infinity` while the breaker is isolated. Not retryable by `retry` (it would only hammer the breaker).
 * @since 0.1.0
 */
export class CircuitOpenError extends TtaError {
  /** Milliseconds until a probe will be let through. */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(TtaErrorCode.CIRCUIT_OPEN, message);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Every attempt of a fallback chain failed; `errors` holds each error in the order tried.
 * @since 0.1.0
 */
export class FallbackError extends TtaError {
  /** The primary's error, then each fallback's, in order. */
  readonly errors: readonly unknown[];
  constructor(message: string, errors: readonly unknown[]) {
    super(TtaErrorCode.FALLBACK_EXHAUSTED, message, { cause: errors[errors.length - 1] });
    this.errors = errors;
  }
}

/**
 * An undo step of a saga or compensation failed.
 *
 * @remarks `originalError` (also the `cause`) is the failure that started compensation;
 * `compensationErrors` are the undo failures.
 * @since 0.1.0
 */
export class CompensationError extends TtaError {
  /** The error that triggered compensation. */
  readonly originalError: unknown;
  /** The errors raised by compensations, in the order they ran. */
  readonly compensationErrors: readonly unknown[];
  constructor(message: string, originalError: unknown, compensationErrors: readonly unknown[]) {
    super(TtaErrorCode.COMPENSATION_FAILED, message, { cause: originalError });
    this.originalError = originalError;
    this.compensationErrors = compensationErrors;
  }
}

/**
 * A router's selector chose a key that has no route, and the router has no default.
 * @since 0.1.0
 */
export class RouteNotFoundError extends TtaError {
  /** The key the selector returned. */
  readonly route: string;
  /** The keys the router knows. */
  readonly routes: readonly string[];
  /**
   * @param message - replaces the default message (`No route for key "…"; known routes: …`), for
   * routers that explain more (a model router names each candidate and why it could not serve).
   */
  constructor(route: string, routes: readonly string[], message?: string) {
    super(
      TtaErrorCode.ROUTE_NOT_FOUND,
      message ??
        `No route for key ${JSON.stringify(route.length > 100 ? `${route.slice(0, 100)}…` : route)}; known routes: ${routes
          .map((r) => JSON.stringify(r))
          .join(", ")}`,
    );
    this.route = route;
    this.routes = routes;
  }
}

/** A bulkhead's concurrency slots and queue were full. Not retryable. @since 0.1.0 */
export class BulkheadRejectedError extends TtaError {
  constructor(message = "bulkhead is full") {
    super(TtaErrorCode.BULKHEAD_REJECTED, message);
  }
}

/** A rate limiter in `reject` mode had no tokens; `retryAfterMs` says when enough will be. @since 0.1.0 */
export class RateLimitedError extends TtaError {
  /** Milliseconds until enough tokens are available. */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(TtaErrorCode.RATE_LIMITED, message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The resource a budget limits. @since 0.1.0 */
export type BudgetResource = "tokens" | "inputTokens" | "outputTokens" | "costUsd" | "timeMs" | "launches";

/** What a {@link BudgetExceededError} says about the limit it hit. @since 0.1.0 */
export interface BudgetExceededDetails {
  /** Which limit was hit. */
  readonly resource?: BudgetResource | undefined;
  /** The limit. */
  readonly limit?: number | undefined;
  /** What was already spent (committed plus reserved by calls in flight). */
  readonly spent?: number | undefined;
  /** What the refused request asked for. */
  readonly requested?: number | undefined;
}

/**
 * A token, cost, time or launch budget was exceeded. Not retryable.
 *
 * @remarks `resource`, `limit`, `spent` and `requested` say which limit refused how much (each
 * `undefined` when the thrower did not say).
 * @since 0.1.0
 */
export class BudgetExceededError extends TtaError {
  /** Which limit was hit. */
  readonly resource: BudgetResource | undefined;
  /** The limit. */
  readonly limit: number | undefined;
  /** What was already spent (committed plus in-flight reservations). */
  readonly spent: number | undefined;
  /** What the refused request asked for. */
  readonly requested: number | undefined;
  constructor(message: string, details?: BudgetExceededDetails) {
    super(TtaErrorCode.BUDGET_EXCEEDED, message);
    this.resource = details?.resource;
    this.limit = details?.limit;
    this.spent = details?.spent;
    this.requested = details?.requested;
  }
}

/** Largest `ProviderError.body` kept, in characters (DESIGN: 2 KB). @since 0.1.0 */
export const MAX_PROVIDER_ERROR_BODY = 2048;

/** What a {@link ProviderError} is made from. @since 0.1.0 */
export interface ProviderErrorInit {
  /** The provider (`gen_ai.provider.name`), e.g. `"openai"`. */
  readonly provider: string;
  /** The model id the request named. */
  readonly model: string;
  /** HTTP status, when the provider answered. */
  readonly status?: number | undefined;
  /** Whether a retry may help. @defaultValue from `status` (see {@link ProviderError}) */
  readonly retryable?: boolean | undefined;
  /** How long the provider asked the caller to wait, in ms. */
  readonly retryAfterMs?: number | undefined;
  /** The response body (redacted and truncated by the constructor). */
  readonly body?: string | undefined;
  /** The underlying error (a network error, a JSON parse error…). */
  readonly cause?: unknown;
}

/**
 * Whether a provider failure with this HTTP status may succeed on retry: no status (a network error
 * or a malformed answer), 408, 409, 429 and 5xx are retryable; other 4xx are not.
 * @since 0.1.0
 */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 408 || status === 409 || status === 429 || status >= 500 || status < 400;
}

/**
 * A model provider failed: it answered with an HTTP error, the network failed, or the answer was
 * malformed (HTML instead of JSON, no `choices`, a stream that ended before its first chunk).
 *
 * @remarks
 * `retryable` follows the status (network errors, 408, 409, 429 and 5xx are retryable; other 4xx are
 * not), so `retry` does the right thing with no user code; `retryAfterMs` carries the provider's
 * `Retry-After` / rate-limit reset hint, which `retry` waits for exactly. `body` is the response body
 * with secrets redacted (`Authorization` values, API keys), truncated to 2 KB; the message never
 * contains the body.
 *
 * @example
 * ```ts
 * try { await model(llm).execute(request); } catch (e) {
 *   if (isTtaError(e, "PROVIDER_ERROR") && (e as ProviderError).status === 401) rotateKey();
 * }
 * ```
 * @since 0.1.0
 */
export class ProviderError extends TtaError {
  /** The provider, e.g. `"openai"`. */
  readonly provider: string;
  /** The model id the request named. */
  readonly model: string;
  /** HTTP status, when the provider answered. */
  readonly status: number | undefined;
  /** Milliseconds the provider asked to wait before retrying, when it said. */
  readonly retryAfterMs: number | undefined;
  /** The response body, secrets redacted, at most 2 KB (`""` when there was none). */
  readonly body: string;
  constructor(message: string, init: ProviderErrorInit) {
    super(TtaErrorCode.PROVIDER_ERROR, redactSecrets(message), {
      cause: init.cause,
      retryable: init.retryable ?? isRetryableStatus(init.status),
    });
    this.provider = init.provider;
    this.model = init.model;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.body = truncate(redactSecrets(init.body ?? ""), MAX_PROVIDER_ERROR_BODY);
  }
}

/**
 * A model's stream failed after it had emitted its first chunk (or ended after text without a
 * finish). Not retryable by default: part of the answer was already delivered; `text` holds it.
 * @since 0.1.0
 */
export class StreamInterruptedError extends TtaError {
  /** The provider, e.g. `"openai"`. */
  readonly provider: string;
  /** The model id the request named. */
  readonly model: string;
  /** The text emitted before the failure. */
  readonly text: string;
  constructor(message: string, init: { provider: string; model: string; text: string; cause?: unknown }) {
    super(TtaErrorCode.STREAM_INTERRUPTED, redactSecrets(message), { cause: init.cause, retryable: false });
    this.provider = init.provider;
    this.model = init.model;
    this.text = init.text;
  }
}

/** One problem found while validating structured output. @since 0.1.0 */
export interface StructuredOutputIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where, as property keys and indices from the root. */
  readonly path?: readonly (string | number)[] | undefined;
}

/**
 * A model's output did not parse as JSON or did not validate against the requested schema;
 * `issues` lists the problems. Retryable (a re-ask may fix it).
 * @since 0.1.0
 */
export class StructuredOutputError extends TtaError {
  /** The validation problems. */
  readonly issues: readonly StructuredOutputIssue[];
  constructor(message: string, issues: readonly StructuredOutputIssue[], options?: { readonly cause?: unknown }) {
    super(TtaErrorCode.STRUCTURED_OUTPUT, message, { cause: options?.cause });
    this.issues = issues;
  }
}

/**
 * Turns any thrown value into an `Error`: an `Error` is returned unchanged (same object), anything
 * else is wrapped in a `TtaError` with code `NON_ERROR_THROWN` and the value as `cause`.
 *
 * @example
 * ```ts
 * toError("boom").cause === "boom"; // true
 * ```
 * @since 0.1.0
 */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new TtaError(TtaErrorCode.NON_ERROR_THROWN, `A non-Error value was thrown: ${describeThrown(value)}`, {
    cause: value,
  });
}

function describeThrown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  return Object.prototype.toString.call(value);
}
