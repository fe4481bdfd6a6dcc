/**
 * `MemoryStore`: bounded agent / conversation memory (LRU + TTL on an injectable clock), strictly
 * isolated by namespace, with a simple term-overlap search.
 *
 * @packageDocumentation
 */
import type { LRUCache } from "lru-cache";
import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { InvalidOptionsError } from "../core/errors.js";
import { boundedLru } from "../internal/bounded-lru.js";
import { describeValue, durationOption, integerOption, isPlainObject, readOptions } from "../internal/options.js";
import type { MaybePromise } from "./cache-store.js";

/** What {@link MemoryStore.add} accepts. @since 0.1.0 */
export interface MemoryEntryInit {
  /** The entry's id within its namespace; adding an existing id replaces that entry. @defaultValue a generated id */
  readonly id?: string;
  /** The remembered text; `search` matches its words. */
  readonly text: string;
  /** Free-form data kept with the entry (shallow-copied and frozen). @defaultValue `{}` */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A remembered item, as stored (frozen). @since 0.1.0 */
export interface MemoryEntry {
  readonly id: string;
  readonly namespace: string;
  readonly text: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** `clock.now()` when it was added (or last replaced); TTL counts from here. */
  readonly createdAt: number;
}

/** Options of {@link MemoryStore.search}. @since 0.1.0 */
export interface MemorySearchOptions {
  /** Most entries returned, an integer ≥ 1. @defaultValue 5 */
  readonly limit?: number;
}

/**
 * The operations the `remember` and `recall` primitives need, so another store (Redis, a vector
 * database) can stand in for {@link MemoryStore}. Methods may return promises.
 * @since 0.1.0
 */
export interface MemoryStoreLike {
  add(namespace: string, entry: MemoryEntryInit): MaybePromise<MemoryEntry>;
  search(namespace: string, query: string, options?: MemorySearchOptions): MaybePromise<readonly MemoryEntry[]>;
}

/** Options of {@link MemoryStore}. @since 0.1.0 */
export interface MemoryStoreOptions {
  /**
   * Most entries held across all namespaces; adding one more drops the least recently used. An
   * integer from 1 to `Number.MAX_SAFE_INTEGER`; memory grows with the entries held, not with this
   * bound. @defaultValue 1 000
   */
  readonly maxEntries?: number;
  /** How long an entry lives after it is added, in ms (> 0, or `Infinity`). @defaultValue `Infinity` (no expiry) */
  readonly ttlMs?: number;
  /** Time source for `createdAt` and TTL (pass a `TestClock` in tests). @defaultValue `systemClock` */
  readonly clock?: Clock;
}

/** Default options of {@link MemoryStore} (DESIGN §5). @since 0.1.0 */
export const DEFAULT_MEMORY_STORE_OPTIONS: Readonly<{ maxEntries: number; ttlMs: number; clock: Clock }> =
  Object.freeze({ maxEntries: 1_000, ttlMs: Infinity, clock: systemClock });

/** Default `limit` of {@link MemoryStore.search} and `recall`. @since 0.1.0 */
export const DEFAULT_MEMORY_SEARCH_LIMIT = 5;

/**
 * One namespace of a {@link MemoryStore}: the same operations with the namespace bound.
 * @since 0.1.0
 */
export interface MemoryScope {
  readonly namespace: string;
  add(entry: MemoryEntryInit): MemoryEntry;
  get(id: string): MemoryEntry | undefined;
  search(query: string, options?: MemorySearchOptions): MemoryEntry[];
  delete(id: string): boolean;
  clear(): void;
  /** Live (unexpired) entries in this namespace. */
  count(): number;
}

interface MemoryNode {
  readonly entry: MemoryEntry;
  readonly terms: ReadonlySet<string>;
  readonly seq: number;
}

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

/** Lowercased words (letters and digits of any script), deduplicated. */
function termsOf(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().split(WORD_SPLIT)) if (word !== "") terms.add(word);
  return terms;
}

function namespaceArg(value: unknown): string {
  if (typeof value !== "string" || value.length === 0)
    throw new InvalidOptionsError(
      "namespace",
      `Expected \`namespace\` to be a non-empty string, got ${describeValue(value)}`,
    );
  return value;
}

function idArg(value: unknown): string {
  if (typeof value !== "string" || value.length === 0)
    throw new InvalidOptionsError("id", `Expected \`id\` to be a non-empty string, got ${describeValue(value)}`);
  return value;
}

function limitOf(options: unknown): number {
  const opts = readOptions("search", options, ["limit"]);
  return integerOption("limit", opts.limit, DEFAULT_MEMORY_SEARCH_LIMIT, { min: 1 });
}

