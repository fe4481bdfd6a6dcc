/**
 * `CachePrimitive`: a single-flight, bounded, TTL cache around an inner primitive, safe under
 * concurrency and cancellation.
 *
 * @packageDocumentation
 */
import { diag } from "@opentelemetry/api";
import type { WorkflowContext } from "../core/context.js";
import { createContext, createDetachedContext, throwIfContextAborted } from "../core/context.js";
import { InvalidOptionsError } from "../core/errors.js";
import { isObserved } from "../core/instrumentation.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive, normalizeError } from "../core/workflow-primitive.js";
import { isThenable } from "../internal/options.js";
import { errorType } from "../internal/tracing.js";
import type { CacheEntry, CacheLock, CacheStore, LockedRunState } from "./cache-store.js";
import { InMemoryCacheStore, releaseStoreLock, runWithStoreLock } from "./cache-store.js";
import { Flight, waitForFlight } from "./flight.js";
import type { CacheKeyFunction, CacheOptions, CacheStats, ResolvedCacheOptions } from "./cache/options.js";
import { resolveCacheOptions } from "./cache/options.js";
import { keyHash, stableKey } from "./stable-key.js";

export { DEFAULT_CACHE_OPTIONS } from "./cache/options.js";
export type { CacheKeyFunction, CacheOptions, CacheStats, ResolvedCacheOptions } from "./cache/options.js";

type CacheResult = "hit" | "miss" | "coalesced" | "stale";

function warnDiag(message: string): void {
  diag.warn(message);
}

function badKey(value: unknown): never {
  // The key itself is never echoed: it may be user data.
  throw new InvalidOptionsError(
    "key",
    `Expected the \`key\` function to return a string (or a promise of one), got ${value === null ? "null" : typeof value}`,
  );
}

/**
 * Caches the results of an inner primitive by input, with a bounded LRU store, TTL on the context
 * clock, single-flight for concurrent misses and optional stale-while-revalidate.
 *
 * @remarks
 * - **Hit.** An entry younger than `ttlMs` (age < `ttlMs`; age = `ttlMs` is expired) is returned
 *   without running the inner primitive. `undefined` and `null` results are cached like any value;
 *   errors are never cached.
 * - **Single-flight.** Concurrent calls whose key misses share **one** run of the inner primitive.
 *   That shared run is detached from every caller's cancellation: it gets the first caller's ids,
 *   metadata, `state`, clock and span parent, but a signal that never aborts and **no deadline**
 *   (a deadline is one caller's budget, not the others'). Each waiting caller still rejects at once
 *   with its **own** `signal.reason` when its signal aborts (its deadline included); the shared run
 *   goes on for the others and still fills the cache. To bound the shared run itself, put a
 *   `timeout` inside the cache: `cache(timeout(model, { timeoutMs }))`. A failed run rejects all its
 *   current waiters with the same error; the next call runs again.
 * - **Stale-while-revalidate.** During `[ttlMs, ttlMs + staleWhileRevalidateMs)` the stale value is
 *   served (result `stale`, counted as a hit) and one background refresh starts (never two at once
 *   for a key); a refresh failure is reported through the OpenTelemetry diag logger and the stale
 *   value stays until the window ends. Beyond the window the entry counts as an expiration and a miss.
 * - **Across processes.** With a store that implements {@link CacheStore.lock} (e.g. the Redis
 *   store of `@tta/redis`), the shared run first takes the store's lock on the key, so N processes
 *   missing together run the inner primitive once; the others poll the store for the result (see
 *   {@link CacheStore.lock}). A lock failure means running locally.
 * - **Invalidation.** `invalidate(input)` and `clear()` also detach runs in flight, so a result
 *   computed before the invalidation never lands in the cache (its waiters still get it).
 * - **Privacy.** Raw keys never appear in spans, events or error messages: the `cache` event carries
 *   `keyHash` (16 hex characters of the key's SHA-256), the span `tta.cache.hit` (true when answered
 *   from the store: `hit` or `stale`) and `tta.cache.result` (`hit`, `miss`, `coalesced`, `stale`).
 * - **Cost.** A hit with the built-in store computes the key, reads the store and the clock, and
 *   returns: no timer, no signal, no closure.
 *
 * @throws {@link InvalidOptionsError} at construction for an invalid `inner`, unknown options,
 * `ttlMs` ≤ 0, `maxEntries` not an integer from 1 to `Number.MAX_SAFE_INTEGER`, a negative
 * `staleWhileRevalidateMs`, a `store` without `get/set/delete/clear`, or `maxEntries` together with
 * `store`. At run time, a `TtaError` with code `UNSERIALIZABLE_KEY` when the default key meets a
 * function, symbol or cycle in the input.
 * @example
 * ```ts
 * const cachedModel = new CachePrimitive(askModel, { ttlMs: 10 * 60_000, maxEntries: 5_000 });
 * const answer = await cachedModel.execute({ model: "gpt-4o", prompt });
 * ```
 * @since 0.1.0
 */
