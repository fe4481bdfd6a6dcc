/**
 * What `structured(...)` and `multiModel(...)` share: recognising and running a Standard Schema,
 * normalising its issues, reading a JSON answer, the top-level type check of a plain JSON Schema, and
 * the repair messages that re-ask a model with the problems of its last answer.
 *
 * @packageDocumentation
 * @internal
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { StructuredOutputIssue } from "../core/errors.js";
import { InvalidOptionsError } from "../core/errors.js";
import { describeShape, integerOption, isPlainObject } from "../internal/options.js";
import { formatIssuePath, standardSchemaIssues } from "../internal/standard-schema.js";

export {
  formatIssuePath as formatPath,
  isStandardSchema,
  standardSchemaIssues as normaliseIssues,
} from "../internal/standard-schema.js";
import type { WorkflowContext } from "../core/context.js";
import type { Message, ModelRequest } from "./language-model.js";
import type { RoutedRequest, RoutedResponse } from "./router/types.js";

/** A validation result: the value, or the problems. @internal */
export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly StructuredOutputIssue[] };

/**
 * Anything that answers a routed request together with its route, as `modelRouter(...)` does with
 * `executeWithRoute`: `structured` and `multiModel` recognise it by that method.
 * @since 0.1.0
 */
export interface RouteSource {
  /** Routes `request` and reports which model answered, after how many attempts, at what cost. */
  executeWithRoute(request: RoutedRequest, ctx?: WorkflowContext): Promise<RoutedResponse>;
}

/** Whether `value` has an `executeWithRoute` method (a model router). @internal */
export function isRouteSource(value: unknown): value is RouteSource {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { executeWithRoute?: unknown }).executeWithRoute === "function"
  );
}

/** Most issues listed in one repair message (the rest are counted), so a re-ask stays small. @internal */
export const MAX_REPAIR_ISSUES = 20;

/**
 * The JSON Schema of a schema that also implements Standard JSON Schema (`~standard.jsonSchema.output`,
 * target draft-07), or `undefined` when it does not or its conversion throws. @internal
 */
