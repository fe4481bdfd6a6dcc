/**
 * `MockLanguageModel`: a scripted `LanguageModel` for tests — replies, tool calls, usage, latency on
 * a clock, errors and streams, with every request recorded.
 *
 * @packageDocumentation
 */
import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { InvalidOptionsError, ProviderError, StreamInterruptedError } from "../core/errors.js";
import { validClock } from "../internal/context-init.js";
import {
  booleanOption,
  describeValue,
  durationOption,
  functionOption,
  integerOption,
  isPlainObject,
  readOptions,
} from "../internal/options.js";
import type {
  CallOptions,
  FinishReason,
  LanguageModel,
  ModelChunk,
  ModelRequest,
  ModelResponse,
  RateLimitInfo,
  ToolCall,
  Usage,
} from "../orchestration/language-model.js";

/**
 * One scripted answer: a string (the text), part of a {@link ModelResponse} (missing fields are
 * filled in; unknown keys are rejected), or an `Error` to throw.
 * @since 0.1.0
 */
export type MockReply =
  | string
  | Error
  | {
      readonly text?: string;
      readonly toolCalls?: readonly ToolCall[];
      readonly usage?: Usage;
      readonly finishReason?: FinishReason;
      readonly model?: string;
      /** The rate-limit state the answer reports (a stream's `finish` chunk carries it too). */
      readonly rateLimit?: RateLimitInfo;
    };

/** Options of {@link MockLanguageModel}. @since 0.1.0 */
export interface MockLanguageModelOptions {
  /** `provider` of the model. @defaultValue `"mock"` */
  readonly provider?: string;
  /** `modelId` of the model. @defaultValue `"mock-model"` */
  readonly modelId?: string;
  /**
   * Answers of successive calls; the last one repeats. Checked (and copied) at construction.
   * @defaultValue `["mock answer"]`
   */
  readonly responses?: readonly MockReply[];
  /**
   * Computes the answer of each call instead of `responses` (gets the request and the 0-based call
   * index). An invalid answer rejects that call with an `InvalidOptionsError` naming `reply`.
   */
  readonly reply?: (request: ModelRequest, call: number) => MockReply | PromiseLike<MockReply>;
  /** Each call first waits this long on `clock` (abortable by the call's signal). @defaultValue 0 */
  readonly latencyMs?: number;
  /** The clock `latencyMs` and `chunkDelayMs` wait on (pass a `TestClock` in tests). @defaultValue `systemClock` */
  readonly clock?: Clock;
  /** Streams text in pieces of this many characters. @defaultValue 8 */
  readonly chunkSize?: number;
  /** Waits this long on `clock` before each streamed chunk after the first. @defaultValue 0 */
  readonly chunkDelayMs?: number;
  /**
   * Makes each stream fail after this many chunks with `streamError` (0: before the first chunk).
   * @defaultValue never
   */
  readonly failStreamAfterChunks?: number;
  /**
   * What a failing stream throws. @defaultValue what a real provider throws: a retryable
   * `ProviderError` (status 503) before the first chunk, a `StreamInterruptedError` with the text so
   * far after it
   */
  readonly streamError?: Error;
  /** `false` makes the model have no `stream()` method (as some providers). @defaultValue true */
  readonly streaming?: boolean;
}

/** One recorded call. @since 0.1.0 */
export interface MockModelCall {
  readonly request: ModelRequest;
  /** `"generate"` or `"stream"`. */
  readonly method: "generate" | "stream";
  /** `clock.now()` when the call started. */
  readonly at: number;
}

const OPTION_KEYS = [
  "provider",
  "modelId",
  "responses",
  "reply",
  "latencyMs",
  "clock",
  "chunkSize",
  "chunkDelayMs",
  "failStreamAfterChunks",
  "streamError",
  "streaming",
] as const;

/** The `reply` option. */
type ReplyFunction = NonNullable<MockLanguageModelOptions["reply"]>;

const REPLY_KEYS: readonly string[] = ["text", "toolCalls", "usage", "finishReason", "model", "rateLimit"];
const TOOL_CALL_KEYS: readonly string[] = ["id", "name", "arguments"];
const USAGE_KEYS: readonly string[] = ["inputTokens", "outputTokens", "cachedInputTokens"];
const RATE_LIMIT_KEYS: readonly string[] = ["remainingRequests", "remainingTokens", "resetRequestsMs", "resetTokensMs"];
const FINISH_REASONS: readonly FinishReason[] = ["stop", "length", "tool-calls", "content-filter", "other"];

