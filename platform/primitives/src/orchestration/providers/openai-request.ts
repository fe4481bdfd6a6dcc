/**
 * Request side of the OpenAI-compatible provider: the cheap call-time checks of a `ModelRequest`
 * and its mapping to a chat completions body.
 *
 * @packageDocumentation
 */
import { InvalidOptionsError } from "../../core/errors.js";
import { describeShape, isPlainObject } from "../../internal/options.js";
import type { Message, ModelRequest, ResponseFormat, ToolCall, ToolChoice, ToolSpec } from "../language-model.js";
import type { OpenAIConfig } from "./openai-http.js";
import { isRecord } from "../../internal/values.js";

const ROLES: ReadonlySet<unknown> = new Set(["system", "user", "assistant", "tool"]);
const TOOL_CHOICES: ReadonlySet<unknown> = new Set(["auto", "none", "required"]);
const INCLUDE_USAGE = Object.freeze({ include_usage: true });

function bad(path: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(path, `Expected \`${path}\` to be ${expected}, got ${describeShape(value)}`);
}

function optionalString(path: string, value: unknown): void {
  if (value !== undefined && value !== null && typeof value !== "string") bad(path, "a string", value);
}

function requiredName(path: string, value: unknown): void {
  if (typeof value !== "string" || value === "") bad(path, "a non-empty string", value);
}

function checkToolCalls(path: string, calls: unknown): void {
  if (calls === undefined || calls === null) return;
  if (!Array.isArray(calls)) bad(path, "an array of tool calls", calls);
  for (let j = 0; j < calls.length; j++) {
    const call: unknown = calls[j];
    if (!isRecord(call)) bad(`${path}[${j}]`, "a tool call `{ id, name, arguments }`", call);
    requiredName(`${path}[${j}].id`, call.id);
    requiredName(`${path}[${j}].name`, call.name);
  }
}

function checkMessages(messages: unknown): void {
  if (!Array.isArray(messages) || messages.length === 0) bad("request.messages", "a non-empty array", messages);
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i];
    const path = `request.messages[${i}]`;
    if (!isRecord(message)) bad(path, "a message `{ role, content }`", message);
    const role = message.role;
    if (!ROLES.has(role)) bad(`${path}.role`, '"system", "user", "assistant" or "tool"', role);
    if (typeof message.content !== "string") bad(`${path}.content`, "a string", message.content);
    if (role === "tool") requiredName(`${path}.toolCallId`, message.toolCallId);
    else if (role === "assistant") checkToolCalls(`${path}.toolCalls`, message.toolCalls);
  }
}

function checkTools(tools: unknown): void {
  if (tools === undefined || tools === null) return;
  if (!Array.isArray(tools)) bad("request.tools", "an array of tools", tools);
  for (let i = 0; i < tools.length; i++) {
    const tool: unknown = tools[i];
    const path = `request.tools[${i}]`;
    if (!isRecord(tool)) bad(path, "a tool `{ name, description?, parameters }`", tool);
    requiredName(`${path}.name`, tool.name);
    optionalString(`${path}.description`, tool.description);
    if (!isRecord(tool.parameters)) bad(`${path}.parameters`, "a JSON Schema object", tool.parameters);
  }
}

function checkToolChoice(choice: unknown): void {
  if (choice === undefined || choice === null || TOOL_CHOICES.has(choice)) return;
  if (!isRecord(choice)) bad("request.toolChoice", '"auto", "none", "required" or `{ name }`', choice);
  requiredName("request.toolChoice.name", choice.name);
}

function checkResponseFormat(format: unknown): void {
  if (format === undefined || format === null) return;
  if (!isRecord(format) || format.type !== "json")
    bad("request.responseFormat", '`{ type: "json", schema?, name? }`', format);
  if (format.schema !== undefined && format.schema !== null && !isRecord(format.schema))
    bad("request.responseFormat.schema", "a JSON Schema object", format.schema);
  optionalString("request.responseFormat.name", format.name);
}

/**
 * Checks a request before it is sent (cheap: one pass over the messages, no copies).
 *
 * @throws {@link InvalidOptionsError} naming the field, e.g. `request.messages[2].role`,
 * `request.maxTokens`, `request.providerOptions.stream`; its message describes the value's kind
 * (`an object`, `a string of 40 characters`), never its content.
 * @internal
 * @since 0.1.0
 */
