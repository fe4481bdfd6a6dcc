/**
 * `ModelStream`: what `streamModel(...)` resolves to, an async iterable of chunks that reports the
 * call (span, event, budget) when it ends, fails or is left early.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import { recordFailure } from "../internal/tracing.js";
import type { FinishReason, ModelChunk, ModelResponse, ToolCall, Usage } from "./language-model.js";
import type { ModelCall } from "./model-call.js";

/**
 * A model's streamed answer. Iterate it once with `for await`; leaving the loop early closes the
 * provider's request. `collect()` consumes what is left and returns the whole answer.
 *
 * @remarks A failure after the first chunk surfaces from the loop as a `StreamInterruptedError`
 * carrying the text emitted so far.
 * @since 0.1.0
 */
export interface ModelStream extends AsyncIterable<ModelChunk> {
  /**
   * Reads the rest of the stream (or all of it, if iteration has not started) and returns the whole
   * answer: concatenated text, tool calls, usage, model and finish reason.
   * @throws the stream's error (`StreamInterruptedError`, the abort reason, …).
   */
  collect(): Promise<ModelResponse>;
}

const EMPTY_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

/**
 * The stream handed to the caller. Its iterator returns the provider's own `next()` promises
 * unchanged (no extra promise hop on the consumer's path). When something reads the call's outcome
 * (`ModelCall.watched`: a budget, a span, a listener), it watches each result through a reaction
 * registered before the consumer's, so it has seen every chunk by the time the consumer does.
 * Otherwise it adds nothing per chunk (a reaction per chunk costs about as much as the provider's
 * own in-process `yield`), and `collect()` gathers the chunks in its own loop.
 * @internal
 */
export class ObservedModelStream implements ModelStream, AsyncIterator<ModelChunk> {
  readonly #source: AsyncIterator<ModelChunk>;
  readonly #call: ModelCall;
  readonly #span: Span | undefined;
  #first: IteratorResult<ModelChunk> | undefined;
  #started = false;
  #ended = false;
  #text = "";
  #toolCalls: ToolCall[] | undefined;
  #finish: Extract<ModelChunk, { type: "finish" }> | undefined;
  /** Whether each chunk is observed as it passes (see the class comment). */
  readonly #watch: boolean;
  readonly #onResult = (result: IteratorResult<ModelChunk>): void => this.#observe(result);
  readonly #onError = (error: unknown): void => this.#end(error);

  constructor(
    source: AsyncIterator<ModelChunk>,
    first: IteratorResult<ModelChunk>,
    call: ModelCall,
    span: Span | undefined,
  ) {
    this.#source = source;
    this.#call = call;
    this.#span = span;
    this.#first = first;
    this.#watch = call.watched;
    this.#observe(first);
  }

  [Symbol.asyncIterator](): AsyncIterator<ModelChunk> {
    if (this.#started) throw new TypeError("A ModelStream can be iterated only once");
    this.#started = true;
    return this;
  }

  next(): Promise<IteratorResult<ModelChunk>> {
    const first = this.#first;
    if (first !== undefined) {
      this.#first = undefined;
      return Promise.resolve(first);
    }
    if (this.#ended) return Promise.resolve({ done: true, value: undefined });
    const result = this.#source.next();
    if (this.#watch) result.then(this.#onResult, this.#onError);
    return result;
  }

  /** Called when the consumer leaves the loop early: closes the provider's stream. */
  async return(): Promise<IteratorResult<ModelChunk>> {
    this.#first = undefined;
    if (!this.#ended) {
      // Left after the finish chunk, the call is complete: report its real usage, not an abort.
      this.#end(undefined, this.#finish !== undefined);
      await this.#source.return?.();
    }
    return { done: true, value: undefined };
  }

  async collect(): Promise<ModelResponse> {
    if (this.#watch) for await (const chunk of this) void chunk;
    else {
      // Unwatched: gather the chunks here. The first one, replayed by `next()`, was added already.
      let replayed = this.#first === undefined;
      for await (const chunk of this) {
        if (replayed) this.#add(chunk);
        else replayed = true;
      }
    }
    const finish = this.#finish;
    return {
      text: this.#text,
      toolCalls: this.#toolCalls ?? [],
      usage: finish?.usage ?? EMPTY_USAGE,
      model: finish?.model || this.#call.modelId,
      finishReason: finish?.finishReason ?? ("other" satisfies FinishReason),
    };
  }

  #observe(result: IteratorResult<ModelChunk>): void {
    if (result.done === true) {
      this.#end(undefined, true);
      return;
    }
    this.#add(result.value);
  }

  #add(chunk: ModelChunk): void {
    if (chunk.type === "text") this.#text += chunk.text;
    else if (chunk.type === "tool-call") (this.#toolCalls ??= []).push(chunk.toolCall);
    else if (chunk.type === "finish") this.#finish = chunk;
  }

  /** Ends the call once: completed (with its finish chunk), failed with `error`, or left early. */
  #end(error: unknown, completed = false): void {
    if (this.#ended) return;
    this.#ended = true;
    const span = this.#span;
    const finish = this.#finish;
    if (completed) {
      // A provider that ends without a finish chunk still delivered everything it had.
      this.#call.succeed(
        finish?.model ?? "",
        finish?.usage ?? EMPTY_USAGE,
        finish?.finishReason ?? "other",
        this.#text,
      );
    } else {
      this.#call.fail(error, true);
      if (span !== undefined && error !== undefined) recordFailure(span, error);
    }
    span?.end();
  }
}
