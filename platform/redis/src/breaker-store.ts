/**
 * `redisBreakerStore`: circuit-breaker state in Redis, shared by every process, for
 * `circuitBreaker(inner, { store })`.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import type { CircuitState } from "@tta/primitives/core";
import type {
  CircuitAdmission,
  CircuitBreakerStore,
  CircuitOutcome,
  CircuitRecordResult,
} from "@tta/primitives/recovery";
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS } from "@tta/primitives/recovery";
import { durationOption, integerOption, readOptions } from "@tta/primitives/options";
import type { RedisConnectionOptions } from "./connection.js";
import { CONNECTION_OPTION_KEYS, Connection } from "./connection.js";
import { breakerKeys, keyPartOption } from "./keys.js";
import { BREAKER_ACQUIRE, BREAKER_RECORD, runScript } from "./scripts.js";

/** Options of {@link redisBreakerStore}. @since 0.1.0 */
export interface RedisBreakerStoreOptions extends RedisConnectionOptions {
  /**
   * The breaker's name in Redis (`tta:cb:<name>`): every process using the same name shares one
   * breaker, e.g. `"openai"`. 1–100 characters from `[A-Za-z0-9_.-]`. Required.
   */
  readonly name: string;
  /** Consecutive failures (cluster-wide, an integer ≥ 1) that open the breaker. @defaultValue 5 */
  readonly failureThreshold?: number;
  /** How long the breaker stays open before one probe is let through (ms, ≥ 0). @defaultValue 60 000 */
  readonly recoveryTimeoutMs?: number;
  /** Probe successes (an integer ≥ 1, one probe at a time) that close the breaker. @defaultValue 2 */
  readonly successThreshold?: number;
  /**
   * Longest a probe holds the cluster-wide probe slot (ms, > 0): past it (a crashed or hung prober)
   * another caller may probe and the late result is ignored. @defaultValue 30 000
   */
  readonly probeTimeoutMs?: number;
  /**
   * Local read-through of a healthy state (ms, ≥ 0; 0 = off): while the last state this store read
   * from Redis is `closed` with no failures and is younger than this, `acquire` answers locally and a
   * closed-state `success` is not sent (nothing to reset), so healthy calls make no round trip.
   * Failures always go to Redis. Trade-off: another process's opening is seen up to this late.
   * @defaultValue 0
   */
  readonly readThroughMs?: number;
}

/** A shared breaker state from {@link redisBreakerStore}. @since 0.1.0 */
export interface RedisBreakerStore extends CircuitBreakerStore {
  /** The Redis keys of the breaker: its state hash and its probe slot. */
  readonly redisKeys: readonly [string, string];
  /** Decides whether a call may run (on Redis time; local state while Redis is unavailable). Never rejects. */
  acquire(now: number): Promise<CircuitAdmission>;
  /** Records how an allowed call ended. Never rejects. */
  record(outcome: CircuitOutcome, probe: boolean, now: number): Promise<CircuitRecordResult>;
  /** Closes the breaker for every process (deletes its keys) and clears the local fallback state. */
  reset(): Promise<void>;
  /** Closes the client if the store made it from `url`. */
  close(): Promise<void>;
}

/** Default options of {@link redisBreakerStore} (thresholds as in `circuitBreaker`). @since 0.1.0 */
export const DEFAULT_REDIS_BREAKER_STORE_OPTIONS: Readonly<{
  failureThreshold: number;
  recoveryTimeoutMs: number;
  successThreshold: number;
  probeTimeoutMs: number;
  readThroughMs: number;
}> = Object.freeze({
  failureThreshold: DEFAULT_CIRCUIT_BREAKER_OPTIONS.failureThreshold,
  recoveryTimeoutMs: DEFAULT_CIRCUIT_BREAKER_OPTIONS.recoveryTimeoutMs,
  successThreshold: DEFAULT_CIRCUIT_BREAKER_OPTIONS.successThreshold,
  probeTimeoutMs: 30_000,
  readThroughMs: 0,
});

const OPTION_KEYS = [
  ...CONNECTION_OPTION_KEYS,
  "name",
  "failureThreshold",
  "recoveryTimeoutMs",
  "successThreshold",
  "probeTimeoutMs",
  "readThroughMs",
];

interface Rules {
  readonly failureThreshold: number;
  readonly recoveryTimeoutMs: number;
  readonly successThreshold: number;
}

function change(from: CircuitState, to: CircuitState): { transition?: { from: CircuitState; to: CircuitState } } {
  return from === to ? {} : { transition: { from, to } };
}