export class CachePrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The cached primitive. */
  readonly inner: Executable<I, O>;
  /** The resolved options. */
  readonly options: ResolvedCacheOptions<I>;
  readonly #store: CacheStore<O>;
  readonly #keyFn: CacheKeyFunction<I> | undefined;
  readonly #ttlMs: number;
  readonly #staleMs: number;
  readonly #flights = new Map<string, Flight<O>>();
  #hits = 0;
  #misses = 0;
  #coalesced = 0;
  #expirations = 0;
  #evictionsBase = 0;

  constructor(inner: PrimitiveLike<I, O>, options?: CacheOptions<I>) {
    const resolved = resolveCacheOptions<I>(options);
    super({ kind: "cache", name: resolved.name });
    this.options = resolved;
    this.inner = toExecutable(inner, "inner");
    this.#store = (resolved.store ?? new InMemoryCacheStore({ maxEntries: resolved.maxEntries })) as CacheStore<O>;
    this.#keyFn = resolved.key;
    this.#ttlMs = resolved.ttlMs;
    this.#staleMs = resolved.staleWhileRevalidateMs;
  }

  /** The counters since construction or the last {@link CachePrimitive.clear}. Synchronous. */
  stats(): CacheStats {
    const hits = this.#hits;
    const coalesced = this.#coalesced;
    const requests = hits + coalesced + this.#misses;
    return {
      hits,
      misses: this.#misses,
      coalesced,
      hitRate: requests === 0 ? 0 : (hits + coalesced) / requests,
      size: this.#store.size ?? 0,
      evictions: (this.#store.evictions ?? 0) - this.#evictionsBase,
      expirations: this.#expirations,
    };
  }

  /**
   * Empties the store and resets every counter. Runs in flight finish for their waiters but do not
   * fill the cache.
   */
  async clear(): Promise<void> {
    const pending = this.#detachAll();
    this.#hits = this.#misses = this.#coalesced = this.#expirations = 0;
    await Promise.all(pending);
    await this.#store.clear();
    this.#evictionsBase = this.#store.evictions ?? 0;
  }

  /**
   * Removes the entry for `input` (its key computed as a call would, with `ctx` or a fresh root
   * context), and detaches a run in flight for it so that its result is not stored.
   *
   * @throws a `TtaError` `UNSERIALIZABLE_KEY` when the default key cannot be computed; whatever a
   * custom `key` function throws.
   */
  async invalidate(input: I, ctx?: WorkflowContext): Promise<void> {
    const context = ctx ?? createContext();
    try {
      const key = await this.#keyOf(input, context);
      const flight = this.#flights.get(key);
      if (flight !== undefined) {
        flight.live = false;
        this.#flights.delete(key);
        if (flight.filling !== undefined) await flight.filling;
      }
      await this.#store.delete(key);
    } finally {
      if (ctx === undefined) context.dispose();
    }
  }

  protected run(input: I, ctx: WorkflowContext): Promise<O> {
    const key = this.#keyOf(input, ctx);
    if (typeof key === "string") return this.#lookup(key, input, ctx);
    return key.then((k) => {
      throwIfContextAborted(ctx);
      return this.#lookup(k, input, ctx);
    });
  }

  #keyOf(input: I, ctx: WorkflowContext): string | Promise<string> {
    const keyFn = this.#keyFn;
    if (keyFn === undefined) return stableKey(input);
    const key = keyFn(input, ctx);
    if (typeof key === "string") return key;
    if (!isThenable(key)) badKey(key);
    return Promise.resolve(key).then((k: unknown) => (typeof k === "string" ? k : badKey(k)));
  }

  #lookup(key: string, input: I, ctx: WorkflowContext): Promise<O> {
    let found: ReturnType<CacheStore<O>["get"]>;
    try {
      found = this.#store.get(key);
    } catch (error) {
      this.#storeFailed("get", error);
      found = undefined;
    }
    if (!isThenable(found)) return this.#decide(key, found, input, ctx);
    return Promise.resolve(found).then(
      (entry) => {
        throwIfContextAborted(ctx);
        return this.#decide(key, entry, input, ctx);
      },
      (error: unknown) => {
        this.#storeFailed("get", error);
        throwIfContextAborted(ctx);
        return this.#decide(key, undefined, input, ctx);
      },
    );
  }

  #decide(key: string, entry: CacheEntry<O> | undefined, input: I, ctx: WorkflowContext): Promise<O> {
    if (entry !== undefined) {
      const ttlMs = this.#ttlMs;
      if (ttlMs === Infinity) return this.#served(key, entry.value, ctx, "hit");
      const age = ctx.clock.now() - entry.storedAt;
      if (age < ttlMs) return this.#served(key, entry.value, ctx, "hit");
      if (age < ttlMs + this.#staleMs) {
        if (!this.#flights.has(key)) this.#start(key, input, ctx, true);
        return this.#served(key, entry.value, ctx, "stale");
      }
      // Expired. Whoever first finds it (no run in flight yet) counts and drops it.
      if (!this.#flights.has(key)) {
        this.#expirations++;
        void this.#quietly("delete", () => this.#store.delete(key));
      }
    }
    const flight = this.#flights.get(key);
    if (flight !== undefined) {
      this.#coalesced++;
      this.#note(ctx, key, "coalesced");
      return waitForFlight(flight, ctx);
    }
    this.#misses++;
    this.#note(ctx, key, "miss");
    return waitForFlight(this.#start(key, input, ctx, false), ctx);
  }

  #served(key: string, value: O, ctx: WorkflowContext, result: "hit" | "stale"): Promise<O> {
    this.#hits++;
    this.#note(ctx, key, result);
    return Promise.resolve(value);
  }

  /** Span attributes and the `cache` event; both cost one check when nobody observes. */
  #note(ctx: WorkflowContext, key: string, result: CacheResult): void {
    const span = this.currentSpan(ctx);
    if (span !== undefined)
      span.setAttributes({ "tta.cache.hit": result === "hit" || result === "stale", "tta.cache.result": result });
    if (isObserved()) this.report(ctx, { type: "cache", result, keyHash: keyHash(key) });
  }

  /** Starts the shared, detached run for `key` and registers it before any await (single-flight). */
  #start(key: string, input: I, ctx: WorkflowContext, refresh: boolean): Flight<O> {
    // The shared run: no single caller's abort or deadline may cancel it for the others.
    const runCtx = createDetachedContext(ctx);
    const flight = new Flight<O>();
    this.#flights.set(key, flight);
    const shared: LockedRunState | undefined =
      this.#store.lock === undefined ? undefined : { lock: undefined, foreign: false };
    let work: PromiseLike<O>;
    try {
      work =
        shared === undefined
          ? this.inner.execute(input, runCtx)
          : runWithStoreLock(
              this.#store,
              key,
              shared,
              () => this.inner.execute(input, runCtx),
              (entry) => this.#ttlMs === Infinity || runCtx.clock.now() - entry.storedAt < this.#ttlMs,
              runCtx.clock,
              this.name,
              warnDiag,
            );
    } catch (error) {
      work = Promise.reject(error);
    }
    flight.track(
      Promise.resolve(work).then(
        (value) => {
          this.#fill(key, flight, value, runCtx.clock.now(), shared);
          return value;
        },
        (error: unknown) => {
          releaseStoreLock(shared?.lock, this.name, warnDiag);
          const failure = normalizeError(error, runCtx);
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
          if (refresh)
            diag.warn(
              `@tta/primitives: background refresh of cache "${this.name}" failed (${errorType(failure)}); serving the stale value until it expires`,
            );
          throw failure;
        },
      ),
    );
    return flight;
  }

  /**
   * Stores a run's result unless invalidated meanwhile (or computed by another process), then lets
   * the next miss start a new run and gives up the cross-process lock, if held.
   */
  #fill(key: string, flight: Flight<O>, value: O, storedAt: number, shared: LockedRunState | undefined): void {
    const lock: CacheLock | undefined = shared?.lock;
    const release = (): void => {
      flight.filling = undefined;
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
      releaseStoreLock(lock, this.name, warnDiag);
    };
    if (!flight.live || shared?.foreign === true) return release();
    const retainMs = this.#ttlMs + this.#staleMs;
    const done = this.#quietly("set", () => this.#store.set(key, { value, storedAt }, retainMs));
    if (done === undefined) return release();
    // An async store: keep the settled flight registered until the entry is readable.
    flight.filling = done.then(release);
  }

  /** Calls a store method; a throw or rejection is reported and swallowed. Returns a promise for async stores. */
  #quietly(op: "set" | "delete", call: () => unknown): Promise<void> | undefined {
    try {
      const result = call();
      if (!isThenable(result)) return undefined;
      return Promise.resolve(result).then(
        () => undefined,
        (error: unknown) => this.#storeFailed(op, error),
      );
    } catch (error) {
      this.#storeFailed(op, error);
      return undefined;
    }
  }

  #storeFailed(op: string, error: unknown): void {
    diag.warn(
      `@tta/primitives: store.${op} of cache "${this.name}" failed (${errorType(error)}); continuing without it`,
    );
  }

  #detachAll(): Promise<void>[] {
    const pending: Promise<void>[] = [];
    for (const flight of this.#flights.values()) {
      flight.live = false;
      if (flight.filling !== undefined) pending.push(flight.filling);
    }
    this.#flights.clear();
    return pending;
  }
}

