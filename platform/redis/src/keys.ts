/**
 * Redis key layout of the stores: every key starts with `tta:`, then the store kind, a format
 * version, the caller's namespace (or name) and, for cache entries, a hash of the cache key, so raw
 * keys (which may hold user data) never reach Redis, its logs or `MONITOR`.
 *
 * | key | holds |
 * |---|---|
 * | `tta:cache:v<version>:<namespace>:<hash>` | a JSON cache entry (string, `PX` = the cache's retain time) |
 * | `tta:cache:v<version>:<namespace>:<hash>:lock` | the single-flight lock: the holder's fencing token (`PX` = lock TTL) |
 * | `tta:cache:v<version>:<namespace>:fence` | the fencing-token counter (`INCR`) |
 * | `tta:rl:<key>` | a token bucket: hash `{ tokens, ts }` |
 * | `tta:cb:<name>` | a circuit breaker: hash `{ state, failures, successes, until }` (absent = closed, no failures) |
 * | `tta:cb:<name>:probe` | the half-open probe slot: the prober's token (`PX` = the probe timeout) |
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { InvalidOptionsError } from "@tta/primitives/core";

/** 32 hex characters (128 bits) of the SHA-256 of `key`: the cache entry's Redis key suffix. @internal */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 32);
}

/** 16 hex characters of the SHA-256 of `key`, as in the primitives' `cache` events. @internal */
export function shortHash(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/**
 * A namespace or name used inside Redis keys: 1–100 characters from `[A-Za-z0-9_.-]`
 * (no `:`, `*` or spaces, so key patterns stay unambiguous).
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} naming `option`.
 * @internal
 */
export function keyPartOption(option: string, value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_.-]{1,100}$/.test(value))
    throw new InvalidOptionsError(
      option,
      `Expected \`${option}\` to be 1 to 100 characters from A-Z, a-z, 0-9, "_", "." and "-"`,
    );
  return value;
}

/** Keys of one Redis cache store. @internal */
export class CacheKeys {
  /** `tta:cache:v<version>:<namespace>:` */
  readonly prefix: string;
  /** The fencing-token counter. */
  readonly fence: string;

  constructor(version: number, namespace: string) {
    this.prefix = `tta:cache:v${version}:${namespace}:`;
    this.fence = `${this.prefix}fence`;
  }

  entry(key: string): string {
    return this.prefix + hashKey(key);
  }

  lock(key: string): string {
    return `${this.prefix + hashKey(key)}:lock`;
  }
}

/** The Redis key of a token bucket named `key`. @internal */
export function bucketKey(key: string): string {
  return `tta:rl:${key}`;
}

/** The Redis keys of a circuit breaker named `name`: its state hash and its probe slot. @internal */
export function breakerKeys(name: string): readonly [string, string] {
  return [`tta:cb:${name}`, `tta:cb:${name}:probe`];
}
