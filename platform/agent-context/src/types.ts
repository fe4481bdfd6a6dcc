/**
 * The shapes the modules of `@tta/agent-context` share: budgets, the agent a context runs as, scoped
 * memory, tools, handoff envelopes. Each is implemented in its own file (`budget.ts`, `agent-context.ts`,
 * `memory.ts`, `tool.ts`, `agent.ts`, `handoff.ts`, `coordinate.ts`).
 *
 * @packageDocumentation
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type {
  Budget,
  Clock,
  MemoryEntry,
  MemoryEntryInit,
  MemorySearchOptions,
  Reservation,
  Spend,
  WorkflowContext,
} from "@tta/primitives";

/**
 * Limits of a budget; every field optional (absent = unlimited). Amounts are finite and ≥ 0.
 * `tokens` limits input + output tokens together; `inputTokens` / `outputTokens` limit each side.
 * @since 0.1.0
 */
export interface BudgetLimits {
  /** Input plus output tokens. */
  readonly tokens?: number | undefined;
  /** Prompt tokens. */
  readonly inputTokens?: number | undefined;
  /** Completion tokens. */
  readonly outputTokens?: number | undefined;
  /** Cost in US dollars. */
  readonly costUsd?: number | undefined;
  /** Wall time in ms on the budget's clock, counted from the budget's creation. */
  readonly timeMs?: number | undefined;
  /** Agent launches (each agent run reserves one). */
  readonly launches?: number | undefined;
}

/** Options of `createBudget`. @since 0.1.0 */
export interface BudgetOptions extends BudgetLimits {
  /** Name in `budget` events and error messages. @defaultValue `"budget"` */
  readonly name?: string | undefined;
  /**
   * Soft limits (absolute amounts, each ≤ its hard limit when both are set): crossing one reports a
   * `budget` event with `level: "soft"` once, and nothing is refused. @defaultValue none
   */
  readonly soft?: BudgetLimits | undefined;
  /** Time source of `timeMs` (pass a `TestClock` in tests). @defaultValue `systemClock` */
  readonly clock?: Clock | undefined;
}

/** Amounts per resource of a {@link BudgetSnapshot}. @since 0.1.0 */
export interface BudgetAmounts {
  readonly tokens: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly timeMs: number;
  readonly launches: number;
}

/** A point-in-time view of a budget. @since 0.1.0 */
export interface BudgetSnapshot {
  readonly name: string;
  /** The hard limits (`Infinity` where none); `timeMs` is the effective time (deadline − creation), a parent's cap included. */
  readonly limits: BudgetAmounts;
  /** Committed spend (children's commits included); `timeMs` is the time elapsed. */
  readonly spent: BudgetAmounts;
  /** Held by reservations in flight and by children's unused carve-outs. */
  readonly reserved: BudgetAmounts;
  /**
   * `limits - spent - reserved`, never below 0; for a resource this budget does not limit, what the
   * nearest limiting ancestor has left (`Infinity` when none does); all zeros once the budget is closed.
   */
  readonly remaining: BudgetAmounts;
}

/**
 * A budget made by `createBudget`: the core `Budget` contract plus children, snapshots and the deadline
 * its `timeMs` implies.
 * @since 0.1.0
 */
export interface AgentBudget extends Budget {
  readonly name: string;
  /** Epoch ms at which `timeMs` runs out (on the budget's clock), or `undefined` without a time limit. */
  readonly deadline: number | undefined;
  /**
   * Holds `estimate` until `commit`/`release`.
   * @throws `BudgetExceededError` (resource, limit, spent, requested) when it does not fit, or the time is up.
   */
  reserve(estimate: Spend, ctx?: WorkflowContext): Reservation;
  /**
   * Carves a child budget out of what is left: the carve-out is held in this budget until the child is
   * closed; the child's commits count here as they happen.
   * @throws `BudgetExceededError` naming the resource when `limits` exceed what is left here (`timeMs`
   * when this budget is out of time, none when it is closed); `InvalidOptionsError` for negative or
   * non-finite limits.
   */
  child(limits: BudgetLimits, options?: { readonly name?: string | undefined }): AgentBudget;
  /** Returns the unused carve-out to the parent (no-op on a root or a closed budget); later reservations are refused. */
  close(): void;
  /** What is spent, reserved and left. */
  snapshot(): BudgetSnapshot;
}

