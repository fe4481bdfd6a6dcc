import { describe, expect, it } from "vitest";
import { createTestContext } from "../testing/index.js";
import { invalidOption } from "../test-support/index.js";
import { HUGE_COUNTS, RETAINED_LIMIT_BYTES, UNSAFE_COUNTS, retainedBytes } from "../test-support/bounds.js";
import { cache } from "./cache.js";
import { InMemoryCacheStore } from "./cache-store.js";

// Issue 10 item 1: `maxEntries: 2 ** 31 - 1` exhausted the heap at construction (lru-cache
// preallocated storage for `max` entries) and `2 ** 53` threw lru-cache's plain `Error`.
describe("bounded allocation (ADR 0013)", () => {
  it("InMemoryCacheStore with a huge maxEntries allocates nothing for the bound and still works", () => {
    for (const maxEntries of HUGE_COUNTS) {
      const { value: store, bytes } = retainedBytes(() => new InMemoryCacheStore<number>({ maxEntries }));
      expect(bytes, `maxEntries ${maxEntries}`).toBeLessThan(RETAINED_LIMIT_BYTES);
      expect(store.maxEntries).toBe(maxEntries);
      store.set("a", { value: 1, storedAt: 0 }, Infinity);
      store.set("b", { value: 2, storedAt: 0 }, Infinity);
      expect(store.get("a")).toEqual({ value: 1, storedAt: 0 });
      expect([store.size, store.evictions]).toEqual([2, 0]);
    }
  });

  it("cache() with a huge maxEntries allocates nothing for the bound and serves a hit", async () => {
    for (const maxEntries of HUGE_COUNTS) {
      const { value: cached, bytes } = retainedBytes(() => cache((x: number) => x * 2, { maxEntries }));
      expect(bytes, `maxEntries ${maxEntries}`).toBeLessThan(RETAINED_LIMIT_BYTES);
      expect(cached.options.maxEntries).toBe(maxEntries);
      await expect(cached.execute(21, createTestContext())).resolves.toBe(42);
      await expect(cached.execute(21, createTestContext())).resolves.toBe(42);
      expect(cached.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
    }
  });

  it("a bound past Number.MAX_SAFE_INTEGER is an InvalidOptionsError naming maxEntries", () => {
    for (const maxEntries of [...UNSAFE_COUNTS, Infinity]) {
      const fromStore = invalidOption(() => new InMemoryCacheStore({ maxEntries }));
      expect(fromStore.option).toBe("maxEntries");
      expect(fromStore.message).toContain("9007199254740991");
      expect(invalidOption(() => cache(() => 1, { maxEntries })).option).toBe("maxEntries");
    }
  });

  it("the LRU bound still holds exactly (eviction order, evictions counted)", () => {
    const store = new InMemoryCacheStore<number>({ maxEntries: 3 });
    for (const key of ["a", "b", "c"]) store.set(key, { value: 0, storedAt: 0 });
    store.get("a"); // "b" is now the least recently used
    store.set("d", { value: 0, storedAt: 0 });
    expect(store.get("b")).toBeUndefined();
    expect(["a", "c", "d"].map((key) => store.get(key) !== undefined)).toEqual([true, true, true]);
    expect([store.size, store.evictions]).toEqual([3, 1]);
  });
});
