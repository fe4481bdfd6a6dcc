/**
 * What `model(...)` and `streamModel(...)` share: their options, the token estimate, the budget
 * reservation, the GenAI span attributes and the `model-call` event of one call.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import type { Reservation } from "../core/budget.js";
import { BUDGET_KEY } from "../core/budget.js";
import type { WorkflowContext } from "../core/context.js";
import { contextAbortReason, isContextAborted } from "../core/context.js";
import { InvalidOptionsError } from "../core/errors.js";
import type { ExecutionOutcome } from "../core/instrumentation.js";
import { emit, isObserved } from "../core/instrumentation.js";
import {
  booleanOption,
  describeValue,
  functionOption,
  isPlainObject,
  nameOption,
  readOptions,
} from "../internal/options.js";
import { errorType } from "../internal/tracing.js";
import type { Catalog } from "./catalog.js";
import { defaultCatalog } from "./catalog.js";
import { setGenAiRequestAttributes, setGenAiResultAttributes } from "./gen-ai.js";
import type { FinishReason, LanguageModel, ModelRequest, Usage } from "./language-model.js";

/**
 * A token estimate for a request, used to reserve budget before the call.
 * @since 0.1.0
 */
export interface TokenEstimate {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * Options of {@link model} and {@link streamModel}. `undefined` or `null` means the default.
 * @since 0.1.0
 */
export interface ModelOptions {
  /** Prices calls (the `costUsd` of events, spans and budgets). @defaultValue `defaultCatalog` */
  readonly catalog?: Catalog | undefined;
  /** Display name (events, metrics). @defaultValue `"ModelPrimitive"` / `"StreamModelPrimitive"` */
  readonly name?: string | undefined;
  /**
   * Estimates a request's tokens before the call, for the budget reservation. Plug a real tokenizer
   * here. @defaultValue {@link estimateTokens} (characters / 4, plus `maxTokens`)
   */
  readonly estimateTokens?: ((request: ModelRequest) => TokenEstimate) | undefined;
  /**
   * Record prompts and completions on the span (`gen_ai.input.messages` / `gen_ai.output.text`).
   * Off by default: they are user data. @defaultValue false
   */
  readonly captureContent?: boolean | undefined;
}

/** Options after validation. @internal */
export interface ResolvedModelOptions {
  readonly catalog: Catalog;
  readonly name: string;
  readonly estimateTokens: (request: ModelRequest) => TokenEstimate;
  readonly captureContent: boolean;
}

const OPTION_KEYS = ["catalog", "name", "estimateTokens", "captureContent"] as const;

/**
 * The default token estimate: characters of every message / 4 (rounded up) for the input, and the
 * request's `maxTokens` (0 when unset) for the output.
 *
 * @example
 * ```ts
 * estimateTokens({ messages: [{ role: "user", content: "12345678" }], maxTokens: 100 }); // { inputTokens: 2, outputTokens: 100 }
 * ```
 * @since 0.1.0
 */
export function estimateTokens(request: ModelRequest): TokenEstimate {
  let chars = 0;
  for (const message of request.messages) chars += typeof message.content === "string" ? message.content.length : 0;
  return { inputTokens: Math.ceil(chars / 4), outputTokens: request.maxTokens ?? 0 };
}

/** Validates the model and options of a model primitive. @internal */
export function resolveModelOptions(
  what: string,
  languageModel: unknown,
  options: unknown,
  defaultName: string,
): ResolvedModelOptions {
  const lm = languageModel as Partial<LanguageModel> | null;
  if (
    typeof lm !== "object" ||
    lm === null ||
    typeof lm.generate !== "function" ||
    typeof lm.modelId !== "string" ||
    lm.modelId === "" ||
    typeof lm.provider !== "string"
  )
    throw new InvalidOptionsError(
      "languageModel",
      `Expected \`languageModel\` to be a LanguageModel ({ provider, modelId, generate }), got ${describeValue(languageModel)}`,
    );
  const opts = readOptions(what, options, OPTION_KEYS);
  const catalog = opts.catalog ?? defaultCatalog;
  if (typeof (catalog as Partial<Catalog>).cost !== "function")
    throw new InvalidOptionsError("catalog", `Expected \`catalog\` to be a Catalog, got ${describeValue(catalog)}`);
  return {
    catalog: catalog as Catalog,
    name: nameOption(opts.name, defaultName),
    estimateTokens: functionOption<(r: ModelRequest) => TokenEstimate>("estimateTokens", opts.estimateTokens) ?? estimateTokens,
    captureContent: booleanOption("captureContent", opts.captureContent, false),
  };
}

/** Checks the shape a provider needs before anything is reserved or sent. @internal */
export function checkRequest(request: unknown): asserts request is ModelRequest {
  if (!isPlainObject(request) || !Array.isArray(request.messages))
    throw new InvalidOptionsError(
      "request.messages",
      `Expected a ModelRequest with a \`messages\` array, got ${describeValue(request)}`,
    );
}

/**
 * The state of one model call from reservation to its `model-call` event: created by the
 * primitive's `run`, finished exactly once.
 * @internal
 */
export class ModelCall {
  readonly #lm: LanguageModel;
  readonly #options: ResolvedModelOptions;
  readonly #ctx: WorkflowContext;
  readonly #kind: string;
  readonly #span: Span | undefined;
  readonly #startedAt: number;
  readonly #streaming: boolean;
  #reservation: Reservation | undefined;
  #estimate: TokenEstimate | undefined;
  #done = false;
  /**
   * Whether anything reads this call's outcome: a budget reservation, a span, or an event listener
   * when the call started. When nothing does, finishing the call changes nothing, so a stream need
   * not watch its chunks as they pass.
   */
  readonly watched: boolean;

