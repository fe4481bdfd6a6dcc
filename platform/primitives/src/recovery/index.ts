/**
 * `@tta/primitives/recovery`: retry, fallback, timeout, circuit breaker, saga and compensation,
 * bulkhead and rate limit. Each is a class plus a lowercase factory.
 *
 * @packageDocumentation
 */
// Each primitive's exports live between its own markers; keep them in this order.
// <retry>
// </retry>
// <fallback>
// </fallback>
// <timeout>
// </timeout>
// <circuit-breaker>
// </circuit-breaker>
// <saga>
// </saga>
// <bulkhead>
// </bulkhead>
// <rate-limit>
// </rate-limit>
export {};
