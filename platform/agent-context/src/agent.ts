/**
 * `agent(...)`: the model ↔ tool loop as a primitive, with handoffs offered to the model as
 * `transfer_to_<agent>` tools, a launch charged to the run's budget, and one span per run, per step
 * and per tool call.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import type { Message, ModelResponse, WorkflowContext } from "@tta/primitives";
import { WorkflowPrimitive } from "@tta/primitives";
import { isPlainObject } from "@tta/primitives/options";
import { agentOf, historyOf, withAgent } from "./agent-context.js";
import { carriedOf, createEnvelope, isEnvelope, payloadError } from "./agent/envelope.js";
import type { ResolvedAgentOptions } from "./agent/options.js";
import {
  DEFAULT_MAX_HANDOFFS,
  DEFAULT_TOOL_CONCURRENCY,
  DEFAULT_MAX_STEPS,
  checkHandoffList,
  resolveAgentOptions,
  transferSpec,
} from "./agent/options.js";
import { openRunBudget } from "./agent/run-budget.js";
import { AgentStepPrimitive } from "./agent/step.js";
import type { Toolbox, Transfer } from "./agent/tool-calls.js";
import { conversationOf, invalidInput, startTranscript } from "./agent/transcript.js";
import type { AgentInput, AgentOptions, AgentResult, AgentStopReason, PayloadCheck } from "./agent/types.js";
import type { HandoffEnvelope, HandoffRecord, JsonSchemaObject } from "./types.js";

export type { AgentInput, AgentOptions, AgentResult, AgentStopReason, PayloadCheck } from "./agent/types.js";

/**
 * Any agent: what `handoffs` and `handoff(to)` accept.
 * @since 0.1.0
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the payload type is invariant: `any` accepts every agent
export type AnyAgent = AgentPrimitive<any>;

/**
 * Defaults of {@link agent}: `maxSteps` 10, `maxHandoffs` 8, `toolConcurrency` 1.
 * @since 0.1.0
 */
export const DEFAULT_AGENT_OPTIONS: Readonly<{ maxSteps: number; maxHandoffs: number; toolConcurrency: number }> =
  Object.freeze({
    maxSteps: DEFAULT_MAX_STEPS,
    maxHandoffs: DEFAULT_MAX_HANDOFFS,
    toolConcurrency: DEFAULT_TOOL_CONCURRENCY,
  });

/** The stop reason for a response without tool calls. */
function stopOf(response: ModelResponse): AgentStopReason {
  const reason = response.finishReason;
  return reason === "length" || reason === "content-filter" ? reason : "stop";
}

/**
 * An agent: runs the model ↔ tool loop. Made by {@link agent}.
 *
 * @remarks
 * Each run (see {@link agent} for the loop):
 * - checks its input (nothing is charged for bad input), then reserves and commits `{ launches: 1 }` on
 *   the context's budget (a spent budget refuses with `BudgetExceededError`), and with `budget` limits
 *   draws on its own child budget, closed when the run ends or as soon as it is cancelled;
 * - runs under `withAgent(ctx, …)`: `agentOf(ctx)` in tools returns this run, and every span under it
 *   carries `tta.agent.id`, `tta.agent.name` and `tta.agent.role`;
 * - opens a span `tta.agent` with `gen_ai.operation.name: "invoke_agent"`, `gen_ai.agent.name`,
 *   `gen_ai.agent.id`, and at the end `tta.agent.steps`, `tta.agent.tool_calls` and
 *   `tta.agent.stop_reason` (`"handoff"` for an agent that handed off); each step a `tta.agent-step`
 *   span (`tta.agent.step`), each tool call an `execute_tool {name}` span. No prompt, answer, argument
 *   or result is ever recorded on them.
 * @throws `InvalidOptionsError` at construction, naming the option (see {@link agent}).
 * @example
 * ```ts
 * const billing = new AgentPrimitive({ name: "billing", instructions: "You handle invoices.", model: llm });
 * const result = await billing.execute("Why was I charged twice on INV-7?", ctx);
 * console.log(result.text, result.stopReason);
 * ```
 * @since 0.1.0
 */
export class AgentPrimitive<P = unknown> extends WorkflowPrimitive<AgentInput<P>, AgentResult> {
  /** Role label for telemetry. */
  readonly role: string;
  /** What the agent does, for the models that may hand off to it. */
  readonly description: string | undefined;
  /** The JSON Schema of the payload it accepts, shown to the models that may hand off to it. */
  readonly payloadJsonSchema: JsonSchemaObject | undefined;
  readonly #options: ResolvedAgentOptions<P>;
  readonly #step: AgentStepPrimitive;
  #toolbox: Toolbox | undefined;

