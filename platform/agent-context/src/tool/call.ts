/**
 * One tool call as the agent loop handles it: the call id carried to the tool's span, the model's raw
 * arguments, and the text given back to the model (a result, an error, validation issues).
 *
 * Internal to the package except {@link ToolArgumentsError}, which it exports.
 *
 * @packageDocumentation
 */
import { formatIssuePath } from "@tta/primitives/options";
import type { ContextKey, StructuredOutputIssue } from "@tta/primitives";
import { StructuredOutputError, contextKey } from "@tta/primitives";

/** The id of the tool call a tool execution answers (`gen_ai.tool.call.id`). @internal */
export const TOOL_CALL_ID_KEY: ContextKey<string> = contextKey<string>("tta.tool.call-id");

/** Most issues listed in one tool-result message (the rest are counted). @internal */
const MAX_LISTED_ISSUES = 20;

/**
 * The arguments of a tool called with invalid arguments: the model sent something that does not
 * validate against the tool's `parameters` (or is not JSON at all). `issues` lists the problems (paths
 * and messages); the message names the tool and counts them, never quoting the arguments.
 *
 * @remarks Code `STRUCTURED_OUTPUT` (the model's output did not validate), a `StructuredOutputError`.
 * An agent turns it into a tool result listing the issues and lets the model try again; a direct
 * `tool.execute(args)` rejects with it.
 * @example
 * ```ts
 * const getWeather = tool({
 *   name: "get_weather",
 *   parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
 *   execute: ({ city }: { city: string }) => `sunny in ${city}`,
 * });
 * try {
 *   await getWeather.execute({ city: 42 } as never);
 * } catch (e) {
 *   if (e instanceof ToolArgumentsError) console.log(e.tool, e.issues); // get_weather [{ message, path: ["city"] }]
 * }
 * ```
 * @since 0.1.0
 */
export class ToolArgumentsError extends StructuredOutputError {
  /** The tool's name. */
  readonly tool: string;
  constructor(tool: string, issues: readonly StructuredOutputIssue[]) {
    const noun = issues.length === 1 ? "issue" : "issues";
    super(`Arguments of tool \`${tool}\` failed validation (${issues.length} ${noun}, see \`error.issues\`)`, issues);
    this.tool = tool;
  }
}

/** The issue of arguments that are not JSON (the text is never quoted). @internal */
export const NOT_JSON_ISSUE: StructuredOutputIssue = Object.freeze({
  message: "The arguments are not valid JSON: expected a JSON object matching the tool's parameters.",
});

/** Marker of raw arguments that did not parse. @internal */
export const UNPARSABLE: unique symbol = Symbol("tta.unparsable-arguments");

/**
 * The arguments of a model's tool call as a value to validate: parsed JSON as it is; a string (a
 * provider that could not parse it) parsed now, or {@link UNPARSABLE}; none (`undefined`, `null`, `""`)
 * as `{}` (a tool without parameters). @internal
 */
export function callArguments(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === "") return {};
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return UNPARSABLE;
  }
}

/** Issues as tool-result text for the model: `- at a.b: message` lines, at most {@link MAX_LISTED_ISSUES}. @internal */
function issueLines(issues: readonly StructuredOutputIssue[]): string {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const at = formatIssuePath(issue.path);
    return at === "" ? `- ${issue.message}` : `- at ${at}: ${issue.message}`;
  });
  if (issues.length > MAX_LISTED_ISSUES) lines.push(`- and ${issues.length - MAX_LISTED_ISSUES} more issues`);
  return lines.join("\n");
}

/** The tool result for arguments that failed validation. @internal */
export function invalidArgumentsText(tool: string, issues: readonly StructuredOutputIssue[]): string {
  return `Error: invalid arguments for tool "${tool}":\n${issueLines(issues)}\nCall the tool again with corrected arguments.`;
}

/** The tool result for a tool that threw `error`: `Error: <message>`. @internal */
export function errorText(error: unknown): string {
  if (error instanceof ToolArgumentsError) return invalidArgumentsText(error.tool, error.issues);
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "the tool failed";
  return `Error: ${message === "" ? "the tool failed" : message}`;
}

/**
 * A tool's result as text for the model: a string as it is, `undefined` as `""`, anything else as
 * `JSON.stringify`; a result that cannot be serialised (a cycle, a `BigInt`, a function) gives an error
 * text instead. @internal
 */
export function resultText(result: unknown): string {
  if (typeof result === "string") return result;
  if (result === undefined) return "";
  try {
    const text = JSON.stringify(result) as string | undefined;
    if (text !== undefined) return text;
  } catch {
    // falls through
  }
  return "Error: the tool's result could not be serialised as JSON";
}
