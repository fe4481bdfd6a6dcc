/**
 * `CacheStore`: where a `CachePrimitive` keeps its entries, and `InMemoryCacheStore`, the default
 * bounded LRU store built on `lru-cache`.
 *
 * @packageDocumentation
 */
import type { LRUCache } from "lru-cache";
import type { Clock } from "../core/clock.js";
import { InvalidOptionsError } from "../core/errors.js";
import { boundedLru } from "../internal/bounded-lru.js";
import { describeValue, integerOption, isThenable, readOptions } from "../internal/options.js";

/**
 * One cached result: the value (which may be `undefined` or `null`) and when it was stored, in
 * epoch ms on the clock of the context that produced it.
 * @since 0.1.0
 */
export interface CacheEntry<V = unknown> {
  /** The inner primitive's result. */
  readonly value: V;
  /** `ctx.clock.now()` when the result was produced; the cache judges freshness from it. */
  readonly storedAt: number;
}

/** A value or a promise of it: stores may answer synchronously (saving a microtask) or not. @since 0.1.0 */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * A held cross-process single-flight lock on one cache key (see {@link CacheStore.lock}).
 * @since 0.1.0
 */
export interface CacheLock {
  /**
   * The fencing token: a number that grows with every lock granted on the store, so a holder whose
   * lock expired (and was granted to someone else) can be told apart from the current one.
   */
  readonly token: number;
  /** Gives the lock up if it is still held with this token (compare-and-delete); never throws on purpose. */
  release(): MaybePromise<void>;
}

/**
 * Storage behind a `CachePrimitive`. Implement it to keep cache entries elsewhere (Redis, a
 * database) without touching the primitive.
 *
 * @remarks
 * - Every method may return a promise (an async store) or a plain value (the in-memory store does,
 *   which keeps a cache hit free of extra microtasks).
 * - The store keeps entries; it does **not** decide freshness. The cache compares
 *   `entry.storedAt` with the caller's context clock (`ttlMs`, `staleWhileRevalidateMs`), so a
 *   `TestClock` drives expiry. `set` receives `retainMs` (`ttlMs + staleWhileRevalidateMs`, or
 *   `Infinity`) after which the entry is useless: a remote store may expire it natively then
 *   (Redis `SET key value PX retainMs`).
 * - Keys are strings of at most 128 characters for the default key (see `stableKey`), or
 *   whatever a custom `key` function returns. Values are whatever the inner primitive returns; a
 *   remote store serialises them itself (JSON, structured clone, …).
 * - A store shared between several caches sees all their keys: give each cache its own store or
 *   key prefix. A failing `get` counts as a miss and a failing `set` leaves the value uncached;
 *   both are reported through the OpenTelemetry diag logger, never thrown to the caller.
 * - Optional `size` and `evictions` feed `CachePrimitive.stats()`; without them the stats show 0.
 *
 * @example
 * ```ts
 * // A Redis store sketch (node-redis v4 client, JSON values):
 * const redisStore: CacheStore = {
 *   async get(key) { const raw = await redis.get(`llm:${key}`); return raw === null ? undefined : JSON.parse(raw); },
 *   async set(key, entry, retainMs) {
 *     await redis.set(`llm:${key}`, JSON.stringify(entry), Number.isFinite(retainMs) ? { PX: Math.ceil(retainMs) } : {});
 *   },
 *   async delete(key) { await redis.del(`llm:${key}`); },
 *   async clear() { for await (const keys of redis.scanIterator({ MATCH: "llm:*" })) await redis.del(keys); },
 * };
 * ```
 * @since 0.1.0
 */
