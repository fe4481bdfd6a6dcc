/**
 * `TaskClassifierPrimitive` / `classifyTask` (DESIGN §6.3): what a task needs from a model and how hard it
 * is, from whole-word keyword rules or a pluggable (for example model-backed) classifier.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "../core/context.js";
import { InvalidOptionsError } from "../core/errors.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { functionOption, integerOption, nameOption, readOptions } from "../internal/options.js";
import type { Capability } from "./catalog.js";
import type { CompiledRule } from "./classifier-rules.js";
import { checkClassification, classifyByRules, compileRules, readTask } from "./classifier-rules.js";
import type { ModelRequest } from "./language-model.js";

/** How hard a task is, for picking a model tier: `"simple"`, `"moderate"` or `"complex"`. @since 0.1.0 */
export type TaskComplexity = "simple" | "moderate" | "complex";

/**
 * What {@link classifyTask} says about a task. Frozen.
 * @since 0.1.0
 */
export interface TaskClassification {
  readonly complexity: TaskComplexity;
  /** The capabilities a model needs for the task: no duplicates, in the order of the `Capability` type. */
  readonly needs: readonly Capability[];
  /**
   * Why, one short line per rule that fired (`matched "python" → code`). The built-in rules' reasons
   * name rule words and numbers only, never the task's text, so they are safe to log; a custom
   * `classify` function's reasons are passed on as it wrote them (`modelClassifier` drops the model's).
   */
  readonly reasons: readonly string[];
}

/**
 * A keyword rule: when any of `words` occurs in the task as a whole word or phrase (case-insensitive), the
 * task needs `need` and is at least `complexity`.
 *
 * @remarks
 * Matching is on word boundaries in any script (letters, combining marks, digits and `_` are word
 * characters): `"class"` does not match "classify" or "subclass", `"code"` does not match
 * "Codeänderung", `"json"` does not match "JSONL". Next to a script written without spaces (Chinese,
 * Japanese, Thai…) a word matches as a substring: "用Python写" matches `"python"`, and a rule word
 * `"函数"` matches inside Chinese text. Write inflections out (`"bug"`, `"bugs"`). Spaces in a phrase
 * match any run of whitespace; other characters (`-`, `+`, `#`) match themselves. Text and words are
 * compared after Unicode NFC normalisation.
 * @since 0.1.0
 */
export interface ClassifierRule {
  /** Words or phrases; at least one, each with a letter or digit. */
  readonly words: readonly string[];
  /** The capability the task needs when the rule fires. */
  readonly need?: Capability | undefined;
  /** The least complexity of the task when the rule fires. A rule has a `need`, a `complexity` or both. */
  readonly complexity?: "moderate" | "complex" | undefined;
  /** The reason reported when the rule fires. @defaultValue `matched "<word>" → <need>, <complexity>` */
  readonly reason?: string | undefined;
}

/** The input of a classifier: the task's text, or a `ModelRequest` (its last user message is classified). @since 0.1.0 */
export type TaskInput = string | ModelRequest;

/**
 * A pluggable classifier (see {@link modelClassifier}): gets the task's text and the run's context.
 * @since 0.1.0
 */
export type TaskClassifyFunction = (
  text: string,
  ctx: WorkflowContext,
) => TaskClassification | PromiseLike<TaskClassification>;

/** Options of {@link classifyTask}. `undefined` or `null` means the default. @since 0.1.0 */
export interface TaskClassifierOptions {
  /** The rules, replacing the defaults. @defaultValue {@link DEFAULT_CLASSIFIER_RULES} */
  readonly rules?: readonly ClassifierRule[] | undefined;
  /** Rules checked after `rules` (add to the defaults without repeating them). @defaultValue none */
  readonly extraRules?: readonly ClassifierRule[] | undefined;
  /**
   * A task longer than this many characters (UTF-16 code units) needs `"long-context"` and is
   * `"complex"`; `Infinity` turns the rule off. @defaultValue {@link DEFAULT_LONG_CONTEXT_CHARS}
   */
  readonly longContextChars?: number | undefined;
  /**
   * Replaces the rules and the length rule (so it cannot be combined with `rules`, `extraRules` or
   * `longContextChars`). Its result is checked; needs implied by a `ModelRequest` input are still added.
   * @defaultValue none (the rules)
   */
  readonly classify?: TaskClassifyFunction | undefined;
  /** Display name. @defaultValue `"TaskClassifierPrimitive"` */
  readonly name?: string | undefined;
}

