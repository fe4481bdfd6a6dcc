import {
  DEFAULT_BULKHEAD_OPTIONS,
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  DEFAULT_COMPENSATION_OPTIONS,
  DEFAULT_FALLBACK_OPTIONS,
  DEFAULT_RATE_LIMIT_OPTIONS,
  DEFAULT_RETRY_OPTIONS,
  DEFAULT_SAGA_OPTIONS,
  DEFAULT_TIMEOUT_OPTIONS,
} from "@tta/primitives/recovery";

// The defaults the docs' table lists, as the code defines them (required options have none).
console.log(DEFAULT_RETRY_OPTIONS);
// → {
// →   maxRetries: 3,
// →   initialDelayMs: 100,
// →   backoffFactor: 2,
// →   maxDelayMs: 30000,
// →   jitter: 'full',
// →   retryOn: undefined,
// →   respectRetryAfter: true,
// →   maxRetryAfterMs: 60000,
// →   onRetry: undefined,
// →   name: 'RetryPrimitive'
// → }
console.log(DEFAULT_CIRCUIT_BREAKER_OPTIONS); // no `window`, no `slowCallMs` by default
// → {
// →   failureThreshold: 5,
// →   recoveryTimeoutMs: 60000,
// →   successThreshold: 2,
// →   halfOpenMaxConcurrent: 1,
// →   isFailure: [Function: isFailureByDefault],
// →   name: 'CircuitBreakerPrimitive'
// → }
console.log(DEFAULT_TIMEOUT_OPTIONS); // `timeoutMs` is required
// → { fallback: undefined, name: 'TimeoutPrimitive' }
console.log(DEFAULT_FALLBACK_OPTIONS); // `fallbacks` is required
// → { when: undefined, name: 'FallbackPrimitive' }
console.log(DEFAULT_SAGA_OPTIONS);
// → {
// →   continueOnCompensationError: false,
// →   compensationTimeoutMs: 30000,
// →   name: 'SagaPrimitive'
// → }
console.log(DEFAULT_COMPENSATION_OPTIONS); // → { compensationTimeoutMs: 30000, name: 'CompensationPrimitive' }
console.log(DEFAULT_BULKHEAD_OPTIONS); // `maxConcurrent` is required
// → { maxQueue: 0, name: 'BulkheadPrimitive' }
console.log(DEFAULT_RATE_LIMIT_OPTIONS); // `tokensPerInterval` and `intervalMs` are required
// → { mode: 'wait', name: 'RateLimitPrimitive' }