/** The in-process breaker state used while Redis is unavailable (same rules, one probe). @internal */
export class LocalBreaker {
  #state: CircuitState = "closed";
  #failures = 0;
  #successes = 0;
  #until = 0;
  #probing = false;
  readonly #rules: Rules;

  constructor(rules: Rules) {
    this.#rules = rules;
  }

  acquire(now: number): CircuitAdmission {
    const from = this.#state;
    if (from === "closed") return { allowed: true, state: from, probe: false, retryAfterMs: 0 };
    if (from === "open") {
      if (now < this.#until) return { allowed: false, state: from, probe: false, retryAfterMs: this.#until - now };
      this.#enter("half-open");
    }
    const probe = !this.#probing;
    this.#probing = true;
    return { allowed: probe, state: "half-open", probe, retryAfterMs: 0, ...change(from, "half-open") };
  }

  record(outcome: CircuitOutcome, probe: boolean, now: number): CircuitRecordResult {
    const from = this.#state;
    if (probe) {
      if (from !== "half-open" || !this.#probing) return { state: from };
      this.#probing = false;
      if (outcome === "failure") this.#open(now);
      else if (outcome === "success" && ++this.#successes >= this.#rules.successThreshold) this.#enter("closed");
    } else if (from === "closed") {
      if (outcome === "success") this.#failures = 0;
      else if (outcome === "failure" && ++this.#failures >= this.#rules.failureThreshold) this.#open(now);
    }
    return { state: this.#state, ...change(from, this.#state) };
  }

  reset(): void {
    this.#enter("closed");
  }

  #open(now: number): void {
    this.#enter("open");
    this.#until = now + this.#rules.recoveryTimeoutMs;
  }

  #enter(state: CircuitState): void {
    this.#state = state;
    this.#failures = 0;
    this.#successes = 0;
    this.#probing = false;
  }
}

const OUTCOME_CODES: Readonly<Record<CircuitOutcome, string>> = { success: "s", failure: "f", neutral: "n" };

function stateOf(value: unknown): CircuitState {
  return value === "open" || value === "half-open" ? value : "closed";
}

/**
 * The local read-through of a healthy shared state: when it was last read from Redis as closed
 * with no failures, and whether that is still fresh.
 * @internal
 */
export class ReadThrough {
  readonly #ttlMs: number;
  #readAt: number | undefined;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** Whether a healthy state read at most `ttlMs` ago (by `now`, the caller's clock) is known. */
  fresh(now: number): boolean {
    const at = this.#readAt;
    return at !== undefined && now >= at && now - at < this.#ttlMs;
  }

  /** Notes a state read from Redis at `now` (`failures` undefined when not closed). */
  saw(state: CircuitState, failures: unknown, now: number): void {
    this.#readAt = this.#ttlMs > 0 && state === "closed" && failures === 0 ? now : undefined;
  }

  /** Forgets the state (Redis unavailable, reset). */
  clear(): void {
    this.#readAt = undefined;
  }
}

/**
 * Makes circuit-breaker state kept in Redis, so that N processes share one breaker: failures in
 * any process open it in all of them, and exactly one probe runs cluster-wide while half-open.
 *
 * @remarks
 * - **Atomic.** Each `acquire` and `record` is one Lua script on the server's clock (`TIME`): it
 *   counts consecutive failures cluster-wide, opens at `failureThreshold`, makes the open →
 *   half-open change once `recoveryTimeoutMs` has passed, and grants the probe slot to one caller
 *   (a key with `PX` = `probeTimeoutMs`, so a crashed prober blocks others for at most that long;
 *   its late result is then ignored). State strings are the in-memory ones: `closed`, `open`,
 *   `half-open`. A closed breaker with no failures has no key.
 * - **Cost.** A call through `circuitBreaker(inner, { store })` makes two round trips (acquire,
 *   record), one script each. With `readThroughMs` > 0, a healthy breaker (closed, no failures, read
 *   from Redis less than `readThroughMs` ago) answers `acquire` locally and does not send a
 *   closed-state success, so successful calls cost no round trip; a failure is always one script,
 *   whose answer refreshes the local copy; open and half-open always ask Redis. The price: another
 *   process's opening is seen here up to `readThroughMs` late (a few more calls reach a failing
 *   dependency), and a success here does not reset a failure counted elsewhere meanwhile.
 * - **Events.** Each process's breaker reports the transitions its own calls made (e.g. the process
 *   whose failure opened the breaker reports `closed → open`); the others see the new state on
 *   their next call (`CircuitOpenError` with `retryAfterMs` from Redis).
 * - **Degradation.** Each command is bounded by `timeoutMs`. When Redis fails or is slow, the call is
 *   decided by a **local breaker** with the same rules in this process (on the `now` passed in, i.e.
 *   the context clock), so during an outage each process trips on its own failures. The outage is
 *   reported once (`unavailable` event, diag warning); when Redis answers again the shared state is
 *   used again (`recovered`).
 *
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} for unknown options, not exactly one of `client`/`url`, a
 * missing or invalid `name`, thresholds not integers ≥ 1, a negative `recoveryTimeoutMs` or a
 * `probeTimeoutMs` that is not > 0, or a negative `readThroughMs`.
 * @example
 * ```ts
 * const store = redisBreakerStore({ url: process.env.REDIS_URL!, name: "openai", failureThreshold: 5 });
 * const llm = circuitBreaker(askModel, { store });
 * ```
 * @since 0.1.0
 */
export function redisBreakerStore(options: RedisBreakerStoreOptions): RedisBreakerStore {
  const opts = readOptions("redisBreakerStore", options, OPTION_KEYS);
  const name = keyPartOption("name", opts.name);
  const defaults = DEFAULT_REDIS_BREAKER_STORE_OPTIONS;
  const rules: Rules = {
    failureThreshold: integerOption("failureThreshold", opts.failureThreshold, defaults.failureThreshold, { min: 1 }),
    recoveryTimeoutMs: durationOption("recoveryTimeoutMs", opts.recoveryTimeoutMs, defaults.recoveryTimeoutMs, {
      allowZero: true,
    }),
    successThreshold: integerOption("successThreshold", opts.successThreshold, defaults.successThreshold, { min: 1 }),
  };
  const probeTimeoutMs = durationOption("probeTimeoutMs", opts.probeTimeoutMs, defaults.probeTimeoutMs);
  const readThrough = new ReadThrough(
    durationOption("readThroughMs", opts.readThroughMs, defaults.readThroughMs, { allowZero: true }),
  );
  const conn = new Connection("redisBreakerStore", `circuit-breaker ${name}`, opts);
  const client = conn.client;
  const keys = breakerKeys(name);
  const local = new LocalBreaker(rules);
  const tokenPrefix = `${randomBytes(8).toString("hex")}:`;
  let tokens = 0;
  /** The token of the Redis probe slot this store holds, if any. */
  let probeToken: string | undefined;

  const acquire = async (now: number): Promise<CircuitAdmission> => {
    if (readThrough.fresh(now)) return { allowed: true, state: "closed", probe: false, retryAfterMs: 0 };
    const token = tokenPrefix + String(++tokens);
    const reply = await conn.run(
      "acquire",
      () => runScript(client, BREAKER_ACQUIRE, keys, [token, Math.ceil(probeTimeoutMs)]),
      () => undefined,
    );
    if (!Array.isArray(reply)) {
      readThrough.clear();
      return local.acquire(now);
    }
    const [allowed, state, probe, wait, from, failures] = reply as [number, string, number, number, string, unknown];
    if (probe === 1) probeToken = token;
    const to = stateOf(state);
    readThrough.saw(to, failures, now);
    return { allowed: allowed === 1, state: to, probe: probe === 1, retryAfterMs: wait, ...change(stateOf(from), to) };
  };

  const record = async (outcome: CircuitOutcome, probe: boolean, now: number): Promise<CircuitRecordResult> => {
    let token = "";
    if (probe && probeToken !== undefined) {
      token = probeToken;
      probeToken = undefined;
    } else if (probe) return local.record(outcome, true, now);
    // Healthy and fresh: a success or neutral outcome would change nothing in Redis.
    if (!probe && outcome !== "failure" && readThrough.fresh(now)) return { state: "closed" };
    const code = OUTCOME_CODES[outcome];
    const args = [code, token, rules.failureThreshold, rules.recoveryTimeoutMs, rules.successThreshold];
    const reply = await conn.run(
      "record",
      () => runScript(client, BREAKER_RECORD, keys, args),
      () => undefined,
    );
    if (!Array.isArray(reply)) {
      readThrough.clear();
      return local.record(outcome, false, now);
    }
    const [state, from, failures] = reply as [string, string, unknown];
    readThrough.saw(stateOf(state), failures, now);
    return { state: stateOf(state), ...change(stateOf(from), stateOf(state)) };
  };

  return Object.freeze({
    redisKeys: keys,
    acquire,
    record,
    async reset(): Promise<void> {
      local.reset();
      readThrough.clear();
      probeToken = undefined;
      await conn.run(
        "reset",
        () => client.del(...keys),
        () => 0,
      );
    },
    close: () => conn.close(),
  });
}
