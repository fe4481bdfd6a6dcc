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
  ToolCall,
  Usage,
} from "../orchestration/language-model.js";

/**
 * One scripted answer: a string (the text), part of a {@link ModelResponse} (missing fields are
 * filled in), or an `Error` to throw.
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
    };

/** Options of {@link MockLanguageModel}. @since 0.1.0 */
export interface MockLanguageModelOptions {
  /** `provider` of the model. @defaultValue `"mock"` */
  readonly provider?: string;
  /** `modelId` of the model. @defaultValue `"mock-model"` */
  readonly modelId?: string;
  /** Answers of successive calls; the last one repeats. @defaultValue `["mock answer"]` */
  readonly responses?: readonly MockReply[];
  /** Computes the answer of each call instead of `responses` (gets the request and the 0-based call index). */
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
 * `calls` (requests are the caller's objects, not copies).
 *
 * @throws {@link InvalidOptionsError} for unknown or invalid options.
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
  readonly #reply: ((request: ModelRequest, call: number) => MockReply | PromiseLike<MockReply>) | undefined;
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
    responses.forEach((reply: unknown, i) => {
      if (typeof reply !== "string" && !(reply instanceof Error) && !isPlainObject(reply))
        throw new InvalidOptionsError(
          `responses[${i}]`,
          `Expected \`responses[${i}]\` to be a string, an Error or a partial ModelResponse, got ${describeValue(reply)}`,
        );
    });
    this.#responses = responses as readonly MockReply[];
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

  async generate(request: ModelRequest, options: CallOptions): Promise<ModelResponse> {
    return this.#answer(request, options, "generate");
  }

  async *#stream(request: ModelRequest, options: CallOptions): AsyncGenerator<ModelChunk> {
    const answer = await this.#answer(request, options, "stream");
    const chunks: ModelChunk[] = [];
    for (let i = 0; i < answer.text.length; i += this.#chunkSize)
      chunks.push({ type: "text", text: answer.text.slice(i, i + this.#chunkSize) });
    for (const toolCall of answer.toolCalls) chunks.push({ type: "tool-call", toolCall });
    chunks.push({ type: "finish", usage: answer.usage, finishReason: answer.finishReason, model: answer.model });
    for (let i = 0; i < chunks.length; i++) {
      if (i === this.#failAfter) throw this.#streamFailure(chunks, i);
      if (i > 0 && this.#chunkDelayMs > 0) await this.#clock.sleep(this.#chunkDelayMs, options.signal);
      if (options.signal.aborted) throw options.signal.reason;
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

  async #answer(request: ModelRequest, options: CallOptions, method: "generate" | "stream"): Promise<ModelResponse> {
    const index = this.#calls.length;
    this.#calls.push({ request, method, at: this.#clock.now() });
    const signal = options.signal;
    if (signal.aborted) throw signal.reason;
    if (this.#latencyMs > 0) await this.#clock.sleep(this.#latencyMs, signal);
    const reply =
      this.#reply !== undefined
        ? await this.#reply(request, index)
        : (this.#responses[Math.min(index, this.#responses.length - 1)] as MockReply);
    if (reply instanceof Error) throw reply;
    const text = typeof reply === "string" ? reply : (reply.text ?? "");
    const toolCalls = typeof reply === "string" ? [] : (reply.toolCalls ?? []);
    let chars = 0;
    for (const message of request.messages) chars += message.content.length;
    return {
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
  }
}
