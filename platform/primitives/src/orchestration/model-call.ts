/**
 * `ModelCall`: one model call from its budget reservation to its `model-call` event, shared by
 * `model(...)` and `streamModel(...)`.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import { diag } from "@opentelemetry/api";
import type { Reservation, Spend } from "../core/budget.js";
import { BUDGET_KEY } from "../core/budget.js";
import type { WorkflowContext } from "../core/context.js";
import { contextAbortReason, isContextAborted } from "../core/context.js";
import type { ExecutionOutcome } from "../core/instrumentation.js";
import { emit, isObserved } from "../core/instrumentation.js";
import { ProviderError } from "../core/errors.js";
import { errorType } from "../internal/tracing.js";
import { nonNegative } from "../internal/values.js";
import { modelCallCost } from "./catalog.js";
import { setGenAiRequestAttributes, setGenAiResultAttributes } from "./gen-ai.js";
import type { FinishReason, LanguageModel, ModelRequest, ModelResponse, ToolCall, Usage } from "./language-model.js";
import type { ResolvedModelOptions, TokenEstimate } from "./model-options.js";
import { checkEstimate } from "./model-options.js";

const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

/**
 * The state of one model call: created by the primitive's `run` (which reserves the estimate, and
 * throws the budget's `BudgetExceededError` before anything is sent), finished exactly once by
 * `succeed` or `fail`. Finishing never throws: a budget whose `commit`/`release` throws, or a usage
 * the catalogue cannot price, is reported through `diag` and does not cost the caller the answer.
 * @internal
 */