/** Scopes of agent memory (DESIGN §9). @since 0.1.0 */
export type MemoryScopeName = "agent" | "workflow" | "session" | "global";

/**
 * One scope of an agent's memory: the store's operations bound to a namespace the agent may use.
 * @since 0.1.0
 */
export interface ScopedMemory {
  readonly scope: MemoryScopeName;
  /** The store namespace (derived from the scope and its owner's id; never chosen by the model). */
  readonly namespace: string;
  add(entry: MemoryEntryInit): Promise<MemoryEntry>;
  search(query: string, options?: MemorySearchOptions): Promise<readonly MemoryEntry[]>;
}

/**
 * What an agent may read and write: its own private scope, plus the shared scopes it was given.
 * A sibling's private scope is never reachable.
 * @since 0.1.0
 */
export interface AgentMemory {
  /** The agent's private scope. */
  readonly agent: ScopedMemory;
  /** The run's scope (keyed by `ctx.workflowId`), when granted. */
  readonly workflow?: ScopedMemory | undefined;
  /** The session's scope (keyed by `ctx.sessionId`), when granted and the context has a session. */
  readonly session?: ScopedMemory | undefined;
  /** The process-wide scope, when granted. */
  readonly global?: ScopedMemory | undefined;
}

/** One handoff as kept in an agent's history (bounded). @since 0.1.0 */
export interface HandoffRecord {
  readonly from: string;
  readonly to: string;
  /** Clock time of the handoff (epoch ms). */
  readonly at: number;
}

/**
 * The agent a context runs as (DESIGN §9), attached with `withAgent` and read with `agentOf`.
 * Immutable; a handoff or a sub-agent gets a new one.
 * @since 0.1.0
 */
export interface AgentContext {
  /** Unique per agent run. */
  readonly id: string;
  /** The agent's name (as given to `agent({ name })`). */
  readonly name: string;
  /** A free-form role label for telemetry (e.g. `"triage"`). @defaultValue the name */
  readonly role: string;
  /** The agent that launched or handed off to this one. */
  readonly parentId?: string | undefined;
  /** The budget this agent draws on, if any. */
  readonly budget?: Budget | undefined;
  /** The memory scopes it may use, if any. */
  readonly memory?: AgentMemory | undefined;
  /** Handoffs that led to this agent, oldest first (at most `MAX_HANDOFF_HISTORY`). */
  readonly handoffs: readonly HandoffRecord[];
}

/** A JSON Schema object (draft 2020-12 or draft-07), as sent to the model for a tool's parameters. @since 0.1.0 */
export type JsonSchemaObject = Readonly<Record<string, unknown>>;

/** A tool's parameter schema: a Standard Schema (zod, valibot, arktype…) or a plain JSON Schema. @since 0.1.0 */
export type ToolSchema<A> = StandardSchemaV1<unknown, A> | JsonSchemaObject;

/**
 * The envelope a handoff carries to the receiving agent (DESIGN §9).
 * @since 0.1.0
 */
export interface HandoffEnvelope<P = unknown> {
  /** Name of the agent handing off. */
  readonly from: string;
  /** Name of the receiving agent. */
  readonly to: string;
  /** What the receiver should do, in the sender's words. */
  readonly task: string;
  /** Structured data for the receiver (validated against the receiver's payload schema when it has one). */
  readonly payload: P;
  /** W3C `traceparent` of the sender's span, when tracing is on (the receiver continues the same trace). */
  readonly traceparent?: string | undefined;
  /** What the shared budget had left at the handoff, when there is one. */
  readonly budgetRemaining?: BudgetAmounts | undefined;
  /** Handoffs so far, oldest first, bounded. */
  readonly history: readonly HandoffRecord[];
}

/**
 * Hands each agent run its {@link AgentMemory}; made by `scopedMemory(store, { shared })` and given to
 * `agent({ memory })`.
 * @since 0.1.0
 */
export interface MemoryAccess {
  /**
   * The scopes agent `agentName` may use in the run of `ctx` (its private scope, plus the granted shared ones).
   * @throws `InvalidOptionsError` naming `agentName` (empty) or `ctx` (not a context) with `scopedMemory`'s.
   */
  forAgent(agentName: string, ctx: WorkflowContext): AgentMemory;
}
