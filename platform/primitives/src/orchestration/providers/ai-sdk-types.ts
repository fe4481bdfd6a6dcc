/**
 * The parts of the Vercel AI SDK's language-model specification (`LanguageModelV2`, `@ai-sdk/provider`
 * 2.x, and `LanguageModelV3`, 3.x) that `fromAiSdk` uses, declared structurally so that our published
 * types never import `@ai-sdk/provider` (an optional peer dependency).
 *
 * @remarks What we *send* (the call options) is typed exactly, as a subset valid for both
 * specification versions; what we *receive* (results, stream parts) is typed loosely and checked at
 * run time, so any V2 or V3 model is assignable to {@link AiSdkLanguageModel}. The type tests in
 * `ai-sdk.test-d.ts` prove both against the real `@ai-sdk/provider` types.
 *
 * @packageDocumentation
 */

/** A JSON value, as the AI SDK's `JSONValue`. @since 0.1.0 */
export type AiSdkJsonValue = null | string | number | boolean | AiSdkJsonObject | AiSdkJsonValue[];

/** A JSON object, as the AI SDK's `JSONObject` (without its `undefined` members, so V2 accepts it too). @since 0.1.0 */
export interface AiSdkJsonObject {
  [key: string]: AiSdkJsonValue;
}

/** A text part of a user or assistant message in an AI SDK prompt. @since 0.1.0 */
export interface AiSdkPromptTextPart {
  readonly type: "text";
  readonly text: string;
}

/**
 * A tool call in an assistant message of an AI SDK prompt. `input` is the arguments as a JSON value
 * (not a string; the provider serialises it).
 * @since 0.1.0
 */
export interface AiSdkPromptToolCallPart {
  readonly type: "tool-call";
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
}

/** A tool result in a `tool` message of an AI SDK prompt. @since 0.1.0 */
export interface AiSdkPromptToolResultPart {
  readonly type: "tool-result";
  readonly toolCallId: string;
  readonly toolName: string;
  readonly output: { readonly type: "text"; readonly value: string };
}

/** One message of an AI SDK prompt, as `fromAiSdk` builds it. @since 0.1.0 */
export type AiSdkPromptMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: AiSdkPromptTextPart[] }
  | { readonly role: "assistant"; readonly content: (AiSdkPromptTextPart | AiSdkPromptToolCallPart)[] }
  | { readonly role: "tool"; readonly content: AiSdkPromptToolResultPart[] };