export class ModelCall {
  readonly #lm: LanguageModel;
  readonly #options: ResolvedModelOptions;
  readonly #ctx: WorkflowContext;
  readonly #kind: string;
  readonly #span: Span | undefined;
  readonly #request: ModelRequest;
  readonly #streaming: boolean;
  /** Whether a listener was there when the call started: only then is an event reported (with a duration). */
  readonly #observed: boolean;
  readonly #startedAt: number;
  readonly #reservation: Reservation | undefined;
  #estimate: TokenEstimate | undefined;
  #done = false;
  /**
   * Whether anything reads this call's outcome: a budget reservation, a span, or a listener when the
   * call started. When nothing does, finishing the call changes nothing, so a stream need not watch
   * its chunks as they pass.
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
    this.#request = request;
    this.#streaming = streaming;
    const budget = ctx.getValue(BUDGET_KEY);
    if (budget !== undefined) {
      const estimate = this.#estimateOnce();
      this.#reservation = budget.reserve(
        {
          inputTokens: estimate.inputTokens,
          outputTokens: estimate.outputTokens,
          costUsd: this.#cost(undefined, estimate),
        },
        ctx,
      );
    }
    this.#observed = isObserved();
    this.#startedAt = this.#observed ? ctx.clock.now() : 0;
    this.watched = this.#observed || span !== undefined || this.#reservation !== undefined;
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
   * `answeredBy` means the configured id. `outputChars` is the size of what was delivered (text and
   * tool-call arguments): when the provider reported no usage at all for an answer that has output,
   * the call is charged as estimated (input estimate, `outputChars` / 4) and the event says so
   * (`usageEstimated`), so a server that omits usage cannot slip past a budget.
   */
  succeed(answeredBy: string, reported: Usage, finishReason: FinishReason, text: string, outputChars: number): void {
    if (this.#done) return;
    this.#done = true;
    if (!this.watched) return;
    const responseModel = answeredBy === "" ? this.#lm.modelId : answeredBy;
    let usage = reported;
    let estimated = false;
    if (reported.inputTokens === 0 && reported.outputTokens === 0 && outputChars > 0) {
      usage = { inputTokens: this.#estimateOnce().inputTokens, outputTokens: Math.ceil(outputChars / 4) };
      estimated = true;
    }
    const cost = this.#cost(responseModel, usage);
    const reservation = this.#reservation;
    if (reservation !== undefined)
      settle("commit", () => reservation.commit(spend(usage.inputTokens, usage.outputTokens, cost)));
    const span = this.#span;
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
    if (this.#observed) this.#report("success", responseModel, usage, cost, undefined, estimated);
  }

  /**
   * The call failed, was aborted, or a stream stopped early (`error` undefined: left by the consumer).
   * Before any output (`delivered` undefined) the reservation is released and no tokens are
   * reported. A stream that had delivered text spent tokens: it is charged, in the budget and in the
   * event alike, the input estimate plus characters / 4 of what it delivered.
   */
  fail(error: unknown, delivered?: string): void {
    if (this.#done) return;
    this.#done = true;
    if (!this.watched) return;
    const reservation = this.#reservation;
    let usage = ZERO_USAGE;
    let cost: number | undefined;
    if (delivered !== undefined) {
      usage = { inputTokens: this.#estimateOnce().inputTokens, outputTokens: Math.ceil(delivered.length / 4) };
      cost = this.#cost(undefined, usage);
      if (reservation !== undefined)
        settle("commit", () => reservation.commit(spend(usage.inputTokens, usage.outputTokens, cost)));
    } else if (reservation !== undefined) settle("release", () => reservation.release());
    if (!this.#observed) return;
    const aborted = error === undefined || (isContextAborted(this.#ctx) && error === contextAbortReason(this.#ctx));
    this.#report(aborted ? "aborted" : "error", this.#lm.modelId, usage, cost, error, delivered !== undefined);
  }

  #estimateOnce(): TokenEstimate {
    return (this.#estimate ??= checkEstimate(this.#options.estimateTokens(this.#request)));
  }

  /** The call's price (see `modelCallCost`); a usage or catalogue that cannot price it is reported, not thrown. */
  #cost(responseModel: string | undefined, usage: Usage | TokenEstimate): number | undefined {
    try {
      return modelCallCost(this.#options.catalog, this.#lm.modelId, responseModel, usage);
    } catch (error) {
      diag.warn(`@tta/primitives: the model call of ${this.#lm.modelId} could not be priced`, error);
      return undefined;
    }
  }

  #report(
    outcome: ExecutionOutcome,
    responseModel: string,
    usage: Usage,
    costUsd: number | undefined,
    error: unknown,
    usageEstimated: boolean,
  ): void {
    if (!isObserved()) return;
    const ctx = this.#ctx;
    const at = ctx.clock.now();
    // One literal shape for every outcome (absent values are `undefined`), no spread copies.
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
      cachedInputTokens: usage.cachedInputTokens,
      costUsd,
      durationMs: at - this.#startedAt,
      outcome,
      errorType: outcome === "success" || error === undefined ? undefined : errorType(error),
      streaming: this.#streaming,
      usageEstimated,
    });
  }
}

function spend(inputTokens: number, outputTokens: number, costUsd: number | undefined): Spend {
  return { inputTokens, outputTokens, costUsd };
}

/** Runs a budget callback; a throwing budget is reported and ignored (the call's outcome stands). */
function settle(what: "commit" | "release", fn: () => void): void {
  try {
    fn();
  } catch (error) {
    diag.warn(`@tta/primitives: a budget's ${what}() threw; the model call's outcome stands`, error);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** The size of a whole answer, for {@link ModelCall.succeed}: its text plus its tool calls' arguments. */
export function outputSize(text: string, toolCalls: readonly ToolCall[] | undefined): number {
  let size = text.length;
  if (toolCalls !== undefined)
    for (const call of toolCalls)
      size += typeof call.arguments === "string" ? call.arguments.length : safeJson(call.arguments).length;
  return size;
}

/**
 * A provider's answer as the primitive hands it on: an object with `text`, `toolCalls`, `usage`,
 * `model` and `finishReason`, token counts normalised (a missing or invalid count is 0), and the
 * provider's `rateLimit` when it reported one.
 * @throws a non-retryable `ProviderError` for anything else (a `LanguageModel` bug: retrying cannot help).
 */
export function checkResponse(lm: LanguageModel, response: unknown): ModelResponse {
  const r = response as Partial<ModelResponse> | null | undefined;
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.text !== "string" ||
    !Array.isArray(r.toolCalls) ||
    typeof r.model !== "string" ||
    typeof r.finishReason !== "string"
  )
    throw new ProviderError(
      `${lm.provider} ${lm.modelId}: the LanguageModel answered with something that is not a ModelResponse ({ text, toolCalls, usage, model, finishReason })`,
      { provider: lm.provider, model: lm.modelId, retryable: false },
    );
  const usage = r.usage as Partial<Usage> | null | undefined;
  const input = nonNegative(usage?.inputTokens);
  const output = nonNegative(usage?.outputTokens);
  if (input !== undefined && output !== undefined && usage?.cachedInputTokens === undefined) return r as ModelResponse;
  const cached = nonNegative(usage?.cachedInputTokens);
  return {
    text: r.text,
    toolCalls: r.toolCalls,
    usage:
      cached === undefined
        ? { inputTokens: input ?? 0, outputTokens: output ?? 0 }
        : { inputTokens: input ?? 0, outputTokens: output ?? 0, cachedInputTokens: cached },
    model: r.model,
    finishReason: r.finishReason,
    // Kept as the provider reported it: a router reads it to skip a model that is out of requests.
    ...(r.rateLimit === undefined ? {} : { rateLimit: r.rateLimit }),
  };
}
