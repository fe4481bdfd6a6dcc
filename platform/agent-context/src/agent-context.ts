/**
 * The agent a context runs as: `withAgent` attaches an {@link AgentContext} to a `WorkflowContext`
 * (explicit, free for code that does not use it), `agentOf` reads it; `runWithAgent` / `currentAgent`
 * are the opt-in AsyncLocalStorage form for user code.
 *
 * @packageDocumentation
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import type { Budget, ContextKey, SpanAttributes, WorkflowContext } from "@tta/primitives";
import { BUDGET_KEY, SPAN_ATTRIBUTES_KEY, contextKey } from "@tta/primitives";
import { InvalidOptionsError, describeShape, fail, functionOption, isPlainObject } from "@tta/primitives/options";
import { hasAddAndSearch } from "./memory.js";
import type { AgentContext, AgentMemory, HandoffRecord } from "./types.js";

/** Most handoffs kept in an agent's history (the oldest are dropped). @since 0.1.0 */
export const MAX_HANDOFF_HISTORY = 32;

/**
 * The context key of the {@link AgentContext} a context runs as (set by {@link withAgent}; read it with
 * {@link agentOf}).
 * @example
 * ```ts
 * const running = withAgent(ctx, { name: "triage" }).getValue(AGENT_KEY); // same as agentOf(…)
 * ```
 * @since 0.1.0
 */
export const AGENT_KEY: ContextKey<AgentContext> = contextKey<AgentContext>("tta.agent");

/** What {@link withAgent} accepts. @since 0.1.0 */
export interface AgentInit {
  /** The agent's name (non-empty). */
  readonly name: string;
  /** A role label for telemetry. @defaultValue the name */
  readonly role?: string | undefined;
  /** The agent run's id. @defaultValue a generated `agent-…` id, unique in the process */
  readonly id?: string | undefined;
  /** The budget to draw on: also set as the context's `BUDGET_KEY`. @defaultValue the context's budget, if any */
  readonly budget?: Budget | undefined;
  /** Memory scopes the agent may use. @defaultValue none */
  readonly memory?: AgentMemory | undefined;
  /** Handoffs that led here (kept bounded to {@link MAX_HANDOFF_HISTORY}). @defaultValue `[]` */
  readonly handoffs?: readonly HandoffRecord[] | undefined;
}

/** Random per process; agent ids are this prefix and a counter (cheap, unique in the process). */
const ID_PREFIX = `agent-${randomBytes(4).toString("hex")}-`;
let idCounter = 0;

/**
 * Returns a child of `ctx` that runs as the agent described by `init`: `agentOf(child)` returns it,
 * the budget (when given) becomes the child's `BUDGET_KEY` so every model call reserves against it,
 * and every span opened under the child carries `tta.agent.id`, `tta.agent.name` and `tta.agent.role`
 * (through `SPAN_ATTRIBUTES_KEY`, which `@tta/observability` also copies onto log lines).
 *
 * @remarks The parent agent (the one `ctx` ran as, if any) becomes `parentId`. Signal, deadline, ids
 * and `state` are `ctx`'s. Of a longer `handoffs`, the last {@link MAX_HANDOFF_HISTORY} are kept.
 * @throws `InvalidOptionsError` naming the field: `ctx` that is not a `WorkflowContext`; `agent` when
 * `init` is not an object; `name` empty or not a string; `role` or `id` not a non-empty string; `budget`
 * without a `reserve` method; `memory` that is not an `AgentMemory`; `handoffs` not an array, or an
 * entry (`handoffs[2]`) that is not a `{ from, to, at }` record.
 * @example
 * ```ts
 * const budget = createBudget({ tokens: 10_000 });
 * const triageCtx = withAgent(ctx, { name: "triage", budget });
 * agentOf(triageCtx)?.name; // "triage"
 * ```
 * @since 0.1.0
 */
export function withAgent(ctx: WorkflowContext, init: AgentInit): WorkflowContext {
  if (
    typeof ctx !== "object" ||
    ctx === null ||
    typeof ctx.getValue !== "function" ||
    typeof ctx.withValue !== "function"
  )
    fail("ctx", "a WorkflowContext", ctx);
  if (!isPlainObject(init)) fail("agent", "an object `{ name, role?, id?, budget?, memory?, handoffs? }`", init);
  const name = text("name", init.name);
  const role = init.role === undefined ? name : text("role", init.role);
  const id = init.id === undefined ? `${ID_PREFIX}${(++idCounter).toString(36)}` : text("id", init.id);
  const history = historyOf(init.handoffs ?? [], "handoffs");
  if (init.budget !== undefined && typeof (init.budget as Partial<Budget> | null)?.reserve !== "function")
    fail("budget", "a Budget (an object with reserve(estimate), e.g. from `createBudget`)", init.budget);
  if (init.memory !== undefined && !isAgentMemory(init.memory))
    fail("memory", "an AgentMemory (from `scopedMemory(store).forAgent(name, ctx)`)", init.memory);
  const parent = ctx.getValue(AGENT_KEY);
  const budget = init.budget ?? ctx.getValue(BUDGET_KEY);
  const agent: AgentContext = Object.freeze({
    id,
    name,
    role,
    parentId: parent?.id,
    budget,
    memory: init.memory,
    handoffs: history,
  });
  const attributes: SpanAttributes = Object.freeze({
    ...ctx.getValue(SPAN_ATTRIBUTES_KEY),
    "tta.agent.id": id,
    "tta.agent.name": name,
    "tta.agent.role": role,
  });
  let next = ctx.withValue(AGENT_KEY, agent).withValue(SPAN_ATTRIBUTES_KEY, attributes);
  if (init.budget !== undefined) next = next.withValue(BUDGET_KEY, init.budget);
  return next;
}

