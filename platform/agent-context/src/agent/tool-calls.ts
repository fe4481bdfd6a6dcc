/**
 * Answering the tool calls of one model response (a tool, a handoff, or an error for an unknown name):
 * tools one at a time or `toolConcurrency` at once, each call answered by one `tool` message, in call order.
 *
 * @packageDocumentation
 * @internal
 */
import type { Message, ToolCall, ToolSpec, WorkflowContext } from "@tta/primitives";
import { isTtaError } from "@tta/primitives";
import { isPlainObject } from "@tta/primitives/options";
import type { AnyAgent, PayloadCheck } from "../agent.js";
import type { AnyTool } from "../tool.js";
import {
  TOOL_CALL_ID_KEY,
  UNPARSABLE,
  callArguments,
  errorText,
  invalidArgumentsText,
  resultText,
} from "../tool/call.js";

/** The tools and handoffs an agent offers, resolved once. @internal */
export interface Toolbox {
  readonly tools: ReadonlyMap<string, AnyTool>;
  /** Handoff targets by their tool name (`transfer_to_<agent>`). */
  readonly handoffs: ReadonlyMap<string, AnyAgent>;
  /** Every spec sent to the model: the tools, then one `transfer_to_…` per target. */
  readonly specs: readonly ToolSpec[];
}

/** A handoff the model asked for, with validated arguments. @internal */
export interface Transfer {
  readonly target: AnyAgent;
  readonly task: string;
  readonly payload: unknown;
}

/** What answering a response's tool calls produced. @internal */
export interface Answers {
  /** One `tool` message per call, in call order. */
  readonly messages: Message[];
  /** Calls of tools (known or not); handoff calls are not counted. */
  readonly toolCalls: number;
  /** The first valid handoff call, if any. */
  readonly transfer: Transfer | undefined;
  /** Whether a handoff call was refused because the chain's hop limit was reached. */
  readonly refused: boolean;
}

/** The cancellation reason when `ctx` was aborted, to rethrow unchanged. */
function throwIfAborted(ctx: WorkflowContext): void {
  const signal = ctx.signal;
  if (signal.aborted) throw signal.reason;
}

/** The answer to one tool call: the result as text, or the error for the model; cancellation and budget errors propagate. */
async function callTool(tool: AnyTool, call: ToolCall, ctx: WorkflowContext): Promise<string> {
  try {
    return resultText(await tool.execute(call.arguments, ctx.withValue(TOOL_CALL_ID_KEY, call.id)));
  } catch (error) {
    throwIfAborted(ctx);
    if (isTtaError(error, "BUDGET_EXCEEDED")) throw error;
    return errorText(error);
  }
}

/** Validates a handoff call's `{ task, payload }`; a transfer, or the error text for the model. */
async function checkTransfer(target: AnyAgent, call: ToolCall): Promise<{ transfer: Transfer } | { error: string }> {
  const args = callArguments(call.arguments);
  if (args === UNPARSABLE || !isPlainObject(args))
    return {
      error: invalidArgumentsText(call.name, [{ message: 'Expected a JSON object { "task": string, "payload"?: … }' }]),
    };
  if (typeof args.task !== "string" || args.task.trim() === "")
    return { error: invalidArgumentsText(call.name, [{ message: "A non-empty string is required", path: ["task"] }]) };
  let checked: PayloadCheck<unknown>;
  try {
    checked = await target.validatePayload(args.payload);
  } catch (error) {
    return { error: errorText(error) };
  }
  if (!checked.ok)
    return {
      error: invalidArgumentsText(
        call.name,
        checked.issues.map((issue) => ({ message: issue.message, path: ["payload", ...(issue.path ?? [])] })),
      ),
    };
  return { transfer: { target, task: args.task, payload: checked.value } };
}

/** A tool call to run, and where its answer goes. */
interface ToolJob {
  readonly index: number;
  readonly tool: AnyTool;
  readonly call: ToolCall;
}

/**
 * Runs `jobs` with at most `limit` at once, writing each answer at its index. The first call that fails
 * the run (cancellation, a budget error) aborts the others' signal; its error is rethrown once every
 * call has settled, so no tool is still running when the step ends.
 */
async function runTools(jobs: readonly ToolJob[], limit: number, ctx: WorkflowContext, out: string[]): Promise<void> {
  if (limit === 1 || jobs.length === 1) {
    for (const job of jobs) {
      throwIfAborted(ctx);
      out[job.index] = await callTool(job.tool, job.call, ctx);
    }
    return;
  }
  throwIfAborted(ctx);
  const stop = new AbortController();
  const shared = ctx.child({ signal: stop.signal });
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < jobs.length) {
      if (shared.signal.aborted) {
        failure = { error: shared.signal.reason }; // the caller's cancellation: start no further call
        return;
      }
      const job = jobs[next++] as ToolJob;
      try {
        out[job.index] = await callTool(job.tool, job.call, shared);
      } catch (error) {
        if (failure === undefined) {
          failure = { error };
          stop.abort(error);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
  } finally {
    shared.dispose();
  }
  if (failure !== undefined) throw failure.error;
}

/**
 * Answers every tool call of one response. Handoff calls are decided in call order (the first valid
 * one wins; later ones are answered with an error); tool calls run `concurrency` at a time (1: one
 * after another in call order, as a tool may rely on the effects of the one before). The answers are
 * in call order either way. @internal
 */
export async function answerToolCalls(
  calls: readonly ToolCall[],
  toolbox: Toolbox,
  canHandOff: boolean,
  ctx: WorkflowContext,
  concurrency = 1,
): Promise<Answers> {
  const contents: string[] = [];
  const jobs: ToolJob[] = [];
  let toolCalls = 0;
  let transfer: Transfer | undefined;
  let refused = false;
  for (const [index, call] of calls.entries()) {
    const target = toolbox.handoffs.get(call.name);
    if (target !== undefined) {
      if (transfer !== undefined)
        contents[index] = `Error: already transferring to "${transfer.target.name}"; only one handoff per turn.`;
      else if (!canHandOff) {
        refused = true;
        contents[index] = "Error: the handoff limit of this run is reached; no further transfers are possible.";
      } else {
        const checked = await checkTransfer(target, call);
        if ("error" in checked) contents[index] = checked.error;
        else {
          transfer = checked.transfer;
          contents[index] = `Transferred to agent "${target.name}".`;
        }
      }
      continue;
    }
    toolCalls++;
    const tool = toolbox.tools.get(call.name);
    if (tool === undefined)
      contents[index] =
        `Error: unknown tool "${call.name}". Available tools: ${toolbox.specs.map((s) => s.name).join(", ") || "none"}.`;
    else jobs.push({ index, tool, call });
  }
  await runTools(jobs, concurrency, ctx, contents);
  const messages: Message[] = calls.map((call, index) => ({
    role: "tool",
    content: contents[index] as string,
    toolCallId: call.id,
  }));
  return { messages, toolCalls, transfer, refused };
}
