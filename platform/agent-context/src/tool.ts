/**
 * `tool(...)`: a function the model may call, with its arguments validated against a Standard Schema
 * (zod, valibot, ArkType…) or a JSON Schema, run as a primitive with a GenAI `execute_tool` span.
 *
 * @packageDocumentation
 */
import type { ToolSpec, WorkflowContext } from "@tta/primitives";
import { WorkflowPrimitive } from "@tta/primitives";
import {
  InvalidOptionsError,
  booleanOption,
  describeValue,
  fail,
  functionOption,
  readOptions,
} from "@tta/primitives/options";
import {
  TOOL_CALL_ID_KEY,
  NOT_JSON_ISSUE,
  ToolArgumentsError,
  UNPARSABLE,
  callArguments,
  resultText,
} from "./tool/call.js";
import type { CompiledSchema } from "./tool/schema.js";
import { compileSchema } from "./tool/schema.js";
import type { JsonSchemaObject, ToolSchema } from "./types.js";

/** What a tool name must match (the providers' rule): 1 to 64 letters, digits, `_` or `-`. @since 0.1.0 */
export const TOOL_NAME_PATTERN: RegExp = /^[a-zA-Z0-9_-]{1,64}$/;

/** The prefix of the tools an agent offers for its handoffs (`transfer_to_billing`); reserved. @since 0.1.0 */
export const HANDOFF_TOOL_PREFIX = "transfer_to_";

/**
 * Options of {@link tool}.
 * @typeParam A - the arguments `execute` receives (inferred from a Standard Schema's output type).
 * @typeParam R - what `execute` returns.
 * @since 0.1.0
 */
export interface ToolOptions<A, R> {
  /**
   * The name the model calls the tool by: 1 to 64 letters, digits, `_` or `-` ({@link TOOL_NAME_PATTERN});
   * `transfer_to_…` is reserved for handoffs.
   */
  readonly name: string;
  /** What the tool does and when to use it, for the model. @defaultValue none */
  readonly description?: string | undefined;
  /**
   * The arguments: a Standard Schema (validated with its own `validate`; its output type types
   * `execute`'s `args`), or a plain JSON Schema object (copied and compiled once, now, with ajv;
   * draft-07 unless its `$schema` names 2019-09 or 2020-12; `NaN` and `±Infinity` are not numbers).
   * Either way the JSON Schema must describe an object.
   */
  readonly parameters: ToolSchema<A>;
  /**
   * The JSON Schema shown to the model, for a Standard Schema that cannot produce one itself (zod 4.1:
   * `z.toJSONSchema(schema, { io: "input" })`; valibot: `toJsonSchema(schema)` from `@valibot/to-json-schema`).
   * @defaultValue the schema's own: `~standard.jsonSchema.input({ target: "draft-07" })` when it
   * implements Standard JSON Schema, or `parameters` itself when it is a JSON Schema
   */
  readonly jsonSchema?: JsonSchemaObject | undefined;
  /** Does the work with validated arguments; `ctx` is the run's context (signal, budget, `agentOf(ctx)`). */
  readonly execute: (args: A, ctx: WorkflowContext) => R | PromiseLike<R>;
  /**
   * Records the arguments and the result on the span (`gen_ai.tool.call.arguments`,
   * `gen_ai.tool.call.result`). Off by default: they are user data. @defaultValue false
   */
  readonly captureContent?: boolean | undefined;
}

const OPTION_KEYS = ["name", "description", "parameters", "jsonSchema", "execute", "captureContent"] as const;

/** `JSON.stringify` that never throws (for captured arguments). */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "[unserialisable]";
  }
}

/**
 * A tool as a primitive: `args → result`. Made by {@link tool}; give it to `agent({ tools })`.
 *
 * @remarks
 * Each execution validates its input against `parameters` first and rejects with a
 * {@link ToolArgumentsError} (issues with paths, no argument values in the message) when it does not
 * validate, or when it is a string that is not JSON (a model's raw arguments); `undefined`, `null` and
 * `""` count as `{}`. Then it calls `execute(validated, ctx)`, whose errors pass through unchanged.
 *
 * Its span is `execute_tool {name}` (kind `"tool"`) with `gen_ai.operation.name: "execute_tool"`,
 * `gen_ai.tool.name`, `gen_ai.tool.type: "function"` and, inside an agent, `gen_ai.tool.call.id`;
 * never the arguments or the result unless `captureContent` is on. Under an agent every span also
 * carries `tta.agent.id`, `tta.agent.name` and `tta.agent.role`.
 * @throws `InvalidOptionsError` at construction, naming the option (see {@link tool}).
 * @example
 * ```ts
 * const clock = new ToolPrimitive({
 *   name: "current_time",
 *   parameters: { type: "object", properties: {} },
 *   execute: (_args: Record<string, never>, ctx) => new Date(ctx.clock.now()).toISOString(),
 * });
 * await clock.execute({}); // "2026-…"
 * ```
 * @since 0.1.0
 */