/** A function tool offered to an AI SDK model. @since 0.1.0 */
export interface AiSdkFunctionTool {
  readonly type: "function";
  readonly name: string;
  readonly description?: string;
  /** The arguments' JSON Schema. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/** Tool choice in AI SDK form. @since 0.1.0 */
export type AiSdkToolChoice =
  | { readonly type: "auto" }
  | { readonly type: "none" }
  | { readonly type: "required" }
  | { readonly type: "tool"; readonly toolName: string };

/**
 * The call options `fromAiSdk` passes to `doGenerate` / `doStream`: a subset of both
 * `LanguageModelV2CallOptions` and `LanguageModelV3CallOptions`.
 * @since 0.1.0
 */
export interface AiSdkCallOptions {
  readonly prompt: AiSdkPromptMessage[];
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly stopSequences?: string[];
  readonly seed?: number;
  readonly tools?: AiSdkFunctionTool[];
  readonly toolChoice?: AiSdkToolChoice;
  readonly responseFormat?: {
    readonly type: "json";
    readonly schema?: Readonly<Record<string, unknown>>;
    readonly name?: string;
  };
  /** Keyed by provider name; passed through untouched from `ModelRequest.providerOptions`. */
  readonly providerOptions?: Record<string, AiSdkJsonObject>;
  readonly abortSignal?: AbortSignal;
}

/**
 * Token counts as the AI SDK reports them: V3 nests `{ total, noCache, cacheRead, cacheWrite }` for
 * input and `{ total, text, reasoning }` for output.
 * @since 0.1.0
 */
export interface AiSdkTokenCounts {
  readonly total?: number | undefined;
  readonly noCache?: number | undefined;
  readonly cacheRead?: number | undefined;
  readonly cacheWrite?: number | undefined;
  readonly text?: number | undefined;
  readonly reasoning?: number | undefined;
}

/**
 * Usage as the AI SDK reports it: V2 has flat numbers (`inputTokens`, `outputTokens`,
 * `cachedInputTokens`), V3 nested {@link AiSdkTokenCounts}.
 * @since 0.1.0
 */
export interface AiSdkUsage {
  readonly inputTokens?: number | AiSdkTokenCounts | undefined;
  readonly outputTokens?: number | AiSdkTokenCounts | undefined;
  readonly cachedInputTokens?: number | undefined;
}

/**
 * A finish reason: a string in V2 (`"stop"`, `"length"`, `"tool-calls"`, …), `{ unified, raw }` in V3.
 * @since 0.1.0
 */
export type AiSdkFinishReason = string | { readonly unified: string; readonly raw?: string | undefined };

/**
 * One content part of a `doGenerate` result, loosely typed: only `text` and client-executed
 * `tool-call` parts are read.
 * @since 0.1.0
 */
export interface AiSdkContentPart {
  readonly type: string;
  readonly text?: string | undefined;
  readonly toolCallId?: string | undefined;
  readonly toolName?: string | undefined;
  /** On a `tool-call`: the arguments as a JSON string. */
  readonly input?: unknown;
  readonly providerExecuted?: boolean | undefined;
}

/**
 * HTTP response headers as the AI SDK reports them (`SharedV2Headers` / `SharedV3Headers`): a plain
 * record of header values.
 * @since 0.1.0
 */
export type AiSdkHeaders = Readonly<Record<string, string | undefined>>;

/** What `doGenerate` resolves to (the fields `fromAiSdk` reads). @since 0.1.0 */
export interface AiSdkGenerateResult {
  readonly content: readonly AiSdkContentPart[];
  readonly finishReason: AiSdkFinishReason;
  readonly usage: AiSdkUsage;
  readonly response?:
    | {
        readonly modelId?: string | undefined;
        /** The response headers; read for the `x-ratelimit-*` ones. */
        readonly headers?: AiSdkHeaders | undefined;
      }
    | undefined;
}

/**
 * One part of a `doStream` stream, loosely typed: `text-delta`, `tool-call`, `response-metadata`,
 * `finish` and `error` are read; the rest are skipped.
 * @since 0.1.0
 */
export interface AiSdkStreamPart extends AiSdkContentPart {
  readonly delta?: string | undefined;
  readonly modelId?: string | undefined;
  readonly usage?: AiSdkUsage | undefined;
  readonly finishReason?: AiSdkFinishReason | undefined;
  readonly error?: unknown;
}

/** The reader of a `ReadableStream` of stream parts (the methods `fromAiSdk` calls). @since 0.1.0 */
export interface AiSdkStreamReader {
  read(): PromiseLike<{ readonly done: boolean; readonly value?: AiSdkStreamPart | undefined }>;
  cancel(reason?: unknown): PromiseLike<void>;
}

/** What `doStream` resolves to (the fields `fromAiSdk` reads). @since 0.1.0 */
export interface AiSdkStreamResult {
  /** A `ReadableStream` of stream parts. */
  readonly stream: { getReader(): AiSdkStreamReader };
  /** The response; its headers are read for the `x-ratelimit-*` ones. */
  readonly response?: { readonly headers?: AiSdkHeaders | undefined } | undefined;
}

/**
 * A Vercel AI SDK language model: the `LanguageModelV2` (AI SDK 5) or `LanguageModelV3` (AI SDK 6)
 * object that `@ai-sdk/openai`, `@ai-sdk/anthropic`, `@ai-sdk/openai-compatible`, … return, declared
 * structurally (no import of `@ai-sdk/provider`).
 *
 * @example
 * ```ts
 * import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
 * const sdkModel: AiSdkLanguageModel = createOpenAICompatible({ name: "local", baseURL }).chatModel("llama3");
 * ```
 * @since 0.1.0
 */
export interface AiSdkLanguageModel {
  readonly specificationVersion: "v2" | "v3";
  /** The AI SDK provider id, e.g. `"openai.chat"`. */
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: AiSdkCallOptions): PromiseLike<AiSdkGenerateResult>;
  doStream(options: AiSdkCallOptions): PromiseLike<AiSdkStreamResult>;
}

/**
 * Options of `fromAiSdk`. `undefined` or `null` for an option means its default.
 * @since 0.1.0
 */
export interface FromAiSdkOptions {
  /**
   * Exact values to redact (as `[REDACTED]`) from every message, cause and body the adapter builds:
   * pass the API key (and any header value) you gave the AI SDK provider, since the adapter cannot see
   * them. Without it only the generic shapes are redacted (`Bearer …`, `sk-…`-style keys, `api_key`
   * fields…), so a key of another shape echoed in an error body stays. Values shorter than 6 characters
   * are ignored.
   * @defaultValue `[]` (generic shapes only)
   * @example
   * ```ts
   * const apiKey = process.env.GATEWAY_API_KEY!;
   * const llm = fromAiSdk(createOpenAICompatible({ name: "gateway", baseURL, apiKey }).chatModel("m"), {
   *   secrets: [apiKey],
   * });
   * ```
   */
  readonly secrets?: readonly string[] | undefined;
}
