/**
 * `StructuredPrimitive`: JSON output from a model or a router, parsed and validated against a schema,
 * with repair re-asks that tell the model what was wrong.
 *
 * @packageDocumentation
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { WorkflowContext } from "../core/context.js";
import { InvalidOptionsError, StructuredOutputError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { booleanOption, describeValue, isPlainObject, nameOption, readOptions } from "../internal/options.js";
import type { Catalog } from "./catalog.js";
import { defaultCatalog } from "./catalog.js";
import type { LanguageModel, Message, ModelRequest, ModelResponse, ResponseFormat } from "./language-model.js";
import { ModelPrimitive, model } from "./model.js";
import { checkRequest, isLanguageModel } from "./model-options.js";
import type { Checked } from "./schema-validation.js";
import {
  checkReturned,
  checkTopLevelType,
  exhaustedMessage,
  isRouteSource,
  isStandardSchema,
  parseJsonAnswer,
  repairAttemptsOption,
  repairMessages,
  runStandardSchema,
  standardJsonSchema,
  toRequest,
  withMessages,
} from "./schema-validation.js";

/** A JSON Schema, as a plain object. @since 0.1.0 */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * What {@link structured} asks: a `LanguageModel` (wrapped in `model(lm, { catalog })`), a model
 * router, or any primitive-like `ModelRequest → ModelResponse` (`model(lm)`, `retry(model(lm))`, …).
 * @since 0.1.0
 */
export type StructuredModel = LanguageModel | PrimitiveLike<ModelRequest, ModelResponse>;

/**
 * Options of {@link structured}. `undefined` or `null` means the default.
 * @since 0.1.0
 */
export interface StructuredOptions<S extends StandardSchemaV1 | JsonSchema> {
  /**
   * What the answer must be. A Standard Schema object (zod, valibot, ArkType, …) validates the parsed
   * JSON fully and gives the result its type. A plain JSON Schema object is sent to the provider, and
   * the answer is only parsed and checked against the schema's top-level `type`: TTA has no JSON
   * Schema validator (pair a Standard Schema with `jsonSchema` for both).
   */
  readonly schema: S;
  /**
   * The JSON Schema sent to the provider (JSON mode) or written into the instruction.
   * @defaultValue the schema's own: a plain JSON Schema `schema`, or what a Standard Schema that also
   * implements Standard JSON Schema (`~standard.jsonSchema`) converts to (draft-07); else none
   */
  readonly jsonSchema?: JsonSchema | undefined;
  /** Re-asks after an answer that does not parse or validate, an integer ≥ 0. @defaultValue 1 */
  readonly repairAttempts?: number | undefined;
  /**
   * Use the provider's JSON mode (`responseFormat`). @defaultValue `true` for a router and for a model
   * whose catalogue entry lists `"json"`; `false` otherwise (then a system instruction asks for JSON)
   */
  readonly jsonMode?: boolean | undefined;
  /**
   * Looks up whether the model supports JSON mode, and prices calls of a `LanguageModel` given
   * directly. @defaultValue `defaultCatalog`
   */
  readonly catalog?: Catalog | undefined;
  /** The schema's name in `responseFormat.name` (some providers require one). @defaultValue none */
  readonly schemaName?: string | undefined;
  /** Display name. @defaultValue `"StructuredPrimitive"` */
  readonly name?: string | undefined;
}

const OPTION_KEYS = ["schema", "jsonSchema", "repairAttempts", "jsonMode", "catalog", "schemaName", "name"] as const;

/** The last line of a repair message. */
const JSON_CLOSING = "Answer again with only the corrected JSON, no other text.";

/** The system instruction used without JSON mode (or in JSON mode without a JSON Schema). */
function instructionFor(jsonSchema: JsonSchema | undefined): string {
  const base = "Answer with a single JSON value and nothing else: no prose, no Markdown.";
  if (jsonSchema === undefined) return base;
  let text: string;
  try {
    text = JSON.stringify(jsonSchema);
  } catch (cause) {
    throw new InvalidOptionsError("jsonSchema", "Expected the JSON Schema to be serialisable with JSON.stringify", {
      cause,
    });
  }
  return `${base} It must match this JSON Schema:\n${text}`;
}

/** `messages` with `instruction` as a system message after the leading system messages. */
function withInstruction(messages: readonly Message[], instruction: string): readonly Message[] {
  let at = 0;
  while (at < messages.length && messages[at]?.role === "system") at++;
  return [...messages.slice(0, at), { role: "system", content: instruction }, ...messages.slice(at)];
}

interface ResolvedModel {
  readonly executable: Executable<ModelRequest, ModelResponse>;
  /** Whether JSON mode is on unless the options say otherwise. */
  readonly jsonByDefault: boolean;
}

