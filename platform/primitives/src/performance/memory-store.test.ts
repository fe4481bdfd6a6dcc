import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TestClock } from "../testing/index.js";
import { DEFAULT_MEMORY_STORE_OPTIONS, MemoryStore } from "./memory-store.js";
import { invalidOption } from "../test-support/index.js";
import { HUGE_COUNTS, RETAINED_LIMIT_BYTES, UNSAFE_COUNTS, retainedBytes } from "../test-support/bounds.js";

const NAMESPACES = ["agent-a", "agent-b", "__proto__", "constructor", "toString", "a:b", "a", "1:a"];

describe("namespace isolation", () => {
  it("namespaces never see each other's entries (property, against a model)", () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("add" as const),
        ns: fc.constantFrom(...NAMESPACES),
        id: fc.constantFrom("x", "b:x", "x:1", "__proto__"),
        word: fc.constantFrom("alpha", "beta", "gamma"),
      }),
      fc.record({ kind: fc.constant("clear" as const), ns: fc.constantFrom(...NAMESPACES) }),
      fc.record({
        kind: fc.constant("delete" as const),
        ns: fc.constantFrom(...NAMESPACES),
        id: fc.constantFrom("x", "b:x"),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const store = new MemoryStore();
        const model = new Map<string, Map<string, string>>();
        for (const o of ops) {
          if (o.kind === "add") {
            store.add(o.ns, { id: o.id, text: `${o.word} from ${o.ns}` });
            if (!model.has(o.ns)) model.set(o.ns, new Map());
            model.get(o.ns)?.set(o.id, `${o.word} from ${o.ns}`);
          } else if (o.kind === "clear") {
            store.clear(o.ns);
            model.delete(o.ns);
          } else {
            expect(store.delete(o.ns, o.id)).toBe(model.get(o.ns)?.delete(o.id) ?? false);
          }
        }
        for (const ns of NAMESPACES) {
          const expected = model.get(ns) ?? new Map<string, string>();
          for (const id of ["x", "b:x", "x:1", "__proto__"]) expect(store.get(ns, id)?.text).toBe(expected.get(id));
          const found = store.search(ns, "alpha beta gamma", { limit: 100 });
          expect(found.every((e) => e.namespace === ns)).toBe(true);
          expect(found.map((e) => e.text).sort()).toEqual([...expected.values()].sort());
          expect(store.count(ns)).toBe(expected.size);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("prototype-ish names are plain namespaces: nothing leaks through Object.prototype", () => {
    const store = new MemoryStore();
    store.add("__proto__", { id: "x", text: "proto secret" });
    expect(store.get("constructor", "x")).toBeUndefined();
    expect(store.search("agent", "secret")).toEqual([]);
    expect(store.search("__proto__", "secret").map((e) => e.text)).toEqual(["proto secret"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    store.clear("__proto__");
    expect(store.count()).toBe(0);
  });

  it('length-prefixed slots keep ("a:b", "c") and ("a", "b:c") apart', () => {
    const store = new MemoryStore();
    store.add("a:b", { id: "c", text: "one" });
    store.add("a", { id: "b:c", text: "two" });
    expect(store.get("a:b", "c")?.text).toBe("one");
    expect(store.get("a", "b:c")?.text).toBe("two");
    expect(store.count()).toBe(2);
  });

  it("scope(namespace) is a handle bound to one namespace", () => {
    const store = new MemoryStore();
    const a = store.scope("agent-a");
    const b = store.scope("agent-b");
    const saved = a.add({ text: "likes tea", metadata: { source: "chat" } });
    expect(a.get(saved.id)).toEqual(saved);
    expect(b.get(saved.id)).toBeUndefined();
    expect(b.search("tea")).toEqual([]);
    expect(a.search("tea")).toEqual([saved]);
    expect(a.count()).toBe(1);
    b.clear();
    expect(a.count()).toBe(1);
    expect(a.delete(saved.id)).toBe(true);
    expect(a.delete(saved.id)).toBe(false);
    expect(a.namespace).toBe("agent-a");
  });
});

describe("bounds: LRU and TTL", () => {
  it("never holds more than maxEntries across namespaces, dropping the least recently used (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.integer({ min: 0, max: 6 })), { maxLength: 40 }),
        (maxEntries, adds) => {
          const store = new MemoryStore({ maxEntries });
          const order: string[] = []; // least recently used first
          for (const [ns, n] of adds) {
            const slot = `${ns}/${n}`;
            store.add(ns, { id: String(n), text: "t" });
            order.splice(order.indexOf(slot) >>> 0, order.includes(slot) ? 1 : 0);
            order.push(slot);
            if (order.length > maxEntries) order.shift();
            expect(store.count()).toBe(order.length);
            expect(store.count()).toBeLessThanOrEqual(maxEntries);
          }
          for (const slot of order) {
            const [ns, id] = slot.split("/") as [string, string];
            expect(store.get(ns, id)).toBeDefined();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("get and search mark entries as recently used; evictions are counted", () => {
    const store = new MemoryStore({ maxEntries: 2 });
    store.add("n", { id: "1", text: "one" });
    store.add("n", { id: "2", text: "two" });
    store.get("n", "1");
    store.add("n", { id: "3", text: "three" }); // evicts 2
    expect(store.get("n", "2")).toBeUndefined();
    store.search("n", "one");
    store.add("n", { id: "4", text: "four" }); // evicts 3
    expect(store.get("n", "3")).toBeUndefined();
    expect(store.get("n", "1")?.text).toBe("one");
    expect(store.evictions).toBe(2);
  });

  it("an entry is never returned at or after ttlMs (property over random time steps)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.boolean()), { minLength: 1, maxLength: 20 }),
        async (ttlMs, steps) => {
          const clock = new TestClock();
          const store = new MemoryStore({ ttlMs, clock });
          for (const [dt, add] of steps) {
            await clock.advance(dt);
            if (add) store.add("ns", { text: "note" });
            const now = clock.now();
            for (const entry of store.search("ns", "note", { limit: 100 }))
              expect(now - entry.createdAt).toBeLessThan(ttlMs);
            expect(store.count("ns")).toBe(store.search("ns", "", { limit: 100 }).length);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("age == ttlMs is expired for get, search and count", async () => {
    const clock = new TestClock();
    const store = new MemoryStore({ ttlMs: 100, clock });
    const entry = store.add("ns", { id: "k", text: "hello" });
    await clock.advance(99);
    expect(store.get("ns", "k")).toBe(entry);
    await clock.advance(1);
    expect(store.get("ns", "k")).toBeUndefined();
    expect(store.search("ns", "hello")).toEqual([]);
    expect(store.count()).toBe(0);
  });
});

describe("search", () => {
  it("ranks by shared words, then recency; case-insensitive, any script; entries with no shared word are left out", async () => {
    const clock = new TestClock();
    const store = new MemoryStore({ clock });
    store.add("n", { id: "old-both", text: "Paris weather report" });
    await clock.advance(1);
    store.add("n", { id: "one", text: "The weather is nice" });
    await clock.advance(1);
    store.add("n", { id: "new-both", text: "WEATHER in paris, today" });
    await clock.advance(1);
    store.add("n", { id: "none", text: "unrelated" });
    store.add("n", { id: "ru", text: "Погода в Париже" });
    expect(store.search("n", "paris weather?").map((e) => e.id)).toEqual(["new-both", "old-both", "one"]);
    expect(store.search("n", "paris weather", { limit: 1 }).map((e) => e.id)).toEqual(["new-both"]);
    expect(store.search("n", "ПОГОДА").map((e) => e.id)).toEqual(["ru"]);
    expect(store.search("n", "  ?! ", { limit: 2 }).map((e) => e.id)).toEqual(["ru", "none"]);
  });

  it("a repeated query word counts once; the default limit is 5", () => {
    const store = new MemoryStore();
    for (let i = 0; i < 8; i++) store.add("n", { text: `note ${i}` });
    expect(store.search("n", "note note note")).toHaveLength(5);
  });
});

describe("entries", () => {
  it("are frozen snapshots with copied metadata; an existing id is replaced; generated ids never clobber given ones", () => {
    const store = new MemoryStore();
    const metadata = { tag: "a" };
    const user = store.add("n", { id: "m-1", text: "mine" });
    const generated = store.add("n", { text: "generated", metadata });
    expect(generated.id).not.toBe("m-1");
    expect(store.get("n", "m-1")).toBe(user);
    metadata.tag = "changed";
    expect(generated.metadata).toEqual({ tag: "a" });
    expect(Object.isFrozen(generated)).toBe(true);
    expect(Object.isFrozen(generated.metadata)).toBe(true);
    store.add("n", { id: "m-1", text: "replaced" });
    expect(store.get("n", "m-1")?.text).toBe("replaced");
    expect(store.count("n")).toBe(2);
  });
});

describe("bad input", () => {
  it("invalid options and arguments throw InvalidOptionsError naming the problem", () => {
    expect(invalidOption(() => new MemoryStore({ maxEntries: 0 })).option).toBe("maxEntries");
    expect(invalidOption(() => new MemoryStore({ maxEntries: 2.5 })).option).toBe("maxEntries");
    expect(invalidOption(() => new MemoryStore({ ttlMs: 0 })).option).toBe("ttlMs");
    expect(invalidOption(() => new MemoryStore({ ttlMs: -1 })).option).toBe("ttlMs");
    expect(invalidOption(() => new MemoryStore({ clock: {} as never })).option).toBe("clock");
    expect(invalidOption(() => new MemoryStore({ max: 1 } as never)).option).toBe("max");
    expect(invalidOption(() => new MemoryStore(null as never)).message).toContain("plain object");
    const store = new MemoryStore();
    expect(invalidOption(() => store.add("", { text: "t" })).option).toBe("namespace");
    expect(invalidOption(() => store.add(5 as never, { text: "t" })).option).toBe("namespace");
    expect(invalidOption(() => store.add("n", { text: 5 } as never)).option).toBe("text");
    expect(invalidOption(() => store.add("n", { text: "t", id: "" })).option).toBe("id");
    expect(invalidOption(() => store.add("n", { text: "t", metadata: [] as never })).option).toBe("metadata");
    expect(invalidOption(() => store.add("n", "text" as never)).option).toBe("entry");
    expect(invalidOption(() => store.add("n", { text: "t", txt: "x" } as never)).option).toBe("txt");
    expect(invalidOption(() => store.search("n", "q", { limit: 0 })).option).toBe("limit");
    expect(invalidOption(() => store.search("n", 5 as never)).option).toBe("query");
    expect(invalidOption(() => store.get("n", "")).option).toBe("id");
    expect(invalidOption(() => store.scope("")).option).toBe("namespace");
  });

  it("defaults: 1 000 entries, no TTL", () => {
    expect(DEFAULT_MEMORY_STORE_OPTIONS).toMatchObject({ maxEntries: 1_000, ttlMs: Infinity });
    const store = new MemoryStore();
    expect([store.maxEntries, store.ttlMs]).toEqual([1_000, Infinity]);
  });
});

// Issue 10 item 1: a huge `maxEntries` exhausted the heap at construction (lru-cache preallocated
// storage for the bound) and `2 ** 53` threw lru-cache's plain `Error`.
describe("bounded allocation (ADR 0013)", () => {
  it("a huge maxEntries allocates nothing for the bound and the store still works", () => {
    for (const maxEntries of HUGE_COUNTS) {
      const { value: store, bytes } = retainedBytes(() => new MemoryStore({ maxEntries }));
      expect(bytes, `maxEntries ${maxEntries}`).toBeLessThan(RETAINED_LIMIT_BYTES);
      expect(store.maxEntries).toBe(maxEntries);
      store.add("n", { id: "a", text: "metric units" });
      expect(store.search("n", "units", { limit: maxEntries }).map((e) => e.id)).toEqual(["a"]);
      expect([store.count(), store.evictions]).toEqual([1, 0]);
    }
  });

  it("a bound past Number.MAX_SAFE_INTEGER is an InvalidOptionsError naming maxEntries", () => {
    for (const huge of [...UNSAFE_COUNTS, Infinity]) {
      const error = invalidOption(() => new MemoryStore({ maxEntries: huge }));
      expect(error.option).toBe("maxEntries");
      expect(error.message).toContain("9007199254740991");
    }
  });
});