export function standardJsonSchema(schema: StandardSchemaV1): Readonly<Record<string, unknown>> | undefined {
  const converter: unknown = (schema["~standard"] as { jsonSchema?: unknown }).jsonSchema;
  const output: unknown =
    typeof converter === "object" && converter !== null ? (converter as { output?: unknown }).output : undefined;
  if (typeof output !== "function") return undefined;
  try {
    const json: unknown = (output as (options: { target: string }) => unknown).call(converter, { target: "draft-07" });
    return isPlainObject(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a Standard Schema on `value` (its `validate` may return a promise). A throwing `validate` rejects
 * with its error, unchanged. @internal
 */
export async function runStandardSchema<T>(schema: StandardSchemaV1<unknown, T>, value: unknown): Promise<Checked<T>> {
  const result = await schema["~standard"].validate(value);
  if (result.issues !== undefined && result.issues !== null)
    return { ok: false, issues: standardSchemaIssues(result.issues) };
  return { ok: true, value: result.value };
}

const FENCED = /^```[ \t]*(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?```$/i;

/** The issue of an answer that is not JSON (it never quotes the answer). @internal */
export const NOT_JSON_ISSUE: StructuredOutputIssue = Object.freeze({
  message:
    "The answer is not valid JSON: expected a single JSON value (optionally in one ```json fenced block) and no other text.",
});

/**
 * Parses a model's answer as JSON: the whole text (whitespace around it is fine), or the content of one
 * ```` ```json ```` (or plain ```` ``` ````) fenced block that is the whole text. Nothing else is
 * extracted: prose around the JSON is a parse failure. @internal
 */
export function parseJsonAnswer(text: string): Checked<unknown> {
  const trimmed = text.trim();
  const fenced = FENCED.exec(trimmed);
  try {
    return { ok: true, value: JSON.parse(fenced === null ? trimmed : (fenced[1] ?? "")) as unknown };
  } catch {
    return { ok: false, issues: [NOT_JSON_ISSUE] };
  }
}

const JSON_TYPES: ReadonlySet<string> = new Set(["object", "array", "string", "number", "integer", "boolean", "null"]);

/** The JSON type of a parsed value, for an issue message (never its content). */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

/**
 * The one check made against a plain JSON Schema: its top-level `type` (a string or an array of them),
 * when it has one. Nothing deeper is validated. @internal
 */
export function checkTopLevelType(schema: Readonly<Record<string, unknown>>, value: unknown): Checked<unknown> {
  const declared: unknown = schema.type;
  const types = (Array.isArray(declared) ? declared : [declared]).filter(
    (t): t is string => typeof t === "string" && JSON_TYPES.has(t),
  );
  if (types.length === 0 || types.some((t) => hasType(value, t))) return { ok: true, value };
  const expected = types.map((t) => (t === "array" || t === "integer" ? `an ${t}` : `a JSON ${t}`)).join(" or ");
  return { ok: false, issues: [{ message: `Expected ${expected} at the top level, got ${jsonKind(value)}` }] };
}

/**
 * The two messages appended to re-ask a model: its own last answer (as an `assistant` message) and a
 * `user` message listing the issues (message and path; at most {@link MAX_REPAIR_ISSUES}, the rest
 * counted) followed by `closing`. The answer is not repeated in the user message. @internal
 */
export function repairMessages(
  answer: string,
  issues: readonly StructuredOutputIssue[],
  closing: string,
): readonly Message[] {
  const lines = issues.slice(0, MAX_REPAIR_ISSUES).map((issue) => {
    const where = formatIssuePath(issue.path);
    return where === "" ? `- ${issue.message}` : `- at ${where}: ${issue.message}`;
  });
  if (issues.length > MAX_REPAIR_ISSUES) lines.push(`- and ${issues.length - MAX_REPAIR_ISSUES} more issues`);
  const content = `Your previous answer was rejected:\n${lines.join("\n")}\n${closing}`;
  return [
    { role: "assistant", content: answer },
    { role: "user", content },
  ];
}

/** `request` with `extra` messages appended (a new object; the request is never mutated). @internal */
export function withMessages<R extends ModelRequest>(request: R, extra: readonly Message[]): R {
  return extra.length === 0 ? request : { ...request, messages: [...request.messages, ...extra] };
}

/** A `string` prompt as a one-message request; a request as it is. @internal */
export function toRequest<R extends ModelRequest>(input: R | string): R | ModelRequest {
  return typeof input === "string" ? { messages: [{ role: "user", content: input }] } : input;
}

/**
 * The `repairAttempts` option: an integer ≥ 0, default 1. @internal
 * @throws {@link InvalidOptionsError} naming `repairAttempts` otherwise.
 */
export function repairAttemptsOption(value: unknown): number {
  return integerOption("repairAttempts", value, 1, { min: 0, max: Number.MAX_SAFE_INTEGER });
}

/**
 * The message of the {@link StructuredOutputError} thrown after the last failed answer: the primitive,
 * the number of answers and issues, never the answer nor the issue texts (they may quote it). @internal
 */
export function exhaustedMessage(name: string, answers: number, issues: readonly StructuredOutputIssue[]): string {
  const noun = issues.length === 1 ? "issue" : "issues";
  const asked = answers === 1 ? "1 answer" : `all ${answers} answers`;
  return `\`${name}\`: ${asked} failed validation (last answer: ${issues.length} ${noun}, see \`error.issues\`)`;
}

/**
 * Checks what a user callback returned where an object was expected, naming `option` (the callback). @internal
 * @throws {@link InvalidOptionsError} when `ok` is false.
 */
export function checkReturned(ok: boolean, option: string, expected: string, value: unknown): void {
  if (!ok)
    throw new InvalidOptionsError(option, `Expected \`${option}\` to return ${expected}, got ${describeShape(value)}`);
}
