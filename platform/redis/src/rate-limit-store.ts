/**
 * `redisTokenBucket`: a token bucket in Redis, shared by every process, for `rateLimit(inner, { store })`.
 *
 * @packageDocumentation
 */
import type { RateLimitDecision, RateLimitStore } from "@tta/primitives/recovery";
import { InvalidOptionsError } from "@tta/primitives/core";
import { integerOption, readOptions } from "@tta/primitives/options";
import type { RedisConnectionOptions } from "./connection.js";
import { CONNECTION_OPTION_KEYS, Connection } from "./connection.js";
import { bucketKey, keyPartOption } from "./keys.js";
import { TAKE, runScript } from "./scripts.js";

/** Options of {@link redisTokenBucket}. @since 0.1.0 */
export interface RedisTokenBucketOptions extends RedisConnectionOptions {
  /**
   * The bucket's name in Redis (`tta:rl:<key>`): every process using the same key shares one
   * bucket, e.g. `"openai-tpm"`. 1–100 characters from `[A-Za-z0-9_.-]`. Required.
   */
  readonly key: string;
  /** Most tokens the bucket holds (and holds at first): an integer ≥ 1. Required. */
  readonly capacity: number;
  /** Tokens added per second, continuously: a finite number > 0. Required. */
  readonly refillPerSecond: number;
}

/** A shared token bucket from {@link redisTokenBucket}. @since 0.1.0 */
export interface RedisTokenBucket extends RateLimitStore {
  /** The Redis key of the bucket. */
  readonly redisKey: string;
  /** Spends `cost` tokens if the bucket holds them (atomically, on Redis time). Never rejects. */
  take(cost: number, now: number): Promise<RateLimitDecision>;
  /**
   * Spends `cost` tokens unconditionally (the bucket may go below zero, delaying later calls): for
   * charging the actual usage of a model call once known, beyond the estimate `take` spent.
   * Never rejects.
   */
  charge(cost: number, now?: number): Promise<void>;
  /** Closes the client if the bucket made it from `connection` or `url`. */
  close(): Promise<void>;
}

const OPTION_KEYS = [...CONNECTION_OPTION_KEYS, "key", "capacity", "refillPerSecond"];

/** The in-process bucket used while Redis is unavailable. @internal */
export class LocalBucket {
  readonly capacity: number;
  readonly perMs: number;
  #tokens: number;
  #at: number | undefined = undefined;

  constructor(capacity: number, perMs: number) {
    this.capacity = capacity;
    this.perMs = perMs;
    this.#tokens = capacity;
  }

  take(cost: number, now: number, force: boolean): RateLimitDecision {
    if (this.#at !== undefined && now > this.#at)
      this.#tokens = Math.min(this.capacity, this.#tokens + (now - this.#at) * this.perMs);
    if (this.#at === undefined || now > this.#at) this.#at = now;
    if (force || this.#tokens >= cost) {
      this.#tokens -= cost;
      return { ok: true };
    }
    if (cost > this.capacity) return { ok: false, retryAfterMs: Infinity };
    return { ok: false, retryAfterMs: Math.ceil((cost - this.#tokens) / this.perMs) };
  }
}

function costOption(cost: unknown): number {
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0)
    throw new InvalidOptionsError("cost", "Expected the cost to be a finite number ≥ 0");
  return cost;
}

/**
 * Makes a token bucket kept in Redis, so that N processes together hold one rate: a provider's
 * requests per minute (`cost` 1) or tokens per minute (`cost` = the call's estimated tokens).
 *
 * @remarks
 * - **Atomic.** One Lua script reads, refills and spends in a single step on the server, on the
 *   server's clock (`TIME`), so process clocks do not matter and two processes can never spend the
 *   same tokens. State: a hash `{ tokens, ts }` under `tta:rl:<key>`, expiring once it would be full
 *   again anyway.
 * - **Token-cost charging.** `take(cost)` spends a call's estimate before it runs (through
 *   `rateLimit`'s `cost(input)`); `charge(extra)` adds the actual usage afterwards, possibly
 *   driving the bucket negative so later calls wait for it.
 * - **Degradation.** Each command is bounded by `timeoutMs`. When Redis fails or is slow, the call is
 *   decided by a **local bucket** of the same capacity and refill in this process (on the `now`
 *   passed in, i.e. the context clock), so during an outage each process enforces the limit on its
 *   own (the global rate may reach N × the limit). The outage is reported once (`unavailable`
 *   event, diag warning); when Redis answers again the shared bucket is used again (`recovered`).
 * - A `cost` above `capacity` is refused with `retryAfterMs: Infinity` (the primitive rejects it at once).
 *
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} for unknown options, not exactly one of `connection`/`url`/`client`, a
 * missing or invalid `key`, `capacity` not an integer ≥ 1 or `refillPerSecond` not a finite number > 0.
 * @example
 * ```ts
 * const tpm = redisTokenBucket({ connection: process.env.REDIS_URL!, key: "openai-tpm", capacity: 90_000, refillPerSecond: 1_500 });
 * const llm = rateLimit(askModel, { store: tpm, cost: (req: { prompt: string }) => Math.ceil(req.prompt.length / 4) });
 * ```
 * @since 0.1.0
 */
export function redisTokenBucket(options: RedisTokenBucketOptions): RedisTokenBucket {
  const opts = readOptions("redisTokenBucket", options, OPTION_KEYS);
  const key = keyPartOption("key", opts.key);
  if (opts.capacity === undefined) throw new InvalidOptionsError("capacity", "The option `capacity` is required");
  const capacity = integerOption("capacity", opts.capacity, 1, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const refill = opts.refillPerSecond;
  if (typeof refill !== "number" || !Number.isFinite(refill) || refill <= 0)
    throw new InvalidOptionsError("refillPerSecond", "Expected `refillPerSecond` to be a finite number > 0");
  const perMs = refill / 1_000;
  const conn = new Connection("redisTokenBucket", `rate-limit ${key}`, opts);
  const client = conn.client;
  const redisKey = bucketKey(key);
  const local = new LocalBucket(capacity, perMs);

  const decide = async (cost: number, now: number, force: boolean): Promise<RateLimitDecision> => {
    const reply = await conn.run(
      "take",
      () => runScript(client, TAKE, [redisKey], [capacity, perMs, cost, force ? 1 : 0]),
      () => undefined,
    );
    if (!Array.isArray(reply)) return local.take(cost, now, force);
    const [ok, wait] = reply as [number, number];
    if (ok === 1) return { ok: true };
    return { ok: false, retryAfterMs: wait < 0 ? Infinity : Math.max(1, wait) };
  };

  return Object.freeze({
    redisKey,
    take(cost: number, now: number): Promise<RateLimitDecision> {
      return decide(costOption(cost), now, false);
    },
    async charge(cost: number, now: number = Date.now()): Promise<void> {
      const amount = costOption(cost);
      if (amount > 0) await decide(amount, now, true);
    },
    close: () => conn.close(),
  });
}
