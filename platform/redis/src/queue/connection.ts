/**
 * Connection handling shared by `remote()` and `serve()`: the connection option, the typed error for
 * an unreachable Redis, and bounded waits on Redis operations.
 *
 * @packageDocumentation
 */
import { TtaError, TtaErrorCode } from "@tta/primitives/core";
import { InvalidOptionsError, describeValue, isPlainObject } from "@tta/primitives/options";
import type { ConnectionOptions } from "bullmq";
import { Redis } from "ioredis";
import type { RedisOptions } from "ioredis";

/**
 * Where Redis is: a `redis://` / `rediss://` URL, or ioredis options (`host`, `port`, `password`,
 * `db`, `tls`…). Each `remote()` and `serve()` opens its own connections from it and closes them in
 * `close()`.
 * @since 0.1.0
 */
export type RedisConnection = string | RedisOptions;

/**
 * ioredis' constructor, typed loosely: its option types trip over `exactOptionalPropertyTypes`.
 * @internal
 */
export const RedisClient: new (options: RedisOptions) => Redis = Redis;

/**
 * Code of {@link RedisUnavailableError}; the same string as `TtaErrorCode.REDIS_UNAVAILABLE`, kept
 * as a named export for existing imports.
 * @since 0.1.0
 */
export const REDIS_UNAVAILABLE: typeof TtaErrorCode.REDIS_UNAVAILABLE = TtaErrorCode.REDIS_UNAVAILABLE;

/**
 * Redis could not be reached (at start-up, or for an operation mid-run) within the configured
 * `connectTimeoutMs`, or the queue was closed. Retryable.
 *
 * @example
 * ```ts
 * try { await summarise.execute(doc); } catch (e) { if (isTtaError(e, REDIS_UNAVAILABLE)) runLocally(doc); }
 * ```
 * @since 0.1.0
 */
export class RedisUnavailableError extends TtaError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(TtaErrorCode.REDIS_UNAVAILABLE, message, { cause: options?.cause, retryable: true });
  }
}

/** The ioredis options `connection` describes (a copy). @throws InvalidOptionsError naming `connection`. */
export function redisOptionsOf(connection: unknown): RedisOptions {
  if (typeof connection === "string") {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      throw new InvalidOptionsError("connection", "Expected `connection` to be a redis:// URL or ioredis options");
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:")
      throw new InvalidOptionsError("connection", "Expected `connection` to be a redis:// or rediss:// URL");
    const options: RedisOptions = { host: url.hostname || "127.0.0.1", port: Number(url.port || 6379) };
    if (url.username !== "") options.username = decodeURIComponent(url.username);
    if (url.password !== "") options.password = decodeURIComponent(url.password);
    const db = url.pathname.replace(/^\//, "");
    if (db !== "") options.db = Number(db);
    if (url.protocol === "rediss:") options.tls = {};
    return options;
  }
  if (!isPlainObject(connection))
    throw new InvalidOptionsError(
      "connection",
      `Expected \`connection\` to be a redis:// URL or ioredis options, got ${describeValue(connection)}`,
    );
  if ((connection as RedisOptions).keyPrefix !== undefined)
    throw new InvalidOptionsError("connection.keyPrefix", "BullMQ does not support `keyPrefix`; use `prefix`");
  return { ...(connection as RedisOptions) };
}

/**
 * Resolves or rejects with `work`, or rejects with a {@link RedisUnavailableError} after `ms`
 * (the timer is cleared either way).
 */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new RedisUnavailableError(`Redis did not answer within ${ms} ms (${what})`)),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(
          error instanceof RedisUnavailableError
            ? error
            : new RedisUnavailableError(`Redis failed (${what})`, { cause: error }),
        );
      },
    );
  });
}

/**
 * A connected control client (commands fail fast while disconnected: no offline queue), or a
 * {@link RedisUnavailableError} within `timeoutMs` (and nothing left open).
 */
export async function connectControl(options: RedisOptions, timeoutMs: number): Promise<Redis> {
  const client = new RedisClient({
    ...options,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.min(timeoutMs, options.connectTimeout ?? 10_000),
  });
  client.on("error", () => undefined); // reconnects on its own; failures surface on commands
  try {
    await within(client.connect(), timeoutMs, "connect");
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}

/**
 * BullMQ connection options from ioredis options plus `extra` (BullMQ opens its own ioredis clients
 * from them; its option type differs from ioredis' only in optional-property strictness).
 */
export function bullConnection(options: RedisOptions, extra: Partial<RedisOptions> = {}): ConnectionOptions {
  return { ...options, ...extra } as unknown as ConnectionOptions;
}

/** Closes `client` politely, or drops it when Redis does not answer within `ms`. */
export async function quit(client: Redis, ms = 1_000): Promise<void> {
  if (client.status === "end") return;
  try {
    await within(client.quit(), ms, "quit");
  } catch {
    client.disconnect();
  }
}
