/**
 * `modelClassifier`: a model-backed `classify` function for `classifyTask`, falling back to the keyword
 * rules when the model's answer is not a valid classification.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { InvalidOptionsError } from "../core/errors.js";
import type { Executable } from "../core/workflow-primitive.js";
import { describeValue, integerOption, readOptions } from "../internal/options.js";
import { CAPABILITIES } from "./catalog-validation.js";
import { checkClassification, classifyByRules } from "./classifier-rules.js";
import type { ClassifierRule, TaskClassification, TaskClassifyFunction } from "./classifier.js";
import { resolveRules } from "./classifier.js";
import type { LanguageModel, ModelRequest, ModelResponse } from "./language-model.js";
import { ModelPrimitive } from "./model.js";
import { isLanguageModel } from "./model-options.js";
import { parseJsonAnswer } from "./schema-validation.js";

/** Options of {@link modelClassifier}. `undefined` or `null` means the default. @since 0.1.0 */
export interface ModelClassifierOptions {
  /** The rules used when the model's answer is invalid. @defaultValue `DEFAULT_CLASSIFIER_RULES` */
  readonly rules?: readonly ClassifierRule[] | undefined;
  /** Rules added to `rules` for the fallback. @defaultValue none */
  readonly extraRules?: readonly ClassifierRule[] | undefined;
  /**
   * A task longer than this needs `"long-context"` and is complex, whatever the model says (it sees at
   * most `maxChars` of it). @defaultValue `DEFAULT_LONG_CONTEXT_CHARS`
   */
  readonly longContextChars?: number | undefined;
  /** The most characters of the task sent to the model (its beginning). @defaultValue 8 000 */
  readonly maxChars?: number | undefined;
}

const OPTION_KEYS = ["rules", "extraRules", "longContextChars", "maxChars"] as const;
const DEFAULT_MAX_CHARS = 8_000;

const INSTRUCTIONS =
  "You classify a task for routing it to a language model. Answer with JSON only, no prose: " +
  '{"complexity": "simple" | "moderate" | "complex", "needs": [...]}. "needs" lists only the capabilities ' +
  `the task really requires, from: ${CAPABILITIES.join(", ")}. simple = one short factual or chat turn; ` +
  "moderate = some writing, code or analysis; complex = multi-step reasoning, proofs, or large work.";

const SCHEMA: Readonly<Record<string, unknown>> = Object.freeze({
  type: "object",
  properties: {
    complexity: { type: "string", enum: ["simple", "moderate", "complex"] },
    needs: { type: "array", items: { type: "string", enum: [...CAPABILITIES] } },
  },
  required: ["complexity", "needs"],
  additionalProperties: false,
});

/** The model's answer as a classification, or `undefined` when it is not one. */
function parseAnswer(text: string): TaskClassification | undefined {
  try {
    const answer = parseJsonAnswer(text);
    const parsed = answer.ok ? answer.value : undefined;
    if (typeof parsed !== "object" || parsed === null) return undefined;
    // Anything else the model wrote (its own reasons) is dropped: it may quote the task.
    const { complexity, needs } = parsed as { readonly complexity?: unknown; readonly needs?: unknown };
    return checkClassification({ complexity, needs }, { text: "", implied: [] });
  } catch {
    return undefined;
  }
}

function toStep(value: unknown): Executable<ModelRequest, ModelResponse> {
  if (typeof value === "object" && value !== null) {
    if (typeof (value as Partial<Executable<ModelRequest, ModelResponse>>).execute === "function")
      return value as Executable<ModelRequest, ModelResponse>;
    if (isLanguageModel(value)) return new ModelPrimitive(value, { name: "modelClassifier" });
  }
  throw new InvalidOptionsError(
    "model",
    `Expected \`model\` to be a LanguageModel or a primitive ModelRequest → ModelResponse, got ${describeValue(value)}`,
  );
}

/** The first `max` characters of `text`, never ending in half a surrogate pair. */
function head(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * A `classify` function for {@link classifyTask} that asks a model: it sends the task (its first
 * `maxChars` characters) with instructions to answer `{"complexity", "needs"}` as JSON (temperature 0,
 * `responseFormat` JSON with a schema), and checks the answer.
 *
 * @remarks
 * - A valid answer (plain or in a ```json fence) gives the classification, with one reason,
 *   `classified by model "<model>"` (the model's own reasons are dropped: they may quote the task).
 * - An invalid answer (not JSON, an unknown capability, a missing field) falls back to the rules,
 *   with the reason `model "<model>" gave no valid classification → rules` first.
 * - A task over `longContextChars` characters needs `"long-context"` and is complex either way.
 * - A failing model call rejects the classification (wrap the model in `retry` or `fallback`); the
 *   call runs inside the classifier's span, with the run's context (signal, deadline, budget).
 *
 * @param model - a `LanguageModel` (called through `model(...)`, so it gets its GenAI span, events and
 * budget) or any primitive `ModelRequest → ModelResponse` (a `ModelPrimitive`, a router).
 * @throws {@link InvalidOptionsError} for an invalid `model` or options (rules as in `classifyTask`).
 * @example
 * ```ts
 * const classify = classifyTask({ classify: modelClassifier(openAICompatible({ baseURL, model: "gpt-4o-mini", apiKey })) });
 * const { complexity, needs } = await classify.execute("Prove that there are infinitely many primes");
 * ```
 * @since 0.1.0
 */
export function modelClassifier(
  model: LanguageModel | Executable<ModelRequest, ModelResponse>,
  options?: ModelClassifierOptions,
): TaskClassifyFunction {
  const step = toStep(model);
  const opts = readOptions("modelClassifier", options, OPTION_KEYS);
  const { rules, longContextChars } = resolveRules(opts);
  const maxChars = integerOption("maxChars", opts.maxChars, DEFAULT_MAX_CHARS, {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
  return async (text: string, ctx: WorkflowContext): Promise<TaskClassification> => {
    const response = await step.execute(
      {
        messages: [
          { role: "system", content: INSTRUCTIONS },
          { role: "user", content: head(text, maxChars) },
        ],
        temperature: 0,
        maxTokens: 100,
        responseFormat: { type: "json", name: "task_classification", schema: SCHEMA },
      },
      ctx,
    );
    const name = JSON.stringify(String(response.model).slice(0, 100));
    const answer = typeof response.text === "string" ? parseAnswer(response.text) : undefined;
    if (answer === undefined) {
      const byRules = classifyByRules(rules, longContextChars, { text, implied: [] });
      return { ...byRules, reasons: [`model ${name} gave no valid classification → rules`, ...byRules.reasons] };
    }
    const reasons = [`classified by model ${name}`];
    if (text.length <= longContextChars) return { ...answer, reasons };
    reasons.push(`over ${longContextChars} characters → long-context, complex`);
    const needs = CAPABILITIES.filter((c) => c === "long-context" || answer.needs.includes(c));
    return { complexity: "complex", needs, reasons };
  };
}