/** A non-empty string option. */
function text(option: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) fail(option, "a non-empty string", value);
  return value;
}

/** Whether `value` has the shape of an {@link AgentMemory}: an `agent` scope with `add` and `search`. */
function isAgentMemory(value: unknown): value is AgentMemory {
  return typeof value === "object" && value !== null && hasAddAndSearch((value as { agent?: unknown }).agent);
}

/**
 * A handoff history as an agent keeps it: the last {@link MAX_HANDOFF_HISTORY} records of `value`,
 * frozen, each checked to be `{ from, to, at }` (names and a time). For `withAgent` and for agents
 * receiving an envelope (`option` then `input.history`).
 * @throws `InvalidOptionsError` naming `option` or the entry (`input.history[3]`), describing it by
 * its shape only (an envelope may come from anywhere).
 * @internal
 */
export function historyOf(value: unknown, option: string): readonly HandoffRecord[] {
  if (!Array.isArray(value))
    throw new InvalidOptionsError(option, `Expected \`${option}\` to be an array, got ${describeShape(value)}`);
  const start = Math.max(0, value.length - MAX_HANDOFF_HISTORY);
  const kept: HandoffRecord[] = [];
  for (let i = start; i < value.length; i++) {
    const entry: unknown = value[i];
    if (
      !isPlainObject(entry) ||
      typeof entry.from !== "string" ||
      typeof entry.to !== "string" ||
      typeof entry.at !== "number"
    )
      throw new InvalidOptionsError(
        `${option}[${i}]`,
        `Expected \`${option}[${i}]\` to be a handoff record { from, to, at }, got ${describeShape(entry)}`,
      );
    kept.push(entry as unknown as HandoffRecord);
  }
  return Object.freeze(kept);
}

/**
 * The agent `ctx` runs as, or `undefined` outside any agent. One lookup on the context.
 * @example
 * ```ts
 * const tool = lambda((q: string, ctx) => `${agentOf(ctx)?.name ?? "no agent"}: ${q}`);
 * ```
 * @since 0.1.0
 */
export function agentOf(ctx: WorkflowContext): AgentContext | undefined {
  return ctx.getValue(AGENT_KEY);
}

/** Created on first use: an AsyncLocalStorage in use slows every promise in the process (DESIGN §9). */
let storage: AsyncLocalStorage<AgentContext> | undefined;

/**
 * Runs `fn` with `agent` as the {@link currentAgent} of everything it calls, synchronously or
 * asynchronously (AsyncLocalStorage). For user code that cannot pass a context; the library never
 * needs it.
 *
 * @remarks Opt-in because an active AsyncLocalStorage makes every promise in the process slower on
 * Node 20 (about 3× for a chain of trivial awaits; `docs/performance.md`). Nothing is created until the
 * first call.
 * @returns what `fn` returns.
 * @throws `InvalidOptionsError` naming `agent` when it is not an {@link AgentContext}, or `fn` when it is
 * not a function.
 * @example
 * ```ts
 * const support = agentOf(withAgent(ctx, { name: "support" }));
 * if (support !== undefined)
 *   await runWithAgent(support, async () => {
 *     await Promise.resolve();
 *     console.log(currentAgent()?.name); // "support", across awaits, without a context
 *   });
 * ```
 * @since 0.1.0
 */
export function runWithAgent<R>(agent: AgentContext, fn: () => R): R {
  if (typeof agent !== "object" || agent === null || typeof agent.id !== "string" || typeof agent.name !== "string")
    fail("agent", "an AgentContext (e.g. `agentOf(ctx)`)", agent);
  functionOption("fn", fn, true);
  storage ??= new AsyncLocalStorage<AgentContext>();
  return storage.run(agent, fn);
}

/**
 * The agent of the innermost {@link runWithAgent} call around the caller, or `undefined` (always
 * `undefined` before the first `runWithAgent` call: nothing is set up until then).
 * @example
 * ```ts
 * const support = agentOf(withAgent(ctx, { name: "support" }));
 * if (support !== undefined) runWithAgent(support, () => currentAgent()?.id); // support.id
 * currentAgent(); // undefined outside runWithAgent
 * ```
 * @since 0.1.0
 */
export function currentAgent(): AgentContext | undefined {
  return storage?.getStore();
}
