/**
 * The OpenTelemetry GenAI semantic conventions' client metrics in Prometheus form:
 * `gen_ai.client.token.usage` and `gen_ai.client.operation.duration` as prom-client histograms with
 * the conventions' bucket boundaries and attribute names (dots as underscores).
 *
 * @packageDocumentation
 */
import { GEN_AI_OPERATION_CHAT } from "@tta/primitives";
import type { Registry } from "prom-client";
import { Histogram } from "prom-client";
import type { ModelCallRecord } from "./gen-ai.js";
import { LabelCap } from "./internal/labels.js";
import { finiteCount } from "./internal/model-cost.js";

/**
 * Buckets of `gen_ai_client_operation_duration_seconds` (seconds): the explicit bucket boundaries the
 * OpenTelemetry GenAI semantic conventions advise for `gen_ai.client.operation.duration` (10 ms … 82 s).
 * @since 0.1.0
 */
export const GEN_AI_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

/**
 * Buckets of `gen_ai_client_token_usage` (tokens of one type in one call): the explicit bucket
 * boundaries the OpenTelemetry GenAI semantic conventions advise for `gen_ai.client.token.usage`
 * (powers of 4 from 1 to 4¹³ = 67 108 864).
 * @since 0.1.0
 */
export const GEN_AI_TOKEN_USAGE_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** The attributes both instruments share (`gen_ai.*` attribute names, dots as underscores). */
type CommonLabel = "gen_ai_operation_name" | "gen_ai_provider_name" | "gen_ai_request_model";
/** Label names of `gen_ai_client_token_usage`. */
type TokenUsageLabel = CommonLabel | "gen_ai_token_type";
/** Label names of `gen_ai_client_operation_duration_seconds` (`error_type` only on a failed call). */
type OperationDurationLabel = CommonLabel | "error_type";

/**
 * The two GenAI client histograms of one registry.
 *
 * @remarks
 * Label values are bounded like every TTA label: `gen_ai_request_model` through the `models` cap it is
 * given (shared with the TTA metrics that carry a `model` label), providers, operations and error
 * types through caps of 100 each; values past a cap are reported as `"other"`.
 */
export class GenAiMetrics {
  readonly #tokens: Histogram<TokenUsageLabel>;
  readonly #duration: Histogram<OperationDurationLabel>;
  readonly #models: LabelCap;
  readonly #providers = new LabelCap(100);
  readonly #operations = new LabelCap(100);
  readonly #errorTypes = new LabelCap(100);

  constructor(registers: Registry[], models: LabelCap) {
    this.#models = models;
    // OpenTelemetry's Prometheus naming: dots become underscores, unit `s` becomes the `_seconds`
    // suffix, the `{token}` annotation adds nothing, and a histogram gets no `_total`.
    this.#tokens = new Histogram({
      name: "gen_ai_client_token_usage",
      help: "Number of input and output tokens used per model call (gen_ai.client.token.usage).",
      labelNames: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_token_type"],
      buckets: [...GEN_AI_TOKEN_USAGE_BUCKETS],
      registers,
    });
    this.#duration = new Histogram({
      name: "gen_ai_client_operation_duration_seconds",
      help: "Model call duration in seconds (gen_ai.client.operation.duration).",
      labelNames: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type"],
      buckets: [...GEN_AI_DURATION_BUCKETS],
      registers,
    });
  }

  /**
   * Records the token usage and duration of one call. `gen_ai_operation_name` defaults to `"chat"`;
   * `gen_ai_provider_name` is absent when the provider is unknown, `error_type` when the call succeeded.
   * A failed call that reported no tokens records no usage (the conventions: usage only when known).
   * Throws only what prom-client throws (the caller reports it).
   */
  record(record: ModelCallRecord): void {
    const operation = this.#operations.value(nonEmpty(record.operation) ?? GEN_AI_OPERATION_CHAT);
    const model = this.#models.value(record.model);
    const provider = nonEmpty(record.provider);
    // Built in one order (operation, provider, model, then type or error) so the exposition is stable.
    const labels: Partial<Record<TokenUsageLabel | OperationDurationLabel, string>> =
      provider === undefined
        ? { gen_ai_operation_name: operation, gen_ai_request_model: model }
        : {
            gen_ai_operation_name: operation,
            gen_ai_provider_name: this.#providers.value(provider),
            gen_ai_request_model: model,
          };
    const errorType = nonEmpty(record.errorType);
    const input = finiteCount(record.inputTokens);
    const output = finiteCount(record.outputTokens);
    if (input !== undefined && (errorType === undefined || input > 0))
      this.#tokens.observe({ ...labels, gen_ai_token_type: "input" }, input);
    if (output !== undefined && (errorType === undefined || output > 0))
      this.#tokens.observe({ ...labels, gen_ai_token_type: "output" }, output);
    const durationMs = finiteCount(record.durationMs);
    if (durationMs === undefined) return;
    if (errorType !== undefined) labels.error_type = this.#errorTypes.value(errorType);
    this.#duration.observe(labels, durationMs / 1000);
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
