/**
 * `MultiModelWorkflow`: the seed's multi-model workflow — classify the task, route it to a model that
 * has what it needs, validate the answer and re-ask once with the validation error.
 *
 * @packageDocumentation
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { WorkflowContext } from "../core/context.js";
import type { StructuredOutputIssue } from "../core/errors.js";
import { InvalidOptionsError, StructuredOutputError } from "../core/errors.js";
import { toExecutable } from "../core/primitive-like.js";
import type { Executable, PrimitiveLike } from "../core/workflow-primitive.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { describeValue, isPlainObject, nameOption, readOptions } from "../internal/options.js";
import type { Capability, Catalog } from "./catalog.js";
import { defaultCatalog, modelCallCost } from "./catalog.js";
import { CAPABILITIES } from "./catalog-validation.js";
import type { TaskComplexity } from "./classifier.js";
import { COMPLEXITIES, lastUserText } from "./classifier-rules.js";
import type { Message, ModelResponse, Usage } from "./language-model.js";
import { checkRequest } from "./model-options.js";
import type { RouteInfo, RoutedRequest } from "./router/types.js";
import type { Checked, RouteSource } from "./schema-validation.js";
import {
  checkReturned,
  exhaustedMessage,
  isRouteSource,
  isStandardSchema,
  repairAttemptsOption,
  repairMessages,
  runStandardSchema,
  toRequest,
  withMessages,
} from "./schema-validation.js";

/**
 * What the classifier says about a task (the shape `classifyTask(...)` outputs).
 * @since 0.1.0
 */
export interface MultiModelClassification {
  readonly complexity: TaskComplexity;
  /** Capabilities the task needs; the router keeps only candidates that have them all. */
  readonly needs: readonly Capability[];
  /** Why, for logs. */
  readonly reasons: readonly string[];
}

/**
 * A validator's verdict: `true`, `undefined` or an empty array accept the answer; `false` rejects it
 * (with a generic issue), a string rejects it with that message, a non-empty array with those issues.
 * @since 0.1.0
 */
export type MultiModelVerdict = boolean | string | readonly StructuredOutputIssue[] | undefined;

/**
 * Checks an answer: gets its text and the whole response; may be async. A throw rejects the execution
 * with that error (it is not a validation failure).
 * @since 0.1.0
 */
export type MultiModelValidator = (
  text: string,
  response: ModelResponse,
) => MultiModelVerdict | PromiseLike<MultiModelVerdict>;

/**
 * Options of {@link multiModel}. `undefined` or `null` means the default.
 * @since 0.1.0
 */
export interface MultiModelOptions {
  /** Classifies the last user message's text (e.g. `classifyTask()`). Required. */
  readonly classifier: PrimitiveLike<string, MultiModelClassification>;
  /**
   * Answers the request with the classifier's `needs` added (e.g. `modelRouter(...)`). Required. When
   * it has `executeWithRoute` (as `modelRouter` does), the result's model, attempts and cost come from
   * its route.
   */
  readonly router:
    PrimitiveLike<RoutedRequest, ModelResponse> | (RouteSource & Executable<RoutedRequest, ModelResponse>);
  /**
   * Checks each answer: a function (see {@link MultiModelValidator}), or a Standard Schema object (zod,
   * valibot, …) that validates the answer's **text as a string** (`z.string().min(20)`); for JSON
   * answers use `structured(router, { schema })`. @defaultValue none (every answer is accepted)
   */
  readonly validate?: MultiModelValidator | StandardSchemaV1<string, unknown> | undefined;
  /** Re-asks after an answer that fails validation, an integer ≥ 0. @defaultValue 1 */
  readonly repairAttempts?: number | undefined;
  /** Prices answers when `router` reports no route (a plain primitive). @defaultValue `defaultCatalog` */
  readonly catalog?: Catalog | undefined;
  /** Display name. @defaultValue `"MultiModelWorkflow"` */
  readonly name?: string | undefined;
}

/**
 * What {@link MultiModelWorkflow} outputs. Counts and costs cover every answer, repairs included.
 * @since 0.1.0
 */
export interface MultiModelResult {
  /** The accepted answer. */
  readonly response: ModelResponse;
  /** The model that gave it: the route's candidate `modelId`, else `response.model`. */
  readonly model: string;
  /** Provider calls made, summed over the asks (from the routes; 1 per ask without a route). */
  readonly attempts: number;
  /**
   * Token usage of the answers, summed over the asks. Not the total spend: attempts that failed, a
   * content-filtered answer the router moved on from and a hedge's late loser are reported by their
   * own `model-call` events (and charged to a budget), not here.
   */
  readonly usage: Usage;
  /**
   * Cost in USD of the answers, summed over the asks (see `usage` for what is not in it); `undefined`
   * when one of them could not be priced.
   */
  readonly costUsd: number | undefined;
  /** What the classifier said. */
  readonly classification: MultiModelClassification;
  /** The route of the accepted answer, when the router reports routes. */
  readonly route: RouteInfo | undefined;
}

