/**
 * `RouterPrimitive` / `router`: pick one of several named routes per input.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "./context.js";
import { throwIfContextAborted } from "./context.js";
import { InvalidOptionsError } from "./errors.js";
// Before parallel.js: TypeScript checks these modules in import order, and `parallel`'s inferred
// types depend on `primitive-like` being checked first (composition.test-d.ts fails otherwise).
import "./primitive-like.js";
import type { CommonInput } from "./parallel.js";
import type { Executable, OutputOf, PrimitiveLike } from "./workflow-primitive.js";
import { WorkflowPrimitive } from "./workflow-primitive.js";
import { describeValue, functionOption, nameOption, readOptions } from "../internal/options.js";
import { findRoute, routeNotFound, routeTable } from "../internal/route-table.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- route records are typed by the factory */
type AnyLike = PrimitiveLike<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Options of {@link router}. @since 0.1.0 */
export interface RouterOptions<R extends Readonly<Record<string, AnyLike>>> {
  /** Route key → step. At least one. */
  readonly routes: R;
  /** Picks the route key for an input (sync or async). */
  readonly select: (input: CommonInput<R>, ctx: WorkflowContext) => (keyof R & string) | PromiseLike<keyof R & string>;
  /** Route key used when `select` returns an unknown key. @defaultValue none: an unknown key throws `RouteNotFoundError` */
  readonly default?: keyof R & string;
  /** Display name. @defaultValue `"RouterPrimitive"` */
  readonly name?: string;
}

const OPTION_KEYS = ["routes", "select", "default", "name"] as const;

/**
 * Runs the route whose key `select(input, ctx)` returns.
 *
 * @remarks
 * An unknown key falls back to `default` when given; otherwise the call rejects with
 * {@link RouteNotFoundError} (code `ROUTE_NOT_FOUND`) listing the known routes. Keys are looked up
 * as own keys only (`"constructor"` or `"__proto__"` never match by accident). The span records the
 * chosen key as `tta.router.route` (only known keys, never a raw unknown value) and
 * `tta.router.default_used`.
 *
 * @throws {@link InvalidOptionsError} at construction: no routes, `select` not a function, a route that
 * is not a primitive or function, or a `default` that is not a route key.
 * @example
 * ```ts
 * const triage = new RouterPrimitive({ routes: { code: coder, chat: chatter }, select: (q: string) => (q.includes("```") ? "code" : "chat") });
 * ```
 * @since 0.1.0
 */
export class RouterPrimitive<I, O, K extends string = string> extends WorkflowPrimitive<I, O> {
  /** The route keys, in declaration order. */
  readonly routeKeys: readonly K[];
  readonly #routes: ReadonlyMap<string, Executable<I, O>>;
  readonly #select: (input: I, ctx: WorkflowContext) => K | PromiseLike<K>;
  readonly #default: K | undefined;

  constructor(options: RouterOptions<Readonly<Record<K, PrimitiveLike<I, O>>>>) {
    const opts = readOptions("router", options, OPTION_KEYS);
    const table = routeTable<I, O>("routes", opts.routes);
    const select = functionOption<(input: I, ctx: WorkflowContext) => K | PromiseLike<K>>("select", opts.select, true);
    super({ kind: "router", name: nameOption(opts.name, "RouterPrimitive") });
    const fallback = opts.default;
    if (fallback !== undefined && (typeof fallback !== "string" || !table.has(fallback)))
      throw new InvalidOptionsError(
        "default",
        `Expected \`default\` to be one of the route keys (${[...table.keys()].map((k) => JSON.stringify(k)).join(", ")}), got ${describeValue(fallback)}`,
      );
    this.#routes = table;
    this.#select = select;
    this.#default = fallback as K | undefined;
    this.routeKeys = Object.freeze([...table.keys()] as K[]);
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const key: unknown = await this.#select(input, ctx);
    let route = findRoute(this.#routes, key);
    let chosen = key as string;
    const usedDefault = route === undefined && this.#default !== undefined;
    if (usedDefault) {
      chosen = this.#default;
      route = this.#routes.get(chosen);
    }
    if (route === undefined) throw routeNotFound(key, this.routeKeys);
    const span = this.currentSpan(ctx);
    if (span !== undefined) {
      span.setAttribute("tta.router.route", chosen);
      span.setAttribute("tta.router.default_used", usedDefault);
    }
    throwIfContextAborted(ctx);
    return route.execute(input, ctx);
  }
}

/**
 * Builds a {@link RouterPrimitive}; route keys are a typed union, and the output is the union of
 * the routes' outputs.
 *
 * @throws {@link InvalidOptionsError} for invalid options (see the class).
 * @example
 * ```ts
 * const triage = router({
 *   routes: { code: (q: string) => `code: ${q}`, chat: (q: string) => `chat: ${q}` },
 *   select: (q) => (q.includes("function") ? "code" : "chat"),
 *   default: "chat",
 * });
 * ```
 * @since 0.1.0
 */
export function router<const R extends Readonly<Record<string, AnyLike>>>(
  options: RouterOptions<R>,
): RouterPrimitive<CommonInput<R>, OutputOf<R[keyof R]>, keyof R & string> {
  return new RouterPrimitive(options as never);
}
