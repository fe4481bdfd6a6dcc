/**
 * The provider-neutral model interface (DESIGN §6.1): what every provider implements and every
 * orchestration primitive calls.
 *
 * @packageDocumentation
 */

/** Who wrote a message. @since 0.1.0 */
export type MessageRole = "system" | "user" | "assistant" | "tool";

/**
 * One message of a conversation.
 *
 * @remarks An `assistant` message may carry the `toolCalls` the model made; a `tool` message answers
 * one of them and names it in `toolCallId`.
 * @since 0.1.0
 */
export interface Message {
  readonly role: MessageRole;
  /** The text of the message (`""` for an assistant message that only calls tools). */
  readonly content: string;
  /** On an `assistant` message: the tool calls the model made. */
  readonly toolCalls?: readonly ToolCall[] | undefined;
  /** On a `tool` message: the id of the tool call it answers. */
  readonly toolCallId?: string | undefined;
}

/**
 * A tool the model may call.
 * @since 0.1.0
 */
export interface ToolSpec {
  /** The tool's name, as the model will call it. */
  readonly name: string;
  /** What the tool does, for the model. */
  readonly description?: string | undefined;
  /** The arguments, as a JSON Schema object. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/**
 * A tool call made by the model.
 * @since 0.1.0
 */
export interface ToolCall {
  /** The provider's id for the call; a `tool` message answers it with this id. */
  readonly id: string;
  /** The tool's name. */
  readonly name: string;
  /**
   * The arguments, parsed from JSON. When the model produced text that is not valid JSON, the raw
   * string (validate before use).
   */
  readonly arguments: unknown;
}

/** Which tool use the model is allowed or asked to make. @since 0.1.0 */
export type ToolChoice = "auto" | "none" | "required" | { readonly name: string };

/**
 * Asks for JSON output; with `schema`, the provider's structured-output mode when it has one.
 * @since 0.1.0
 */
export interface ResponseFormat {
  readonly type: "json";
  /** A JSON Schema the output must follow. */
  readonly schema?: Readonly<Record<string, unknown>> | undefined;
  /** A name for the schema (some providers require one). */
  readonly name?: string | undefined;
}

/**
 * One request to a model.
 * @since 0.1.0
 */
export interface ModelRequest {
  /** The conversation so far. */
  readonly messages: readonly Message[];
  /** Most tokens to generate. */
  readonly maxTokens?: number | undefined;
  /** Sampling temperature. */
  readonly temperature?: number | undefined;
  /** Sequences that stop generation. */
  readonly stop?: readonly string[] | undefined;
  /** Seed for providers that support reproducible sampling. */
  readonly seed?: number | undefined;
  /** Tools the model may call. */
  readonly tools?: readonly ToolSpec[] | undefined;
  /** Which tool use is allowed. */
  readonly toolChoice?: ToolChoice | undefined;
  /** Ask for JSON output. */
  readonly responseFormat?: ResponseFormat | undefined;
  /** Provider-specific fields, passed through untouched. */
  readonly providerOptions?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Token usage of one call. `inputTokens` includes `cachedInputTokens` (OpenAI's convention).
 * @since 0.1.0
 */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Prompt tokens served from the provider's prompt cache, when it said. */
  readonly cachedInputTokens?: number | undefined;
}

/** Why the model stopped. @since 0.1.0 */
export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "other";

/**
 * The provider's rate-limit state as its answer reported it, read from OpenAI's
 * `x-ratelimit-*` response headers (also sent by Azure OpenAI, Groq, vLLM behind LiteLLM and other
 * OpenAI-compatible servers). Every field is optional: a provider sends some, all or none of them.
 *
 * @remarks Durations are milliseconds counted from when the answer arrived (OpenAI sends them as
 * Go-style durations such as `"1s"`, `"6m0s"`, `"20ms"`). A header that is missing or malformed
 * (negative, not a number, absurdly large) leaves its field out. A router can skip a model whose
 * `remainingRequests` or `remainingTokens` is 0 until the matching reset has passed (DESIGN §6.3).
 * @example
 * ```ts
 * const { rateLimit } = await llm.generate(request, { signal });
 * if (rateLimit?.remainingRequests === 0) pauseFor(rateLimit.resetRequestsMs ?? 1_000);
 * ```
 * @since 0.1.0
 */
export interface RateLimitInfo {
  /** Requests left in the current window, from `x-ratelimit-remaining-requests`. */
  readonly remainingRequests?: number;
  /** Tokens left in the current window, from `x-ratelimit-remaining-tokens`. */
  readonly remainingTokens?: number;
  /** Ms until the request window resets (back to its limit), from `x-ratelimit-reset-requests`. */
  readonly resetRequestsMs?: number;
  /** Ms until the token window resets (back to its limit), from `x-ratelimit-reset-tokens`. */
  readonly resetTokensMs?: number;
}

/**
 * A model's complete answer.
 * @since 0.1.0
 */
export interface ModelResponse {
  /** The generated text (`""` when the model only called tools). */
  readonly text: string;
  /** The tool calls the model made. */
  readonly toolCalls: readonly ToolCall[];
  readonly usage: Usage;
  /** The model that answered, as the provider names it (`gen_ai.response.model`). */
  readonly model: string;
  readonly finishReason: FinishReason;
  /**
   * The rate-limit state the provider reported with this answer; absent when it sent no rate-limit
   * headers (or the provider cannot see them).
   */
  readonly rateLimit?: RateLimitInfo | undefined;
}

/**
 * One piece of a streamed answer: text deltas, whole tool calls (emitted once their arguments are
 * complete), and one final `finish` (which carries the response headers' {@link RateLimitInfo} as
 * `rateLimit`, when the provider sent any).
 * @since 0.1.0
 */
export type ModelChunk =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "tool-call"; readonly toolCall: ToolCall }
  | {
      readonly type: "finish";
      readonly usage: Usage;
      readonly finishReason: FinishReason;
      readonly model: string;
      readonly rateLimit?: RateLimitInfo | undefined;
    };

/** What a provider call receives besides the request. @since 0.1.0 */
export interface CallOptions {
  /** Aborts the call (and closes its HTTP request). */
  readonly signal: AbortSignal;
}

/**
 * A language model: the one interface every provider implements (`openAICompatible`, `fromAiSdk`,
 * `MockLanguageModel`, your own) and every orchestration primitive calls.
 *
 * @remarks
 * `generate` rejects with a `ProviderError` for provider failures (with `retryable` and
 * `retryAfterMs` set so `retry` does the right thing) and with `signal.reason` when aborted. `stream`,
 * when present, yields text deltas, whole tool calls and one `finish` chunk; a failure after the first
 * chunk is a `StreamInterruptedError`; leaving the loop early closes the request.
 *
 * @example
 * ```ts
 * const echo: LanguageModel = {
 *   provider: "echo",
 *   modelId: "echo-1",
 *   async generate(request) {
 *     const text = request.messages.at(-1)?.content ?? "";
 *     return { text, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 }, model: "echo-1", finishReason: "stop" };
 *   },
 * };
 * ```
 * @since 0.1.0
 */
export interface LanguageModel {
  /** The provider (`gen_ai.provider.name`): `"openai"`, `"anthropic"`, `"ollama"`, … */
  readonly provider: string;
  /** The model id as the provider names it. */
  readonly modelId: string;
  /** Generates a complete answer. */
  generate(request: ModelRequest, options: CallOptions): Promise<ModelResponse>;
  /** Streams the answer, when the provider can. */
  stream?(request: ModelRequest, options: CallOptions): AsyncIterable<ModelChunk>;
}
