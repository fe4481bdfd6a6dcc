/**
 * `redisCacheStore`: a `CacheStore` for `cache()` of `@tta/primitives` kept in Redis and shared by
 * every process, with cross-process single-flight.
 *
 * @packageDocumentation
 */
import type { CacheEntry, CacheLock, CacheStore } from "@tta/primitives/performance";
import { integerOption, durationOption, readOptions } from "@tta/primitives/options";
import type { RedisConnectionOptions } from "./connection.js";
import { CONNECTION_OPTION_KEYS, Connection } from "./connection.js";
import { decodeEntry, encodeEntry } from "./cache-store/codec.js";
import { CacheKeys, keyPartOption, shortHash } from "./keys.js";
import { LOCK, RELEASE, runScript } from "./scripts.js";

/** Options of {@link redisCacheStore}. @since 0.1.0 */
export interface RedisCacheStoreOptions extends RedisConnectionOptions {
  /**
   * Separates caches sharing one Redis: 1–100 characters from `[A-Za-z0-9_.-]`. Give each cache its
   * own. Required.
   */
  readonly namespace: string;
  /**
   * Format version in the keys (`tta:cache:v<version>:…`): bump it when the cached values change
   * shape, and old entries are simply never read again (they expire). An integer ≥ 1. @defaultValue 1
   */
  readonly version?: number;
  /**
   * Lifetime of the single-flight lock in ms (> 0): the longest a crashed holder delays the other
   * processes, and the longest a computation may take before a second process may start it too.
   * @defaultValue 30 000
   */
  readonly lockTtlMs?: number;
  /** How often (ms, > 0) a process waiting on another's lock polls for the value. @defaultValue 50 */
  readonly lockPollMs?: number;
}

/** A {@link CacheStore} backed by Redis, from {@link redisCacheStore}. @since 0.1.0 */
export interface RedisCacheStore extends CacheStore {
  /** The key prefix, `tta:cache:v<version>:<namespace>:`. */
  readonly prefix: string;
  /** Takes the cross-process lock on `key` (see `CacheStore.lock`); rejects when Redis fails. */
  lock(key: string): Promise<CacheLock | undefined>;
  /** The poll interval of waiters. */
  readonly lockPollMs: number;
  /** Closes the client if the store made it from `connection` or `url` (a given `client` is left open). */
  close(): Promise<void>;
}

/** Default options of {@link redisCacheStore}. @since 0.1.0 */
export const DEFAULT_REDIS_CACHE_STORE_OPTIONS: {
  readonly version: number;
  readonly lockTtlMs: number;
  readonly lockPollMs: number;
  readonly timeoutMs: number;
} = Object.freeze({ version: 1, lockTtlMs: 30_000, lockPollMs: 50, timeoutMs: 100 });

const OPTION_KEYS = [...CONNECTION_OPTION_KEYS, "namespace", "version", "lockTtlMs", "lockPollMs"];
const FAILED: unique symbol = Symbol("failed");

/**
 * Makes a Redis-backed {@link CacheStore} for `cache(inner, { store })`.
 *
 * @remarks
 * - **Keys.** `tta:cache:v<version>:<namespace>:<hash>`, the hash being 32 hex characters of the
 *   SHA-256 of the cache key: raw keys never reach Redis.
 * - **Serialisation.** Each entry is the JSON text `{"s":storedAt,"v":value}` (`{"s":storedAt,"u":1}`
 *   for `undefined`). Values must round-trip through JSON: `null`, booleans, strings, finite
 *   numbers, arrays and plain objects of those; a property whose value is `undefined` is dropped (as
 *   `JSON.stringify` does). Anything else (a `Date`, `Map`, class instance, `BigInt`, `NaN`,
 *   function, cycle, `undefined` in an array) makes `set` reject with {@link UnserializableValueError}
 *   before anything is written: the cache reports it through the diag logger and the value is not
 *   cached (callers still get it).
 * - **TTL.** `set` writes with `PX retainMs` (the cache's `ttlMs + staleWhileRevalidateMs`, rounded
 *   up); freshness is still judged by the cache from the stored time.
 * - **Corruption.** A value that does not decode is a miss, is deleted, and emits a `corrupt` event
 *   (hashed key only).
 * - **Degradation.** Every command is bounded by `timeoutMs`. Redis down or slow: `get` is a miss,
 *   `set`/`delete`/`clear` do nothing, `lock` rejects (so the cache computes locally); the outage
 *   is reported once (`unavailable` event and a diag warning) until Redis answers again (`recovered`).
 *   Nothing hangs, nothing throws into the caller.
 * - **Single-flight.** `lock(key)` is `SET lock <token> NX PX lockTtlMs` (atomically, in Lua) with a
 *   fencing token from an `INCR` counter; release is a Lua compare-and-delete on the token. Waiters
 *   in other processes poll the entry every `lockPollMs`; a crashed holder delays them at most
 *   `lockTtlMs`. A computation longer than `lockTtlMs` may run twice.
 * - Not for Redis Cluster (the lock script touches two keys without a hash tag).
 *
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} for unknown options, not exactly one of `connection`/`url`/`client`, a
 * missing or invalid `namespace`, `version` not an integer ≥ 1, or invalid durations.
 * @example
 * ```ts
 * const store = redisCacheStore({ connection: "redis://127.0.0.1:6379", namespace: "answers" });
 * const cachedModel = cache(askModel, { store, ttlMs: 10 * 60_000 });
 * // …
 * await store.close();
 * ```
 * @since 0.1.0
 */
