/**
 * The public shapes of `agent(…)`: its options, what it accepts and what it returns. Re-exported by
 * `agent.ts`.
 *
 * @packageDocumentation
 */
import type {
  Executable,
  LanguageModel,
  Message,
  ModelRequest,
  ModelResponse,
  StructuredOutputIssue,
} from "@tta/primitives";
import type { AnyAgent } from "../agent.js";
import type { AnyTool } from "../tool.js";
import type {
  BudgetLimits,
  HandoffEnvelope,
  HandoffRecord,
  JsonSchemaObject,
  MemoryAccess,
  ToolSchema,
} from "../types.js";

/**
 * Why an agent run ended:
 * - `"stop"`: the model answered without calling a tool;
 * - `"length"` / `"content-filter"`: the model's answer was cut by its token limit / its content filter;
 * - `"max-steps"`: `maxSteps` model calls were made and the last still called tools (the run returns
 *   the last text; it does not throw);
 * - `"max-handoffs"`: the model called a `transfer_to_…` tool after the chain's `maxHandoffs` handoffs.
 * @since 0.1.0
 */
export type AgentStopReason = "stop" | "length" | "content-filter" | "max-steps" | "max-handoffs";

/**
 * What an agent run returns. After handoffs it is the final agent's answer; `steps`, `toolCalls` and
 * `handoffs` count the whole chain.
 * @since 0.1.0
 */
export interface AgentResult {
  /** The final answer's text (the last model response's text). */
  readonly text: string;
  /** Name of the agent that gave the final answer. */
  readonly agent: string;
  /** That agent's transcript: its system message, the conversation, every tool call and result. */
  readonly messages: readonly Message[];
  /** Model calls made, by every agent of the chain. */
  readonly steps: number;
  /** Tool calls answered (unknown and invalid ones included; handoff calls not), by every agent. */
  readonly toolCalls: number;
  /** The handoffs made during this run, oldest first. */
  readonly handoffs: readonly HandoffRecord[];
  readonly stopReason: AgentStopReason;
}

/**
 * What an agent accepts: the user's message, a conversation (`{ messages }`, without the agent's own
 * system message), or a {@link HandoffEnvelope} addressed to it.
 * @since 0.1.0
 */
export type AgentInput<P = unknown> = string | { readonly messages: readonly Message[] } | HandoffEnvelope<P>;

/** The result of `AgentPrimitive.validatePayload`. @since 0.1.0 */
export type PayloadCheck<P> =
  { readonly ok: true; readonly value: P } | { readonly ok: false; readonly issues: readonly StructuredOutputIssue[] };

/**
 * Options of `agent(…)`.
 * @typeParam P - the payload this agent accepts in a handoff (from `payload`).
 * @since 0.1.0
 */
export interface AgentOptions<P = unknown> {
  /** The agent's name: 1 to 52 letters, digits, `_` or `-` (its handoff tool is `transfer_to_<name>`). */
  readonly name: string;
  /** The system message of every model call. */
  readonly instructions: string;
  /**
   * The model: a `LanguageModel` (wrapped once in `model(lm)`), or any primitive
   * `ModelRequest → ModelResponse` (`model(lm, { catalog })`, `retry(model(lm))`, `modelRouter(…)`).
   */
  readonly model: LanguageModel | Executable<ModelRequest, ModelResponse>;
  /** Tools the model may call (names distinct). @defaultValue none */
  readonly tools?: readonly AnyTool[] | undefined;
  /** Most model calls per run, an integer ≥ 1. @defaultValue 10 */
  readonly maxSteps?: number | undefined;
  /**
   * How many tool calls of one model response run at once, an integer from 1 to 64. With 1 they run
   * one after another in the model's order (a tool may rely on the effects of the one before); with
   * more, up to that many run together (for independent tools: lookups, searches). Either way the
   * answers go back in the model's order, a handoff call is decided in that order, and a call that
   * fails the run (cancellation, `BudgetExceededError`) aborts the signals of the calls still running.
   * @defaultValue 1
   */
  readonly toolConcurrency?: number | undefined;
  /**
   * Agents this one may hand off to, each offered as a `transfer_to_<name>` tool. A function is called
   * once, at the first run (so agents can hand off to each other: `handoffs: () => [triage]`).
   * @defaultValue none
   */
  readonly handoffs?: readonly AnyAgent[] | (() => readonly AnyAgent[]) | undefined;
  /**
   * Most handoffs in one chain (model transfers, and `handoff(…)`s run by its tools): a handoff asked
   * for after that many ends the run with stop reason `"max-handoffs"`. Checked by the agent handing
   * off. @defaultValue 8
   */
  readonly maxHandoffs?: number | undefined;
  /**
   * Memory scopes for each run (`scopedMemory(store, { shared })`), read with `agentOf(ctx).memory`.
   * @defaultValue none
   */
  readonly memory?: MemoryAccess | undefined;
  /** Role label for telemetry (`tta.agent.role`). @defaultValue the name */
  readonly role?: string | undefined;
  /** What the agent does, for the models that may hand off to it. @defaultValue none */
  readonly description?: string | undefined;
  /** Schema of the payload a handoff to this agent must carry (Standard Schema or JSON Schema). @defaultValue none */
  readonly payload?: ToolSchema<P> | undefined;
  /**
   * The JSON Schema of a Standard Schema `payload` that cannot produce one (as `tool`'s `jsonSchema`).
   * @defaultValue the schema's own (see `tool`'s `jsonSchema`)
   */
  readonly payloadJsonSchema?: JsonSchemaObject | undefined;
  /**
   * Limits of each run: a child carved from the context's budget (closed when the run ends), or a new
   * budget when the context has none, or one that cannot carve children (a plain `Budget`, which then
   * is charged too). @defaultValue the context's budget, as it is
   */
  readonly budget?: BudgetLimits | undefined;
  /** `maxTokens` of every model call. @defaultValue the model's */
  readonly maxTokens?: number | undefined;
  /** `temperature` of every model call. @defaultValue the model's */
  readonly temperature?: number | undefined;
}
