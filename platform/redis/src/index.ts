/**
 * `@tta/redis`: shared resilience state across processes (a Redis cache store with cross-process
 * single-flight, a distributed token bucket for `rateLimit`, shared `circuitBreaker` state) and distributed execution on BullMQ
 * (`remote` / `serve`). See docs/distributed.md.
 *
 * @packageDocumentation
 */
export { DEFAULT_REDIS_CACHE_STORE_OPTIONS, redisCacheStore } from "./cache-store.js";
export type { RedisCacheStore, RedisCacheStoreOptions } from "./cache-store.js";
export { UnserializableValueError } from "./cache-store/codec.js";
export { redisTokenBucket } from "./rate-limit-store.js";
export type { RedisTokenBucket, RedisTokenBucketOptions } from "./rate-limit-store.js";
export { DEFAULT_REDIS_BREAKER_STORE_OPTIONS, redisBreakerStore } from "./breaker-store.js";
export type { RedisBreakerStore, RedisBreakerStoreOptions } from "./breaker-store.js";
export { DEFAULT_REDIS_TIMEOUT_MS } from "./connection.js";
export type { RedisConnectionOptions, RedisStoreEvent, RedisStoreEventListener } from "./connection.js";
// Remote execution on BullMQ (remote/serve).
export { DEFAULT_REMOTE_OPTIONS, RemotePrimitive, remote } from "./remote.js";
export type { RemoteJobOptions, RemoteOptions } from "./remote.js";
export { serve } from "./serve.js";
export type { RemoteWorker, RemoteWorkerCloseOptions, ServeOptions } from "./serve.js";
export { REDIS_UNAVAILABLE, RedisUnavailableError } from "./queue/connection.js";
export type { RedisConnection } from "./queue/connection.js";
export { ERROR_WIRE_VERSION, deserializeError, isWireError, serializeError } from "./errors-wire.js";
export type { SerializeErrorOptions, WireError, WireNumber } from "./errors-wire.js";
export { extractTrace, injectTrace } from "./trace-wire.js";
export type { TraceCarrier } from "./trace-wire.js";
