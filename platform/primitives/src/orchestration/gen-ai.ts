/**
 * The OpenTelemetry GenAI semantic-convention attributes of a model call: one implementation, used
 * by `model(...)`, `streamModel(...)` and `@tta/observability`'s `withModelCallSpan`.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import { nonNegative } from "../internal/values.js";

// The spec's attribute names (@opentelemetry/semantic-conventions 1.45 `/incubating`; that entry point
// may change within minor releases, so the strings are fixed here).
/** `gen_ai.operation.name` (e.g. `"chat"`). @since 0.1.0 */
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
/** `gen_ai.provider.name` (e.g. `"openai"`). @since 0.1.0 */
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
/** `gen_ai.request.model`. @since 0.1.0 */
export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
/** `gen_ai.request.max_tokens`. @since 0.1.0 */
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens";
/** `gen_ai.request.temperature`. @since 0.1.0 */
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature";
/** `gen_ai.response.model`. @since 0.1.0 */
export const ATTR_GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
/** `gen_ai.response.finish_reasons` (a string array). @since 0.1.0 */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";
/** `gen_ai.usage.input_tokens`. @since 0.1.0 */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
/** `gen_ai.usage.output_tokens`. @since 0.1.0 */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
/** `gen_ai.operation.name` value for chat completions. @since 0.1.0 */
export const GEN_AI_OPERATION_CHAT = "chat";
/** Span attribute TTA adds when a call's cost is known (not a semantic convention). @since 0.1.0 */
export const ATTR_TTA_LLM_COST_USD = "tta.llm.cost_usd";

/** What a finished (or failed) model call reports on its span. @since 0.1.0 */
export interface GenAiResult {
  readonly responseModel?: string | undefined;
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
  /** The finish reason as the provider-neutral interface names it. */
  readonly finishReason?: string | undefined;
  readonly costUsd?: number | undefined;
}

/**
 * Sets the request attributes of a model call (`gen_ai.operation.name`, `gen_ai.provider.name`,
 * `gen_ai.request.model`) on `span`. Prompts are never recorded.
 *
 * @example
 * ```ts
 * setGenAiRequestAttributes(span, "openai", "gpt-4o-mini");
 * ```
 * @since 0.1.0
 */
export function setGenAiRequestAttributes(span: Span, provider: string | undefined, model: string): void {
  span.setAttribute(ATTR_GEN_AI_OPERATION_NAME, GEN_AI_OPERATION_CHAT);
  if (provider !== undefined) span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, provider);
  span.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, model);
}

/**
 * Sets the response attributes of a model call on `span`: `gen_ai.response.model`,
 * `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`, `gen_ai.response.finish_reasons` and
 * `tta.llm.cost_usd`, each only when known. Completions are never recorded.
 *
 * @example
 * ```ts
 * setGenAiResultAttributes(span, { responseModel: "gpt-4o-mini-2024-07-18", inputTokens: 812, outputTokens: 64 });
 * ```
 * @since 0.1.0
 */
export function setGenAiResultAttributes(span: Span, result: GenAiResult): void {
  if (typeof result.responseModel === "string" && result.responseModel !== "")
    span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, result.responseModel);
  const input = nonNegative(result.inputTokens);
  if (input !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, input);
  const output = nonNegative(result.outputTokens);
  if (output !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, output);
  if (typeof result.finishReason === "string")
    span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [result.finishReason]);
  const cost = nonNegative(result.costUsd);
  if (cost !== undefined) span.setAttribute(ATTR_TTA_LLM_COST_USD, cost);
}
