/**
 * Response side of the OpenAI-compatible provider: a chat completion (or a stream's pieces) mapped
 * to the provider-neutral `ModelResponse`, `Usage`, `ToolCall` and `FinishReason`.
 *
 * @packageDocumentation
 */
import type { FinishReason, ModelResponse, ToolCall, Usage } from "../language-model.js";
import type { OpenAIConfig } from "./openai-http.js";
import { errorDetail, malformedError } from "./openai-http.js";
import { isRecord, nonNegative } from "../../internal/values.js";

/**
 * Maps an OpenAI `finish_reason`: `stop`, `length`, `tool_calls`/`function_call` (`"tool-calls"`),
 * `content_filter` (`"content-filter"`); anything else (or none) is `"other"`.
 * @internal
 * @since 0.1.0
 */
export function mapFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    default:
      return "other";
  }
}

/**
 * Maps OpenAI `usage` (`prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`);
 * absent or malformed counts are 0 (`cachedInputTokens` is left out when the provider did not say).
 * @internal
 * @since 0.1.0
 */
export function mapUsage(usage: unknown): Usage {
  if (!isRecord(usage)) return { inputTokens: 0, outputTokens: 0 };
  const inputTokens = nonNegative(usage.prompt_tokens) ?? 0;
  const outputTokens = nonNegative(usage.completion_tokens) ?? 0;
  const details = usage.prompt_tokens_details;
  const cached = isRecord(details) ? nonNegative(details.cached_tokens) : undefined;
  return cached === undefined
    ? { inputTokens, outputTokens }
    : { inputTokens, outputTokens, cachedInputTokens: cached };
}

/**
 * Parses tool-call arguments: JSON text is parsed; text that is not valid JSON is kept as the raw
 * string; empty text (or none) is `{}`; a value that is already parsed is kept.
 * @internal
 * @since 0.1.0
 */
export function parseToolArguments(raw: unknown): unknown {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "string") return raw;
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  // Some servers answer with content parts (`[{ type: "text", text }]`).
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) if (isRecord(part) && typeof part.text === "string") text += part.text;
  return text;
}

/** The choice with `index` 0 (servers list it first; `n > 1` is not supported). */
function firstChoice(choices: readonly unknown[]): unknown {
  const first: unknown = choices[0];
  if (!isRecord(first) || first.index === undefined || first.index === 0) return first;
  return choices.find((c) => isRecord(c) && c.index === 0) ?? first;
}

/**
 * Picks the choice a stream chunk carries for index 0, or `undefined` (no choices, as in the final
 * usage chunk, or another index).
 * @internal
 * @since 0.1.0
 */
export function streamChoice(choices: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(choices)) return undefined;
  for (const choice of choices as unknown[]) {
    if (isRecord(choice) && (choice.index === undefined || choice.index === null || choice.index === 0)) return choice;
  }
  return undefined;
}

/**
 * Maps a tool call of a chat completion `message.tool_calls`; `undefined` when it has no function
 * name (malformed).
 */
function toolCall(raw: unknown, position: number): ToolCall | undefined {
  if (!isRecord(raw) || !isRecord(raw.function)) return undefined;
  const name = raw.function.name;
  if (typeof name !== "string" || name === "") return undefined;
  const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : `call_${position}`;
  return { id, name, arguments: parseToolArguments(raw.function.arguments) };
}

/**
 * Maps the JSON text of a 2xx chat completion to a {@link ModelResponse}.
 *
 * @throws a retryable {@link ProviderError} with the status and the redacted body when the text is
 * not JSON, has no `choices`, `choices[0]` has no `message`, or a tool call has no function name.
 * @internal
 * @since 0.1.0
 */
export function parseCompletion(config: OpenAIConfig, status: number, text: string): ModelResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The SyntaxError is not kept as the cause: its message quotes the body, unredacted.
    throw malformedError(config, status, text, "a body that is not JSON");
  }
  if (!isRecord(json)) throw malformedError(config, status, text, "a JSON body that is not an object");
  const choices = json.choices;
  if (!Array.isArray(choices) || choices.length === 0)
    throw malformedError(config, status, text, "no `choices` in the body", errorDetail(json));
  const choice = firstChoice(choices);
  if (!isRecord(choice) || !isRecord(choice.message))
    throw malformedError(config, status, text, "no `message` in `choices[0]`", errorDetail(json));
  const message = choice.message;
  const toolCalls: ToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    const raw = message.tool_calls as unknown[];
    for (let i = 0; i < raw.length; i++) {
      const call = toolCall(raw[i], i);
      if (call === undefined) throw malformedError(config, status, text, `a tool call without a function name`);
      toolCalls.push(call);
    }
  }
  return {
    text: contentText(message.content),
    toolCalls,
    usage: mapUsage(json.usage),
    model: typeof json.model === "string" && json.model !== "" ? json.model : config.model,
    finishReason: mapFinishReason(choice.finish_reason),
  };
}

/** One tool call being assembled from stream deltas. */
interface PartialToolCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Assembles streamed `delta.tool_calls` fragments by `index`: the id and name come from the first
 * fragment that has them, `function.arguments` are concatenated. `flush()` returns the whole calls in
 * index order and starts over.
 * @internal
 * @since 0.1.0
 */
export class ToolCallAssembler {
  readonly #calls = new Map<number, PartialToolCall>();

  /** Whether fragments are waiting to be flushed. */
  get pending(): boolean {
    return this.#calls.size > 0;
  }

  /** Adds the fragments of one delta (`delta.tool_calls`). */
  add(fragments: unknown): void {
    if (!Array.isArray(fragments)) return;
    const list = fragments as unknown[];
    for (let i = 0; i < list.length; i++) {
      const fragment = list[i];
      if (!isRecord(fragment)) continue;
      const index = typeof fragment.index === "number" ? fragment.index : i;
      let call = this.#calls.get(index);
      if (call === undefined) {
        call = { id: "", name: "", args: "" };
        this.#calls.set(index, call);
      }
      if (call.id === "" && typeof fragment.id === "string") call.id = fragment.id;
      const fn = fragment.function;
      if (!isRecord(fn)) continue;
      if (call.name === "" && typeof fn.name === "string") call.name = fn.name;
      const args = fn.arguments;
      if (typeof args === "string") call.args += args;
      else if (isRecord(args)) call.args += JSON.stringify(args);
    }
  }

  /**
   * The assembled calls, in index order, and clears them; `undefined` when one has no name
   * (a malformed stream).
   */
  flush(): ToolCall[] | undefined {
    const indexes = [...this.#calls.keys()].sort((a, b) => a - b);
    const out: ToolCall[] = [];
    for (const index of indexes) {
      const call = this.#calls.get(index) as PartialToolCall;
      if (call.name === "") return undefined;
      out.push({
        id: call.id === "" ? `call_${index}` : call.id,
        name: call.name,
        arguments: parseToolArguments(call.args),
      });
    }
    this.#calls.clear();
    return out;
  }
}
