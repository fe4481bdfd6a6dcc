/**
 * Connections shared by the Redis stores: a client given by the caller or made from a URL, every
 * command bounded by a timeout, and outage reporting (once per outage, not once per command).
 *
 * @packageDocumentation
 */
import { diag } from "@opentelemetry/api";
import type { Redis } from "ioredis";
import { InvalidOptionsError } from "@tta/primitives/core";
import { durationOption, functionOption } from "@tta/primitives/options";
import type { RedisConnection } from "./queue/connection.js";
import { RedisClient, redisOptionsOf } from "./queue/connection.js";

/**
 * Something that happened to a Redis-backed store, for metrics and logs. Never carries a key or a
 * value, only the store kind, its name/namespace and the operation.
 * @since 0.1.0
 */
export type RedisStoreEvent =
  | {
      /** Redis stopped answering (error or timeout); reported once until it answers again. */
      readonly type: "unavailable";
      readonly store: string;
      readonly op: string;
      /** `"timeout"` or the error's class name (never its message, which may echo a key). */
      readonly reason: string;
    }
  | { /** Redis answers again after an `unavailable`. */ readonly type: "recovered"; readonly store: string }
  | {
      /** A stored value could not be decoded: treated as a miss and deleted. */
      readonly type: "corrupt";
      readonly store: string;
      /** 16 hex characters of the SHA-256 of the cache key. */
      readonly keyHash: string;
    };

/** Listener of {@link RedisStoreEvent}s. @since 0.1.0 */
export type RedisStoreEventListener = (event: RedisStoreEvent) => void;

/**
 * Connection options shared by every Redis store: exactly one of `connection`, `url` and `client`.
 * @since 0.1.0
 */
export interface RedisConnectionOptions {
  /**
   * Where Redis is, as `remote()` and `serve()` take it: a `redis://` / `rediss://` URL or ioredis
   * options. The store makes its own client from it (closed by its `close()`), with an offline queue
   * and reconnection, so a Redis that comes back is used again.
   */
  readonly connection?: RedisConnection;
  /** An `ioredis` client to share (not closed by the store). */
  readonly client?: Redis;
  /** A `redis://` / `rediss://` URL: the same as `connection` given a URL. */
  readonly url?: string;
  /**
   * Longest wait for one Redis command, in ms (> 0): past it the store falls back (miss, no-op or
   * local state) instead of hanging. @defaultValue 100
   */
  readonly timeoutMs?: number;
  /** Receives outage, recovery and corruption events (also logged through the OpenTelemetry diag logger). */
  readonly onEvent?: RedisStoreEventListener;
}

/** Default command timeout of the Redis stores, in ms. @since 0.1.0 */
export const DEFAULT_REDIS_TIMEOUT_MS = 100;

/**
 * The option keys of {@link RedisConnectionOptions}, which {@link Connection} reads: every store lists
 * them among its own, so a store cannot forget one (the breaker store once refused `connection`).
 * @internal
 */
export const CONNECTION_OPTION_KEYS = ["connection", "client", "url", "timeoutMs", "onEvent"] as const;

/** Rejection of a Redis command that did not answer within `timeoutMs`. @internal */
export class RedisTimeout extends Error {
  override readonly name = "RedisTimeout";
}

/**
 * A client and its timeout/outage policy: one per store.
 * @internal
 */
export class Connection {
  readonly client: Redis;
  readonly timeoutMs: number;
  readonly #owned: boolean;
  readonly #store: string;
  readonly #onEvent: RedisStoreEventListener | undefined;
  #down = false;

  constructor(what: string, store: string, opts: Readonly<Record<string, unknown>>) {
    const { client, url, connection } = opts;
    const given = (["connection", "url", "client"] as const).filter((k) => opts[k] !== undefined);
    if (given.length !== 1)
      throw new InvalidOptionsError(
        given[1] ?? "connection",
        `${what} needs exactly one of \`connection\` (a redis:// URL or ioredis options), \`url\` and \`client\` (an ioredis client)`,
      );
    this.timeoutMs = durationOption("timeoutMs", opts.timeoutMs, DEFAULT_REDIS_TIMEOUT_MS);
    this.#onEvent = functionOption<RedisStoreEventListener>("onEvent", opts.onEvent);
    this.#store = store;
    if (url !== undefined || connection !== undefined) {
      if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\//.test(url)))
        throw new InvalidOptionsError("url", "Expected `url` to be a redis:// or rediss:// URL");
      // Validates `connection` (naming it) and turns a URL into ioredis options.
      const options = redisOptionsOf(url ?? connection);
      this.client = new RedisClient({ ...options, maxRetriesPerRequest: 1, connectTimeout: 1_000, lazyConnect: false });
      // Connection errors are reported through `unavailable` events when a command fails.
      this.client.on("error", () => undefined);
      this.#owned = true;
    } else {
      if (typeof client !== "object" || client === null || typeof (client as Redis).evalsha !== "function")
        throw new InvalidOptionsError("client", "Expected `client` to be an ioredis client");
      this.client = client as Redis;
      this.#owned = false;
    }
  }

  /**
   * Runs `command` with the timeout. Resolves with its result, or with `fallback()` after a failure
   * or timeout (reporting the outage once). Never rejects.
   */
  run<T, F>(op: string, command: () => Promise<T>, fallback: (error: unknown) => F): Promise<T | F> {
    return new Promise<T | F>((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        const error = new RedisTimeout(`Redis did not answer ${op} within ${this.timeoutMs} ms`);
        this.#failed(op, error);
        resolve(fallback(error));
      }, this.timeoutMs);
      let pending: Promise<T>;
      try {
        pending = command();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.#recovered();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.#failed(op, error);
          resolve(fallback(error));
        },
      );
    });
  }

  /** Reports an event to the listener (a throwing listener is ignored) and to diag. */
  emit(event: RedisStoreEvent): void {
    if (event.type === "corrupt")
      diag.warn(`@tta/redis: ${this.#store}: corrupt value ${event.keyHash} treated as a miss`);
    else if (event.type === "unavailable")
      diag.warn(`@tta/redis: ${this.#store}: Redis unavailable on ${event.op} (${event.reason}); falling back`);
    else diag.info(`@tta/redis: ${this.#store}: Redis available again`);
    try {
      this.#onEvent?.(event);
    } catch {
      // a listener never breaks the store
    }
  }

  /** Whether the last command failed (the store is in fallback mode). */
  get down(): boolean {
    return this.#down;
  }

  /** Closes the client if the store made it. */
  async close(): Promise<void> {
    if (!this.#owned) return;
    // A graceful QUIT when Redis answers in time; a hung or absent Redis is simply disconnected.
    const quit = await this.run(
      "quit",
      () => this.client.quit(),
      () => "failed",
    );
    if (quit === "failed") this.client.disconnect();
  }

  #failed(op: string, error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    const reason = error instanceof RedisTimeout ? "timeout" : error instanceof Error ? error.name : typeof error;
    this.emit({ type: "unavailable", store: this.#store, op, reason });
  }

  #recovered(): void {
    if (!this.#down) return;
    this.#down = false;
    this.emit({ type: "recovered", store: this.#store });
  }
}
