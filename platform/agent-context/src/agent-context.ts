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
import { InvalidOptionsError, describeValue, fail, isPlainObject } from "@tta/primitives/options";
import type { AgentContext, AgentMemory, HandoffRecord } from "./types.js";

/** Most handoffs kept in an agent's history (the oldest are dropped). @since 0.1.0 */
export const MAX_HANDOFF_HISTORY = 32;

/** The context key of the {@link AgentContext} a context runs as. @since 0.1.0 */
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
  /** Memory scopes the agent may use. */
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
 * and `state` are `ctx`'s.
 * @throws `InvalidOptionsError` when `init` is not an object, `name` is empty or not a string, or `role`,
 * `id` or `handoffs` have the wrong type.
 * @example
 * ```ts
 * const triageCtx = withAgent(ctx, { name: "triage", budget });
 * agentOf(triageCtx)?.name; // "triage"
 * ```
 * @since 0.1.0
 */
export function withAgent(ctx: WorkflowContext, init: AgentInit): WorkflowContext {
  if (!isPlainObject(init))
    throw new InvalidOptionsError("agent", `Expected \`agent\` to be an object, got ${describeValue(init)}`);
  const name = text("name", init.name);
  const role = init.role === undefined ? name : text("role", init.role);
  const id = init.id === undefined ? `${ID_PREFIX}${(++idCounter).toString(36)}` : text("id", init.id);
  if (init.handoffs !== undefined && !Array.isArray(init.handoffs))
    throw new InvalidOptionsError(
      "handoffs",
      `Expected \`handoffs\` to be an array, got ${describeValue(init.handoffs)}`,
    );
  const parent = ctx.getValue(AGENT_KEY);
  const budget = init.budget ?? ctx.getValue(BUDGET_KEY);
  const history: readonly HandoffRecord[] = init.handoffs ?? [];
  const agent: AgentContext = Object.freeze({
    id,
    name,
    role,
    parentId: parent?.id,
    budget,
    memory: init.memory,
    handoffs: Object.freeze(history.length > MAX_HANDOFF_HISTORY ? history.slice(-MAX_HANDOFF_HISTORY) : [...history]),
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
 * @example
 * ```ts
 * await runWithAgent(agentOf(ctx)!, async () => audit(currentAgent()?.name));
 * ```
 * @since 0.1.0
 */
export function runWithAgent<R>(agent: AgentContext, fn: () => R): R {
  if (typeof fn !== "function")
    throw new InvalidOptionsError("fn", `Expected \`fn\` to be a function, got ${describeValue(fn)}`);
  storage ??= new AsyncLocalStorage<AgentContext>();
  return storage.run(agent, fn);
}

/**
 * The agent of the innermost {@link runWithAgent} call around the caller, or `undefined`.
 * @example
 * ```ts
 * runWithAgent(agent, () => currentAgent()?.id); // agent.id
 * ```
 * @since 0.1.0
 */
export function currentAgent(): AgentContext | undefined {
  return storage?.getStore();
}