function clockOption(value: unknown): Clock {
  if (value === undefined) return systemClock;
  if (typeof value !== "object" || value === null || typeof (value as Partial<Clock>).now !== "function")
    throw new InvalidOptionsError("clock", `Expected \`clock\` to implement now(), got ${describeValue(value)}`);
  return value as Clock;
}

/**
 * Bounded, namespaced memory for agents and conversations: LRU + TTL, `add/get/search/delete/clear`.
 *
 * @remarks
 * - **Isolation.** Every operation takes a namespace (an agent, a user, a session) and sees only
 *   that namespace's entries. Namespaces are exact strings (`"__proto__"`, `"constructor"` and
 *   look-alikes included) and never leak into each other, even when ids repeat across them.
 *   `scope(namespace)` returns a handle bound to one namespace.
 * - **Bounds.** At most `maxEntries` entries across all namespaces: adding one more drops the least
 *   recently used (`add`, `get` and being returned by `search` count as use); memory grows with the
 *   entries held, never with `maxEntries` (ADR 0013). With `ttlMs`, an
 *   entry older than `ttlMs` (age ≥ `ttlMs`, on `clock`) is never returned and is purged when met.
 * - **Search** ranks the namespace's entries by how many distinct query words (letters and digits,
 *   case-insensitive) they contain, then by recency (newest first); entries sharing no word are
 *   left out. A query with no words returns the most recent entries.
 * - Entries are frozen snapshots; changing one you got back is impossible, and metadata is
 *   shallow-copied on `add`.
 *
 * @throws {@link InvalidOptionsError} for unknown options, `maxEntries` not an integer from 1 to
 * `Number.MAX_SAFE_INTEGER`, `ttlMs` ≤ 0, or a clock
 * without `now()`; methods throw it for an empty or non-string namespace or id, a non-string `text`,
 * or a `limit` < 1.
 * @example
 * ```ts
 * const memory = new MemoryStore({ maxEntries: 500, ttlMs: 24 * 3_600_000 });
 * memory.add("agent-a", { text: "The user prefers metric units" });
 * memory.search("agent-a", "which units?"); // → [ { text: "The user prefers metric units", … } ]
 * memory.search("agent-b", "units"); // → []
 * ```
 * @since 0.1.0
 */
export class MemoryStore implements MemoryStoreLike {
  /** Capacity across all namespaces. */
  readonly maxEntries: number;
  /** Entry lifetime in ms (`Infinity`: none). */
  readonly ttlMs: number;
  readonly #clock: Clock;
  readonly #lru: LRUCache<string, MemoryNode>;
  readonly #spaces = new Map<string, Map<string, MemoryNode>>();
  #seq = 0;
  #evictions = 0;