export class ToolPrimitive<A, R> extends WorkflowPrimitive<A, R> {
  /** What the model is told about the tool: name, description and the JSON Schema of its arguments. */
  readonly spec: ToolSpec;
  readonly #schema: CompiledSchema<A>;
  readonly #execute: (args: A, ctx: WorkflowContext) => R | PromiseLike<R>;
  readonly #captureContent: boolean;

  /** @throws `InvalidOptionsError` naming the option (see {@link tool}). */
  constructor(options: ToolOptions<A, R>) {
    const o = readOptions("tool", options, OPTION_KEYS);
    const name = o.name;
    if (typeof name !== "string" || !TOOL_NAME_PATTERN.test(name))
      fail("name", "a tool name of 1 to 64 letters, digits, `_` or `-`", name);
    if (name.startsWith(HANDOFF_TOOL_PREFIX))
      throw new InvalidOptionsError(
        "name",
        `Tool names starting with \`${HANDOFF_TOOL_PREFIX}\` are reserved for handoffs, got ${describeValue(name)}`,
      );
    super({ kind: "tool", name, spanName: `execute_tool ${name}` });
    const description = o.description;
    if (description !== undefined && typeof description !== "string") fail("description", "a string", description);
    if (o.parameters === undefined) fail("parameters", "a Standard Schema or a JSON Schema object", undefined);
    this.#schema = compileSchema<A>(o.parameters, o.jsonSchema, {
      schema: "parameters",
      jsonSchema: "jsonSchema",
      object: true,
    });
    this.#execute = functionOption<(args: A, ctx: WorkflowContext) => R | PromiseLike<R>>("execute", o.execute, true);
    this.#captureContent = booleanOption("captureContent", o.captureContent, false);
    this.spec = Object.freeze(
      description === undefined
        ? { name, parameters: this.#schema.jsonSchema }
        : { name, description, parameters: this.#schema.jsonSchema },
    );
  }

  /** What the model is told the tool does, if anything. */
  get description(): string | undefined {
    return this.spec.description;
  }

  protected async run(input: A, ctx: WorkflowContext): Promise<R> {
    const span = this.currentSpan(ctx);
    if (span !== undefined) {
      span.setAttributes({
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": this.name,
        "gen_ai.tool.type": "function",
      });
      const callId = ctx.getValue(TOOL_CALL_ID_KEY);
      if (callId !== undefined) span.setAttribute("gen_ai.tool.call.id", callId);
      if (this.#captureContent) span.setAttribute("gen_ai.tool.call.arguments", safeJson(input));
    }
    const raw = callArguments(input);
    if (raw === UNPARSABLE) throw new ToolArgumentsError(this.name, [NOT_JSON_ISSUE]);
    const checked = await this.#schema.validate(raw);
    if (!checked.ok) throw new ToolArgumentsError(this.name, checked.issues);
    const result = await this.#execute(checked.value, ctx);
    if (span !== undefined && this.#captureContent) span.setAttribute("gen_ai.tool.call.result", resultText(result));
    return result;
  }
}

/**
 * A tool with any arguments and result: the type `agent({ tools })` accepts.
 * @since 0.1.0
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arguments are contravariant: `any` accepts every tool
export type AnyTool = ToolPrimitive<any, unknown>;

/**
 * A tool taking `A` and returning `R` (what {@link tool} returns).
 * @since 0.1.0
 */
export type Tool<A, R> = ToolPrimitive<A, R>;

/**
 * Creates a tool the model may call.
 *
 * @remarks
 * With a Standard Schema, `args` is the schema's output type (after its transforms). With a JSON
 * Schema, annotate `args` yourself (`execute: (args: { city: string }) => …`): the JSON Schema is
 * enforced at run time by ajv, not by the type system. Results go back to the model as text: a string
 * as it is, anything else as JSON.
 *
 * @throws `InvalidOptionsError` naming the option: `name` not matching {@link TOOL_NAME_PATTERN} or
 * starting with `transfer_to_`; `parameters` that is neither a Standard Schema nor a JSON Schema, a JSON
 * Schema ajv cannot compile, a Standard Schema without a JSON Schema (pass `jsonSchema`), or a schema
 * that does not describe an object; `execute` not a function; unknown keys.
 * @example
 * ```ts
 * const invoices = new Map([["INV-7", { id: "INV-7", amount: 120 }]]);
 * const Args = z.object({ invoiceId: z.string() });
 * const lookupInvoice = tool({
 *   name: "lookup_invoice",
 *   description: "Looks up an invoice by id",
 *   parameters: Args,
 *   jsonSchema: z.toJSONSchema(Args, { io: "input" }),
 *   execute: async ({ invoiceId }) => invoices.get(invoiceId) ?? "not found",
 * });
 * ```
 * @since 0.1.0
 */
export function tool<A, R>(options: ToolOptions<A, R>): ToolPrimitive<A, Awaited<R>> {
  return new ToolPrimitive<A, Awaited<R>>(options as ToolOptions<A, Awaited<R>>);
}
