/**
 * Scoped agent memory (DESIGN §9): `scopedMemory(store, { shared })` hands each agent run its private
 * scope plus the shared scopes (`workflow`, `session`, `global`) it was granted, each bound to a store
 * namespace derived from the scope and its owner's id, never chosen by the model.
 *
 * @packageDocumentation
 */
import type {
  MemoryEntry,
  MemoryEntryInit,
  MemorySearchOptions,
  MemoryStoreLike,
  WorkflowContext,
} from "@tta/primitives";
import { InvalidOptionsError, describeValue, fail, nameOption, readOptions } from "@tta/primitives/options";
import type { AgentMemory, MemoryAccess, MemoryScopeName, ScopedMemory } from "./types.js";

/** The scopes an agent may share with others (its `agent` scope is always private). @since 0.1.0 */
export type SharedMemoryScope = Exclude<MemoryScopeName, "agent">;

/** Options of {@link scopedMemory}. @since 0.1.0 */
export interface ScopedMemoryOptions {
  /**
   * The shared scopes every agent given this access may read and write, besides its private one:
   * `"workflow"` (the run, keyed by `ctx.workflowId`), `"session"` (keyed by `ctx.sessionId`, only in
   * contexts that have one) and `"global"` (the whole store). @defaultValue `[]` (private scope only)
   */
  readonly shared?: readonly SharedMemoryScope[] | undefined;
  /**
   * The first segment of every namespace: accesses with different names over one store never see each
   * other's entries, the `global` scope included (one store, several applications).
   * @defaultValue `"tta"`
   */
  readonly name?: string | undefined;
}

/** Default options of {@link scopedMemory}. @since 0.1.0 */
export const DEFAULT_SCOPED_MEMORY_OPTIONS: Readonly<{ shared: readonly SharedMemoryScope[]; name: string }> =
  Object.freeze({ shared: Object.freeze([]), name: "tta" });

const OPTION_KEYS = ["shared", "name"] as const;
const SHARED_SCOPES: readonly SharedMemoryScope[] = ["workflow", "session", "global"];
const SCOPES: readonly MemoryScopeName[] = ["agent", "workflow", "session", "global"];
const RESERVED = /[%:]/g;

/** `%` and `:` percent-encoded: segments never contain `:`, and the encoding is reversible. */
function encodeSegment(text: string): string {
  return text.replace(RESERVED, (c) => (c === "%" ? "%25" : "%3A"));
}

/**
 * The store namespace of a memory scope: `<name>:<scope>:<owner>` (`<name>:global` for the global
 * scope), with `%` and `:` in the name and the owner percent-encoded.
 *
 * @remarks Injective: two different (name, scope, owner) triples never give the same namespace, so an
 * agent called `"x:workflow:run-1"` cannot reach a workflow's scope, nor agent `"a"` the scope of `"a%3A"`.
 * Use it to inspect or clear a scope in the store, e.g. to forget a session.
 * @param scope - the scope.
 * @param owner - the agent name (`agent`), `ctx.workflowId` (`workflow`) or `ctx.sessionId` (`session`);
 * omitted for `global`.
 * @param name - the access's name (see {@link ScopedMemoryOptions.name}). @defaultValue `"tta"`
 * @throws `InvalidOptionsError` for an unknown scope, an owner that is not a non-empty string (or one
 * given for `global`), or an empty name.
 * @example
 * ```ts
 * memoryNamespace("session", "s-42"); // "tta:session:s-42"
 * const store = new MemoryStore();
 * store.clear(memoryNamespace("session", "s-42")); // forget everything said in session s-42
 * ```
 * @since 0.1.0
 */
export function memoryNamespace(scope: MemoryScopeName, owner?: string, name: string = "tta"): string {
  if (!SCOPES.includes(scope)) fail("scope", `one of ${SCOPES.map((s) => `"${s}"`).join(", ")}`, scope);
  const prefix = `${encodeSegment(nameOption(name, "tta"))}:${scope}`;
  if (scope === "global") {
    if (owner !== undefined) fail("owner", "omitted for the global scope", owner);
    return prefix;
  }
  if (typeof owner !== "string" || owner.length === 0) fail("owner", "a non-empty string", owner);
  return `${prefix}:${encodeSegment(owner)}`;
}

/** One scope of `store`, bound to `namespace`. Methods return promises; a store's sync throw rejects. */
function bind(store: MemoryStoreLike, scope: MemoryScopeName, namespace: string): ScopedMemory {
  return Object.freeze({
    scope,
    namespace,
    add: async (entry: MemoryEntryInit): Promise<MemoryEntry> => store.add(namespace, entry),
    search: async (query: string, options?: MemorySearchOptions): Promise<readonly MemoryEntry[]> =>
      store.search(namespace, query, options),
  });
}