  constructor(
    lm: LanguageModel,
    options: ResolvedModelOptions,
    kind: string,
    ctx: WorkflowContext,
    span: Span | undefined,
    request: ModelRequest,
    streaming: boolean,
  ) {
    this.#lm = lm;
    this.#options = options;
    this.#ctx = ctx;
    this.#kind = kind;
    this.#span = span;
    this.#streaming = streaming;
    const budget = ctx.getValue(BUDGET_KEY);
    if (budget !== undefined) {
      const estimate = options.estimateTokens(request);
      this.#estimate = estimate;
      this.#reservation = budget.reserve({
        inputTokens: estimate.inputTokens,
        outputTokens: estimate.outputTokens,
        costUsd: options.catalog.cost(lm.modelId, estimate),
      });
    }
    const observed = isObserved();
    this.#startedAt = observed ? ctx.clock.now() : 0;
    this.watched = observed || span !== undefined || this.#reservation !== undefined;
    if (span !== undefined) {
      setGenAiRequestAttributes(span, lm.provider, lm.modelId);
      if (options.captureContent) span.setAttribute("gen_ai.input.messages", safeJson(request.messages));
    }
  }

  /** The configured model id. */
  get modelId(): string {
    return this.#lm.modelId;
  }

  /**
   * The call succeeded with this usage: commit the budget, set the span, report the event. An empty
   * `responseModel` means the configured id.
   */
  succeed(answeredBy: string, usage: Usage, finishReason: FinishReason, text: string): void {
    if (this.#done) return;
    const responseModel = answeredBy === "" ? this.#lm.modelId : answeredBy;
    this.#done = true;
    const span = this.#span;
    const observed = isObserved();
    // Nobody reads the cost: no budget, no span, no listener.
    if (this.#reservation === undefined && span === undefined && !observed) return;
    const catalog = this.#options.catalog;
    const cost = catalog.cost(responseModel, usage) ?? catalog.cost(this.#lm.modelId, usage);
    this.#reservation?.commit({ inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUsd: cost });
    if (span !== undefined) {
      setGenAiResultAttributes(span, {
        responseModel,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        finishReason,
        costUsd: cost,
      });
      if (this.#options.captureContent) span.setAttribute("gen_ai.output.text", text);
    }
    if (observed) this.#report("success", responseModel, usage, cost, undefined);
  }

  /**
   * The call failed (or a stream stopped early). Before any output the reservation is released;
   * once output was delivered (`partial`) it is committed at the estimate, since tokens were spent.
   */
  fail(error: unknown, partial: boolean): void {
    if (this.#done) return;
    this.#done = true;
    const reservation = this.#reservation;
    if (reservation !== undefined) {
      if (partial && this.#estimate !== undefined) {
        const estimate = this.#estimate;
        reservation.commit({
          inputTokens: estimate.inputTokens,
          outputTokens: estimate.outputTokens,
          costUsd: this.#options.catalog.cost(this.#lm.modelId, estimate),
        });
      } else reservation.release();
    }
    if (!isObserved()) return;
    const aborted = error === undefined || (isContextAborted(this.#ctx) && error === contextAbortReason(this.#ctx));
    this.#report(aborted ? "aborted" : "error", this.#lm.modelId, ZERO_USAGE, undefined, error);
  }

  #report(
    outcome: ExecutionOutcome,
    responseModel: string,
    usage: Usage,
    costUsd: number | undefined,
    error: unknown,
  ): void {
    const ctx = this.#ctx;
    const at = ctx.clock.now();
    emit({
      type: "model-call",
      kind: this.#kind,
      name: this.#options.name,
      workflowId: ctx.workflowId,
      correlationId: ctx.correlationId,
      at,
      model: this.#lm.modelId,
      responseModel,
      provider: this.#lm.provider,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      ...(usage.cachedInputTokens === undefined ? {} : { cachedInputTokens: usage.cachedInputTokens }),
      ...(costUsd === undefined ? {} : { costUsd }),
      durationMs: at - this.#startedAt,
      outcome,
      ...(outcome === "success" || error === undefined ? {} : { errorType: errorType(error) }),
      streaming: this.#streaming,
    });
  }
}

const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
