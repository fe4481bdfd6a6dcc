/**
 * `ModelStream`: what `streamModel(...)` resolves to, an async iterable of chunks that reports the
 * call (span, event, budget) when it ends, fails or is left early.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import { diag } from "@opentelemetry/api";
import { recordFailure } from "../internal/tracing.js";
import type { FinishReason, ModelChunk, ModelResponse, ToolCall, Usage } from "./language-model.js";
import type { ModelCall } from "./model-call.js";

/**
 * A model's streamed answer. Iterate it once with `for await`; leaving the loop early closes the
 * provider's request. `collect()` reads what is left (all of it, if iteration has not started) and
 * returns the whole answer.
 *
 * @remarks The provider's errors pass through unchanged; TTA's own providers (and the mock) throw a
 * `StreamInterruptedError` with the text so far when a stream fails after its first chunk. A stream
 * that is dropped without being read to its end is closed when it is garbage-collected; call
 * `return()` (or `break`) to close it at once.
 * @since 0.1.0
 */
export interface ModelStream extends AsyncIterable<ModelChunk> {
  /**
   * Reads the rest of the stream and returns the whole answer: concatenated text, tool calls,
   * usage, model and finish reason (of what this call read, when a loop had already consumed some).
   * @throws the stream's error (`StreamInterruptedError`, the abort reason, …).
   */
  collect(): Promise<ModelResponse>;
  /** Closes the stream (and the provider's request) without reading the rest. Idempotent. */
  return(): Promise<IteratorResult<ModelChunk>>;
}

const EMPTY_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

/** What the stream and its finalizer share (the finalizer must not reference the stream itself). */
interface StreamState {
  readonly source: AsyncIterator<ModelChunk>;
  readonly call: ModelCall;
  readonly span: Span | undefined;
  readonly unhold: (() => void) | undefined;
  text: string;
  toolCalls: ToolCall[] | undefined;
  finish: Extract<ModelChunk, { type: "finish" }> | undefined;
  ended: boolean;
}

/** Ends the call of a stream that was garbage-collected before it ended: closes the request too. */
const dropped = new FinalizationRegistry<StreamState>((state) => {
  if (state.ended) return;
  endCall(state, undefined, true);
  state.source.return?.().then(undefined, () => undefined);
});

/**
 * The stream handed to the caller. Its iterator returns the provider's own `next()` promises
 * unchanged (no extra promise hop on the consumer's path). When something reads the call's outcome
 * (a budget, a span, a listener) or a wrapper's abort link is held for it, it watches each result
 * through a reaction registered before the consumer's, so it has seen every chunk by the time the
 * consumer does. Otherwise it adds nothing per chunk (a reaction per chunk costs about as much as an
 * in-process provider's own `yield`), and `collect()` gathers the chunks in its own loop.
 * @internal
 */
export class ObservedModelStream implements ModelStream, AsyncIterator<ModelChunk> {
  readonly #state: StreamState;
  readonly #watch: boolean;
  #first: IteratorResult<ModelChunk> | undefined;
  #started = false;
  readonly #onResult = (result: IteratorResult<ModelChunk>): void => {
    try {
      this.#observe(result);
    } catch (error) {
      diag.warn("@tta/primitives: a model stream chunk could not be observed", error);
    }
  };
  readonly #onError = (error: unknown): void => endCall(this.#state, error, true);

  constructor(
    source: AsyncIterator<ModelChunk>,
    first: IteratorResult<ModelChunk>,
    call: ModelCall,
    span: Span | undefined,
    unhold: (() => void) | undefined,
  ) {
    const state: StreamState = {
      source,
      call,
      span,
      unhold,
      text: "",
      toolCalls: undefined,
      finish: undefined,
      ended: false,
    };
    this.#state = state;
    this.#watch = call.watched || unhold !== undefined;
    this.#first = first;
    // Always: even an unwatched stream holds the provider's request (and its listener on the caller's signal).
    dropped.register(this, state, this);
    this.#observe(first);
  }

  [Symbol.asyncIterator](): AsyncIterator<ModelChunk> {
    if (this.#started) throw new TypeError("A ModelStream can be iterated only once; use collect() for the rest");
    this.#started = true;
    return this;
  }

  next(): Promise<IteratorResult<ModelChunk>> {
    const first = this.#first;
    if (first !== undefined) {
      this.#first = undefined;
      return Promise.resolve(first);
    }
    if (this.#state.ended) return Promise.resolve({ done: true, value: undefined });
    const result = this.#state.source.next();
    if (this.#watch) result.then(this.#onResult, this.#onError);
    return result;
  }

  async return(): Promise<IteratorResult<ModelChunk>> {
    this.#first = undefined;
    const state = this.#state;
    if (!state.ended) {
      try {
        // Left after the finish chunk, the call is complete: report its real usage, not an abort.
        endCall(state, undefined, state.finish === undefined, state.finish !== undefined);
      } finally {
        dropped.unregister(this);
        await state.source.return?.();
      }
    }
    return { done: true, value: undefined };
  }

  async collect(): Promise<ModelResponse> {
    this.#started = true;
    const state = this.#state;
    // The first chunk was observed when the stream was made; skip its replay. Unwatched streams do
    // not observe later chunks as they pass: gather them here.
    this.#first = undefined;
    for (;;) {
      const result = await this.next();
      if (result.done === true) break;
      if (!this.#watch) this.#add(result.value);
    }
    const finish = state.finish;
    return {
      text: state.text,
      toolCalls: state.toolCalls ?? [],
      usage: finish?.usage ?? EMPTY_USAGE,
      model: finish?.model || state.call.modelId,
      finishReason: finish?.finishReason ?? ("other" satisfies FinishReason),
    };
  }

  #observe(result: IteratorResult<ModelChunk>): void {
    if (result.done === true) {
      if (!this.#state.ended) dropped.unregister(this);
      endCall(this.#state, undefined, false, true);
      return;
    }
    this.#add(result.value);
  }

  #add(chunk: ModelChunk): void {
    const state = this.#state;
    if (typeof chunk !== "object" || chunk === null) return;
    if (chunk.type === "text") state.text += chunk.text;
    else if (chunk.type === "tool-call") (state.toolCalls ??= []).push(chunk.toolCall);
    else if (chunk.type === "finish") state.finish = chunk;
  }
}

/**
 * Ends a stream's call once: `completed` (with its finish chunk's usage), failed with `error`, or
 * left early (`error` undefined). Drops the hold on the wrappers' abort links and ends the span.
 */
function endCall(state: StreamState, error: unknown, partial: boolean, completed = false): void {
  if (state.ended) return;
  state.ended = true;
  const span = state.span;
  try {
    if (completed) {
      // A provider that ends without a finish chunk still delivered everything it had.
      const finish = state.finish;
      state.call.succeed(
        finish?.model ?? "",
        finish?.usage ?? EMPTY_USAGE,
        finish?.finishReason ?? "other",
        state.text,
      );
    } else {
      state.call.fail(error, partial ? state.text : undefined);
      if (span !== undefined && error !== undefined) recordFailure(span, error);
    }
  } finally {
    span?.end();
    state.unhold?.();
  }
}