  constructor(options?: MemoryStoreOptions) {
    const opts = readOptions("MemoryStore", options, ["maxEntries", "ttlMs", "clock"]);
    const d = DEFAULT_MEMORY_STORE_OPTIONS;
    this.maxEntries = integerOption("maxEntries", opts.maxEntries, d.maxEntries, {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    });
    this.ttlMs = durationOption("ttlMs", opts.ttlMs, d.ttlMs, { allowInfinity: true });
    this.#clock = clockOption(opts.clock);
    this.#lru = boundedLru<MemoryNode>(this.maxEntries, (node, _key, reason) => {
      if (reason === "evict") this.#evictions++;
      const space = this.#spaces.get(node.entry.namespace);
      if (space?.get(node.entry.id) !== node) return; // already replaced
      space.delete(node.entry.id);
      if (space.size === 0) this.#spaces.delete(node.entry.namespace);
    });
  }

  /**
   * Remembers `entry` in `namespace` and returns the stored (frozen) entry; an existing `id` is replaced.
   * @throws {@link InvalidOptionsError} for an invalid namespace, id, text or metadata.
   */
  add(namespace: string, entry: MemoryEntryInit): MemoryEntry {
    const ns = namespaceArg(namespace);
    if (!isPlainObject(entry))
      throw new InvalidOptionsError("entry", `Expected \`entry\` to be a plain object, got ${describeValue(entry)}`);
    const init = readOptions("a memory entry", entry, ["id", "text", "metadata"]);
    if (typeof init.text !== "string")
      throw new InvalidOptionsError("text", `Expected \`text\` to be a string, got ${describeValue(init.text)}`);
    if (init.metadata !== undefined && !isPlainObject(init.metadata))
      throw new InvalidOptionsError(
        "metadata",
        `Expected \`metadata\` to be a plain object, got ${describeValue(init.metadata)}`,
      );
    let space = this.#spaces.get(ns);
    let id: string;
    if (init.id !== undefined) id = idArg(init.id);
    else
      do id = `m-${++this.#seq}`;
      while (space?.has(id) === true);
    const stored: MemoryEntry = Object.freeze({
      id,
      namespace: ns,
      text: init.text,
      metadata: Object.freeze({ ...init.metadata }),
      createdAt: this.#clock.now(),
    });
    const node: MemoryNode = { entry: stored, terms: termsOf(init.text), seq: ++this.#seq };
    if (space === undefined) this.#spaces.set(ns, (space = new Map<string, MemoryNode>()));
    space.set(id, node);
    this.#lru.set(MemoryStore.#slot(ns, id), node); // may evict the least recently used entry
    return stored;
  }

  /** The live entry `id` of `namespace` (marking it recently used), or `undefined`. */
  get(namespace: string, id: string): MemoryEntry | undefined {
    const ns = namespaceArg(namespace);
    const key = idArg(id);
    const node = this.#spaces.get(ns)?.get(key);
    if (node === undefined || this.#expired(node)) return undefined;
    this.#lru.get(MemoryStore.#slot(ns, node.entry.id));
    return node.entry;
  }

  /**
   * The entries of `namespace` that best match `query`: most shared words first, then newest;
   * at most `limit`. Returned entries count as recently used.
   * @throws {@link InvalidOptionsError} for an invalid namespace, a non-string query or a bad `limit`.
   */
  search(namespace: string, query: string, options?: MemorySearchOptions): MemoryEntry[] {
    const ns = namespaceArg(namespace);
    if (typeof query !== "string")
      throw new InvalidOptionsError("query", `Expected \`query\` to be a string, got ${describeValue(query)}`);
    const limit = limitOf(options);
    const space = this.#spaces.get(ns);
    if (space === undefined) return [];
    const wanted = termsOf(query);
    const scored: { node: MemoryNode; score: number }[] = [];
    for (const node of space.values()) {
      if (this.#expired(node)) continue;
      let score = 0;
      for (const term of wanted) if (node.terms.has(term)) score++;
      if (score > 0 || wanted.size === 0) scored.push({ node, score });
    }
    scored.sort((a, b) => b.score - a.score || b.node.seq - a.node.seq);
    const results = scored.slice(0, limit).map(({ node }) => node.entry);
    for (const entry of results) this.#lru.get(MemoryStore.#slot(ns, entry.id));
    return results;
  }

  /** Forgets entry `id` of `namespace`; returns whether it existed (and was live). */
  delete(namespace: string, id: string): boolean {
    const ns = namespaceArg(namespace);
    const key = idArg(id);
    const node = this.#spaces.get(ns)?.get(key);
    if (node === undefined) return false;
    const live = !this.#expired(node);
    this.#lru.delete(MemoryStore.#slot(ns, node.entry.id));
    return live;
  }

  /** Forgets every entry of `namespace`, or of every namespace when omitted. */
  clear(namespace?: string): void {
    if (namespace === undefined) {
      this.#lru.clear();
      this.#spaces.clear();
      return;
    }
    const ns = namespaceArg(namespace);
    const space = this.#spaces.get(ns);
    if (space === undefined) return;
    for (const id of [...space.keys()]) this.#lru.delete(MemoryStore.#slot(ns, id));
    this.#spaces.delete(ns);
  }

  /** Live (unexpired) entries in `namespace`, or in all namespaces when omitted; purges expired ones. */
  count(namespace?: string): number {
    const spaces = namespace === undefined ? [...this.#spaces.values()] : [this.#spaces.get(namespaceArg(namespace))];
    let total = 0;
    for (const space of spaces) {
      if (space === undefined) continue;
      for (const node of [...space.values()]) if (!this.#expired(node)) total++;
    }
    return total;
  }

  /** Entries dropped so far to stay within `maxEntries`. */
  get evictions(): number {
    return this.#evictions;
  }

  /** A handle on one namespace. @throws {@link InvalidOptionsError} for an empty or non-string namespace. */
  scope(namespace: string): MemoryScope {
    const ns = namespaceArg(namespace);
    return Object.freeze({
      namespace: ns,
      add: (entry: MemoryEntryInit) => this.add(ns, entry),
      get: (id: string) => this.get(ns, id),
      search: (query: string, options?: MemorySearchOptions) => this.search(ns, query, options),
      delete: (id: string) => this.delete(ns, id),
      clear: () => this.clear(ns),
      count: () => this.count(ns),
    });
  }

  /** Whether `node` has outlived the TTL; an expired node is purged on the spot. */
  #expired(node: MemoryNode): boolean {
    if (this.ttlMs === Infinity || this.#clock.now() - node.entry.createdAt < this.ttlMs) return false;
    this.#lru.delete(MemoryStore.#slot(node.entry.namespace, node.entry.id));
    return true;
  }

  /** An unambiguous LRU key: the namespace's length prefix keeps `("a:b", "c")` apart from `("a", "b:c")`. */
  static #slot(namespace: string, id: string): string {
    return `${namespace.length}:${namespace}:${id}`;
  }
}
