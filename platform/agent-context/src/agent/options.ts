/**
 * Validation of `agent(...)`'s options, and the lazy resolution of its handoff targets.
 *
 * @packageDocumentation
 * @internal
 */
import type { Executable, LanguageModel, ModelRequest, ModelResponse, ToolSpec } from "@tta/primitives";
import { model as modelPrimitive } from "@tta/primitives";
import {
  InvalidOptionsError,
  describeValue,
  fail,
  integerOption,
  isPlainObject,
  readOptions,
} from "@tta/primitives/options";
import { LIMIT_KEYS, limitsFrom } from "../budget/validate.js";
import type { AnyTool } from "../tool.js";
import { HANDOFF_TOOL_PREFIX, ToolPrimitive } from "../tool.js";
import type { CompiledSchema } from "../tool/schema.js";
import { compileSchema } from "../tool/schema.js";
import type { BudgetLimits, MemoryAccess } from "../types.js";

/** What an agent name must match: its handoff tool `transfer_to_<name>` must be a valid tool name. @internal */
const AGENT_NAME_PATTERN: RegExp = /^[a-zA-Z0-9_-]{1,52}$/;

/** Default of `maxSteps`. @internal */
export const DEFAULT_MAX_STEPS = 10;
/** Default of `maxHandoffs`. @internal */
export const DEFAULT_MAX_HANDOFFS = 8;
/** Default of `toolConcurrency`: one tool call at a time. @internal */
export const DEFAULT_TOOL_CONCURRENCY = 1;
/** Most tool calls of one response run at once. @internal */
export const MAX_TOOL_CONCURRENCY = 64;

/** The keys `agent(...)` accepts. @internal */
const AGENT_OPTION_KEYS = [
  "name",
  "instructions",
  "model",
  "tools",
  "maxSteps",
  "toolConcurrency",
  "handoffs",
  "memory",
  "role",
  "description",
  "payload",
  "payloadJsonSchema",
  "budget",
  "maxTokens",
  "temperature",
  "maxHandoffs",
] as const;

/** An agent as its handoff table needs it (structural, so this file does not import `agent.ts`). @internal */
export interface HandoffTarget {
  readonly name: string;
  readonly description: string | undefined;
  readonly payloadJsonSchema: Readonly<Record<string, unknown>> | undefined;
}

/** The validated options of an agent. @internal */
export interface ResolvedAgentOptions<P> {
  readonly name: string;
  readonly instructions: string;
  readonly model: Executable<ModelRequest, ModelResponse>;
  readonly tools: ReadonlyMap<string, AnyTool>;
  readonly toolSpecs: readonly ToolSpec[];
  readonly maxSteps: number;
  readonly toolConcurrency: number;
  readonly maxHandoffs: number;
  /** The handoff targets as given: an array, a function returning one, or none. */
  readonly handoffs: unknown;
  readonly memory: MemoryAccess | undefined;
  readonly role: string;
  readonly description: string | undefined;
  readonly payload: CompiledSchema<P> | undefined;
  readonly budget: BudgetLimits | undefined;
  readonly maxTokens: number | undefined;
  readonly temperature: number | undefined;
}

/**
 * The `model` option: a `LanguageModel` (anything with `generate`, checked by `model(lm)` itself) wrapped
 * once, or an executable `ModelRequest → ModelResponse` as it is.
 */
function modelOption(value: unknown): Executable<ModelRequest, ModelResponse> {
  if (typeof value === "object" && value !== null) {
    if (typeof (value as { generate?: unknown }).generate === "function") {
      try {
        return modelPrimitive(value as LanguageModel);
      } catch {
        // Not a whole LanguageModel (no provider or modelId): maybe an executable; else named below.
      }
    }
    if (typeof (value as { execute?: unknown }).execute === "function")
      return value as Executable<ModelRequest, ModelResponse>;
  }
  return fail(
    "model",
    "a LanguageModel, or a primitive ModelRequest → ModelResponse (`model(lm)`, `modelRouter(…)`)",
    value,
  );
}

function toolsOption(value: unknown): { tools: Map<string, AnyTool>; specs: ToolSpec[] } {
  const tools = new Map<string, AnyTool>();
  const specs: ToolSpec[] = [];
  if (value === undefined) return { tools, specs };
  if (!Array.isArray(value)) fail("tools", "an array of tools made by `tool(…)`", value);
  value.forEach((entry: unknown, i) => {
    if (!(entry instanceof ToolPrimitive)) fail(`tools[${i}]`, "a tool made by `tool(…)`", entry);
    const t = entry as AnyTool;
    if (tools.has(t.name))
      throw new InvalidOptionsError(`tools[${i}].name`, `Duplicate tool name ${describeValue(t.name)} in \`tools\``);
    tools.set(t.name, t);
    specs.push(t.spec);
  });
  return { tools, specs };
}

function textOption(option: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string") fail(option, "a string", value);
  return value;
}

