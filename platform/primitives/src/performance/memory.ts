/**
 * `MemoryPrimitive`, `remember` and `recall`: workflow steps that write to and read from a
 * namespaced memory store.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { throwIfContextAborted } from "../core/context.js";
import { InvalidOptionsError } from "../core/errors.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import {
  choiceOption,
  describeValue,
  functionOption,
  integerOption,
  nameOption,
  readOptions,
} from "../internal/options.js";
import type { MemoryEntry, MemoryEntryInit, MemoryStoreLike } from "./memory-store.js";
import { DEFAULT_MEMORY_SEARCH_LIMIT } from "./memory-store.js";

/**
 * The namespace to use: a fixed string, or computed per call from the input and context (e.g.
 * `(_, ctx) => ctx.sessionId ?? "anonymous"`).
 * @since 0.1.0
 */
export type MemoryNamespace<I> = string | ((input: I, ctx: WorkflowContext) => string | PromiseLike<string>);

/** Options of {@link remember}. @since 0.1.0 */
export interface RememberOptions<I> {
  /** Where to remember (a `MemoryStore`, or anything with `add` and `search`). */
  readonly store: MemoryStoreLike;
  /** The namespace written to. */
  readonly namespace: MemoryNamespace<I>;
  /**
   * What to remember from the input. Required unless the input is a string.
   * @defaultValue `{ text: input }` for a string input
   */
  readonly entry?: (input: I, ctx: WorkflowContext) => MemoryEntryInit | PromiseLike<MemoryEntryInit>;
  /** Display name. @defaultValue `"MemoryPrimitive"` */
  readonly name?: string;
}

/** Options of {@link recall}. @since 0.1.0 */
export interface RecallOptions<I> {
  /** Where to search (a `MemoryStore`, or anything with `add` and `search`). */
  readonly store: MemoryStoreLike;
  /** The namespace searched. */
  readonly namespace: MemoryNamespace<I>;
  /**
   * The search text. Required unless the input is a string.
   * @defaultValue the input, when it is a string
   */
  readonly query?: (input: I, ctx: WorkflowContext) => string | PromiseLike<string>;
  /** Most entries returned, an integer ≥ 1. @defaultValue 5 */
  readonly limit?: number;
  /** Display name. @defaultValue `"MemoryPrimitive"` */
  readonly name?: string;
}

/** Which way a {@link MemoryPrimitive} goes. @since 0.1.0 */
export type MemoryOperation = "remember" | "recall";

/** Options of `new MemoryPrimitive(...)`: the options of `remember` or `recall`, plus `operation`. @since 0.1.0 */
export type MemoryPrimitiveOptions<I> =
  (RememberOptions<I> & { readonly operation: "remember" }) | (RecallOptions<I> & { readonly operation: "recall" });

/** The options of a {@link MemoryPrimitive} after validation, with defaults applied. @since 0.1.0 */
export interface ResolvedMemoryOptions<I> {
  readonly operation: MemoryOperation;
  readonly store: MemoryStoreLike;
  readonly namespace: MemoryNamespace<I>;
  readonly entry: RememberOptions<I>["entry"];
  readonly query: RecallOptions<I>["query"];
  readonly limit: number;
  readonly name: string;
}

/** Defaults of the optional {@link MemoryPrimitive} options. @since 0.1.0 */
export const DEFAULT_MEMORY_OPTIONS: Readonly<{ limit: number; name: string }> = Object.freeze({
  limit: DEFAULT_MEMORY_SEARCH_LIMIT,
  name: "MemoryPrimitive",
});

const REMEMBER_KEYS = ["operation", "store", "namespace", "entry", "name"] as const;
const RECALL_KEYS = ["operation", "store", "namespace", "query", "limit", "name"] as const;

function resolveOptions<I>(options: unknown): ResolvedMemoryOptions<I> {
  const raw = readOptions("MemoryPrimitive", options, [...new Set([...REMEMBER_KEYS, ...RECALL_KEYS])]);
  if (raw.operation === undefined)
    throw new InvalidOptionsError("operation", 'Expected `operation` to be "remember" or "recall", got undefined');
  const operation = choiceOption<MemoryOperation>("operation", raw.operation, ["remember", "recall"], "remember");
  const opts = readOptions(operation, options, operation === "remember" ? REMEMBER_KEYS : RECALL_KEYS);
  const store = opts.store as Partial<MemoryStoreLike> | undefined;
  if (
    typeof store !== "object" ||
    store === null ||
    typeof store.add !== "function" ||
    typeof store.search !== "function"
  )
    throw new InvalidOptionsError(
      "store",
      `Expected \`store\` to be a MemoryStore (or an object with add and search), got ${describeValue(opts.store)}`,
    );
  const namespace = opts.namespace;
  if (!(typeof namespace === "string" && namespace.length > 0) && typeof namespace !== "function")
    throw new InvalidOptionsError(
      "namespace",
      `Expected \`namespace\` to be a non-empty string or a function, got ${describeValue(namespace)}`,
    );
  return Object.freeze({
    operation,
    store: store as MemoryStoreLike,
    namespace: namespace as MemoryNamespace<I>,
    entry: functionOption<NonNullable<RememberOptions<I>["entry"]>>("entry", opts.entry),
    query: functionOption<NonNullable<RecallOptions<I>["query"]>>("query", opts.query),
    limit: integerOption("limit", opts.limit, DEFAULT_MEMORY_OPTIONS.limit, { min: 1 }),
    name: nameOption(opts.name, DEFAULT_MEMORY_OPTIONS.name),
  });
}