/**
 * Wraps `inner` in a {@link CachePrimitive}: `cache(inner, opts)` ≡ `new CachePrimitive(inner, opts)`.
 *
 * @remarks
 * Defaults (see {@link DEFAULT_CACHE_OPTIONS}): 1 h TTL, 1 000 entries LRU, no stale-while-revalidate,
 * key = {@link stableKey} of the input. Put `cache` outside `retry`/`timeout` so that only a final
 * result is cached and a hit skips them, and a `timeout` inside it to bound shared runs.
 *
 * @param inner - the primitive, executable object or function whose results are cached.
 * @param options - see {@link CacheOptions}.
 * @throws {@link InvalidOptionsError} for an invalid `inner` or invalid options, naming the option.
 * @example
 * ```ts
 * const cached = cache(askModel, { ttlMs: 60_000, key: (req) => `${req.model}:${req.prompt}` });
 * const req = { model: "gpt-4o-mini", prompt: "Hi" };
 * await cached.execute(req); // runs askModel
 * await cached.execute(req); // served from the cache
 * console.log(cached.stats().hitRate); // 0.5
 * ```
 * @since 0.1.0
 */
export function cache<I, O>(inner: PrimitiveLike<I, O>, options?: CacheOptions<I>): CachePrimitive<I, O> {
  return new CachePrimitive(inner, options);
}
