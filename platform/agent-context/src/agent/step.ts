/**
 * `AgentStepPrimitive`: one turn of an agent's loop (a model call, then the tool calls it asked for),
 * as a child primitive with its own `tta.agent-step` span.
 *
 * @packageDocumentation
 * @internal
 */
import type { Executable, Message, ModelRequest, ModelResponse, WorkflowContext } from "@tta/primitives";
import { WorkflowPrimitive } from "@tta/primitives";
import type { Answers, Toolbox } from "./tool-calls.js";
import { answerToolCalls } from "./tool-calls.js";

/** One step's input. @internal */
export interface StepInput {
  /** The transcript so far (a snapshot: the model may keep the request). */
  readonly messages: readonly Message[];
  /** The step's number, from 1. */
  readonly step: number;
  readonly toolbox: Toolbox;
  /** Whether a handoff is still allowed in this chain. */
  readonly canHandOff: boolean;
}

/** What one step produced. @internal */
export interface StepOutcome extends Answers {
  readonly response: ModelResponse;
  /** The assistant message of the response (with its tool calls, if any). */
  readonly assistant: Message;
}

/** What the step calls the model with, besides the messages and tools. @internal */
export interface StepSettings {
  readonly model: Executable<ModelRequest, ModelResponse>;
  readonly maxTokens: number | undefined;
  readonly temperature: number | undefined;
  /** Tool calls of one response run at once. */
  readonly toolConcurrency: number;
}

/**
 * One step of an agent: calls the model with the transcript and the tool specs, then answers the tool
 * calls of the response (see `answerToolCalls`). Span `tta.agent-step` with `tta.agent.step`. @internal
 */
export class AgentStepPrimitive extends WorkflowPrimitive<StepInput, StepOutcome> {
  readonly #settings: StepSettings;

  constructor(agentName: string, settings: StepSettings) {
    super({ kind: "agent-step", name: agentName });
    this.#settings = settings;
  }

  protected async run(input: StepInput, ctx: WorkflowContext): Promise<StepOutcome> {
    this.currentSpan(ctx)?.setAttribute("tta.agent.step", input.step);
    const { model, maxTokens, temperature } = this.#settings;
    const specs = input.toolbox.specs;
    const request: { -readonly [K in keyof ModelRequest]: ModelRequest[K] } = { messages: input.messages };
    if (specs.length > 0) request.tools = specs;
    if (maxTokens !== undefined) request.maxTokens = maxTokens;
    if (temperature !== undefined) request.temperature = temperature;
    const response = await model.execute(request, ctx);
    const calls = response.toolCalls;
    if (calls.length === 0)
      return {
        response,
        assistant: { role: "assistant", content: response.text },
        messages: [],
        toolCalls: 0,
        transfer: undefined,
        refused: false,
      };
    const { messages, toolCalls, transfer, refused } = await answerToolCalls(
      calls,
      input.toolbox,
      input.canHandOff,
      ctx,
      this.#settings.toolConcurrency,
    );
    return {
      response,
      assistant: { role: "assistant", content: response.text, toolCalls: calls },
      messages,
      toolCalls,
      transfer,
      refused,
    };
  }
}