function invalid(path: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(path, `Expected \`${path}\` to be ${expected}, got ${describeValue(value)}`);
}

/** Rejects an own key of `value` that is not in `allowed`, naming `path.key`. */
function knownKeys(path: string, value: Readonly<Record<string, unknown>>, allowed: readonly string[]): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      throw new InvalidOptionsError(
        `${path}.${key}`,
        `Unknown key \`${path}.${key}\`; expected one of: ${allowed.map((k) => `\`${k}\``).join(", ")}`,
      );
}

function tokenCount(path: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) invalid(path, "a finite number ≥ 0", value);
}

function checkToolCalls(path: string, value: unknown): void {
  if (!Array.isArray(value)) invalid(path, "an array of tool calls `{ id, name, arguments }`", value);
  value.forEach((call: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(call)) invalid(at, "a tool call `{ id, name, arguments }`", call);
    knownKeys(at, call, TOOL_CALL_KEYS);
    if (typeof call.id !== "string" || call.id === "") invalid(`${at}.id`, "a non-empty string", call.id);
    if (typeof call.name !== "string" || call.name === "") invalid(`${at}.name`, "a non-empty string", call.name);
  });
}

function checkUsage(path: string, value: unknown): void {
  if (!isPlainObject(value)) invalid(path, "a usage `{ inputTokens, outputTokens, cachedInputTokens? }`", value);
  knownKeys(path, value, USAGE_KEYS);
  tokenCount(`${path}.inputTokens`, value.inputTokens);
  tokenCount(`${path}.outputTokens`, value.outputTokens);
  if (value.cachedInputTokens !== undefined) tokenCount(`${path}.cachedInputTokens`, value.cachedInputTokens);
}

function checkRateLimit(path: string, value: unknown): void {
  if (!isPlainObject(value))
    invalid(
      path,
      "a rate-limit state `{ remainingRequests?, remainingTokens?, resetRequestsMs?, resetTokensMs? }`",
      value,
    );
  knownKeys(path, value, RATE_LIMIT_KEYS);
  for (const key of RATE_LIMIT_KEYS) if (value[key] !== undefined) tokenCount(`${path}.${key}`, value[key]);
}

/**
 * Checks one scripted answer (`path` names it in errors: `responses[2]`, `reply()`): a string, an
 * `Error`, or a plain object with known keys only and valid fields.
 */
function checkReply(path: string, reply: unknown): MockReply {
  if (typeof reply === "string" || reply instanceof Error) return reply;
  if (!isPlainObject(reply)) invalid(path, "a string, an Error or a partial ModelResponse", reply);
  knownKeys(path, reply, REPLY_KEYS);
  const { text, toolCalls, usage, finishReason, model, rateLimit } = reply;
  if (text !== undefined && typeof text !== "string") invalid(`${path}.text`, "a string", text);
  if (toolCalls !== undefined) checkToolCalls(`${path}.toolCalls`, toolCalls);
  if (usage !== undefined) checkUsage(`${path}.usage`, usage);
  if (finishReason !== undefined && !(FINISH_REASONS as readonly unknown[]).includes(finishReason))
    invalid(`${path}.finishReason`, `one of ${FINISH_REASONS.map((r) => JSON.stringify(r)).join(", ")}`, finishReason);
  if (model !== undefined && (typeof model !== "string" || model === ""))
    invalid(`${path}.model`, "a non-empty string", model);
  if (rateLimit !== undefined) checkRateLimit(`${path}.rateLimit`, rateLimit);
  return reply;
}

/** The signal of a call's options: none when the options or their `signal` are missing. */
function callSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined;
  const signal: unknown = (options as { signal?: unknown }).signal;
  if (signal === undefined || signal === null) return undefined;
  const s = signal as { aborted?: unknown; addEventListener?: unknown };
  if (typeof s !== "object" || typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function")
    invalid("options.signal", "an AbortSignal", signal);
  return signal as AbortSignal;
}

function stringOption(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value === "")
    throw new InvalidOptionsError(
      option,
      `Expected \`${option}\` to be a non-empty string, got ${describeValue(value)}`,
    );
  return value;
}

