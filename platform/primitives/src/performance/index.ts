/**
 * `@tta/primitives/performance`: a single-flight LRU cache and agent memory.
 *
 * @packageDocumentation
 */
// `pipe`/`parallel` need the composite builders (ADR 0005): load them so this subpath works on its own.
import "../core/sequential.js";
import "../core/parallel.js";
export { CachePrimitive, DEFAULT_CACHE_OPTIONS, cache } from "./cache.js";
export type { CacheKeyFunction, CacheOptions, CacheStats, ResolvedCacheOptions } from "./cache.js";
export { DEFAULT_IN_MEMORY_CACHE_STORE_OPTIONS, InMemoryCacheStore } from "./cache-store.js";
export type { CacheEntry, CacheLock, CacheStore, InMemoryCacheStoreOptions, MaybePromise } from "./cache-store.js";
export { stableKey } from "./stable-key.js";
export { DEFAULT_MEMORY_SEARCH_LIMIT, DEFAULT_MEMORY_STORE_OPTIONS, MemoryStore } from "./memory-store.js";
export type {
  MemoryEntry,
  MemoryEntryInit,
  MemoryScope,
  MemorySearchOptions,
  MemoryStoreLike,
  MemoryStoreOptions,
} from "./memory-store.js";
export { DEFAULT_MEMORY_OPTIONS, MemoryPrimitive, recall, remember } from "./memory.js";
export type {
  MemoryNamespace,
  MemoryOperation,
  MemoryPrimitiveOptions,
  RecallOptions,
  RememberOptions,
  ResolvedMemoryOptions,
} from "./memory.js";
// Every error class these primitives throw (DESIGN §3.3), the same class objects as `@tta/primitives/core`'s:
// `InvalidOptionsError` for bad options, `TimeoutError` for a deadline, and `TtaError` (codes
// `UNSERIALIZABLE_KEY` for an input the default cache key cannot serialise, `NON_ERROR_THROWN`).
export { InvalidOptionsError, TimeoutError, TtaError, TtaErrorCode, isTtaError } from "../core/errors.js";
