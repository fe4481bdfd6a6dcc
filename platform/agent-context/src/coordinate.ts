/**
 * `coordinate`: runs several agents on the same input and settles as a strategy says: every agent
 * (`all`), the first to finish (`first`), the first success (`any`) or `n` successes (`{ quorum: n }`),
 * aborting the agents it no longer needs; on a timeout it returns what finished, marked partial.
 *
 * @packageDocumentation
 */
import type { CommonInput, Executable, OutputOf, PrimitiveLike, WorkflowContext } from "@tta/primitives";
import { ParallelPrimitive, WorkflowPrimitive, isObserved } from "@tta/primitives";
import { resolveAgents, resolveOptions } from "./coordinate/options.js";
import { race, strategyLabel } from "./coordinate/race.js";

/**
 * How {@link coordinate} decides it is done: `"all"` agents succeeded, every agent finished, failed or
 * not (`"settled"`), the `"first"` agent finished, `"any"` agent succeeded, or `{ quorum: n }` agents
 * succeeded.
 * @since 0.1.0
 */
export type CoordinationStrategy = "all" | "settled" | "first" | "any" | { readonly quorum: number };

/** Options of {@link coordinate}. @since 0.1.0 */
export interface CoordinateOptions {
  /**
   * - `"all"`: wait for every agent; the first failure rejects (with that error, unchanged) and aborts the others.
   * - `"settled"`: wait for every agent and resolve with every outcome, failures included (`status:
   *   "rejected"`): one agent's failure neither rejects nor aborts the others, so no finished work is lost.
   * - `"first"`: settle with the first agent to finish, success or failure (a failure rejects); abort the others.
   * - `"any"`: resolve with the first success and abort the others; reject with a `FallbackError`
   *   carrying every error (in agent order) only when all failed.
   * - `{ quorum: n }`: resolve once `n` agents succeeded and abort the rest; reject with a `FallbackError`
   *   (the errors so far, in agent order) as soon as `n` successes became impossible.
   * @defaultValue `"all"`
   */
  readonly strategy?: CoordinationStrategy | undefined;
  /**
   * Time allowed, on `ctx.clock`. When it passes before the strategy is satisfied, the unfinished agents
   * are aborted (reason: a `TimeoutError`) and the coordination **resolves** with the finished ones and
   * `partial: true`, whatever the strategy (never dropping finished results).
   * @defaultValue `undefined` (no timeout; the context's own deadline still applies, and rejects)
   */
  readonly timeoutMs?: number | undefined;
  /** Display name. @defaultValue `"CoordinatePrimitive"` */
  readonly name?: string | undefined;
}

/** Resolved options of a {@link CoordinatePrimitive}. @since 0.1.0 */
export interface ResolvedCoordinateOptions {
  readonly strategy: CoordinationStrategy;
  /** `undefined`: no timeout. */
  readonly timeoutMs: number | undefined;
  readonly name: string;
}

/** An agent that succeeded. @since 0.1.0 */
export interface AgentFulfilled<O, K extends string = string> {
  /** The agent's index as a string (array form) or its record key. */
  readonly key: K;
  readonly status: "fulfilled";
  readonly value: O;
  readonly error?: undefined;
}

/** An agent that failed on its own before the coordination settled. @since 0.1.0 */
export interface AgentRejected<K extends string = string> {
  readonly key: K;
  readonly status: "rejected";
  readonly value?: undefined;
  /** What it threw (a non-`Error` throw wrapped as `NON_ERROR_THROWN`). */
  readonly error: unknown;
}

/**
 * An agent still running when the coordination settled: its signal was aborted (it lost the race, or
 * the `timeoutMs` passed), and whatever it does afterwards is ignored.
 * @since 0.1.0
 */
export interface AgentAborted<K extends string = string> {
  readonly key: K;
  readonly status: "aborted";
  readonly value?: undefined;
  /** The abort reason: a `TimeoutError` after `timeoutMs`, else an `AbortError` `DOMException` (it lost the race). */
  readonly error: unknown;
}

/**
 * What became of one agent, discriminated by `status` (narrow on it to read `value`).
 * @since 0.1.0
 */
export type AgentOutcome<O, K extends string = string> = AgentFulfilled<O, K> | AgentRejected<K> | AgentAborted<K>;

/**
 * The result of a {@link coordinate} run.
 *
 * @typeParam O - the agents' output (the union of them).
 * @typeParam K - the agents' keys (`"0" | "1" | …` for a tuple, the record's keys).
 * @typeParam E - the outcome type; from the factory, a union with one member per agent, so narrowing
 * on `key` and `status` gives that agent's output type.
 * @since 0.1.0
 */