/** The `budget` limits, checked as `createBudget` checks its own (errors name `budget.tokens`…). */
function budgetOption(value: unknown): BudgetLimits | undefined {
  if (value === undefined) return undefined;
  return Object.freeze(limitsFrom(readOptions("agent", value, LIMIT_KEYS, "budget"), "budget."));
}

/** Checks every option of `agent(...)`; `handoffs` is only checked for its type (targets resolve lazily). @internal */
export function resolveAgentOptions<P>(
  options: unknown,
  isAgent: (value: unknown) => boolean,
): ResolvedAgentOptions<P> {
  if (!isPlainObject(options)) fail("agent options", "a plain object", options);
  const o = readOptions("agent", options, AGENT_OPTION_KEYS);
  const name = o.name;
  if (typeof name !== "string" || !AGENT_NAME_PATTERN.test(name))
    fail("name", "an agent name of 1 to 52 letters, digits, `_` or `-`", name);
  const instructions = textOption("instructions", o.instructions, true) as string;
  if (o.model === undefined) fail("model", "a LanguageModel or a model primitive", undefined);
  const model = modelOption(o.model);
  const { tools, specs } = toolsOption(o.tools);
  const handoffs = o.handoffs;
  if (handoffs !== undefined && !Array.isArray(handoffs) && typeof handoffs !== "function")
    fail("handoffs", "an array of agents, or a function returning one", handoffs);
  if (Array.isArray(handoffs)) checkHandoffList(handoffs, isAgent, "handoffs");
  const memory = o.memory;
  if (
    memory !== undefined &&
    (typeof memory !== "object" || memory === null || typeof (memory as MemoryAccess).forAgent !== "function")
  )
    fail("memory", "a MemoryAccess (from `scopedMemory(store, { shared })`)", memory);
  const temperature = o.temperature;
  if (
    temperature !== undefined &&
    (typeof temperature !== "number" || !Number.isFinite(temperature) || temperature < 0)
  )
    fail("temperature", "a finite number ≥ 0", temperature);
  const payload =
    o.payload === undefined
      ? o.payloadJsonSchema === undefined
        ? undefined
        : fail("payloadJsonSchema", "given only with `payload`", o.payloadJsonSchema)
      : compileSchema<P>(o.payload, o.payloadJsonSchema, {
          schema: "payload",
          jsonSchema: "payloadJsonSchema",
          object: false,
        });
  return {
    name,
    instructions,
    model,
    tools,
    toolSpecs: specs,
    maxSteps: integerOption("maxSteps", o.maxSteps, DEFAULT_MAX_STEPS, { min: 1, max: Number.MAX_SAFE_INTEGER }),
    toolConcurrency: integerOption("toolConcurrency", o.toolConcurrency, DEFAULT_TOOL_CONCURRENCY, {
      min: 1,
      max: MAX_TOOL_CONCURRENCY,
    }),
    maxHandoffs: integerOption("maxHandoffs", o.maxHandoffs, DEFAULT_MAX_HANDOFFS, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    }),
    handoffs,
    memory: memory as MemoryAccess | undefined,
    role: textOption("role", o.role, false) ?? name,
    description: textOption("description", o.description, false),
    payload,
    budget: budgetOption(o.budget),
    maxTokens:
      o.maxTokens === undefined
        ? undefined
        : integerOption("maxTokens", o.maxTokens, 0, { min: 1, max: Number.MAX_SAFE_INTEGER }),
    temperature: temperature,
  };
}

/**
 * Checks a list of handoff targets: agents (`isAgent`), with distinct names. `option` names the list in
 * errors (`handoffs`, or `handoffs()` for the function form).
 * @internal
 */
export function checkHandoffList(list: readonly unknown[], isAgent: (value: unknown) => boolean, option: string): void {
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    if (!isAgent(entry)) fail(`${option}[${i}]`, "an agent made by `agent(…)`", entry);
    const target = entry as HandoffTarget;
    if (seen.has(target.name))
      throw new InvalidOptionsError(
        `${option}[${i}]`,
        `Duplicate handoff target ${describeValue(target.name)} in \`${option}\``,
      );
    seen.add(target.name);
  });
}

/** The tool the model calls to hand off to `target`: `{ task, payload? }`. @internal */
export function transferSpec(target: HandoffTarget): ToolSpec {
  const payload = target.payloadJsonSchema ?? {
    type: "object",
    description: "Optional structured data for the receiving agent.",
  };
  const description =
    `Hand the conversation over to agent "${target.name}"` +
    (target.description === undefined ? "." : `: ${target.description}`);
  return Object.freeze({
    name: `${HANDOFF_TOOL_PREFIX}${target.name}`,
    description,
    parameters: Object.freeze({
      type: "object",
      properties: {
        task: { type: "string", description: "What the receiving agent should do, in your words." },
        payload,
      },
      required: target.payloadJsonSchema === undefined ? ["task"] : ["task", "payload"],
    }),
  });
}