/**
 * A scripted {@link LanguageModel} for tests.
 *
 * @remarks
 * Per call: wait `latencyMs` on `clock` (rejects with the signal's reason if aborted meanwhile), then
 * answer with `reply(request, index)` or the next of `responses` (an `Error` is thrown; the last
 * answer repeats). Usage defaults to characters / 4 of the prompt and of the answer. `stream()`
 * yields the text in `chunkSize` pieces, then whole tool calls, then `finish`; with
 * `failStreamAfterChunks` it throws `streamError` after that many chunks. Every call is recorded in
 * `calls` (requests are the caller's objects, not copies). A call without options (or without
 * `signal`) cannot be aborted.
 *
 * Object answers are checked: only `text` (a string), `toolCalls` (an array of
 * `{ id, name, arguments }` with non-empty `id` and `name`), `usage` (`inputTokens` and
 * `outputTokens` finite and ≥ 0, optional `cachedInputTokens`), `finishReason` (a
 * {@link FinishReason}), `model` (non-empty) and `rateLimit` (a {@link RateLimitInfo}: its known
 * fields finite and ≥ 0; carried by the response and by a stream's `finish` chunk, so a router test
 * can script a provider that says it is out of requests).
 *
 * @throws An {@link InvalidOptionsError} for unknown or invalid options, naming the option or the
 * field of a reply (`responses[2].toolCalls`). A call rejects with one naming `reply` when `reply`
 * returned an invalid answer, and `options.signal` when that is not an `AbortSignal`.
 * @example
 * ```ts
 * const lm = new MockLanguageModel({ responses: [new ProviderError("busy", { provider: "mock", model: "m", status: 429 }), "Hello!"] });
 * const answer = await retry(model(lm), { initialDelayMs: 0 }).execute({ messages: [{ role: "user", content: "Hi" }] });
 * lm.callCount; // 2
 * ```
 * @since 0.1.0
 */