export function validateRequest(request: unknown): asserts request is ModelRequest {
  if (!isRecord(request)) bad("request", "an object `{ messages, … }`", request);
  checkMessages(request.messages);
  const { maxTokens, temperature, seed, stop, providerOptions } = request;
  if (maxTokens !== undefined && maxTokens !== null && !(Number.isSafeInteger(maxTokens) && (maxTokens as number) > 0))
    bad("request.maxTokens", "a positive integer", maxTokens);
  if (temperature !== undefined && temperature !== null && !Number.isFinite(temperature))
    bad("request.temperature", "a finite number", temperature);
  if (seed !== undefined && seed !== null && !Number.isSafeInteger(seed)) bad("request.seed", "an integer", seed);
  if (stop !== undefined && stop !== null && !(Array.isArray(stop) && stop.every((s) => typeof s === "string")))
    bad("request.stop", "an array of strings", stop);
  checkTools(request.tools);
  checkToolChoice(request.toolChoice);
  checkResponseFormat(request.responseFormat);
  if (providerOptions !== undefined && providerOptions !== null) {
    if (!isPlainObject(providerOptions)) bad("request.providerOptions", "a plain object", providerOptions);
    // `generate` and `stream` decide this themselves; a stray `stream` would break the parsing.
    if (Object.hasOwn(providerOptions, "stream"))
      bad("request.providerOptions.stream", "absent (call `stream()` to stream)", providerOptions.stream);
  }
}

/**
 * The `signal` of a call's options (`undefined` when the caller passed none).
 * @throws {@link InvalidOptionsError} (`options.signal`) when it is not an `AbortSignal`.
 * @internal
 * @since 0.1.0
 */
export function callSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") bad("options", "an object `{ signal }`", options);
  const signal = (options as { signal?: unknown }).signal;
  if (signal === undefined || signal === null) return undefined;
  const s = signal as { aborted?: unknown; addEventListener?: unknown };
  if (typeof s !== "object" || typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function")
    bad("options.signal", "an AbortSignal", signal);
  return signal as AbortSignal;
}

function wireArguments(args: unknown): string {
  // A string is what the model produced (kept raw because it was not valid JSON): send it back as is.
  if (typeof args === "string") return args;
  return JSON.stringify(args ?? {});
}

function wireToolCall(call: ToolCall): object {
  return { id: call.id, type: "function", function: { name: call.name, arguments: wireArguments(call.arguments) } };
}

function wireMessage(message: Message): object {
  if (message.role === "tool") return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  const calls = message.role === "assistant" ? message.toolCalls : undefined;
  if (calls !== undefined && calls !== null && calls.length > 0)
    return { role: "assistant", content: message.content, tool_calls: calls.map(wireToolCall) };
  return { role: message.role, content: message.content };
}

function wireTool(tool: ToolSpec): object {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function wireToolChoice(choice: ToolChoice | undefined): unknown {
  if (choice === undefined || choice === null || typeof choice === "string") return choice ?? undefined;
  return { type: "function", function: { name: choice.name } };
}

function wireResponseFormat(format: ResponseFormat | undefined): unknown {
  if (format === undefined || format === null) return undefined;
  if (format.schema === undefined || format.schema === null) return { type: "json_object" };
  return { type: "json_schema", json_schema: { name: format.name ?? "response", schema: format.schema, strict: true } };
}

/**
 * The chat completions body of a (validated) request, as JSON text. Optional fields that are not set
 * are left out; `providerOptions` are spread in last, untouched.
 *
 * @param stream - adds `stream: true` and, unless `includeUsage` is off, `stream_options.include_usage`.
 * @throws {@link InvalidOptionsError} (`request`) when the request cannot be serialised to JSON
 * (a `BigInt` or a cycle in the tool schemas or `providerOptions`).
 * @internal
 * @since 0.1.0
 */
export function buildChatBody(config: OpenAIConfig, request: ModelRequest, stream: boolean): string {
  const tools = request.tools;
  const stop = request.stop;
  const body = {
    model: config.model,
    messages: request.messages.map(wireMessage),
    max_tokens: request.maxTokens ?? config.maxTokens,
    temperature: request.temperature ?? undefined,
    stop: stop !== undefined && stop !== null && stop.length > 0 ? stop : undefined,
    seed: request.seed ?? undefined,
    // OpenAI rejects an empty `tools` array.
    tools: tools !== undefined && tools !== null && tools.length > 0 ? tools.map(wireTool) : undefined,
    tool_choice: wireToolChoice(request.toolChoice),
    response_format: wireResponseFormat(request.responseFormat),
    stream: stream ? true : undefined,
    stream_options: stream && config.includeUsage ? INCLUDE_USAGE : undefined,
    ...request.providerOptions,
  };
  try {
    return JSON.stringify(body);
  } catch (error) {
    throw new InvalidOptionsError("request", "Expected `request` to be serialisable to JSON", { cause: error });
  }
}