export interface CoordinationResult<O, K extends string = string, E = AgentOutcome<O, K>> {
  /** The strategy it ran with. */
  readonly strategy: CoordinationStrategy;
  /** `true` when `timeoutMs` cut it short (some agents were aborted before the strategy was satisfied). */
  readonly partial: boolean;
  /** `"first"` and `"any"`: the key of the agent whose success settled it (absent after a timeout). */
  readonly winner?: K | undefined;
  /** One per agent, in agent order (record form: key order). */
  readonly outcomes: readonly E[];
  /** The fulfilled values, in agent order. */
  readonly values: readonly O[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- agent lists are typed by the factory overloads */
/** Any agent `coordinate` accepts: a primitive, an executable or a function, of any input and output. @since 0.1.0 */
export type AnyLike = PrimitiveLike<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The key of an agent: a tuple index or a record key, as a string. @since 0.1.0 */
export type KeyString<P> = P extends string ? P : P extends number ? `${P}` : never;

/** One outcome type per agent of a tuple or record, each with its key and output type. @since 0.1.0 */
export type AgentOutcomes<A> = A extends readonly unknown[]
  ? { [P in keyof A]: AgentOutcome<OutputOf<A[P]>, KeyString<P>> }[number]
  : { [P in keyof A]: AgentOutcome<OutputOf<A[P]>, KeyString<P>> }[keyof A];

/** The union of the output types of a tuple or record of agents. @since 0.1.0 */
export type AgentOutputs<A> = A extends readonly unknown[] ? OutputOf<A[number]> : OutputOf<A[keyof A]>;

/** The {@link CoordinationResult} of a tuple or record of agents. @since 0.1.0 */
export type CoordinationResultOf<A> = CoordinationResult<AgentOutputs<A>, AgentOutcomes<A>["key"], AgentOutcomes<A>>;

/**
 * Runs every agent on the same input, concurrently, and settles as its strategy says (see
 * {@link CoordinateOptions.strategy}), aborting the agents it no longer needs.
 *
 * @remarks
 * - Agents are primitives (an `agent(…)`, any `WorkflowPrimitive`, an object with `execute`) or plain
 *   functions (lifted to lambdas). All get the same input and one shared child context of the caller's,
 *   whose signal aborts for the agents still running when the coordination settles (or when the caller's
 *   does); they share `ctx.state` like parallel branches.
 * - The result lists every agent's {@link AgentOutcome} in agent order: `fulfilled`, `rejected`, or
 *   `aborted` (still running when it settled). No agent is left without an outcome.
 * - `timeoutMs` (on `ctx.clock`) resolves with `partial: true` and the finished outcomes kept; the
 *   caller's cancellation (or the context's deadline) rejects with `ctx.signal.reason`, unchanged.
 * - Span `tta.coordinate` with `tta.coordinate.strategy` (`all`/`settled`/`first`/`any`/`quorum`),
 *   `tta.coordinate.agents`, `tta.coordinate.completed` (agents that finished) and `tta.coordinate.partial`.
 * - `"all"` without `timeoutMs` costs about what `parallel` does (it runs the agents under an inner
 *   `parallel` when nothing observes the run); the other strategies and timeouts make one
 *   `AbortController` and one child context per call.
 *
 * @throws `InvalidOptionsError` at construction: empty or non-array/record `agents`, an agent that is not a
 * primitive or function (`agents[2]`, `agents.critic`), an unknown `strategy`, `strategy.quorum` not an
 * integer from 1 to the number of agents, `timeoutMs` not a duration > 0, an empty `name`, an unknown option.
 * @example
 * ```ts
 * const fast = agent({ name: "fast", instructions: "Answer briefly.", model: small });
 * const careful = agent({ name: "careful", instructions: "Answer with care.", model: large });
 * const panel = new CoordinatePrimitive<string, CoordinationResult<AgentResult>>([fast, careful], { strategy: "first" });
 * const { winner, values } = await panel.execute("Is INV-7 overdue?", ctx);
 * ```
 * @since 0.1.0
 */
export class CoordinatePrimitive<I, R extends CoordinationResult<unknown>> extends WorkflowPrimitive<I, R> {
  /** The agents, in order (record form: key order). */
  readonly agents: readonly Executable<I, unknown>[];
  /** Each agent's key: its index as a string (array form) or its record key. */
  readonly keys: readonly string[];
  /** Whether the agents were given as a record. */
  readonly record: boolean;
  /** The resolved options. */
  readonly options: ResolvedCoordinateOptions;
  /**
   * `"all"` without a timeout: a `parallel` over the agents, used when nothing observes the run (no span,
   * no subscriber; it is then invisible). Observed runs take the `race` path so the trace shows the
   * agents directly under `tta.coordinate`.
   */
  readonly #fanout: ParallelPrimitive<I, unknown[]> | undefined;

  constructor(
    agents: readonly PrimitiveLike<I, unknown>[] | Readonly<Record<string, PrimitiveLike<I, unknown>>>,
    options?: CoordinateOptions,
  ) {
    const resolvedAgents = resolveAgents(agents);
    const resolved = resolveOptions(options, resolvedAgents.agents.length);
    super({ kind: "coordinate", name: resolved.name });
    this.agents = resolvedAgents.agents;
    this.keys = resolvedAgents.keys;
    this.record = resolvedAgents.record;
    this.options = resolved;
    this.#fanout =
      resolved.strategy === "all" && resolved.timeoutMs === undefined
        ? new ParallelPrimitive<I, unknown[]>(resolvedAgents.agents, { name: resolved.name })
        : undefined;
  }

  protected run(input: I, ctx: WorkflowContext): Promise<R> {
    const span = this.currentSpan(ctx);
    const fanout = this.#fanout;
    if (fanout !== undefined && span === undefined && !isObserved()) return this.#all(fanout, input, ctx) as Promise<R>;
    span?.setAttributes({
      "tta.coordinate.strategy": strategyLabel(this.options.strategy),
      "tta.coordinate.agents": this.agents.length,
    });
    return race(this, input, ctx, span) as Promise<R>;
  }

  /**
   * `"all"` without a timeout, unobserved: the agents run under the inner `parallel`, whose abortable
   * child context costs far less than one made with `ctx.child({ signal })`. Same semantics as `race`.
   */
  #all(fanout: ParallelPrimitive<I, unknown[]>, input: I, ctx: WorkflowContext): Promise<CoordinationResult<unknown>> {
    return fanout.execute(input, ctx).then(
      (values) => {
        const keys = this.keys;
        const outcomes = new Array<AgentOutcome<unknown>>(values.length);
        for (let i = 0; i < values.length; i++)
          outcomes[i] = { key: keys[i] as string, status: "fulfilled", value: values[i] };
        return { strategy: this.options.strategy, partial: false, outcomes, values };
      },
      (error: unknown) => {
        // Cancellation of the caller rejects with its reason, unchanged, whatever an agent threw.
        throw ctx.signal.aborted ? (ctx.signal.reason as unknown) : error;
      },
    );
  }
}

/**
 * Runs agents concurrently on the same input and settles as `strategy` says: every agent (`"all"`, the
 * default), every outcome whatever failed (`"settled"`), the first to finish (`"first"`), the first
 * success (`"any"`) or `n` successes (`{ quorum: n }`), aborting the agents it no longer needs. See
 * {@link CoordinatePrimitive}.
 *
 * @remarks With a tuple or a record of agents the result is typed per agent: narrowing an outcome on
 * `key` and `status` gives that agent's output type.
 * @throws `InvalidOptionsError` for invalid agents or options (see {@link CoordinatePrimitive}).
 * @example
 * ```ts
 * const reviewer = (name: string) => agent({ name, instructions: `Review the draft for ${name}.`, model: llm });
 * const review = coordinate(
 *   { legal: reviewer("legal"), tone: reviewer("tone"), facts: reviewer("facts") },
 *   { strategy: { quorum: 2 }, timeoutMs: 20_000 },
 * );
 * const { outcomes, partial, values } = await review.execute("Draft of the refund notice", ctx);
 * for (const o of outcomes) if (o.status === "fulfilled" && o.key === "legal") console.log(o.value.text);
 * ```
 * @since 0.1.0
 */
export function coordinate<const A extends readonly [AnyLike, ...AnyLike[]]>(
  agents: A,
  options?: CoordinateOptions,
): CoordinatePrimitive<CommonInput<A>, CoordinationResultOf<A>>;
export function coordinate<const A extends Readonly<Record<string, AnyLike>>>(
  agents: A,
  options?: CoordinateOptions,
): CoordinatePrimitive<CommonInput<A>, CoordinationResultOf<A>>;
/** An array (not a tuple) of same-typed agents, e.g. built with `map`. */
export function coordinate<I, O>(
  agents: readonly PrimitiveLike<I, O>[],
  options?: CoordinateOptions,
): CoordinatePrimitive<I, CoordinationResult<O>>;
export function coordinate(
  agents: readonly AnyLike[] | Readonly<Record<string, AnyLike>>,
  options?: CoordinateOptions,
): CoordinatePrimitive<never, CoordinationResult<unknown>> {
  return new CoordinatePrimitive<never, CoordinationResult<unknown>>(agents, options);
}
