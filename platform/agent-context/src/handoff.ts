/**
 * `handoff(to)`: a code-driven transfer to an agent, as a primitive: `{ task, payload? }` → the
 * target's `AgentResult`, with a typed envelope that keeps the trace, the budget and the history.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "@tta/primitives";
import { WorkflowPrimitive } from "@tta/primitives";
import { fail, isPlainObject, nameOption, readOptions } from "@tta/primitives/options";
import type { AgentResult } from "./agent.js";
import { AgentPrimitive } from "./agent.js";
import { agentOf } from "./agent-context.js";
import { createEnvelope, payloadError } from "./agent/envelope.js";
import { invalidInput } from "./agent/transcript.js";
import type { HandoffEnvelope } from "./types.js";

/**
 * What a {@link HandoffPrimitive} takes.
 * @typeParam P - the target's payload type.
 * @since 0.1.0
 */
export interface HandoffInput<P = unknown> {
  /** What the receiving agent should do (non-empty). */
  readonly task: string;
  /** Structured data for it, checked against its `payload` schema. */
  readonly payload?: P | undefined;
}

/** Options of {@link handoff}. @since 0.1.0 */
export interface HandoffOptions {
  /** The envelope's `from`. @defaultValue the name of the agent the context runs as, else `"workflow"` */
  readonly from?: string | undefined;
  /** Display name. @defaultValue `"handoff:<target>"` */
  readonly name?: string | undefined;
}

const OPTION_KEYS = ["from", "name"] as const;

/**
 * A code-driven handoff: validates the payload, builds the {@link HandoffEnvelope} and runs the target
 * agent with it under the same context. Made by {@link handoff}.
 *
 * @remarks Span `tta.handoff` with `tta.handoff.from` and `tta.handoff.to`; the target's `tta.agent`
 * span is its child, in the same trace. The envelope's `traceparent` is this span's, its
 * `budgetRemaining` the context budget's snapshot (when it is an `AgentBudget`), its `history` the
 * current agent's handoffs plus this one (bounded by `MAX_HANDOFF_HISTORY`). The target's transcript
 * starts with its instructions and the task (no earlier conversation). The result's `handoffs` start
 * with this one. Run inside an agent (from a tool), it continues that agent's chain: it counts toward
 * the chain's `maxHandoffs` (as the handoffs that led to the agent, at most `MAX_HANDOFF_HISTORY`).
 * @throws `InvalidOptionsError` at construction, naming `to` or the option (see {@link handoff}).
 * @example
 * ```ts
 * const billing = agent({ name: "billing", instructions: "You handle invoices.", model: llm });
 * const escalate = new HandoffPrimitive(billing, { from: "rules" });
 * const { text, handoffs } = await escalate.execute({ task: "Refund INV-7" }, ctx); // handoffs[0]: rules → billing
 * ```
 * @since 0.1.0
 */
export class HandoffPrimitive<P = unknown> extends WorkflowPrimitive<HandoffInput<P>, AgentResult> {
  /** The receiving agent. */
  readonly target: AgentPrimitive<P>;
  readonly #from: string | undefined;

  /** @throws `InvalidOptionsError` naming `to` or the option (see {@link handoff}). */
  constructor(to: AgentPrimitive<P>, options?: HandoffOptions) {
    if (!(to instanceof AgentPrimitive)) fail("to", "an agent made by `agent(…)`", to);
    const o = readOptions("handoff", options, OPTION_KEYS);
    super({ kind: "handoff", name: nameOption(o.name, `handoff:${to.name}`) });
    if (o.from !== undefined && (typeof o.from !== "string" || o.from === ""))
      fail("from", "a non-empty string", o.from);
    this.target = to;
    this.#from = o.from;
  }

  protected async run(input: HandoffInput<P>, ctx: WorkflowContext): Promise<AgentResult> {
    if (!isPlainObject(input)) invalidInput("input", "`{ task, payload? }`", input);
    const task: unknown = input.task;
    if (typeof task !== "string" || task.trim() === "") invalidInput("task", "a non-empty string", task);
    const target = this.target;
    const checked = await target.validatePayload(input.payload);
    if (!checked.ok) throw payloadError(target.name, checked.issues);
    const current = agentOf(ctx);
    const previous = current?.handoffs ?? [];
    const from = this.#from ?? current?.name ?? "workflow";
    const span = this.currentSpan(ctx);
    span?.setAttributes({ "tta.handoff.from": from, "tta.handoff.to": target.name });
    const { envelope, record } = createEnvelope({
      from,
      to: target.name,
      task,
      payload: checked.value,
      previous,
      span,
      ctx,
      // Inside an agent's chain (a tool handing off), this handoff continues that chain: it counts toward
      // `maxHandoffs`, so a loop through code ends like a loop of transfer calls.
      carried: { conversation: undefined, hops: previous.length + 1 },
    });
    const result = await target.execute(envelope as HandoffEnvelope<P>, ctx);
    return { ...result, handoffs: [record, ...result.handoffs] };
  }
}

/**
 * Creates a code-driven handoff to agent `to`: `{ task, payload? }` → `to`'s {@link AgentResult}.
 *
 * @remarks For transfers decided by code (a router, a rule) rather than by a model's
 * `transfer_to_<agent>` call. A payload that fails `to`'s `payload` schema rejects with an
 * `InvalidOptionsError` naming the first failing field (`payload.amount`; every issue on its `cause`,
 * a `StructuredOutputError`) before the target runs; an empty `task` with one naming `task`.
 * @throws `InvalidOptionsError` naming `to` when it is not an agent, or the option (`from`, `name`, unknown keys).
 * @example
 * ```ts
 * const billing = agent({ name: "billing", instructions: "You handle invoices.", model: llm });
 * const toBilling = handoff(billing);
 * const result = await toBilling.execute({ task: "Refund the duplicate charge", payload: { invoiceId: "INV-7" } }, ctx);
 * ```
 * @since 0.1.0
 */
export function handoff<P>(to: AgentPrimitive<P>, options?: HandoffOptions): HandoffPrimitive<P> {
  return new HandoffPrimitive<P>(to, options);
}