const OPTION_KEYS = ["classifier", "router", "validate", "repairAttempts", "catalog", "name"] as const;
const REJECTED: StructuredOutputIssue = Object.freeze({ message: "The answer was rejected by the validator." });
const CLOSING = "Answer the original request again, fixing these problems.";

/** A verdict as issues (`[]` = accepted). */
function verdictIssues(verdict: unknown): readonly StructuredOutputIssue[] {
  if (verdict === true || verdict === undefined) return [];
  if (verdict === false) return [REJECTED];
  if (typeof verdict === "string") return [verdict === "" ? REJECTED : { message: verdict }];
  const ok =
    Array.isArray(verdict) &&
    verdict.every((issue: unknown) => isPlainObject(issue) && typeof issue.message === "string");
  checkReturned(ok, "validate", "true, false, a string, an array of { message, path? } or undefined", verdict);
  return verdict as readonly StructuredOutputIssue[];
}

function checkClassification(value: unknown): MultiModelClassification {
  // Checked in full before anything reaches a span: a classifier's free text must not.
  const ok =
    isPlainObject(value) &&
    (COMPLEXITIES as readonly unknown[]).includes(value.complexity) &&
    Array.isArray(value.needs) &&
    value.needs.every((need: unknown) => (CAPABILITIES as readonly unknown[]).includes(need));
  checkReturned(ok, "classifier", "{ complexity, needs: Capability[], reasons }", value);
  return value as MultiModelClassification;
}

function addUsage(total: Usage | undefined, usage: Usage): Usage {
  if (total === undefined) return usage;
  const cached =
    total.cachedInputTokens === undefined && usage.cachedInputTokens === undefined
      ? undefined
      : (total.cachedInputTokens ?? 0) + (usage.cachedInputTokens ?? 0);
  return {
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
    ...(cached === undefined ? {} : { cachedInputTokens: cached }),
  };
}

/** One ask's answer, with its route when the router reports one. */
interface Answer {
  readonly response: ModelResponse;
  readonly route: RouteInfo | undefined;
}

/**
 * Classify → route → validate → re-ask: `RoutedRequest` (or a prompt string) → {@link MultiModelResult}.
 *
 * @remarks
 * Each execution:
 * 1. runs `classifier` on the text of the request's last `user` message (`""` when there is none);
 * 2. asks `router` with the request plus `needs` (the classifier's, merged with the request's own);
 * 3. when `validate` is set, checks the answer: a function gets `(text, response)`; a Standard Schema
 *    validates `response.text`, the string (not parsed JSON — use `structured(...)` for JSON);
 * 4. on failure, re-asks up to `repairAttempts` times (default 1) with the answer and a user message
 *    listing the validation issues appended; each re-ask is routed again with the same `needs`.
 *
 * After the last failed answer it rejects with a {@link StructuredOutputError} carrying that answer's
 * issues (its `message` never quotes the answer). Errors of the classifier and the router pass through
 * unchanged. `attempts`, `usage` and `costUsd` are summed over all asks: from each route when the
 * router has `executeWithRoute` (as `modelRouter` does), else 1 attempt per ask priced by `catalog`.
 * Span: `tta.multi-model` with `tta.multi_model.complexity`, `tta.multi_model.needs`,
 * `tta.multi_model.model`, `tta.multi_model.asks` and `tta.multi_model.attempts`.
 *
 * @example
 * ```ts
 * const flow = multiModel({ classifier: classifyTask(), router: modelRouter({ candidates, catalog }) });
 * const { response, model, costUsd } = await flow.execute("Write a haiku about retries");
 * ```
 * @since 0.1.0
 */
export class MultiModelWorkflow extends WorkflowPrimitive<RoutedRequest | string, MultiModelResult> {
  /** Classifies the task. */
  readonly classifier: Executable<string, MultiModelClassification>;
  /** Answers the request. */
  readonly router: Executable<RoutedRequest, ModelResponse>;
  /** Re-asks after a failed validation. */
  readonly repairAttempts: number;
  readonly #validate: ((response: ModelResponse) => Promise<readonly StructuredOutputIssue[]>) | undefined;
  readonly #catalog: Catalog;

  /** @throws {@link InvalidOptionsError} for a missing `classifier` or `router`, or an invalid option (naming it). */
  constructor(options: MultiModelOptions) {
    const opts = readOptions("multiModel", options, OPTION_KEYS);
    super({ kind: "multi-model", name: nameOption(opts.name, "MultiModelWorkflow") });
    if (opts.classifier === undefined)
      throw new InvalidOptionsError("classifier", "Expected `classifier` (required) to be a primitive or a function");
    if (opts.router === undefined)
      throw new InvalidOptionsError("router", "Expected `router` (required) to be a model router or a primitive");
    this.classifier = toExecutable(opts.classifier as PrimitiveLike<string, MultiModelClassification>, "classifier");
    this.router = toExecutable(opts.router as PrimitiveLike<RoutedRequest, ModelResponse>, "router");
    this.repairAttempts = repairAttemptsOption(opts.repairAttempts);
    this.#validate = resolveValidate(opts.validate);
    const catalog = opts.catalog ?? defaultCatalog;
    if (typeof (catalog as Partial<Catalog>).cost !== "function")
      throw new InvalidOptionsError("catalog", `Expected \`catalog\` to be a Catalog, got ${describeValue(catalog)}`);
    this.#catalog = catalog as Catalog;
  }

