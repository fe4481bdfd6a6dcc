/**
 * Mapping between our provider-neutral model types and the Vercel AI SDK's language-model
 * specification (V2 and V3): requests to call options, results and stream parts to responses and
 * chunks. Used by `fromAiSdk`; no runtime import of `@ai-sdk/provider`.
 */
import { InvalidOptionsError } from "../../core/errors.js";
import { describeValue } from "../../internal/options.js";
import type {
  FinishReason,
  Message,
  ModelRequest,
  ModelResponse,
  RateLimitInfo,
  ToolCall,
  Usage,
} from "../language-model.js";
import { rateLimitFromHeaders } from "../retry-hints.js";
import type {
  AiSdkCallOptions,
  AiSdkContentPart,
  AiSdkFinishReason,
  AiSdkHeaders,
  AiSdkJsonObject,
  AiSdkPromptMessage,
  AiSdkPromptTextPart,
  AiSdkPromptToolCallPart,
  AiSdkToolChoice,
  AiSdkUsage,
} from "./ai-sdk-types.js";
import { nonNegative } from "../../internal/values.js";

function invalid(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeValue(value)}`);
}

/** `Array.isArray` without widening the element type to `any`. */
function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** Tool names by call id, from the assistant messages (a `tool` message carries only the id). */
function toolNamesById(messages: readonly Message[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== "assistant" || message.toolCalls === undefined) continue;
    for (const call of message.toolCalls) names.set(call.id, call.name);
  }
  return names;
}

function toPromptMessage(message: Message, index: number, names: ReadonlyMap<string, string>): AiSdkPromptMessage {
  const where = `request.messages[${index}]`;
  if (typeof message !== "object" || message === null) invalid(where, "a message object", message);
  const role: unknown = message.role;
  const content = message.content;
  if (typeof content !== "string") invalid(`${where}.content`, "a string", content);
  switch (message.role) {
    case "system":
      return { role: "system", content };
    case "user":
      return { role: "user", content: [{ type: "text", text: content }] };
    case "assistant": {
      const calls = message.toolCalls ?? [];
      const parts: (AiSdkPromptTextPart | AiSdkPromptToolCallPart)[] = [];
      if (content !== "" || calls.length === 0) parts.push({ type: "text", text: content });
      for (const call of calls) {
        parts.push({ type: "tool-call", toolCallId: call.id, toolName: call.name, input: call.arguments });
      }
      return { role: "assistant", content: parts };
    }
    case "tool": {
      const id = message.toolCallId;
      if (typeof id !== "string" || id === "") invalid(`${where}.toolCallId`, "a non-empty string", id);
      const toolName = names.get(id) ?? "";
      return {
        role: "tool",
        content: [{ type: "tool-result", toolCallId: id, toolName, output: { type: "text", value: content } }],
      };
    }
    default:
      return invalid(`${where}.role`, '"system", "user", "assistant" or "tool"', role);
  }
}

function toToolChoice(choice: NonNullable<ModelRequest["toolChoice"]>): AiSdkToolChoice {
  if (choice === "auto" || choice === "none" || choice === "required") return { type: choice };
  if (typeof choice === "object" && choice !== null && typeof choice.name === "string") {
    return { type: "tool", toolName: choice.name };
  }
  return invalid("request.toolChoice", '"auto", "none", "required" or { name }', choice);
}

/**
 * Builds the AI SDK call options for `request`: the prompt, sampling settings, tools, tool choice,
 * response format and provider options (passed through untouched), with `signal` as `abortSignal`.
 *
 * @remarks A `tool` message becomes a `tool-result` part with a `text` output (its content as is); its
 * `toolName` is taken from the assistant message that made the call (`""` when none did).
 * @throws InvalidOptionsError naming the field when a message is malformed (no `toolCallId` on a
 * `tool` message, an unknown role, non-string content) or `toolChoice` is unknown.
 */
export function toCallOptions(request: ModelRequest, signal: AbortSignal): AiSdkCallOptions {
  if (typeof request !== "object" || request === null) invalid("request", "a ModelRequest object", request);
  const messages = request.messages;
  if (!isArray(messages)) invalid("request.messages", "an array of messages", messages);
  const names = toolNamesById(messages);
  const options: {
    -readonly [K in keyof AiSdkCallOptions]: AiSdkCallOptions[K];
  } = { prompt: messages.map((message, index) => toPromptMessage(message, index, names)), abortSignal: signal };
  if (request.maxTokens !== undefined) options.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.stop !== undefined) options.stopSequences = [...request.stop];
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.tools !== undefined && request.tools.length > 0) {
    options.tools = request.tools.map((tool) => ({
      type: "function" as const,
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: tool.parameters,
    }));
  }
  if (request.toolChoice !== undefined) options.toolChoice = toToolChoice(request.toolChoice);
  const format = request.responseFormat;
  if (format !== undefined) {
    options.responseFormat = {
      type: "json",
      ...(format.schema === undefined ? {} : { schema: format.schema }),
      ...(format.name === undefined ? {} : { name: format.name }),
    };
  }
  if (request.providerOptions !== undefined) {
    // Passed through untouched: the AI SDK expects `{ [provider]: JSON object }`, which is the caller's to get right.
    options.providerOptions = request.providerOptions as Record<string, AiSdkJsonObject>;
  }
  return options;
}

/**
 * Parses a tool call's `input` (a JSON string in both V2 and V3): the parsed value, `{}` for an empty
 * string, or the raw string when it is not valid JSON. A non-string input is returned as is.
 */
export function parseToolInput(input: unknown): unknown {
  if (typeof input !== "string") return input ?? {};
  if (input.trim() === "") return {};
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

/**
 * The tool call in a `tool-call` content or stream part, or `undefined` when the part is something
 * else or the provider executed the tool itself (`providerExecuted`).
 */
export function toToolCall(part: AiSdkContentPart): ToolCall | undefined {
  if (part.type !== "tool-call" || part.providerExecuted === true) return undefined;
  return { id: part.toolCallId ?? "", name: part.toolName ?? "", arguments: parseToolInput(part.input) };
}

function sum(...values: (number | undefined)[]): number | undefined {
  const known = values.filter((value) => value !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

/**
 * Our {@link Usage} from AI SDK usage: V3's nested counts (`inputTokens.total`, or `noCache +
 * cacheRead + cacheWrite` when the total is missing; `cachedInputTokens` = `cacheRead`) or V2's flat
 * numbers. Missing counts are 0; `cachedInputTokens` is set only when positive (providers such as
 * `@ai-sdk/openai-compatible` report 0 when the server said nothing, and 0 cached tokens cost the same).
 */
export function toUsage(usage: AiSdkUsage | undefined): Usage {
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  let inputTokens: number | undefined;
  let cached: number | undefined;
  if (typeof input === "object" && input !== null) {
    cached = nonNegative(input.cacheRead);
    inputTokens = nonNegative(input.total) ?? sum(nonNegative(input.noCache), cached, nonNegative(input.cacheWrite));
  } else {
    inputTokens = nonNegative(input);
    cached = nonNegative(usage?.cachedInputTokens);
  }
  const outputTokens =
    typeof output === "object" && output !== null
      ? (nonNegative(output.total) ?? sum(nonNegative(output.text), nonNegative(output.reasoning)))
      : nonNegative(output);
  return {
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    ...(cached === undefined || cached === 0 ? {} : { cachedInputTokens: cached }),
  };
}

/**
 * Our {@link FinishReason} from an AI SDK one (V2 string or V3 `{ unified, raw }`): `stop`, `length`,
 * `tool-calls` and `content-filter` map to themselves, anything else (`error`, `unknown`, `other`) to
 * `"other"`.
 */
export function toFinishReason(reason: AiSdkFinishReason | undefined): FinishReason {
  const unified: unknown = typeof reason === "object" && reason !== null ? reason.unified : reason;
  switch (unified) {
    case "stop":
    case "length":
    case "tool-calls":
    case "content-filter":
      return unified;
    default:
      return "other";
  }
}

/**
 * The rate-limit state in an AI SDK result's `response.headers` (see `rateLimitFromHeaders`), or
 * `undefined` when there are no headers or none of the `x-ratelimit-*` ones parses.
 */
export function toRateLimit(
  response: { readonly headers?: AiSdkHeaders | undefined } | null | undefined,
): RateLimitInfo | undefined {
  if (typeof response !== "object" || response === null) return undefined;
  return rateLimitFromHeaders(response.headers);
}

/**
 * Our {@link ModelResponse} from a `doGenerate` result: text parts concatenated, client-executed tool
 * calls with parsed arguments, usage, finish reason, `response.modelId` (else `fallbackModel`) as
 * the answering model, and `rateLimit` from `response.headers` when they hold `x-ratelimit-*`
 * headers. Reasoning, files, sources and provider-executed tool results are dropped.
 */
export function toModelResponse(
  result: {
    readonly content?: readonly AiSdkContentPart[] | undefined;
    readonly finishReason?: AiSdkFinishReason | undefined;
    readonly usage?: AiSdkUsage | undefined;
    readonly response?:
      { readonly modelId?: string | undefined; readonly headers?: AiSdkHeaders | undefined } | undefined;
  },
  fallbackModel: string,
): ModelResponse {
  let text = "";
  const toolCalls: ToolCall[] = [];
  const content: unknown = result.content;
  for (const part of isArray(content) ? content : []) {
    if (typeof part !== "object" || part === null) continue;
    const contentPart = part as AiSdkContentPart;
    if (contentPart.type === "text" && typeof contentPart.text === "string") text += contentPart.text;
    const call = toToolCall(contentPart);
    if (call !== undefined) toolCalls.push(call);
  }
  const modelId = result.response?.modelId;
  const response: ModelResponse = {
    text,
    toolCalls,
    usage: toUsage(result.usage),
    model: typeof modelId === "string" && modelId !== "" ? modelId : fallbackModel,
    finishReason: toFinishReason(result.finishReason),
  };
  const rateLimit = toRateLimit(result.response);
  return rateLimit === undefined ? response : { ...response, rateLimit };
}
