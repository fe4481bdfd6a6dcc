/**
 * Model calls under the OpenTelemetry GenAI semantic conventions: a `chat {model}` client span with
 * `gen_ai.*` attributes, plus token-usage, duration and cost metrics in every active
 * {@link setupObservability} registry.
 *
 * @packageDocumentation
 */
import type { Attributes, Context, Span } from "@opentelemetry/api";
import { SpanKind, context, diag, trace } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  GEN_AI_OPERATION_CHAT,
  defaultCatalog,
  isTtaError,
  recordSpanFailure,
  setGenAiRequestAttributes,
  setGenAiResultAttributes,
} from "@tta/primitives";
import { catalogCost } from "./internal/model-cost.js";

// The GenAI attribute names live in @tta/primitives (one implementation, shared with `model(...)`).
export {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_TTA_LLM_COST_USD,
} from "@tta/primitives";

/**
 * `gen_ai.operation.name` value for chat completions (`"chat"`): the same value as `GEN_AI_OPERATION_CHAT`
 * of `@tta/primitives`, under this package's earlier name.
 * @since 0.1.0
 */
export const GEN_AI_OPERATION_NAME_VALUE_CHAT: typeof GEN_AI_OPERATION_CHAT = GEN_AI_OPERATION_CHAT;

/**
 * One finished model call, as recorded in metrics.
 * @since 0.1.0
 */
export interface ModelCallRecord {
  /** The requested model (`gen_ai.request.model`): the `gen_ai_request_model` (and `model`) metric label. */
  readonly model: string;
  /**
   * The provider (`gen_ai.provider.name`, e.g. `"openai"`): the `gen_ai_provider_name` metric label.
   * @defaultValue the label is omitted
   */
  readonly provider?: string | undefined;
  /** `gen_ai.operation.name`: the `gen_ai_operation_name` metric label. @defaultValue `"chat"` */
  readonly operation?: string | undefined;
  /** The model that answered, when it differs; used first for the price lookup. */
  readonly responseModel?: string | undefined;
  /** Prompt tokens (cached ones included, OpenAI semantics). */
  readonly inputTokens?: number | undefined;
  /** Prompt tokens served from the provider's cache (priced at the catalogue's cached price). */
  readonly cachedInputTokens?: number | undefined;
  /** Completion tokens. */
  readonly outputTokens?: number | undefined;
  /** Wall time of the call, ms. */
  readonly durationMs?: number | undefined;
  /**
   * Cost in USD; when absent it is computed from the setup's model catalogue (`metrics.catalog`), if
   * the catalogue lists `responseModel` or `model`.
   */
  readonly costUsd?: number | undefined;
  /** Set when the call failed (`error.type`): the `error_type` label of the duration histogram. */
  readonly errorType?: string | undefined;
}

/** Receives every {@link recordModelCall}; each `setupObservability` metrics registry is one. @since 0.1.0 */
export interface ModelCallSink {
  recordModelCall(record: ModelCallRecord): void;
  /**
   * Prices a call with the sink's model catalogue (`undefined` when it lists neither model); used for
   * the `tta.llm.cost_usd` span attribute of {@link withModelCallSpan}. @defaultValue not priced by this sink
   */
  priceModelCall?(record: ModelCallRecord): number | undefined;
}

const sinks = new Set<ModelCallSink>();
let warnedBadRecord = false;

/**
 * Adds a sink for {@link recordModelCall}; returns the function that removes it. Used by
 * `setupObservability` (its metrics) and by tests.
 *
 * @example
 * ```ts
 * const seen: ModelCallRecord[] = [];
 * const remove = addModelCallSink({ recordModelCall: (r) => seen.push(r) });
 * ```
 * @since 0.1.0
 */
export function addModelCallSink(sink: ModelCallSink): () => void {
  sinks.add(sink);
  return () => {
    sinks.delete(sink);
  };
}

