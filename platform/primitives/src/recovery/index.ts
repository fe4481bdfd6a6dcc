/**
 * `@tta/primitives/recovery`: retry, fallback, timeout, circuit breaker, saga and compensation,
 * bulkhead and rate limit. Each is a class plus a lowercase factory.
 *
 * @packageDocumentation
 */
// `pipe`/`parallel` need the composite builders (ADR 0005): load them so this subpath works on its own.
import "../core/sequential.js";
import "../core/parallel.js";
export { DEFAULT_RETRY_OPTIONS, RetryPrimitive, retry } from "./retry.js";
export type { ResolvedRetryOptions, RetryInfo, RetryJitter, RetryOptions, RetryPredicate } from "./retry.js";
export { DEFAULT_FALLBACK_OPTIONS, FallbackPrimitive, fallback } from "./fallback.js";
export type { FallbackOptions, ResolvedFallbackOptions } from "./fallback.js";
export { DEFAULT_TIMEOUT_OPTIONS, TimeoutPrimitive, timeout } from "./timeout.js";
export type { ResolvedTimeoutOptions, TimeoutOptions } from "./timeout.js";
export { CircuitBreakerPrimitive, DEFAULT_CIRCUIT_BREAKER_OPTIONS, circuitBreaker } from "./circuit-breaker.js";
export type {
  CircuitBreakerOptions,
  CircuitBreakerWindow,
  CircuitStateChange,
  CircuitStateListener,
  ResolvedCircuitBreakerOptions,
  ResolvedCircuitBreakerWindow,
} from "./circuit-breaker.js";
export type {
  CircuitAdmission,
  CircuitBreakerStore,
  CircuitOutcome,
  CircuitRecordResult,
} from "./circuit-breaker/store-driver.js";
export { DEFAULT_SAGA_OPTIONS, SagaPrimitive, saga } from "./saga.js";
export type { ResolvedSagaOptions, SagaCompensationInput, SagaOptions, SagaStep, SagaStepDefinition } from "./saga.js";
export { CompensationPrimitive, DEFAULT_COMPENSATION_OPTIONS, compensation } from "./compensation.js";
export type { CompensationInput, CompensationOptions, ResolvedCompensationOptions } from "./compensation.js";
export { BulkheadPrimitive, DEFAULT_BULKHEAD_OPTIONS, bulkhead } from "./bulkhead.js";
export type { BulkheadOptions, ResolvedBulkheadOptions } from "./bulkhead.js";
export { DEFAULT_RATE_LIMIT_OPTIONS, RateLimitPrimitive, rateLimit } from "./rate-limit.js";
export type {
  RateLimitDecision,
  RateLimitMode,
  RateLimitOptions,
  RateLimitStore,
  ResolvedRateLimitOptions,
} from "./rate-limit.js";
// Every error class these primitives throw (DESIGN §3.3), the same class objects as `@tta/primitives/core`'s:
// their own (`CircuitOpenError`…), `InvalidOptionsError` for bad options, `TimeoutError` for a deadline,
// and `TtaError` (code `NON_ERROR_THROWN`) for a non-`Error` thrown by the work.
export {
  BulkheadRejectedError,
  CircuitOpenError,
  CompensationError,
  FallbackError,
  InvalidOptionsError,
  RateLimitedError,
  TimeoutError,
  TtaError,
  TtaErrorCode,
  isTtaError,
} from "../core/errors.js";