export interface CacheStore<V = unknown> {
  /** The entry under `key`, or `undefined`. May count as a use for recency (LRU). */
  get(key: string): MaybePromise<CacheEntry<V> | undefined>;
  /** Stores `entry` under `key`, replacing any previous one; it may be dropped after `retainMs` ms. */
  set(key: string, entry: CacheEntry<V>, retainMs: number): MaybePromise<void>;
  /** Removes the entry under `key`, if any. */
  delete(key: string): MaybePromise<void>;
  /** Removes every entry. */
  clear(): MaybePromise<void>;
  /** Number of entries held (may include expired ones not yet purged), if the store knows it cheaply. */
  readonly size?: number;
  /** Entries dropped so far to make room (not deletions or replacements), if the store counts them. */
  readonly evictions?: number;
  /**
   * Optional cross-process single-flight. When present, a cache miss first tries to take the lock
   * on its key: granted (a {@link CacheLock}), this process runs the inner primitive, stores the
   * result and then releases the lock; refused (`undefined`: another process holds it), the shared
   * run polls `get` every {@link CacheStore.lockPollMs} ms until a fresh entry appears (and returns
   * it without running the inner primitive) or the lock can be taken (the holder failed, released
   * or crashed and its lock expired). A `lock` that throws or rejects means "no coordination":
   * the inner primitive runs locally (reported through the diag logger). The lock's lifetime is
   * the store's business (a Redis store uses `SET NX PX`); it bounds how long a crashed holder
   * delays the others.
   */
  lock?(key: string): MaybePromise<CacheLock | undefined>;
  /** How often (ms) a run waiting on another process's lock polls the store. @defaultValue 50 */
  readonly lockPollMs?: number;
}

/** Where a shared run that used {@link CacheStore.lock} got its value. @internal */
export interface LockedRunState {
  /** The lock this process holds (release it after storing the result). */
  lock: CacheLock | undefined;
  /** True when the value came from the store (another process computed it): do not store it again. */
  foreign: boolean;
}

function lockFailed(name: string, op: string, error: unknown, warn: (message: string) => void): void {
  const type = error instanceof Error ? error.name : typeof error;
  warn(`@tta/primitives: store.${op} of cache "${name}" failed (${type}); running without cross-process single-flight`);
}

/**
 * Runs `compute` under the store's cross-process lock on `key`, or waits for another process's
 * result (see {@link CacheStore.lock}). Store failures are reported through `warn` and fall back to
 * computing locally. `state` tells the caller whether it holds a lock and whether the value is foreign.
 * @internal
 */
export async function runWithStoreLock<O>(
  store: CacheStore<O>,
  key: string,
  state: LockedRunState,
  compute: () => PromiseLike<O>,
  fresh: (entry: CacheEntry<O>) => boolean,
  clock: Clock,
  name: string,
  warn: (message: string) => void,
): Promise<O> {
  const pollMs = store.lockPollMs ?? 50;
  if (store.lock === undefined) return compute();
  for (;;) {
    let held: CacheLock | undefined;
    try {
      held = await store.lock(key);
    } catch (error) {
      lockFailed(name, "lock", error, warn);
      return compute();
    }
    if (held !== undefined) {
      state.lock = held;
      return compute();
    }
    await clock.sleep(pollMs);
    let entry: CacheEntry<O> | undefined;
    try {
      entry = await store.get(key);
    } catch (error) {
      lockFailed(name, "get", error, warn);
      entry = undefined;
    }
    if (entry !== undefined && fresh(entry)) {
      state.foreign = true;
      return entry.value;
    }
  }
}

/** Releases a lock, reporting (never throwing) a failure. @internal */
export function releaseStoreLock(lock: CacheLock | undefined, name: string, warn: (message: string) => void): void {
  if (lock === undefined) return;
  try {
    const done = lock.release();
    if (isThenable(done)) done.then(undefined, (error: unknown) => lockFailed(name, "lock release", error, warn));
  } catch (error) {
    lockFailed(name, "lock release", error, warn);
  }
}