/**
 * A workflow step over a memory store: `remember` writes an entry derived from the input and passes
 * the input on; `recall` searches and outputs the matching entries.
 *
 * @remarks
 * Use the factories {@link remember} and {@link recall}. The namespace, entry and query functions
 * may be async and receive the context (so a namespace can come from `ctx.sessionId` or
 * `ctx.metadata`). Nothing is written once the context has aborted. Span attributes:
 * `tta.memory.operation` and, for `recall`, `tta.memory.results`; namespaces and texts never go
 * into spans. Span kind: `tta.memory`.
 *
 * @throws {@link InvalidOptionsError} at construction for a missing or unknown `operation`, a
 * `store` without `add`/`search`, an empty namespace, non-function `entry`/`query`, a `limit` < 1,
 * or unknown options; at run time when the input is not a string and no `entry`/`query` is given,
 * or the namespace function returns an empty or non-string value.
 * @example
 * ```ts
 * const save = new MemoryPrimitive<string, string>({ operation: "remember", store, namespace: "chat" });
 * ```
 * @since 0.1.0
 */
export class MemoryPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The resolved options. */
  readonly options: ResolvedMemoryOptions<I>;

  constructor(options: MemoryPrimitiveOptions<I>) {
    const resolved = resolveOptions<I>(options);
    super({ kind: "memory", name: resolved.name });
    this.options = resolved;
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const options = this.options;
    const namespace = await this.#namespace(input, ctx);
    const span = this.currentSpan(ctx);
    span?.setAttribute("tta.memory.operation", options.operation);
    if (options.operation === "remember") {
      const entry = options.entry !== undefined ? await options.entry(input, ctx) : { text: textOf(input, "entry") };
      throwIfContextAborted(ctx);
      await options.store.add(namespace, entry);
      return input as unknown as O;
    }
    const query = options.query !== undefined ? await options.query(input, ctx) : textOf(input, "query");
    throwIfContextAborted(ctx);
    const results = [...(await options.store.search(namespace, query, { limit: options.limit }))];
    span?.setAttribute("tta.memory.results", results.length);
    return results as unknown as O;
  }

  async #namespace(input: I, ctx: WorkflowContext): Promise<string> {
    const namespace = this.options.namespace;
    if (typeof namespace === "string") return namespace;
    const value: unknown = await namespace(input, ctx);
    if (typeof value !== "string" || value.length === 0)
      throw new InvalidOptionsError(
        "namespace",
        `Expected the \`namespace\` function to return a non-empty string, got ${value === "" ? "an empty string" : typeof value}`,
      );
    throwIfContextAborted(ctx);
    return value;
  }
}

function textOf(input: unknown, option: "entry" | "query"): string {
  if (typeof input === "string") return input;
  throw new InvalidOptionsError(
    option,
    `The input is ${input === null ? "null" : typeof input}, not a string: pass an \`${option}\` function`,
  );
}

/**
 * A step that remembers something about its input in a memory store, then passes the input on
 * unchanged.
 *
 * @remarks
 * `entry(input, ctx)` picks what to store (`{ text, id?, metadata? }`); for a string input it
 * defaults to `{ text: input }`. Put it in a pipeline wherever the workflow learns something.
 *
 * @param options - see {@link RememberOptions}.
 * @throws {@link InvalidOptionsError} for invalid options, naming the option.
 * @example
 * ```ts
 * const memory = new MemoryStore();
 * const flow = remember({ store: memory, namespace: (_, ctx) => ctx.sessionId ?? "anon" }).pipe(callModel);
 * ```
 * @since 0.1.0
 */
export function remember<I>(options: RememberOptions<I>): MemoryPrimitive<I, I> {
  readOptions("remember", options, REMEMBER_KEYS.slice(1));
  return new MemoryPrimitive<I, I>({ ...options, operation: "remember" });
}

/**
 * A step that searches a memory store and outputs the matching entries (best first, at most `limit`).
 *
 * @remarks
 * `query(input, ctx)` gives the search text; for a string input it defaults to the input. Ranking:
 * most shared words, then newest (see `MemoryStore.search`).
 *
 * @param options - see {@link RecallOptions}.
 * @throws {@link InvalidOptionsError} for invalid options, naming the option.
 * @example
 * ```ts
 * const memory = new MemoryStore();
 * const context = recall({ store: memory, namespace: "agent-a", limit: 3 }); // string → MemoryEntry[]
 * const notes = await context.execute("what units does the user like?");
 * ```
 * @since 0.1.0
 */
export function recall<I>(options: RecallOptions<I>): MemoryPrimitive<I, MemoryEntry[]> {
  readOptions("recall", options, RECALL_KEYS.slice(1));
  return new MemoryPrimitive<I, MemoryEntry[]>({ ...options, operation: "recall" });
}