function resolveModel(like: unknown, catalog: Catalog): ResolvedModel {
  const supportsJson = (id: string): boolean => catalog.get(id)?.capabilities.includes("json") ?? false;
  if (typeof like === "object" && like !== null && typeof (like as { execute?: unknown }).execute === "function") {
    const executable = like as Executable<ModelRequest, ModelResponse>;
    if (isRouteSource(like)) return { executable, jsonByDefault: true };
    if (like instanceof ModelPrimitive) return { executable, jsonByDefault: supportsJson(like.languageModel.modelId) };
    return { executable, jsonByDefault: false };
  }
  if (isLanguageModel(like)) {
    const primitive = model(like, { catalog });
    return { executable: primitive, jsonByDefault: supportsJson(primitive.languageModel.modelId) };
  }
  if (typeof like === "function")
    return {
      executable: toExecutable(like as PrimitiveLike<ModelRequest, ModelResponse>, "model"),
      jsonByDefault: false,
    };
  throw new InvalidOptionsError(
    "model",
    `Expected \`model\` to be a LanguageModel, a model router or a primitive ModelRequest → ModelResponse, got ${describeValue(like)}`,
  );
}

/**
 * Asks a model for JSON and returns it parsed and validated: `ModelRequest` (or a prompt string) → `T`.
 *
 * @remarks
 * Each execution:
 * 1. builds the request: with JSON mode, `responseFormat: { type: "json", schema: jsonSchema, name:
 *    schemaName }`; without JSON mode, or without a JSON Schema, a system instruction asking for JSON
 *    only (with the JSON Schema when there is one) is inserted after the leading system messages. JSON
 *    mode is on by default for a router (it keeps only candidates with the `"json"` capability, since
 *    `responseFormat` implies it) and for a `LanguageModel` or `model(...)` whose catalogue entry lists
 *    `"json"`; other primitives get the instruction unless `jsonMode: true`;
 * 2. parses the answer's text as JSON: the whole text, or one ```` ```json ```` fenced block that is
 *    the whole text; nothing else is extracted;
 * 3. validates it: a Standard Schema fully (its `validate` may be async; the result is the schema's
 *    output); a plain JSON Schema only by its top-level `type`;
 * 4. on a parse or validation failure, re-asks up to `repairAttempts` times, appending the model's last
 *    answer and a user message listing the issues (message and path, not the answer again). Only the
 *    last failed answer is kept, so a re-ask costs at most one extra answer of prompt.
 *
 * After the last failed answer it rejects with a {@link StructuredOutputError} whose `issues` are the
 * last answer's problems; its `message` never quotes the answer. Errors of the model pass through
 * unchanged (wrap the model in `retry` for those); a throwing `validate` rejects with its error.
 * Span: `tta.structured` with `tta.structured.json_mode` and `tta.structured.answers`, and one span
 * event `tta.structured.repair` per re-ask.
 *
 * @example
 * ```ts
 * const Ticket = z.object({ category: z.enum(["billing", "bug"]), urgent: z.boolean() });
 * const triage = structured(openAICompatible({ baseURL, model: "gpt-4o-mini", apiKey }), { schema: Ticket });
 * const ticket = await triage.execute("My card was charged twice!"); // { category: "billing", urgent: true }
 * ```
 * @since 0.1.0
 */
export class StructuredPrimitive<T> extends WorkflowPrimitive<ModelRequest | string, T> {
  /** What is asked (a `LanguageModel` given directly, wrapped in `model(...)`). */
  readonly model: Executable<ModelRequest, ModelResponse>;
  /** Whether requests set `responseFormat` (the provider's JSON mode). */
  readonly jsonMode: boolean;
  /** The JSON Schema sent to the provider or written into the instruction, when known. */
  readonly jsonSchema: JsonSchema | undefined;
  /** Re-asks after a failed answer. */
  readonly repairAttempts: number;
  readonly #schema: StandardSchemaV1<unknown, T> | undefined;
  readonly #plainSchema: JsonSchema;
  readonly #instruction: string | undefined;
  readonly #responseFormat: ResponseFormat;