/** Options of {@link InMemoryCacheStore}. @since 0.1.0 */
export interface InMemoryCacheStoreOptions {
  /**
   * Most entries held; adding one more evicts the least recently used. An integer from 1 to
   * `Number.MAX_SAFE_INTEGER`; memory grows with the entries held, not with this bound. @defaultValue 1 000
   */
  readonly maxEntries?: number;
}

/** Default options of {@link InMemoryCacheStore}. @since 0.1.0 */
export const DEFAULT_IN_MEMORY_CACHE_STORE_OPTIONS: Required<InMemoryCacheStoreOptions> = Object.freeze({
  maxEntries: 1_000,
});

/**
 * The default {@link CacheStore}: a bounded least-recently-used map on `lru-cache`, answering
 * synchronously.
 *
 * @remarks
 * `lru-cache`'s own TTL is not used (it reads `performance.now()`); the cache judges freshness on
 * the context clock from `storedAt`, so `retainMs` is ignored and expired entries stay until they
 * are read, replaced or evicted. `get` marks an entry as recently used. `evictions` counts entries
 * dropped to respect `maxEntries`. Memory grows with the entries held, never with `maxEntries`: a
 * huge bound costs nothing until entries arrive (ADR 0013).
 *
 * @throws {@link InvalidOptionsError} when `maxEntries` is not an integer from 1 to
 * `Number.MAX_SAFE_INTEGER` or an option is unknown.
 * @example
 * ```ts
 * const store = new InMemoryCacheStore({ maxEntries: 10_000 });
 * const cached = cache(callModel, { store });
 * ```
 * @since 0.1.0
 */
export class InMemoryCacheStore<V = unknown> implements CacheStore<V> {
  /** The capacity. */
  readonly maxEntries: number;
  readonly #lru: LRUCache<string, CacheEntry<V>>;
  #evictions = 0;

  constructor(options?: InMemoryCacheStoreOptions) {
    const opts = readOptions("InMemoryCacheStore", options, ["maxEntries"]);
    this.maxEntries = integerOption("maxEntries", opts.maxEntries, DEFAULT_IN_MEMORY_CACHE_STORE_OPTIONS.maxEntries, {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    });
    this.#lru = boundedLru<CacheEntry<V>>(this.maxEntries, (_value, _key, reason) => {
      if (reason === "evict") this.#evictions++;
    });
  }

  /** The entry under `key` (marking it recently used), or `undefined`. */
  get(key: string): CacheEntry<V> | undefined {
    return this.#lru.get(key);
  }

  /** Stores `entry`, evicting the least recently used entry when full. `retainMs` is ignored. */
  set(key: string, entry: CacheEntry<V>, _retainMs?: number): void {
    this.#lru.set(key, entry);
  }

  /** Removes the entry under `key`. */
  delete(key: string): void {
    this.#lru.delete(key);
  }

  /** Removes every entry (not counted as evictions). */
  clear(): void {
    this.#lru.clear();
  }

  /** Entries held, including expired ones not yet read. */
  get size(): number {
    return this.#lru.size;
  }

  /** Entries evicted so far to respect `maxEntries`. */
  get evictions(): number {
    return this.#evictions;
  }
}

/**
 * Checks that `value` implements {@link CacheStore} (the four methods).
 * @throws {@link InvalidOptionsError} naming `option` otherwise.
 * @internal
 */
export function cacheStoreOption(option: string, value: unknown): CacheStore | undefined {
  if (value === undefined) return undefined;
  const store = value as Partial<Record<keyof CacheStore, unknown>>;
  const ok =
    typeof store === "object" &&
    store !== null &&
    typeof store.get === "function" &&
    typeof store.set === "function" &&
    typeof store.delete === "function" &&
    typeof store.clear === "function" &&
    (store.lock === undefined || typeof store.lock === "function");
  if (!ok)
    throw new InvalidOptionsError(
      option,
      `Expected \`${option}\` to be a CacheStore with get, set, delete and clear methods (and lock, if present, a method), got ${describeValue(value)}`,
    );
  return value as CacheStore;
}