  /** @throws `InvalidOptionsError` naming the option (see {@link agent}). */
  constructor(options: AgentOptions<P>) {
    const resolved = resolveAgentOptions<P>(options, (value) => value instanceof AgentPrimitive);
    super({ kind: "agent", name: resolved.name });
    this.#options = resolved;
    this.role = resolved.role;
    this.description = resolved.description;
    this.payloadJsonSchema = resolved.payload?.jsonSchema;
    this.#step = new AgentStepPrimitive(resolved.name, resolved);
  }

  /**
   * Checks `payload` against this agent's `payload` schema (any payload passes without one).
   * @throws what a Standard Schema's `validate` throws.
   */
  async validatePayload(payload: unknown): Promise<PayloadCheck<P>> {
    const schema = this.#options.payload;
    return schema === undefined ? { ok: true, value: payload as P } : schema.validate(payload);
  }

  protected async run(input: AgentInput<P>, ctx: WorkflowContext): Promise<AgentResult> {
    // The input is checked before anything is charged: bad input spends no launch.
    const envelope = this.#envelopeOf(input);
    const carried = envelope === undefined ? undefined : carriedOf(envelope);
    let history: readonly HandoffRecord[] = [];
    if (envelope !== undefined && carried === undefined) {
      // An envelope from elsewhere (made by hand, deserialised) is checked; one made by a handoff here is trusted.
      history = historyOf(envelope.history, "input.history");
      const checked = await this.validatePayload(envelope.payload);
      if (!checked.ok) throw payloadError(this.name, checked.issues);
    } else if (envelope !== undefined) history = envelope.history;
    const o = this.#options;
    const transcript = startTranscript(
      o.instructions,
      input as string | { readonly messages: readonly Message[] },
      envelope,
      carried?.conversation,
    );
    const toolbox = this.#toolboxOnce();
    const runBudget = openRunBudget(ctx, this.name, o.budget);
    try {
      const runCtx = withAgent(ctx, {
        name: this.name,
        role: o.role,
        memory: o.memory?.forAgent(this.name, ctx),
        handoffs: history,
        budget: runBudget?.budget,
      });
      const span = this.currentSpan(ctx);
      if (span !== undefined) {
        const id = agentOf(runCtx)?.id ?? "";
        span.setAttributes({
          "tta.agent.id": id,
          "tta.agent.name": this.name,
          "tta.agent.role": o.role,
          "gen_ai.operation.name": "invoke_agent",
          "gen_ai.agent.name": this.name,
          "gen_ai.agent.id": id,
        });
      }
      // The chain's handoffs so far: counted in this process, else (an envelope from elsewhere) its history.
      return await this.#loop(transcript, toolbox, carried?.hops ?? history.length, runCtx, span);
    } finally {
      runBudget?.close();
    }
  }