export function redisCacheStore(options: RedisCacheStoreOptions): RedisCacheStore {
  const opts = readOptions("redisCacheStore", options, OPTION_KEYS);
  const namespace = keyPartOption("namespace", opts.namespace);
  const d = DEFAULT_REDIS_CACHE_STORE_OPTIONS;
  const version = integerOption("version", opts.version, d.version, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const lockTtlMs = durationOption("lockTtlMs", opts.lockTtlMs, d.lockTtlMs);
  const lockPollMs = durationOption("lockPollMs", opts.lockPollMs, d.lockPollMs);
  const conn = new Connection("redisCacheStore", `cache ${namespace}`, opts);
  const keys = new CacheKeys(version, namespace);
  const client = conn.client;
  const miss = (): undefined => undefined;
  const noop = (): void => undefined;

  const store: RedisCacheStore = {
    prefix: keys.prefix,
    lockPollMs,
    async get(key: string): Promise<CacheEntry | undefined> {
      const redisKey = keys.entry(key);
      const raw = await conn.run("get", () => client.get(redisKey), miss);
      if (raw === null || raw === undefined) return undefined;
      const entry = decodeEntry(raw);
      if (entry !== undefined) return entry;
      conn.emit({ type: "corrupt", store: `cache ${namespace}`, keyHash: shortHash(key) });
      await conn.run("delete", () => client.del(redisKey), noop);
      return undefined;
    },
    async set(key: string, entry: CacheEntry, retainMs: number): Promise<void> {
      const text = encodeEntry(entry); // throws UnserializableValueError before any write
      const redisKey = keys.entry(key);
      await conn.run(
        "set",
        () =>
          Number.isFinite(retainMs)
            ? client.set(redisKey, text, "PX", Math.max(1, Math.ceil(retainMs)))
            : client.set(redisKey, text),
        noop,
      );
    },
    async delete(key: string): Promise<void> {
      const redisKey = keys.entry(key);
      await conn.run("delete", () => client.del(redisKey), noop);
    },
    async clear(): Promise<void> {
      let cursor = "0";
      do {
        const page = await conn.run(
          "clear",
          () => client.scan(cursor, "MATCH", `${keys.prefix}*`, "COUNT", 500),
          (): typeof FAILED => FAILED,
        );
        if (page === FAILED) return;
        cursor = page[0];
        const found = page[1];
        if (found.length > 0) await conn.run("clear", () => client.unlink(...found), noop);
      } while (cursor !== "0");
    },
    async lock(key: string): Promise<CacheLock | undefined> {
      const lockKey = keys.lock(key);
      const token = await conn.run(
        "lock",
        () => runScript(client, LOCK, [lockKey, keys.fence], [lockTtlMs]),
        (): typeof FAILED => FAILED,
      );
      if (token === FAILED) throw new Error("Redis is unavailable: no cross-process lock");
      if (typeof token !== "number" || token === 0) return undefined;
      let released = false;
      return {
        token,
        release: async () => {
          if (released) return;
          released = true;
          await conn.run("unlock", () => runScript(client, RELEASE, [lockKey], [token]), noop);
        },
      };
    },
    close: () => conn.close(),
  };
  return Object.freeze(store);
}