/** Whether `value` is an object with `add` and `search` methods: a store, or a {@link ScopedMemory}. @internal */
export function hasAddAndSearch(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { add?: unknown }).add === "function" &&
    typeof (value as { search?: unknown }).search === "function"
  );
}

function storeArg(store: unknown): MemoryStoreLike {
  if (!hasAddAndSearch(store))
    fail("store", "a memory store with add(namespace, entry) and search(namespace, query) methods", store);
  return store as MemoryStoreLike;
}

function sharedOption(value: unknown): ReadonlySet<SharedMemoryScope> {
  const granted = new Set<SharedMemoryScope>();
  if (value === undefined) return granted;
  if (!Array.isArray(value)) fail("shared", 'an array of "workflow", "session" or "global"', value);
  for (let i = 0; i < value.length; i++) {
    const scope: unknown = value[i];
    if (!SHARED_SCOPES.includes(scope as SharedMemoryScope))
      fail(
        `shared[${i}]`,
        `one of "workflow", "session", "global"${scope === "agent" ? " (the agent scope is always private)" : ""}`,
        scope,
      );
    if (granted.has(scope as SharedMemoryScope))
      throw new InvalidOptionsError(
        `shared[${i}]`,
        `Expected \`shared[${i}]\` to be a scope not listed before, got ${describeValue(scope)} a second time`,
      );
    granted.add(scope as SharedMemoryScope);
  }
  return granted;
}

/**
 * Scoped access to a memory store for agents: each agent run gets its private `agent` scope (keyed by
 * the agent's name, so it persists across runs) and the shared scopes listed in `shared`.
 *
 * @remarks
 * - **Isolation.** Every scope is a store namespace derived by {@link memoryNamespace} from the scope
 *   and its owner's id (the agent name, `ctx.workflowId`, `ctx.sessionId`); the model never picks one.
 *   An agent's {@link AgentMemory} holds its own private scope and the granted shared ones, so a
 *   sibling's private entries are unreachable through it.
 * - **Scopes.** `workflow` is shared by every agent of one run; `session` by every run of one session
 *   (absent from the {@link AgentMemory} when the context has no `sessionId`, or an empty one); `global`
 *   by everyone using this access.
 * - Each {@link ScopedMemory}'s `add`/`search` return promises (stores may be async); a store that
 *   throws rejects the promise. Entries are what the store returns.
 *
 * @param store - a `MemoryStore` or any `MemoryStoreLike` (Redis, a vector database).
 * @throws `InvalidOptionsError` when `store` lacks `add`/`search`, for unknown options, an unknown or
 * duplicate scope in `shared` (naming it, e.g. `shared[1]`) or an empty `name`. `forAgent` throws it for
 * an empty agent name (`agentName`) or a `ctx` that is not a context.
 * @example
 * ```ts
 * const access = scopedMemory(new MemoryStore(), { shared: ["workflow"] });
 * const memory = access.forAgent("researcher", ctx);
 * await memory.agent.add({ text: "The user prefers metric units" }); // private to "researcher"
 * await memory.workflow?.add({ text: "Ticket #42 is a billing issue" }); // seen by every agent of this run
 * ```
 * @since 0.1.0
 */
export function scopedMemory(store: MemoryStoreLike, options?: ScopedMemoryOptions): MemoryAccess {
  const target = storeArg(store);
  const opts = readOptions("scopedMemory", options, OPTION_KEYS);
  const granted = sharedOption(opts.shared);
  const name = nameOption(opts.name, DEFAULT_SCOPED_MEMORY_OPTIONS.name);
  const workflow = granted.has("workflow");
  const session = granted.has("session");
  const global = granted.has("global") ? bind(target, "global", memoryNamespace("global", undefined, name)) : undefined;
  return Object.freeze({
    forAgent(agentName: string, ctx: WorkflowContext): AgentMemory {
      if (typeof agentName !== "string" || agentName.length === 0) fail("agentName", "a non-empty string", agentName);
      if (typeof ctx !== "object" || ctx === null || typeof ctx.workflowId !== "string")
        fail("ctx", "a WorkflowContext", ctx);
      const memory: { -readonly [K in MemoryScopeName]?: ScopedMemory } = {
        agent: bind(target, "agent", memoryNamespace("agent", agentName, name)),
      };
      if (workflow) memory.workflow = bind(target, "workflow", memoryNamespace("workflow", ctx.workflowId, name));
      const sessionId = ctx.sessionId;
      if (session && sessionId !== undefined && sessionId !== "")
        memory.session = bind(target, "session", memoryNamespace("session", sessionId, name));
      if (global !== undefined) memory.global = global;
      return Object.freeze(memory as AgentMemory);
    },
  });
}
