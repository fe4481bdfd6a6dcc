/**
 * `ModelStream`: what `streamModel(...)` resolves to, an async iterable of chunks that reports the
 * call (span, event, budget) when it ends, fails or is left early.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import { diag } from "@opentelemetry/api";
import { recordSpanFailure } from "../internal/tracing.js";
import type { FinishReason, ModelChunk, ModelResponse, ToolCall, Usage } from "./language-model.js";
import type { ModelCall } from "./model-call.js";
import { outputSize } from "./model-call.js";

/**
 * A model's streamed answer. Iterate it once with `for await`; leaving the loop early closes the
 * provider's request. `collect()` reads the rest and returns what it read as one answer (the whole
 * answer when nothing was read before).
 *
 * @remarks The provider's errors pass through unchanged; TTA's own providers (and the mock) throw a
 * `StreamInterruptedError` with the text so far when a stream fails after its first chunk. A stream
 * that is dropped without being read to its end is closed when it is garbage-collected; call
 * `return()` (or `break`) to close it at once.
 * @since 0.1.0
 */
export interface ModelStream extends AsyncIterable<ModelChunk> {
  /**
   * Reads the rest of the stream and returns what it read as one answer: concatenated text, tool
   * calls, and the usage, model and finish reason of the `finish` chunk. Called before any other read,
   * that is the whole answer; after a loop consumed some chunks, only the rest (the usage is the
   * whole call's either way).
   * @throws the stream's error (`StreamInterruptedError`, the abort reason, …).
   */
  collect(): Promise<ModelResponse>;
  /** Closes the stream and the provider's request at once, without reading the rest. Idempotent. */
  return(): Promise<IteratorResult<ModelChunk>>;
}

const EMPTY_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

/** The reason a stream's own request is aborted with when its consumer closes it (never surfaced). */
const CLOSED: Error = Object.freeze(new Error("the ModelStream was closed by its consumer"));

/**
 * The stream's own link to the provider's request: `close` aborts it (a pending read ends at once),
 * `unlink` drops its link to the caller's signal. Both idempotent.
 * @internal
 */
export interface StreamLink {
  /** Whether it listens to a caller's signal (then the stream must see its own end, to unlink). */
  readonly linked: boolean;
  readonly close: (reason: unknown) => void;
  readonly unlink: () => void;
}

/** What the stream and its finalizer share (the finalizer must not reference the stream itself). */
interface StreamState {
  readonly source: AsyncIterator<ModelChunk>;
  readonly call: ModelCall;
  readonly span: Span | undefined;
  readonly unhold: (() => void) | undefined;
  readonly link: StreamLink;
  text: string;
  toolCalls: ToolCall[] | undefined;
  finish: Extract<ModelChunk, { type: "finish" }> | undefined;
  ended: boolean;
}

/** Ends the call of a stream that was garbage-collected before it ended, and closes its request. */
const dropped = new FinalizationRegistry<StreamState>((state) => {
  if (state.ended) return;
  endCall(state, undefined, true);
  void closeSource(state);
});

/**
 * The stream handed to the caller. Its iterator returns the provider's own `next()` promises
 * unchanged (no extra promise hop on the consumer's path). When something reads the call's outcome
 * (a budget, a span, a listener) or a wrapper's abort link is held for it, it watches each result
 * through a reaction registered before the consumer's, so it has seen every chunk by the time the
 * consumer does; so does a stream linked to a caller's signal, which must unlink when it ends.
 * Otherwise (a call made with no context, nothing observing) it adds nothing per chunk (a reaction per chunk costs about as much as an
 * in-process provider's own `yield`).
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
    link: StreamLink,
  ) {
    const state: StreamState = {
      source,
      call,
      span,
      unhold,
      link,
      text: "",
      toolCalls: undefined,
      finish: undefined,
      ended: false,
    };
    this.#state = state;
    this.#watch = call.watched || unhold !== undefined || link.linked;
    this.#first = first;
    // Always: even an unwatched stream holds the provider's request (and its link to the caller's signal).
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
      dropped.unregister(this);
      try {
        // Left after the finish chunk, the call is complete: report its real usage, not an abort.
        endCall(state, undefined, state.finish === undefined, state.finish !== undefined);
      } finally {
        await closeSource(state);
      }
    }
    return { done: true, value: undefined };
  }

  async collect(): Promise<ModelResponse> {
    this.#started = true;
    let text = "";
    let toolCalls: ToolCall[] | undefined;
    let finish: Extract<ModelChunk, { type: "finish" }> | undefined;
    for (;;) {
      const result = await this.next();
      if (result.done === true) break;
      const chunk = result.value;
      if (chunk.type === "text") text += chunk.text;
      else if (chunk.type === "tool-call") (toolCalls ??= []).push(chunk.toolCall);
      else if (chunk.type === "finish") finish = chunk;
    }
    finish ??= this.#state.finish;
    return {
      text,
      toolCalls: toolCalls ?? [],
      usage: finish?.usage ?? EMPTY_USAGE,
      model: finish?.model || this.#state.call.modelId,
      finishReason: finish?.finishReason ?? ("other" satisfies FinishReason),
      ...(finish?.rateLimit === undefined ? {} : { rateLimit: finish.rateLimit }),
    };
  }

  #observe(result: IteratorResult<ModelChunk>): void {
    const state = this.#state;
    if (result.done === true) {
      if (!state.ended) dropped.unregister(this);
      endCall(state, undefined, false, true);
      return;
    }
    const chunk = result.value;
    if (typeof chunk !== "object" || chunk === null) return;
    if (chunk.type === "text") state.text += chunk.text;
    else if (chunk.type === "tool-call") (state.toolCalls ??= []).push(chunk.toolCall);
    else if (chunk.type === "finish") state.finish = chunk;
  }
}

/** Aborts the stream's own request (a pending read ends at once), then lets the provider clean up. */
function closeSource(state: StreamState): Promise<unknown> {
  state.link.close(CLOSED);
  return Promise.resolve(state.source.return?.()).then(undefined, () => undefined);
}

/**
 * Ends a stream's call once: `completed` (with its finish chunk's usage), failed with `error`, or
 * left early (`error` undefined). Drops the hold on the wrappers' abort links and the stream's own
 * link to the caller's signal, and ends the span.
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
        outputSize(state.text, state.toolCalls),
      );
    } else {
      state.call.fail(error, partial ? state.text : undefined);
      if (span !== undefined && error !== undefined) recordSpanFailure(span, error);
    }
  } finally {
    span?.end();
    state.link.unlink();
    state.unhold?.();
  }
}
