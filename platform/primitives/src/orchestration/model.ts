/**
 * `ModelPrimitive`: one call of a `LanguageModel` as a workflow primitive, with a GenAI client span,
 * a `model-call` event, budget reservation and cost from the catalogue.
 *
 * @packageDocumentation
 */
import { SpanKind } from "@opentelemetry/api";
import type { WorkflowContext } from "../core/context.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { ModelCall, checkResponse, outputSize } from "./model-call.js";
import type { ModelOptions, ResolvedModelOptions } from "./model-options.js";
import { checkRequest, resolveModelOptions } from "./model-options.js";
import type { LanguageModel, ModelRequest, ModelResponse } from "./language-model.js";

/**
 * A model call as a primitive: `ModelRequest → ModelResponse`.
 *
 * @remarks
 * Each execution:
 * - reserves an estimate against the context's budget (`ctx.getValue(BUDGET_KEY)`, when there is one;
 *   `BudgetExceededError` before any request is sent), commits the actual usage on success and
 *   releases the reservation on failure;
 * - calls `languageModel.generate(request, { signal: ctx.signal })`, so cancellation and timeouts
 *   close the HTTP request;
 * - opens exactly one CLIENT span `chat {modelId}` (when tracing is on) with the `tta.*` attributes and
 *   the GenAI ones: `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`,
 *   `gen_ai.response.model`, `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`,
 *   `gen_ai.response.finish_reasons` and `tta.llm.cost_usd`;
 * - reports a `model-call` event (tokens, cost, duration, outcome) to
 *   {@link @tta/primitives!core.subscribe | subscribe} listeners.
 *
 * Cost comes from the catalogue: the response model's entry when listed, else the configured id's.
 * Prompts and completions are recorded only with `captureContent: true`. Errors pass through
 * unchanged (`ProviderError`s keep their `retryable` and `retryAfterMs` for `retry`).
 *
 * @example
 * ```ts
 * const llm = model(openAICompatible({ baseURL: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKey }));
 * const answer = await retry(llm).execute({ messages: [{ role: "user", content: "Hi" }] });
 * ```
 * @since 0.1.0
 */
export class ModelPrimitive extends WorkflowPrimitive<ModelRequest, ModelResponse> {
  /** The model this primitive calls. */
  readonly languageModel: LanguageModel;
  readonly #options: ResolvedModelOptions;

  /** @throws {@link InvalidOptionsError} for a value that is not a `LanguageModel`, or bad options. */
  constructor(languageModel: LanguageModel, options?: ModelOptions) {
    const resolved = resolveModelOptions("model", languageModel, options, "ModelPrimitive");
    super({ kind: "model", name: resolved.name, spanName: `chat ${languageModel.modelId}`, spanKind: SpanKind.CLIENT });
    this.languageModel = languageModel;
    this.#options = resolved;
  }

  protected async run(request: ModelRequest, ctx: WorkflowContext): Promise<ModelResponse> {
    checkRequest(request);
    const lm = this.languageModel;
    const call = new ModelCall(lm, this.#options, this.kind, ctx, this.currentSpan(ctx), request, false);
    let response: ModelResponse;
    try {
      response = checkResponse(lm, await lm.generate(request, { signal: ctx.signal }));
    } catch (error) {
      call.fail(error);
      throw error;
    }
    const { text, toolCalls } = response;
    call.succeed(response.model, response.usage, response.finishReason, text, outputSize(text, toolCalls));
    return response;
  }
}

/**
 * Creates a {@link ModelPrimitive}.
 *
 * @param languageModel - any `LanguageModel` (`openAICompatible(...)`, `fromAiSdk(...)`, a mock).
 * @param options - catalogue, name, token estimator, content capture.
 * @throws {@link InvalidOptionsError} for a value that is not a `LanguageModel`, or bad options.
 * @example
 * ```ts
 * const llm = model(new MockLanguageModel({ responses: ["Hello!"] }));
 * const { text } = await llm.execute({ messages: [{ role: "user", content: "Hi" }] });
 * ```
 * @since 0.1.0
 */
export function model(languageModel: LanguageModel, options?: ModelOptions): ModelPrimitive {
  return new ModelPrimitive(languageModel, options);
}