  async #loop(
    transcript: Message[],
    toolbox: Toolbox,
    hops: number,
    ctx: WorkflowContext,
    span: Span | undefined,
  ): Promise<AgentResult> {
    const { maxSteps, maxHandoffs } = this.#options;
    const canHandOff = hops < maxHandoffs;
    let steps = 0;
    let toolCalls = 0;
    let text = "";
    let stopReason: AgentStopReason = "max-steps";
    while (steps < maxSteps) {
      steps++;
      const out = await this.#step.execute({ messages: transcript.slice(), step: steps, toolbox, canHandOff }, ctx);
      transcript.push(out.assistant, ...out.messages);
      toolCalls += out.toolCalls;
      text = out.response.text;
      if (out.transfer !== undefined) return this.#handOff(out.transfer, transcript, hops, steps, toolCalls, ctx, span);
      if (out.refused) {
        stopReason = "max-handoffs";
        break;
      }
      if (out.response.toolCalls.length === 0) {
        stopReason = stopOf(out.response);
        break;
      }
    }
    span?.setAttributes({
      "tta.agent.steps": steps,
      "tta.agent.tool_calls": toolCalls,
      "tta.agent.stop_reason": stopReason,
    });
    return { text, agent: this.name, messages: transcript, steps, toolCalls, handoffs: [], stopReason };
  }

  /** Runs the target with an envelope (and the conversation beside it); its result, counted over the chain. */
  async #handOff(
    transfer: Transfer,
    transcript: readonly Message[],
    hops: number,
    steps: number,
    toolCalls: number,
    ctx: WorkflowContext,
    span: Span | undefined,
  ): Promise<AgentResult> {
    const target = transfer.target;
    const { envelope, record } = createEnvelope({
      from: this.name,
      to: target.name,
      task: transfer.task,
      payload: transfer.payload,
      previous: agentOf(ctx)?.handoffs ?? [],
      span,
      ctx,
      carried: { conversation: conversationOf(transcript), hops: hops + 1 },
    });
    span?.setAttributes({
      "tta.agent.steps": steps,
      "tta.agent.tool_calls": toolCalls,
      "tta.agent.stop_reason": "handoff",
      "tta.agent.handoff.to": target.name,
    });
    const result = await target.execute(envelope, ctx);
    return {
      ...result,
      steps: steps + result.steps,
      toolCalls: toolCalls + result.toolCalls,
      handoffs: [record, ...result.handoffs],
    };
  }

  /** The envelope when `input` is one (addressed to this agent); `undefined` for a string or `{ messages }`. */
  #envelopeOf(input: unknown): HandoffEnvelope<P> | undefined {
    if (typeof input === "string") return undefined;
    if (isEnvelope(input)) {
      if (input.to !== this.name) invalidInput("input.to", `the name of this agent ("${this.name}")`, input.to);
      return input as HandoffEnvelope<P>;
    }
    if (isPlainObject(input) && "messages" in input) return undefined;
    return invalidInput("input", "a string, `{ messages }` or a HandoffEnvelope", input);
  }

  /** The tools and handoff targets, resolved at the first run (a `handoffs` function is called once). */
  #toolboxOnce(): Toolbox {
    if (this.#toolbox !== undefined) return this.#toolbox;
    const o = this.#options;
    const given = o.handoffs;
    const list: unknown = typeof given === "function" ? (given as () => unknown)() : (given ?? []);
    if (!Array.isArray(list)) invalidInput("handoffs", "a function returning an array of agents", list);
    checkHandoffList(
      list,
      (value) => value instanceof AgentPrimitive,
      typeof given === "function" ? "handoffs()" : "handoffs",
    );
    const handoffs = new Map<string, AnyAgent>();
    const specs = [...o.toolSpecs];
    for (const target of list as readonly AnyAgent[]) {
      const spec = transferSpec(target);
      handoffs.set(spec.name, target);
      specs.push(spec);
    }
    this.#toolbox = { tools: o.tools, handoffs, specs };
    return this.#toolbox;
  }
}

/**
 * Creates an agent: a primitive that runs the model ↔ tool loop.
 *
 * @remarks
 * The loop: the transcript starts with `instructions` as the system message, then the input (see
 * {@link AgentInput}). Each step (at most `maxSteps`) calls the model with the transcript, the tools'
 * specs and one `transfer_to_<agent>` tool per handoff target, then answers the response's tool calls
 * **sequentially, in call order**, appending one `tool` message per call id:
 * - a tool's result as text (a string as it is, anything else as JSON);
 * - a tool that throws: `Error: <message>`; arguments that fail validation, or that are not JSON:
 *   the issues with their paths; an unknown tool: the available names. The loop goes on (the model
 *   can correct itself); cancellation (`ctx.signal`'s reason, unchanged) and `BudgetExceededError`
 *   propagate.
 * A response without tool calls ends the run. A `transfer_to_<agent>` call (`{ task, payload? }`,
 * `payload` validated against the target's `payload` schema; a failure goes back as a tool result)
 * ends this agent's loop: the target runs with a {@link HandoffEnvelope} under the same context
 * (one trace, one budget), its transcript starting with its own instructions, the conversation so far
 * (no system message; the transfer call answered) and the task as a user message (with the payload as
 * JSON). The first valid transfer of a response wins.
 *
 * @throws `InvalidOptionsError` naming the option: `name` not matching `[a-zA-Z0-9_-]{1,52}`, missing
 * `instructions` or `model`, `tools[i]` not a tool, a duplicate tool name (`tools[3].name`), a handoff
 * target that is not an agent or a duplicate (`handoffs[1]`), `maxSteps` not an integer ≥ 1, a bad
 * `payload` schema, budget limits that are not finite numbers ≥ 0, unknown keys.
 * @example
 * ```ts
 * const lookupInvoice = tool({
 *   name: "lookup_invoice",
 *   parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
 *   execute: ({ id }: { id: string }) => ({ id, amount: 120 }),
 * });
 * const billing = agent({ name: "billing", instructions: "You handle invoices.", model: llm, tools: [lookupInvoice] });
 * const triage = agent({ name: "triage", instructions: "Route the user.", model: llm, handoffs: [billing] });
 * const { text, agent: answeredBy } = await triage.execute("Why was I charged twice on INV-7?");
 * ```
 * @since 0.1.0
 */
export function agent<P = unknown>(options: AgentOptions<P>): AgentPrimitive<P> {
  return new AgentPrimitive<P>(options);
}
