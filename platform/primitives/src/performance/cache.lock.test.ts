import { DiagLogLevel, diag } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTestContext } from "../testing/index.js";
import { cache } from "./cache.js";
import type { CacheEntry, CacheLock, CacheStore } from "./cache-store.js";

/** An async map store with a lock table, as a remote store would have; another "process" can hold locks. */
class LockingStore implements CacheStore {
  readonly entries = new Map<string, CacheEntry>();
  readonly locks = new Map<string, number>();
  readonly lockPollMs = 10;
  released: number[] = [];
  #fence = 0;
  failLock = false;
  get(key: string): Promise<CacheEntry | undefined> {
    return Promise.resolve(this.entries.get(key));
  }
  set(key: string, entry: CacheEntry): Promise<void> {
    this.entries.set(key, entry);
    return Promise.resolve();
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  clear(): void {
    this.entries.clear();
  }
  lock(key: string): Promise<CacheLock | undefined> {
    if (this.failLock) return Promise.reject(new Error("down"));
    if (this.locks.has(key)) return Promise.resolve(undefined);
    const token = ++this.#fence;
    this.locks.set(key, token);
    return Promise.resolve({
      token,
      release: () => {
        this.released.push(token);
        if (this.locks.get(key) === token) this.locks.delete(key);
      },
    });
  }
}

afterEach(() => diag.disable());

describe("cache with a store lock (cross-process single-flight)", () => {
  it("holds the lock while computing, stores the result, then releases it", async () => {
    const store = new LockingStore();
    let runs = 0;
    const cached = cache(
      (x: string) => {
        runs++;
        expect(store.locks.size).toBe(1);
        return x.toUpperCase();
      },
      { store, key: (x) => x },
    );
    expect(await cached.execute("a", createTestContext())).toBe("A");
    await vi.waitFor(() => expect(store.released).toEqual([1]));
    expect(store.entries.get("a")?.value).toBe("A");
    expect(store.locks.size).toBe(0);
    expect(runs).toBe(1);
  });

  it("when another process holds the lock, waits for its value instead of running", async () => {
    const store = new LockingStore();
    store.locks.set("a", 99); // another process is computing "a"
    let runs = 0;
    const cached = cache(() => ++runs, { store, key: (x: string) => x });
    const ctx = createTestContext();
    const pending = cached.execute("a", ctx);
    await ctx.clock.advance(10);
    await ctx.clock.advance(10);
    store.entries.set("a", { value: 42, storedAt: ctx.clock.now() });
    await ctx.clock.advance(10);
    expect(await pending).toBe(42);
    expect(runs).toBe(0);
  });

  it("runs itself once the other holder's lock goes away without a value (failed or expired)", async () => {
    const store = new LockingStore();
    store.locks.set("a", 99);
    const cached = cache(() => "mine", { store, key: (x: string) => x });
    const ctx = createTestContext();
    const pending = cached.execute("a", ctx);
    await ctx.clock.advance(10);
    store.locks.delete("a");
    await ctx.clock.advance(10);
    expect(await pending).toBe("mine");
  });

  it("ignores a stale entry while waiting", async () => {
    const store = new LockingStore();
    store.locks.set("a", 99);
    const cached = cache(() => "fresh", { store, key: (x: string) => x, ttlMs: 1_000 });
    const ctx = createTestContext();
    await ctx.clock.advance(5_000);
    store.entries.set("a", { value: "old", storedAt: 0 });
    const pending = cached.execute("a", ctx);
    await ctx.clock.advance(10);
    store.locks.delete("a");
    await ctx.clock.advance(10);
    expect(await pending).toBe("fresh");
  });

  it("a failing lock means computing locally, reported through diag", async () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
    const store = new LockingStore();
    store.failLock = true;
    const cached = cache(() => 1, { store, key: (x: string) => x });
    expect(await cached.execute("a", createTestContext())).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("store.lock"));
  });

  it("releases the lock when the inner primitive fails (errors are not cached)", async () => {
    const store = new LockingStore();
    const cached = cache(() => Promise.reject(new Error("boom")), { store, key: (x: string) => x });
    await expect(cached.execute("a", createTestContext())).rejects.toThrow("boom");
    expect(store.released).toEqual([1]);
    expect(store.entries.size).toBe(0);
  });

  it("rejects a store whose lock is not a function", () => {
    const store = { get() {}, set() {}, delete() {}, clear() {}, lock: 1 } as unknown as CacheStore;
    expect(() => cache((x: number) => x, { store })).toThrow(/store/);
  });
});