export class MockLanguageModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly #responses: readonly MockReply[];
  readonly #reply: ReplyFunction | undefined;
  readonly #latencyMs: number;
  readonly #clock: Clock;
  readonly #chunkSize: number;
  readonly #chunkDelayMs: number;
  readonly #failAfter: number;
  readonly #streamError: Error | undefined;
  readonly #calls: MockModelCall[] = [];
  /** Present unless `streaming: false`. */
  declare readonly stream?: (request: ModelRequest, options: CallOptions) => AsyncIterable<ModelChunk>;

  constructor(options?: MockLanguageModelOptions) {
    const opts = readOptions("MockLanguageModel", options, OPTION_KEYS);
    this.provider = stringOption("provider", opts.provider, "mock");
    this.modelId = stringOption("modelId", opts.modelId, "mock-model");
    const responses = opts.responses ?? ["mock answer"];
    if (!Array.isArray(responses) || responses.length === 0)
      throw new InvalidOptionsError("responses", "Expected `responses` to be a non-empty array");
    // A copy: the answers were checked here, so later changes to the caller's array cannot bypass that.
    this.#responses = (responses as readonly unknown[]).map((reply, i) => checkReply(`responses[${i}]`, reply));
    this.#reply = functionOption("reply", opts.reply);
    this.#latencyMs = durationOption("latencyMs", opts.latencyMs, 0, { allowZero: true });
    this.#clock = opts.clock === undefined ? systemClock : validClock(opts.clock);
    this.#chunkSize = integerOption("chunkSize", opts.chunkSize, 8, { min: 1 });
    this.#chunkDelayMs = durationOption("chunkDelayMs", opts.chunkDelayMs, 0, { allowZero: true });
    this.#failAfter = integerOption("failStreamAfterChunks", opts.failStreamAfterChunks, Infinity, {
      min: 0,
      allowInfinity: true,
    });
    const streamError = opts.streamError;
    if (streamError !== undefined && !(streamError instanceof Error))
      throw new InvalidOptionsError(
        "streamError",
        `Expected \`streamError\` to be an Error, got ${describeValue(streamError)}`,
      );
    this.#streamError = streamError;
    if (booleanOption("streaming", opts.streaming, true))
      this.stream = (request, callOptions) => this.#stream(request, callOptions);
  }

  /** Every call so far, oldest first. */
  get calls(): readonly MockModelCall[] {
    return this.#calls;
  }

  /** Number of calls so far. */
  get callCount(): number {
    return this.#calls.length;
  }

  /** Answers one call; without `options` (or their `signal`) the call cannot be aborted. */
  async generate(request: ModelRequest, options: CallOptions): Promise<ModelResponse> {
    return this.#answer(request, callSignal(options), "generate");
  }

  async *#stream(request: ModelRequest, options: CallOptions): AsyncGenerator<ModelChunk> {
    const signal = callSignal(options);
    const answer = await this.#answer(request, signal, "stream");
    const chunks: ModelChunk[] = [];
    for (let i = 0; i < answer.text.length; i += this.#chunkSize)
      chunks.push({ type: "text", text: answer.text.slice(i, i + this.#chunkSize) });
    for (const toolCall of answer.toolCalls) chunks.push({ type: "tool-call", toolCall });
    const { usage, finishReason, model, rateLimit } = answer;
    chunks.push(
      rateLimit === undefined
        ? { type: "finish", usage, finishReason, model }
        : { type: "finish", usage, finishReason, model, rateLimit },
    );
    for (let i = 0; i < chunks.length; i++) {
      if (i === this.#failAfter) throw this.#streamFailure(chunks, i);
      if (i > 0 && this.#chunkDelayMs > 0) await this.#clock.sleep(this.#chunkDelayMs, signal);
      if (signal?.aborted === true) throw signal.reason;
      yield chunks[i] as ModelChunk;
    }
  }

  /** The error a stream failing before chunk `index` throws. */
  #streamFailure(chunks: readonly ModelChunk[], index: number): Error {
    if (this.#streamError !== undefined) return this.#streamError;
    const label = { provider: this.provider, model: this.modelId };
    if (index === 0)
      return new ProviderError("MockLanguageModel stream failed before its first chunk", { ...label, status: 503 });
    let text = "";
    for (let i = 0; i < index; i++) {
      const chunk = chunks[i];
      if (chunk?.type === "text") text += chunk.text;
    }
    return new StreamInterruptedError("MockLanguageModel stream failed after its first chunk", { ...label, text });
  }

  /** The answer of `reply` for call `index`, checked like `responses` (an invalid one names `reply`). */
  async #replyFor(reply: ReplyFunction, request: ModelRequest, index: number): Promise<MockReply> {
    const answer: unknown = await reply(request, index);
    try {
      return checkReply("reply()", answer);
    } catch (error) {
      if (!(error instanceof InvalidOptionsError)) throw error;
      throw new InvalidOptionsError(
        "reply",
        `\`reply\` returned an invalid answer for call ${index}: ${error.message}`,
      );
    }
  }

  async #answer(
    request: ModelRequest,
    signal: AbortSignal | undefined,
    method: "generate" | "stream",
  ): Promise<ModelResponse> {
    const index = this.#calls.length;
    this.#calls.push({ request, method, at: this.#clock.now() });
    if (signal?.aborted === true) throw signal.reason;
    if (this.#latencyMs > 0) await this.#clock.sleep(this.#latencyMs, signal);
    const reply =
      this.#reply !== undefined
        ? await this.#replyFor(this.#reply, request, index)
        : (this.#responses[Math.min(index, this.#responses.length - 1)] as MockReply);
    if (reply instanceof Error) throw reply;
    const text = typeof reply === "string" ? reply : (reply.text ?? "");
    const toolCalls = typeof reply === "string" ? [] : (reply.toolCalls ?? []);
    let chars = 0;
    for (const message of request.messages) chars += message.content.length;
    const response: ModelResponse = {
      text,
      toolCalls,
      usage: (typeof reply === "string" ? undefined : reply.usage) ?? {
        inputTokens: Math.ceil(chars / 4),
        outputTokens: Math.ceil(text.length / 4),
      },
      model: (typeof reply === "string" ? undefined : reply.model) ?? this.modelId,
      finishReason:
        (typeof reply === "string" ? undefined : reply.finishReason) ?? (toolCalls.length > 0 ? "tool-calls" : "stop"),
    };
    const rateLimit = typeof reply === "string" ? undefined : reply.rateLimit;
    return rateLimit === undefined ? response : { ...response, rateLimit };
  }
}