/**
 * Records a finished model call in the metrics of every active setup: token usage
 * (`gen_ai_client_token_usage`, a histogram by `gen_ai_token_type`), duration
 * (`gen_ai_client_operation_duration_seconds`), both labelled with `gen_ai_operation_name`,
 * `gen_ai_provider_name` and `gen_ai_request_model` as the OpenTelemetry GenAI semantic conventions
 * name them, and cost (`tta_llm_cost_usd_total{model}`).
 *
 * @remarks
 * For calls made outside {@link withModelCallSpan} (which calls this itself). Never throws: a
 * malformed record is reported once through `diag` and ignored. Does nothing when no setup is active.
 *
 * @example
 * ```ts
 * recordModelCall({ model: "gpt-4o-mini", provider: "openai", inputTokens: 812, outputTokens: 64, durationMs: 930 });
 * ```
 * @since 0.1.0
 */
export function recordModelCall(record: ModelCallRecord): void {
  if (sinks.size === 0) return;
  if (record === null || typeof record !== "object" || typeof record.model !== "string" || record.model === "") {
    if (!warnedBadRecord) {
      warnedBadRecord = true;
      diag.warn("@tta/observability: recordModelCall needs { model: string, … }; ignoring a malformed record");
    }
    return;
  }
  for (const sink of sinks) {
    try {
      sink.recordModelCall(record);
    } catch (error) {
      diag.warn("@tta/observability: a model-call sink threw", error);
    }
  }
}

/** What {@link withModelCallSpan} needs to know before the call. @since 0.1.0 */
export interface ModelCallRequest {
  /** The requested model; part of the span name. Required. */
  readonly model: string;
  /** `gen_ai.operation.name`. @defaultValue `"chat"` */
  readonly operation?: string | undefined;
  /** `gen_ai.provider.name` (e.g. `"openai"`, `"anthropic"`). @defaultValue omitted */
  readonly provider?: string | undefined;
  /** Parent context of the span. @defaultValue `context.active()` */
  readonly parent?: Context | undefined;
  /** Extra span attributes. Never put prompts or completions here. @defaultValue none */
  readonly attributes?: Attributes | undefined;
}

/** Handed to the callback of {@link withModelCallSpan} to report what the call returned. @since 0.1.0 */
export interface ModelCallScope {
  /** The `chat {model}` span (a non-recording span when no SDK is registered). */
  readonly span: Span;
  /** Token usage of the response (`inputTokens` includes `cachedInputTokens`, OpenAI semantics). */
  setUsage(usage: {
    readonly inputTokens?: number | undefined;
    readonly outputTokens?: number | undefined;
    readonly cachedInputTokens?: number | undefined;
  }): void;
  /** The model that answered (`gen_ai.response.model`). */
  setResponseModel(model: string): void;
  /** Why the model stopped (`gen_ai.response.finish_reasons`), e.g. `"stop"`, `"length"`, `"tool-calls"`. */
  setFinishReason(reason: string): void;
  /** The call's cost in USD, when the provider reports it (overrides the catalogue's price). */
  setCost(costUsd: number): void;
}

const TRACER_NAME = "@tta/observability";