/**
 * The default of `longContextChars`: about 100 000 tokens, the size at which a 128k-token window no
 * longer holds the task and an answer. (The catalogue's `"long-context"` means a window of several
 * hundred thousand tokens; flagging smaller tasks would shut out models that hold them easily.)
 * @since 0.1.0
 */
export const DEFAULT_LONG_CONTEXT_CHARS = 400_000;

const rule = (words: readonly string[], effect: Omit<ClassifierRule, "words">): ClassifierRule =>
  Object.freeze({ words: Object.freeze(words), ...effect });

/**
 * The rules `classifyTask()` uses, in order. Frozen; filter or spread them to build your own.
 *
 * @remarks
 * - code: code, function, class, bug, stack trace, compile, typescript, python, sql, regex, refactor…
 * - json: json, schema, structured output, machine-readable…
 * - reasoning (and complex): prove, proof, step by step, derive, root cause, trade-offs, think through…
 * - moderate (no need): why, analyse/analyze, plan, compare, evaluate, explain, pros and cons…
 * - vision: image, screenshot, photo, picture, diagram, png, jpeg, ocr…
 *
 * No keyword implies `"tools"` (a request offers tools or it does not; a `ModelRequest` with tools
 * implies it) or `"long-context"` (the length rule decides, not words like "entire document").
 * "why", "plan" or "analyse" make a task moderate without requiring a reasoning model, which would
 * shut out most candidates for everyday questions.
 * @since 0.1.0
 */
export const DEFAULT_CLASSIFIER_RULES: readonly ClassifierRule[] = Object.freeze([
  // prettier-ignore
  rule(
    [
      "code", "coding", "function", "functions", "method", "methods", "class", "classes", "bug", "bugs",
      "debug", "debugging", "stack trace", "stacktrace", "traceback", "compile", "compiler", "compilation",
      "typescript", "javascript", "python", "java", "golang", "c++", "c#", "sql", "regex", "regexes",
      "regexp", "regular expression", "refactor", "refactoring", "unit test", "unit tests",
    ],
    { need: "code" },
  ),
  rule(["json", "json schema", "schema", "structured output", "structured data", "machine-readable"], {
    need: "json",
  }),
  // prettier-ignore
  rule(
    [
      "prove", "proof", "step by step", "step-by-step", "derive", "derivation", "root cause", "trade-off",
      "trade-offs", "tradeoff", "tradeoffs", "think through", "reason about", "theorem",
    ],
    { need: "reasoning", complexity: "complex" },
  ),
  // prettier-ignore
  rule(
    [
      "why", "analyse", "analyze", "analysis", "plan", "compare", "comparison", "evaluate", "explain",
      "pros and cons",
    ],
    { complexity: "moderate" },
  ),
  // prettier-ignore
  rule(
    [
      "image", "images", "screenshot", "screenshots", "photo", "photos", "photograph", "picture", "pictures",
      "diagram", "diagrams", "png", "jpeg", "jpg", "ocr",
    ],
    { need: "vision" },
  ),
]);

const OPTION_KEYS = ["rules", "extraRules", "longContextChars", "classify", "name"] as const;
const RULE_OPTION_KEYS = ["rules", "extraRules", "longContextChars"] as const;

let compiledDefaults: readonly CompiledRule[] | undefined;

/** Compiled rules and the length threshold, from validated options. @internal */
export interface ResolvedRules {
  readonly rules: readonly CompiledRule[];
  readonly longContextChars: number;
}

/** Validates and compiles `rules`, `extraRules` and `longContextChars` (the defaults compiled once). @internal */
export function resolveRules(opts: Readonly<Record<string, unknown>>): ResolvedRules {
  const base =
    opts.rules === undefined
      ? (compiledDefaults ??= compileRules("DEFAULT_CLASSIFIER_RULES", DEFAULT_CLASSIFIER_RULES))
      : compileRules("rules", opts.rules);
  const extra = opts.extraRules === undefined ? [] : compileRules("extraRules", opts.extraRules);
  return {
    rules: extra.length === 0 ? base : Object.freeze([...base, ...extra]),
    longContextChars: integerOption("longContextChars", opts.longContextChars, DEFAULT_LONG_CONTEXT_CHARS, {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      allowInfinity: true,
    }),
  };
}

