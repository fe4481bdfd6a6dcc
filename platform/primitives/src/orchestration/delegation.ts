/**
 * `DelegationPrimitive` / `delegate` (DESIGN §6.3): hands each input to the executor registered under the
 * model id a selector picks.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { throwIfContextAborted } from "../core/context.js";
import type { CommonInput } from "../core/parallel.js";
import type { Executable, OutputOf, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { functionOption, nameOption, readOptions } from "../internal/options.js";
import { findRoute, routeNotFound, routeTable } from "../internal/route-table.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- executor records are typed by the factory */
type AnyLike = PrimitiveLike<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Picks the model id of the executor for an input (sync or async). Any string: an id with no executor
 * rejects the call with `RouteNotFoundError`.
 * @since 0.1.0
 */
export type DelegationSelect<I> = (input: I, ctx: WorkflowContext) => string | PromiseLike<string>;

/** Options of {@link delegate} / {@link DelegationPrimitive}. @since 0.1.0 */
export interface DelegationOptions<I, O> {
  /**
   * Model id → executor: a plain record or a `Map`, at least one entry. An executor is any primitive, any
   * object with `execute(input, ctx)` or a function (a `model(...)`, an agent, a `retry(...)` stack…).
   */
  readonly executors: Readonly<Record<string, PrimitiveLike<I, O>>> | ReadonlyMap<string, PrimitiveLike<I, O>>;
  /** Picks the model id for an input. Required. */
  readonly select: DelegationSelect<I>;
  /** Display name. @defaultValue `"DelegationPrimitive"` */
  readonly name?: string | undefined;
}

/** Options of {@link delegate} with a record of executors, whose types give the primitive's. @since 0.1.0 */
export interface DelegationRecordOptions<E extends Readonly<Record<string, AnyLike>>> {
  /** Model id → executor, at least one. */
  readonly executors: E;
  /** Picks the model id for an input. Required. */
  readonly select: DelegationSelect<CommonInput<E>>;
  /** Display name. @defaultValue `"DelegationPrimitive"` */
  readonly name?: string | undefined;
}

const OPTION_KEYS = ["executors", "select", "name"] as const;

/**
 * Runs the executor registered under the model id `select(input, ctx)` returns.
 *
 * @remarks
 * The same lookup as `router`, for model ids that are only known at run time (chosen by a classifier, a
 * config file, a user's plan): ids are looked up as exact own keys (never a prefix, never an
 * `Object.prototype` name), and an id with no executor rejects with {@link RouteNotFoundError} (code
 * `ROUTE_NOT_FOUND`, not retryable) whose `route` is the id and `routes` the registered ids. The
 * executor gets the input and the caller's context unchanged, and runs as a child span of the
 * `tta.delegation` span, which records the chosen id as `tta.delegate.target` (only registered ids,
 * never a raw unknown value). Errors of `select` and of the executor pass through unchanged.
 *
 * @throws {@link InvalidOptionsError} at construction: `executors` empty or neither a record nor a `Map`
 * (or a `Map` with a non-string key), an executor that is not a primitive or function (named
 * `executors.<id>`), `select` not a function, unknown option keys.
 * @example
 * ```ts
 * const answer = new DelegationPrimitive({
 *   executors: new Map([["gpt-4o-mini", model(mini)], ["o4-mini", model(reasoner)]]),
 *   select: (request: ModelRequest) => (request.messages.length > 10 ? "o4-mini" : "gpt-4o-mini"),
 * });
 * ```
 * @since 0.1.0
 */
export class DelegationPrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The registered model ids, in order. */
  readonly executorIds: readonly string[];
  readonly #executors: ReadonlyMap<string, Executable<I, O>>;
  readonly #select: DelegationSelect<I>;

  /** @throws {@link InvalidOptionsError} for invalid options (see the class). */
  constructor(options: DelegationOptions<I, O>) {
    const opts = readOptions("delegate", options, OPTION_KEYS);
    const executors = routeTable<I, O>("executors", opts.executors, true);
    const select = functionOption<DelegationSelect<I>>("select", opts.select, true);
    super({ kind: "delegation", name: nameOption(opts.name, "DelegationPrimitive") });
    this.#executors = executors;
    this.#select = select;
    this.executorIds = Object.freeze([...executors.keys()]);
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const id: unknown = await this.#select(input, ctx);
    const executor = findRoute(this.#executors, id);
    if (executor === undefined) throw routeNotFound(id, this.executorIds);
    this.currentSpan(ctx)?.setAttribute("tta.delegate.target", id as string);
    throwIfContextAborted(ctx);
    return executor.execute(input, ctx);
  }
}

/**
 * Builds a {@link DelegationPrimitive}: `select(input, ctx)` names a model id, and the executor registered
 * under it runs the input. With a record, the input type is what every executor accepts and the output
 * the union of their outputs.
 *
 * @throws {@link InvalidOptionsError} for invalid options (see the class).
 * @example
 * ```ts
 * const answer = delegate({
 *   executors: { "gpt-4o-mini": model(mini), "o4-mini": model(reasoner) },
 *   select: async (request, ctx) => ((await classify.execute(request, ctx)).complexity === "complex" ? "o4-mini" : "gpt-4o-mini"),
 * });
 * ```
 * @since 0.1.0
 */
export function delegate<const E extends Readonly<Record<string, AnyLike>>>(
  options: DelegationRecordOptions<E>,
): DelegationPrimitive<CommonInput<E>, OutputOf<E[keyof E]>>;
export function delegate<I, O>(options: DelegationOptions<I, O>): DelegationPrimitive<I, O>;
export function delegate<I, O>(options: DelegationOptions<I, O>): DelegationPrimitive<I, O> {
  return new DelegationPrimitive(options);
}