  /**
   * @throws {@link InvalidOptionsError} for a `model` that is neither a `LanguageModel` nor a
   * primitive-like, a missing or invalid `schema`, or an invalid option (naming it).
   */
  constructor(modelOrRouter: StructuredModel, options: StructuredOptions<StandardSchemaV1<unknown, T> | JsonSchema>) {
    const opts = readOptions("structured", options, OPTION_KEYS);
    const name = nameOption(opts.name, "StructuredPrimitive");
    super({ kind: "structured", name });
    const schema = opts.schema;
    if (!isStandardSchema(schema) && !isPlainObject(schema))
      throw new InvalidOptionsError(
        "schema",
        `Expected \`schema\` (required) to be a Standard Schema (zod, valibot, …) or a JSON Schema object, got ${describeValue(schema)}`,
      );
    const explicit = opts.jsonSchema;
    if (explicit !== undefined && !isPlainObject(explicit))
      throw new InvalidOptionsError(
        "jsonSchema",
        `Expected \`jsonSchema\` to be a JSON Schema object, got ${describeValue(explicit)}`,
      );
    const catalog = opts.catalog ?? defaultCatalog;
    if (typeof (catalog as Partial<Catalog>).get !== "function")
      throw new InvalidOptionsError("catalog", `Expected \`catalog\` to be a Catalog, got ${describeValue(catalog)}`);
    const schemaName = opts.schemaName;
    if (schemaName !== undefined && (typeof schemaName !== "string" || schemaName === ""))
      throw new InvalidOptionsError(
        "schemaName",
        `Expected \`schemaName\` to be a non-empty string, got ${describeValue(schemaName)}`,
      );
    this.repairAttempts = repairAttemptsOption(opts.repairAttempts);
    const resolved = resolveModel(modelOrRouter, catalog as Catalog);
    this.model = resolved.executable;
    this.jsonMode = booleanOption("jsonMode", opts.jsonMode, resolved.jsonByDefault);
    this.#schema = isStandardSchema(schema) ? (schema as StandardSchemaV1<unknown, T>) : undefined;
    this.#plainSchema = isStandardSchema(schema) ? {} : schema;
    this.jsonSchema = explicit ?? (isStandardSchema(schema) ? standardJsonSchema(schema) : schema);
    this.#instruction = !this.jsonMode || this.jsonSchema === undefined ? instructionFor(this.jsonSchema) : undefined;
    this.#responseFormat = {
      type: "json",
      ...(this.jsonSchema === undefined ? {} : { schema: this.jsonSchema }),
      ...(schemaName === undefined ? {} : { name: schemaName }),
    };
  }

  protected async run(input: ModelRequest | string, ctx: WorkflowContext): Promise<T> {
    const request = toRequest(input);
    checkRequest(request);
    const asked = this.#prepare(request);
    const span = this.currentSpan(ctx);
    span?.setAttribute("tta.structured.json_mode", this.jsonMode);
    let repair: readonly Message[] = [];
    for (let answers = 1; ; answers++) {
      const response: unknown = await this.model.execute(withMessages(asked, repair), ctx);
      const text: unknown =
        typeof response === "object" && response !== null ? (response as ModelResponse).text : undefined;
      checkReturned(typeof text === "string", "model", "a ModelResponse", response);
      const checked = await this.#check(text as string);
      if (checked.ok) {
        span?.setAttribute("tta.structured.answers", answers);
        return checked.value;
      }
      if (answers > this.repairAttempts) {
        span?.setAttribute("tta.structured.answers", answers);
        throw new StructuredOutputError(exhaustedMessage(this.name, answers, checked.issues), checked.issues);
      }
      span?.addEvent("tta.structured.repair", {
        "tta.structured.answer": answers,
        "tta.structured.issues": checked.issues.length,
      });
      repair = repairMessages(text as string, checked.issues, JSON_CLOSING);
    }
  }

  /** The request as sent: the instruction and/or `responseFormat` added (a new object). */
  #prepare(request: ModelRequest): ModelRequest {
    const messages =
      this.#instruction === undefined ? request.messages : withInstruction(request.messages, this.#instruction);
    return this.jsonMode ? { ...request, messages, responseFormat: this.#responseFormat } : { ...request, messages };
  }

  async #check(text: string): Promise<Checked<T>> {
    const parsed = parseJsonAnswer(text);
    if (!parsed.ok) return parsed;
    if (this.#schema === undefined) return checkTopLevelType(this.#plainSchema, parsed.value) as Checked<T>;
    return runStandardSchema(this.#schema, parsed.value);
  }
}

/**
 * Creates a {@link StructuredPrimitive}: JSON from `modelOrRouter`, parsed, validated against
 * `schema`, re-asked with the issues on failure.
 *
 * @param modelOrRouter - a `LanguageModel`, a model router, or any primitive-like `ModelRequest → ModelResponse`.
 * @param options - `schema` (required), `jsonSchema`, `repairAttempts`, `jsonMode`, `catalog`, `schemaName`, `name`.
 * @returns a primitive `ModelRequest | string → T`, with `T` the Standard Schema's output type (or the
 * type argument, `unknown` by default, for a plain JSON Schema).
 * @throws {@link InvalidOptionsError} for an invalid model, schema or option; `repairAttempts` must be an
 * integer ≥ 0.
 * @example
 * ```ts
 * const llm = modelRouter({ candidates: [cheap, backup] });
 * const extract = structured(llm, { schema: v.object({ city: v.string() }), repairAttempts: 2 });
 * const { city } = await extract.execute("I live in Lyon. Which city do I live in?");
 * ```
 * @since 0.1.0
 */
export function structured<S extends StandardSchemaV1>(
  modelOrRouter: StructuredModel,
  options: StructuredOptions<S>,
): StructuredPrimitive<StandardSchemaV1.InferOutput<S>>;
export function structured<T = unknown>(
  modelOrRouter: StructuredModel,
  options: StructuredOptions<JsonSchema>,
): StructuredPrimitive<T>;
export function structured(
  modelOrRouter: StructuredModel,
  options: StructuredOptions<StandardSchemaV1 | JsonSchema>,
): StructuredPrimitive<unknown> {
  return new StructuredPrimitive(modelOrRouter, options);
}