/**
 * Classifies a task: `string | ModelRequest → { complexity, needs, reasons }`.
 *
 * @remarks
 * With the rules (the default), each rule whose words occur in the task **as whole words** adds its need
 * and complexity, and one reason naming the matched rule word. Then:
 * - a task over `longContextChars` characters needs `"long-context"` and is complex;
 * - one over 300 characters, or of more than 2 sentences, is at least moderate;
 * - a task that needs any capability is at least moderate, and one that needs 3 or more is complex;
 * - otherwise it is simple.
 *
 * For a `ModelRequest`, the last user message is classified (none: `""`), and the request's own
 * needs are added: `"tools"` when it offers tools (and `toolChoice` is not `"none"`), `"json"` when
 * it asks for JSON. Rules are compiled once, at construction; a call scans the text once per rule in
 * linear time (roughly 10 ms per megabyte with the default rules), so no length cap is applied.
 *
 * With `classify`, that function replaces the rules; its result is checked (an invalid one rejects the
 * call with an `InvalidOptionsError` naming `classify`, describing shapes, never content) and frozen.
 *
 * Span attributes: `tta.classifier.complexity`, `tta.classifier.needs`.
 *
 * @throws {@link InvalidOptionsError} at construction for invalid options, naming the path
 * (`extraRules[0].need`); at run time, naming `input` (or the request's field) for an input that is
 * neither a string nor a valid `ModelRequest`, or `classify` for an invalid classification.
 * @example
 * ```ts
 * const classify = new TaskClassifierPrimitive();
 * await classify.execute("Write a Python function that parses dates");
 * // { complexity: "moderate", needs: ["code"], reasons: ['matched "python" → code'] }
 * ```
 * @since 0.1.0
 */
export class TaskClassifierPrimitive extends WorkflowPrimitive<TaskInput, TaskClassification> {
  readonly #rules: ResolvedRules | undefined;
  readonly #classify: TaskClassifyFunction | undefined;

  /** @throws {@link InvalidOptionsError} for invalid options (see the class). */
  constructor(options?: TaskClassifierOptions) {
    const opts = readOptions("classifyTask", options, OPTION_KEYS);
    const classify = functionOption<TaskClassifyFunction>("classify", opts.classify);
    if (classify !== undefined)
      for (const key of RULE_OPTION_KEYS)
        if (opts[key] !== undefined)
          throw new InvalidOptionsError(
            key,
            `\`${key}\` has no effect with \`classify\`, which replaces the rules; give it to modelClassifier(model, { ${key} }) for its fallback, or drop it`,
          );
    const rules = classify === undefined ? resolveRules(opts) : undefined;
    super({ kind: "classifier", name: nameOption(opts.name, "TaskClassifierPrimitive") });
    this.#rules = rules;
    this.#classify = classify;
  }

  protected async run(input: TaskInput, ctx: WorkflowContext): Promise<TaskClassification> {
    const task = readTask(input);
    const rules = this.#rules;
    const result =
      rules === undefined
        ? checkClassification(await (this.#classify as TaskClassifyFunction)(task.text, ctx), task)
        : classifyByRules(rules.rules, rules.longContextChars, task);
    this.currentSpan(ctx)?.setAttributes({
      "tta.classifier.complexity": result.complexity,
      "tta.classifier.needs": [...result.needs],
    });
    return result;
  }
}

/**
 * Creates a {@link TaskClassifierPrimitive}: `string | ModelRequest → { complexity, needs, reasons }`.
 *
 * @param options - `rules` (replace the defaults), `extraRules` (add to them), `longContextChars`,
 * `classify` (a pluggable classifier instead of the rules), `name`.
 * @throws {@link InvalidOptionsError} for invalid options, naming the path (`rules[2].words[0]`).
 * @example
 * ```ts
 * const classify = classifyTask({ extraRules: [{ words: ["invoice", "refund"], need: "tools" }] });
 * const { needs } = await classify.execute("Refund invoice 42"); // ["tools"]
 * ```
 * @since 0.1.0
 */
export function classifyTask(options?: TaskClassifierOptions): TaskClassifierPrimitive {
  return new TaskClassifierPrimitive(options);
}