  protected async run(input: RoutedRequest | string, ctx: WorkflowContext): Promise<MultiModelResult> {
    const request = toRequest(input) as RoutedRequest;
    checkRequest(request);
    const classification = checkClassification(await this.classifier.execute(lastUserText(request.messages), ctx));
    const needs = [...new Set([...(request.needs ?? []), ...classification.needs])];
    const routed: RoutedRequest = { ...request, needs };
    const span = this.currentSpan(ctx);
    span?.setAttributes({
      "tta.multi_model.complexity": classification.complexity,
      "tta.multi_model.needs": needs,
    });
    let attempts = 0;
    let usage: Usage | undefined;
    let costUsd: number | undefined = 0;
    let repair: readonly Message[] = [];
    for (let asks = 1; ; asks++) {
      const { response, route } = await this.#ask(withMessages(routed, repair), ctx);
      attempts += route?.attempts ?? 1;
      usage = addUsage(usage, response.usage);
      const cost = route === undefined ? priceOf(this.#catalog, response) : route.costUsd;
      costUsd = costUsd === undefined || cost === undefined ? undefined : costUsd + cost;
      const issues = this.#validate === undefined ? [] : await this.#validate(response);
      const model = route?.model ?? response.model;
      span?.setAttributes({
        "tta.multi_model.model": model,
        "tta.multi_model.asks": asks,
        "tta.multi_model.attempts": attempts,
      });
      if (issues.length === 0) return { response, model, attempts, usage, costUsd, classification, route };
      if (asks > this.repairAttempts)
        throw new StructuredOutputError(exhaustedMessage(this.name, asks, issues), issues);
      span?.addEvent("tta.multi_model.repair", {
        "tta.multi_model.ask": asks,
        "tta.multi_model.issues": issues.length,
      });
      repair = repairMessages(response.text, issues, CLOSING);
    }
  }

  async #ask(request: RoutedRequest, ctx: WorkflowContext): Promise<Answer> {
    const router = this.router;
    if (isRouteSource(router)) {
      const routed: unknown = await router.executeWithRoute(request, ctx);
      const ok = isPlainObject(routed) && isResponse(routed.response) && isPlainObject(routed.route);
      checkReturned(ok, "router", "{ response, route } from executeWithRoute", routed);
      return routed as Answer;
    }
    const response: unknown = await router.execute(request, ctx);
    checkReturned(isResponse(response), "router", "a ModelResponse", response);
    return { response: response as ModelResponse, route: undefined };
  }
}

/** The catalogue price of an answer; `undefined` when it cannot be priced (never throws). */
function priceOf(catalog: Catalog, response: ModelResponse): number | undefined {
  try {
    return modelCallCost(catalog, response.model, undefined, response.usage);
  } catch {
    return undefined;
  }
}

function isResponse(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<ModelResponse>).text === "string" &&
    typeof (value as Partial<ModelResponse>).usage === "object"
  );
}

function resolveValidate(
  value: unknown,
): ((response: ModelResponse) => Promise<readonly StructuredOutputIssue[]>) | undefined {
  if (value === undefined) return undefined;
  if (isStandardSchema(value))
    return async (response) => {
      const checked: Checked<unknown> = await runStandardSchema(value, response.text);
      return checked.ok ? [] : checked.issues;
    };
  if (typeof value === "function") {
    const fn = value as MultiModelValidator;
    return async (response) => verdictIssues(await fn(response.text, response));
  }
  throw new InvalidOptionsError(
    "validate",
    `Expected \`validate\` to be a function or a Standard Schema (zod, valibot, …), got ${describeValue(value)}`,
  );
}

/**
 * Creates a {@link MultiModelWorkflow}: classify → route with the task's `needs` → validate → re-ask
 * once with the validation error.
 *
 * @param options - `classifier` and `router` (required), `validate`, `repairAttempts`, `catalog`, `name`.
 * @throws {@link InvalidOptionsError} for a missing or invalid option, naming it; `repairAttempts` must be
 * an integer ≥ 0.
 * @example
 * ```ts
 * const flow = multiModel({
 *   classifier: classifyTask(),
 *   router: modelRouter({ candidates: [small, large], catalog }),
 *   validate: (text) => text.length >= 20 || "The answer is too short: write at least 20 characters.",
 * });
 * const { model, attempts, costUsd } = await flow.execute("Summarise this ticket: …");
 * ```
 * @since 0.1.0
 */
export function multiModel(options: MultiModelOptions): MultiModelWorkflow {
  return new MultiModelWorkflow(options);
}
