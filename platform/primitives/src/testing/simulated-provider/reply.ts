/**
 * What the simulated provider answers: the default reply (text, JSON for `response_format`, a tool
 * call for a forced `tool_choice`), validation of a custom `reply` result, `max_tokens` truncation
 * and the token counts (4 characters per token).
 *
 * @packageDocumentation
 */
import { isPlainObject } from "../../internal/options.js";
import type { SimulatedReply, SimulatedRequest } from "./types.js";

/** The finish reasons a reply may carry. */
export type FinishReason = NonNullable<SimulatedReply["finishReason"]>;

/** A reply ready to serialise: tool-call arguments as strings, token counts computed. */
export interface Answer {
  readonly text: string;
  readonly toolCalls: readonly { readonly name: string; readonly arguments: string }[];
  readonly finishReason: FinishReason;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const FINISH_REASONS: readonly string[] = ["stop", "length", "tool_calls", "content_filter"];
const MAX_SCHEMA_DEPTH = 8;

/** The text of a message's `content`: a string, or the `text` of its parts. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (isPlainObject(part) && typeof part.text === "string" ? part.text : "")).join("");
}

function messages(body: Readonly<Record<string, unknown>>): readonly unknown[] {
  return Array.isArray(body.messages) ? (body.messages as readonly unknown[]) : [];
}

/** Prompt tokens: the characters of every message's content / 4, rounded up, at least 1. */
export function promptTokens(body: Readonly<Record<string, unknown>>): number {
  let chars = 0;
  for (const message of messages(body)) if (isPlainObject(message)) chars += contentText(message.content).length;
  return Math.max(1, Math.ceil(chars / 4));
}

/** The first 60 characters (code points) of the last user message. */
function lastUserPreview(body: Readonly<Record<string, unknown>>): string {
  const all = messages(body);
  for (let i = all.length - 1; i >= 0; i--) {
    const message = all[i];
    if (isPlainObject(message) && message.role === "user")
      return Array.from(contentText(message.content)).slice(0, 60).join("");
  }
  return "";
}

function resolveRef(ref: unknown, root: Readonly<Record<string, unknown>>): unknown {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const key of ref.slice(2).split("/")) node = isPlainObject(node) ? node[key] : undefined;
  return node;
}

/**
 * A small value that satisfies simple JSON Schemas (types, properties, enum, const, items,
 * minItems, minLength, minimum, local `$ref`s); `null` for what it cannot follow.
 */
export function exampleFromSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!isPlainObject(schema) || depth > MAX_SCHEMA_DEPTH) return null;
  const rootObject = isPlainObject(root) ? root : schema;
  if (schema.$ref !== undefined) return exampleFromSchema(resolveRef(schema.$ref, rootObject), rootObject, depth + 1);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as unknown;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return exampleFromSchema(options[0], rootObject, depth + 1);
  }
  const types: readonly unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== "null") ?? (isPlainObject(schema.properties) ? "object" : types[0]);
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const properties = isPlainObject(schema.properties) ? schema.properties : {};
      for (const [key, sub] of Object.entries(properties)) out[key] = exampleFromSchema(sub, rootObject, depth + 1);
      return out;
    }
    case "array": {
      const count = typeof schema.minItems === "number" ? Math.min(10, Math.max(0, schema.minItems)) : 1;
      return Array.from({ length: count }, () => exampleFromSchema(schema.items, rootObject, depth + 1));
    }
    case "string": {
      const max = typeof schema.maxLength === "number" ? schema.maxLength : 9;
      const min = typeof schema.minLength === "number" ? Math.min(1000, schema.minLength) : 0;
      return "simulated".slice(0, Math.max(0, max)).padEnd(min, "x");
    }
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : 0;
    case "boolean":
      return false;
    default:
      return null;
  }
}

/** The tool a forced `tool_choice` asks for (`"required"`: the first tool), if any. */
function forcedTool(body: Readonly<Record<string, unknown>>): { name: string; parameters: unknown } | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as readonly unknown[]) : [];
  const functions = tools
    .map((tool) => (isPlainObject(tool) && isPlainObject(tool.function) ? tool.function : undefined))
    .filter((fn): fn is Record<string, unknown> => fn !== undefined && typeof fn.name === "string");
  const choice = body.tool_choice;
  let name: string | undefined;
  if (choice === "required") name = functions[0]?.name as string | undefined;
  else if (isPlainObject(choice) && isPlainObject(choice.function) && typeof choice.function.name === "string")
    name = choice.function.name;
  if (name === undefined) return undefined;
  return { name, parameters: functions.find((fn) => fn.name === name)?.parameters };
}

/** The reply used when the `reply` option is not set. */
export function defaultReply(request: SimulatedRequest): SimulatedReply {
  const { body, model } = request;
  const tool = forcedTool(body);
  if (tool !== undefined) {
    const args = exampleFromSchema(tool.parameters);
    return { toolCalls: [{ name: tool.name, arguments: isPlainObject(args) ? args : {} }] };
  }
  const preview = lastUserPreview(body);
  const format = isPlainObject(body.response_format) ? body.response_format : undefined;
  if (format?.type === "json_schema") {
    const schema = isPlainObject(format.json_schema) ? format.json_schema.schema : undefined;
    const example = exampleFromSchema(schema);
    if (isPlainObject(example) || Array.isArray(example)) return { text: JSON.stringify(example) };
  }
  if (format?.type === "json_object" || format?.type === "json_schema")
    return { text: JSON.stringify({ model, answer: preview }) };
  return { text: `Simulated answer from ${model}: ${preview}` };
}

function invalid(what: string): never {
  throw new TypeError(`The simulated provider's reply function returned an invalid ${what}`);
}

function argumentsText(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "{}";
}

/** `max_tokens` (or `max_completion_tokens`) when it is a positive integer. */
function maxTokens(body: Readonly<Record<string, unknown>>): number | undefined {
  const value = body.max_completion_tokens ?? body.max_tokens;
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * Checks what `reply` returned and turns it into an {@link Answer}: arguments serialised, text cut to
 * `max_tokens`, finish reason and token counts filled in.
 *
 * @throws `TypeError` when the result is not a string or a valid `SimulatedReply`.
 */
export function toAnswer(result: unknown, body: Readonly<Record<string, unknown>>): Answer {
  const reply: Record<string, unknown> =
    typeof result === "string" ? { text: result } : isPlainObject(result) ? result : invalid("result");
  if (reply.text !== undefined && typeof reply.text !== "string") invalid("text");
  if (reply.toolCalls !== undefined && !Array.isArray(reply.toolCalls)) invalid("toolCalls");
  if (reply.finishReason !== undefined && !FINISH_REASONS.includes(reply.finishReason as string))
    invalid("finishReason");
  const toolCalls = ((reply.toolCalls ?? []) as readonly unknown[]).map((call) => {
    if (!isPlainObject(call) || typeof call.name !== "string" || call.name.length === 0) invalid("tool call");
    return { name: call.name, arguments: argumentsText(call.arguments) };
  });
  let text = typeof reply.text === "string" ? reply.text : "";
  let truncated = false;
  const limit = maxTokens(body);
  if (limit !== undefined && Math.ceil(text.length / 4) > limit) {
    text = text.slice(0, limit * 4);
    truncated = true;
  }
  const finishReason =
    (reply.finishReason as FinishReason | undefined) ??
    (toolCalls.length > 0 ? "tool_calls" : truncated ? "length" : "stop");
  const outputChars = toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, text.length);
  return {
    text,
    toolCalls,
    finishReason,
    promptTokens: promptTokens(body),
    completionTokens: Math.ceil(outputChars / 4),
  };
}
