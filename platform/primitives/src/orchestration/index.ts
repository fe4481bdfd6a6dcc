/**
 * `@tta/primitives/orchestration`: the model layer — one provider-neutral `LanguageModel` interface,
 * providers (`openAICompatible`, `fromAiSdk`), the model catalogue and prices, and the `model` /
 * `streamModel` primitives with GenAI spans, `model-call` events and budgets.
 *
 * @packageDocumentation
 */
// `pipe`/`parallel` need the composite builders (ADR 0005): load them so this subpath works on its own.
import "../core/sequential.js";
import "../core/parallel.js";
// The errors this subpath throws and the budget contract it honours (defined in core, same objects).
export {
  BudgetExceededError,
  CircuitOpenError,
  FallbackError,
  InvalidOptionsError,
  MAX_PROVIDER_ERROR_BODY,
  ProviderError,
  RouteNotFoundError,
  StreamInterruptedError,
  StructuredOutputError,
  TimeoutError,
  isRetryableStatus,
} from "../core/errors.js";
export type { ProviderErrorInit, StructuredOutputIssue } from "../core/errors.js";
export { BUDGET_KEY } from "../core/budget.js";
export type { Budget, Reservation, Spend } from "../core/budget.js";
export type { ModelCallEvent, RouteEvent } from "../core/instrumentation.js";
export type {
  CallOptions,
  FinishReason,
  LanguageModel,
  Message,
  MessageRole,
  ModelChunk,
  ModelRequest,
  ModelResponse,
  RateLimitInfo,
  ResponseFormat,
  ToolCall,
  ToolChoice,
  ToolSpec,
  Usage,
} from "./language-model.js";
export { OpenAICompatibleModel, openAICompatible } from "./providers/openai-compatible.js";
export type { OpenAICompatibleOptions } from "./providers/openai-compatible.js";
export { fromAiSdk } from "./providers/ai-sdk.js";
export type {
  AiSdkCallOptions,
  AiSdkContentPart,
  AiSdkFinishReason,
  AiSdkFunctionTool,
  AiSdkGenerateResult,
  AiSdkHeaders,
  AiSdkJsonObject,
  AiSdkJsonValue,
  AiSdkLanguageModel,
  AiSdkPromptMessage,
  AiSdkPromptTextPart,
  AiSdkPromptToolCallPart,
  AiSdkPromptToolResultPart,
  AiSdkStreamPart,
  AiSdkStreamReader,
  AiSdkStreamResult,
  AiSdkTokenCounts,
  AiSdkToolChoice,
  AiSdkUsage,
  FromAiSdkOptions,
} from "./providers/ai-sdk-types.js";
export { createCatalog, defaultCatalog, loadCatalog, modelCallCost, parseCatalog } from "./catalog.js";
export type {
  Capability,
  Catalog,
  CatalogEntry,
  CatalogOptions,
  CatalogUsage,
  ModelPricing,
  ModelTier,
} from "./catalog.js";
export { ModelPrimitive, model } from "./model.js";
export { StreamModelPrimitive, streamModel } from "./stream-model.js";
export type { ModelStream } from "./model-stream.js";
export { estimateTokens } from "./model-options.js";
export type { ModelOptions, TokenEstimate } from "./model-options.js";
export { parseResetDuration, rateLimitFromHeaders, retryAfterFromHeaders } from "./retry-hints.js";
export { ModelRouterPrimitive, modelRouter } from "./router.js";
export {
  DEFAULT_CLASSIFIER_RULES,
  DEFAULT_LONG_CONTEXT_CHARS,
  TaskClassifierPrimitive,
  classifyTask,
} from "./classifier.js";
export type {
  ClassifierRule,
  TaskClassification,
  TaskClassifierOptions,
  TaskClassifyFunction,
  TaskComplexity,
  TaskInput,
} from "./classifier.js";
export { modelClassifier } from "./classifier-model.js";
export type { ModelClassifierOptions } from "./classifier-model.js";
export { DelegationPrimitive, delegate } from "./delegation.js";
export type { DelegationOptions, DelegationRecordOptions, DelegationSelect } from "./delegation.js";
export { StructuredPrimitive, structured } from "./structured.js";
export type { JsonSchema, StructuredModel, StructuredOptions } from "./structured.js";
export { MultiModelWorkflow, multiModel } from "./multi-model.js";
export type {
  MultiModelClassification,
  MultiModelOptions,
  MultiModelResult,
  MultiModelValidator,
  MultiModelVerdict,
} from "./multi-model.js";
export type { RouteSource } from "./schema-validation.js";
export type { CandidateStatus } from "./router.js";
export { DEFAULT_MODEL_ROUTER_OPTIONS, MODEL_ROUTER_PRESETS } from "./router/options.js";
export type { ResolvedAdaptive, ResolvedCandidate, ResolvedRouterOptions } from "./router/options.js";
export type {
  AdaptiveTimeoutOptions,
  HedgeOptions,
  ModelRouterOptions,
  RouteAttempt,
  RouteAttemptOutcome,
  RouteInfo,
  RouteSkip,
  RouteSkipReason,
  RoutedRequest,
  RoutedResponse,
  RouterCandidate,
  RouterRetryOptions,
  RouterStrategy,
} from "./router/types.js";
export type { HeaderSource } from "./retry-hints.js";
export {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_TTA_LLM_COST_USD,
  GEN_AI_OPERATION_CHAT,
  setGenAiRequestAttributes,
  setGenAiResultAttributes,
} from "./gen-ai.js";
export type { GenAiResult } from "./gen-ai.js";
