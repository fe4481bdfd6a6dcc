/**
 * The options of `cache`: their types, defaults and validation (kept beside the primitive, which
 * re-exports them).
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../../core/context.js";
import { InvalidOptionsError } from "../../core/errors.js";
import { durationOption, functionOption, integerOption, nameOption, readOptions } from "../../internal/options.js";
import type { CacheStore } from "../cache-store.js";
import { cacheStoreOption } from "../cache-store.js";

/**
 * Computes the cache key of an input: a string, or a promise of one. Called with the caller's
 * context (or, for `invalidate` without one, a fresh root context).
 * @since 0.1.0
 */
export type CacheKeyFunction<I> = (input: I, ctx: WorkflowContext) => string | PromiseLike<string>;

/** Options of {@link cache}. `undefined` or `null` for an option means its default. @since 0.1.0 */
export interface CacheOptions<I = unknown> {
  /**
   * The cache key of an input (sync or async; must produce a string). Keep it free of secrets if
   * your store is shared: it is stored as it is. @defaultValue {@link stableKey} of the input
   */
  readonly key?: CacheKeyFunction<I>;
  /** How long a result is served, in ms: > 0, or `Infinity` for never expiring. @defaultValue 3 600 000 (1 h) */
  readonly ttlMs?: number;
  /**
   * Capacity of the built-in LRU store, an integer from 1 to `Number.MAX_SAFE_INTEGER` (not allowed
   * together with `store`); memory grows with the entries held, not with this bound. @defaultValue 1 000
   */
  readonly maxEntries?: number;
  /**
   * After `ttlMs`, how long (ms, ≥ 0) a stale result is still served while one background run
   * refreshes it. 0 disables stale-while-revalidate. @defaultValue 0
   */
  readonly staleWhileRevalidateMs?: number;
  /** Where entries live. @defaultValue a new {@link InMemoryCacheStore} with `maxEntries` */
  readonly store?: CacheStore;
  /** Display name. @defaultValue `"CachePrimitive"` */
  readonly name?: string;
}

/** The options of a {@link CachePrimitive} after validation, with defaults applied. @since 0.1.0 */
export interface ResolvedCacheOptions<I = unknown> {
  readonly key: CacheKeyFunction<I> | undefined;
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly staleWhileRevalidateMs: number;
  /** The store given in the options; `undefined` means the built-in in-memory store. */
  readonly store: CacheStore | undefined;
  readonly name: string;
}

/** Default options of {@link cache} (DESIGN §5). @since 0.1.0 */
export const DEFAULT_CACHE_OPTIONS: ResolvedCacheOptions = Object.freeze({
  key: undefined,
  ttlMs: 3_600_000,
  maxEntries: 1_000,
  staleWhileRevalidateMs: 0,
  store: undefined,
  name: "CachePrimitive",
});

/**
 * Counters of a {@link CachePrimitive} since it was made or last cleared. Each call counts once, as
 * what it was on arrival (even if it later aborts).
 * @since 0.1.0
 */
export interface CacheStats {
  /** Calls answered from the store (fresh, or stale during stale-while-revalidate). */
  readonly hits: number;
  /** Calls that started a run of the inner primitive. */
  readonly misses: number;
  /** Calls that joined a run already in flight for their key. */
  readonly coalesced: number;
  /** `(hits + coalesced) / (hits + coalesced + misses)`, in 0..1; 0 before any call. */
  readonly hitRate: number;
  /** Entries in the store (may include expired ones not yet purged); 0 if the store does not say. */
  readonly size: number;
  /** Entries the store dropped to stay within its capacity. */
  readonly evictions: number;
  /** Expired entries found (and dropped) on lookup. */
  readonly expirations: number;
}

const OPTION_KEYS = ["key", "ttlMs", "maxEntries", "staleWhileRevalidateMs", "store", "name"] as const;

/** Validates `cache` options (what the constructor does first). @throws {@link InvalidOptionsError} naming the option. @internal */
export function resolveCacheOptions<I>(options: unknown): ResolvedCacheOptions<I> {
  const opts = readOptions("cache", options, OPTION_KEYS);
  const d = DEFAULT_CACHE_OPTIONS;
  const store = cacheStoreOption("store", opts.store);
  if (store !== undefined && opts.maxEntries !== undefined)
    throw new InvalidOptionsError(
      "maxEntries",
      "`maxEntries` sizes the built-in store; with a custom `store`, configure its capacity on the store itself",
    );
  return Object.freeze({
    key: functionOption<CacheKeyFunction<I>>("key", opts.key),
    ttlMs: durationOption("ttlMs", opts.ttlMs, d.ttlMs, { allowInfinity: true }),
    maxEntries: integerOption("maxEntries", opts.maxEntries, d.maxEntries, { min: 1, max: Number.MAX_SAFE_INTEGER }),
    staleWhileRevalidateMs: durationOption(
      "staleWhileRevalidateMs",
      opts.staleWhileRevalidateMs,
      d.staleWhileRevalidateMs,
      { allowZero: true },
    ),
    store,
    name: nameOption(opts.name, d.name),
  });
}
