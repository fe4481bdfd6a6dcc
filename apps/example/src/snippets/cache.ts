import { type WorkflowContext, createContext, lambda } from "@tta/primitives";
import { type CacheEntry, type CacheStore, cache } from "@tta/primitives/performance";
import { TestClock } from "@tta/primitives/testing";

// A stand-in for a slow, priced model call: 100 ms on the context's clock.
let runs = 0;
const model = lambda(async (prompt: string, ctx: WorkflowContext) => {
  await ctx.clock.sleep(100, ctx.signal);
  return `answer #${++runs} to ${prompt}`;
}, "model");

const clock = new TestClock(); // fake time, so this example runs instantly
const ctx = createContext({ clock });
const cached = cache(model, { ttlMs: 60_000, maxEntries: 500 });

// Concurrent misses share one run (single-flight); a later call is a hit.
const both = Promise.all([cached.execute("capital of France?", ctx), cached.execute("capital of France?", ctx)]);
await clock.advance(100);
console.log((await both).join(" | ")); // → answer #1 to capital of France? | answer #1 to capital of France?
console.log(await cached.execute("capital of France?", ctx)); // → answer #1 to capital of France?

// A caller that gives up gets its own abort; the shared run goes on for the others and fills the cache.
const controller = new AbortController();
const impatient = cached.execute("tallest mountain?", createContext({ clock, signal: controller.signal }));
const patient = cached.execute("tallest mountain?", ctx);
controller.abort(new Error("user left"));
await impatient.catch((error: Error) => console.log(error.message)); // → user left
await clock.advance(100);
console.log(await patient); // → answer #2 to tallest mountain?

// Entries expire after ttlMs on the context's clock; invalidate() drops one at once.
await clock.advance(60_000);
const fresh = cached.execute("capital of France?", ctx);
await clock.advance(100);
console.log(await fresh); // → answer #3 to capital of France?
await cached.invalidate("capital of France?");

const { hits, misses, coalesced, hitRate, expirations } = cached.stats();
console.log({ hits, misses, coalesced, hitRate, expirations });
// → { hits: 1, misses: 3, coalesced: 2, hitRate: 0.5, expirations: 1 }

// Any store with get/set/delete/clear plugs in. This fake remote store keeps JSON text, as Redis would.
class JsonStore implements CacheStore {
  readonly #data = new Map<string, string>();
  get(key: string): Promise<CacheEntry | undefined> {
    const json = this.#data.get(key);
    return Promise.resolve(json === undefined ? undefined : (JSON.parse(json) as CacheEntry));
  }
  set(key: string, entry: CacheEntry, _retainMs: number): Promise<void> {
    this.#data.set(key, JSON.stringify(entry)); // Redis: SET key json PX retainMs
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.#data.delete(key);
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.#data.clear();
    return Promise.resolve();
  }
}
const lengths = cache((text: string) => text.length, { store: new JsonStore(), key: (text) => text.trim() });
await lengths.execute(" hello ");
console.log(await lengths.execute("hello"), lengths.stats().hits); // → 7 1