function tokens(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The span's cost: from the first active setup's catalogue that lists the model, else `defaultCatalog`. */
function priceForSpan(record: ModelCallRecord): number | undefined {
  try {
    for (const sink of sinks) {
      const cost = sink.priceModelCall?.(record);
      if (cost !== undefined) return cost;
    }
    return sinks.size === 0 ? catalogCost(defaultCatalog, record) : undefined;
  } catch (error) {
    diag.warn("@tta/observability: pricing a model call failed", error);
    return undefined;
  }
}

function errorTypeOf(error: unknown): string {
  if (isTtaError(error)) return error.code;
  return error instanceof Error ? error.name : typeof error;
}

/**
 * Runs one model call inside a `{operation} {model}` client span (GenAI semantic conventions) and
 * records its token usage, duration and cost.
 *
 * @remarks
 * - The span is a child of `request.parent` (default: the active context, i.e. the current
 *   primitive's span when the `AsyncLocalStorage` context manager is on) and is active while `fn` runs.
 * - Attributes: `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.provider.name`,
 *   `gen_ai.response.model`, `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`,
 *   `gen_ai.response.finish_reasons` and `tta.llm.cost_usd` (set by the same code as the `model(...)`
 *   primitive of `@tta/primitives`). Prompts and completions are never recorded.
 * - Cost: `call.setCost(usd)` when the provider reports it; otherwise each active setup prices the
 *   call with its `metrics.catalog` (the span gets the first setup's price; `defaultCatalog` without
 *   a setup). Do not wrap a `model(...)` primitive's call in it: that primitive already makes its own
 *   span and `model-call` event, which the metrics record.
 * - On failure: ERROR status, `error.type`, and the exception recorded through `recordSpanFailure` of
 *   `@tta/primitives` (message and stack trace redacted; the enclosing primitive spans then get ERROR
 *   and `error.type` only); the duration is still recorded and the same error is rethrown (never wrapped).
 *
 * @throws whatever `fn` throws, unchanged.
 * @example
 * ```ts
 * const answer = await withModelCallSpan({ model: "gpt-4o-mini", provider: "openai" }, async (call) => {
 *   const res = await client.chat(prompt);
 *   call.setUsage({ inputTokens: res.usage.prompt_tokens, outputTokens: res.usage.completion_tokens });
 *   return res.text;
 * });
 * ```
 * @since 0.1.0
 */
export async function withModelCallSpan<T>(
  request: ModelCallRequest,
  fn: (call: ModelCallScope) => T | PromiseLike<T>,
): Promise<T> {
  const model = typeof request?.model === "string" && request.model !== "" ? request.model : "unknown";
  const operation = request.operation ?? GEN_AI_OPERATION_NAME_VALUE_CHAT;
  const parent = request.parent ?? context.active();
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(`${operation} ${model}`, { kind: SpanKind.CLIENT, attributes: { ...request.attributes } }, parent);
  setGenAiRequestAttributes(span, request.provider, model);
  if (operation !== GEN_AI_OPERATION_CHAT) span.setAttribute(ATTR_GEN_AI_OPERATION_NAME, operation);
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let cachedInputTokens: number | undefined;
  let responseModel: string | undefined;
  let finishReason: string | undefined;
  let costUsd: number | undefined;
  const scope: ModelCallScope = {
    span,
    setUsage(usage) {
      inputTokens = tokens(usage.inputTokens) ?? inputTokens;
      outputTokens = tokens(usage.outputTokens) ?? outputTokens;
      cachedInputTokens = tokens(usage.cachedInputTokens) ?? cachedInputTokens;
    },
    setResponseModel(name) {
      if (typeof name === "string" && name !== "") responseModel = name;
    },
    setFinishReason(reason) {
      if (typeof reason === "string" && reason !== "") finishReason = reason;
    },
    setCost(cost) {
      if (typeof cost === "number" && Number.isFinite(cost) && cost >= 0) costUsd = cost;
    },
  };
  const started = performance.now();
  const finish = (errorType: string | undefined): void => {
    const durationMs = performance.now() - started;
    const record: ModelCallRecord = {
      model,
      provider: request.provider,
      operation,
      responseModel,
      inputTokens,
      outputTokens,
      cachedInputTokens,
      durationMs,
      costUsd,
      errorType,
    };
    if (span.isRecording())
      setGenAiResultAttributes(span, {
        responseModel,
        inputTokens,
        outputTokens,
        finishReason,
        costUsd: costUsd ?? priceForSpan(record),
      });
    span.end();
    recordModelCall(record);
  };
  try {
    const result = await context.with(trace.setSpan(parent, span), () => fn(scope));
    finish(undefined);
    return result;
  } catch (error) {
    const type = errorTypeOf(error);
    // As TTA's own spans do: the exception once per trace (here, where it arose), its message redacted.
    recordSpanFailure(span, error);
    finish(type);
    throw error;
  }
}
