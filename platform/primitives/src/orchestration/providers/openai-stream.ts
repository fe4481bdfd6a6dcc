/**
 * Streaming chat completions: the SSE body parsed with `eventsource-parser` (`createParser`, fed from
 * the body's reader), text deltas passed on, tool-call fragments assembled into whole calls, one
 * `finish` chunk at the end (with the response headers' rate-limit state), and every failure mapped
 * to a `ProviderError` (before the first chunk) or a `StreamInterruptedError` (after it).
 *
 * @packageDocumentation
 */
import { createParser } from "eventsource-parser";
import { ProviderError, StreamInterruptedError } from "../../core/errors.js";
import type { FinishReason, ModelChunk, ModelResponse, RateLimitInfo, Usage } from "../language-model.js";
import { rateLimitFromHeaders } from "../retry-hints.js";
import type { OpenAIConfig } from "./openai-http.js";
import {
  MAX_ERROR_BODY_BYTES,
  describeFailure,
  errorDetail,
  httpError,
  label,
  malformedError,
  networkError,
  postChat,
  readBody,
  readCapped,
} from "./openai-http.js";
import { ToolCallAssembler, mapFinishReason, mapUsage, parseCompletion, streamChoice } from "./openai-wire.js";
import { offAbort, onAbort as whenAborted } from "../../internal/abort-fanout.js";
import { isRecord } from "../../internal/values.js";

/** Most characters the SSE parser buffers for one line or event (guards against an endless line). */
const MAX_SSE_BUFFER_CHARS = 16 * 1024 * 1024;

const noop = (): void => undefined;

/** What one stream call has delivered so far (for the error that ends it). */
interface Progress {
  text: string;
  emitted: boolean;
}

/**
 * The error that ends a stream: the caller's abort reason when it aborted; `before` (a retryable
 * `ProviderError`) when no chunk was emitted yet; otherwise a `StreamInterruptedError` with the text
 * emitted so far.
 */
function failure(
  config: OpenAIConfig,
  progress: Progress,
  callerSignal: AbortSignal | undefined,
  before: () => ProviderError,
  reason: string,
  cause?: unknown,
): unknown {
  if (callerSignal?.aborted === true) return callerSignal.reason;
  if (!progress.emitted) return before();
  return new StreamInterruptedError(
    `${label(config)}: stream interrupted after ${progress.text.length} characters: ${reason}`,
    { provider: config.provider, model: config.model, text: progress.text, cause },
  );
}

/** The chunks of a whole completion (a provider that ignored `stream: true` and answered with JSON). */
function* fromCompletion(
  whole: ModelResponse,
  rateLimit: RateLimitInfo | undefined,
): Generator<ModelChunk, void, undefined> {
  if (whole.text !== "") yield { type: "text", text: whole.text };
  for (const toolCall of whole.toolCalls) yield { type: "tool-call", toolCall };
  yield finishChunk(whole.usage, whole.finishReason, whole.model, rateLimit);
}

/** The `finish` chunk; `rateLimit` only when the server sent rate-limit headers. */
function finishChunk(
  usage: Usage,
  finishReason: FinishReason,
  model: string,
  rateLimit: RateLimitInfo | undefined,
): ModelChunk {
  return rateLimit === undefined
    ? { type: "finish", usage, finishReason, model }
    : { type: "finish", usage, finishReason, model, rateLimit };
}

/**
 * Streams one chat completion (the body already built with `stream: true`).
 *
 * @remarks
 * One `AbortController` per call, linked to `callerSignal` (the listener is removed when the
 * generator ends); when the stream does not complete (an error, an abort, or the consumer leaving
 * its `for await` early) the HTTP request is aborted, which closes the socket.
 * @throws the caller's `signal.reason` when it aborts; a {@link ProviderError} for HTTP errors and
 * for failures before the first chunk (retryable); a {@link StreamInterruptedError} with the text so
 * far for failures after it, including a stream that ends without a finish reason or `[DONE]`.
 * @internal
 * @since 0.1.0
 */
export async function* streamChat(
  config: OpenAIConfig,
  body: string,
  callerSignal: AbortSignal | undefined,
): AsyncGenerator<ModelChunk, void, undefined> {
  // A function, not a property read: TypeScript would narrow `aborted` to `false` after the first check.
  const aborted = (): boolean => callerSignal?.aborted === true;
  if (aborted()) throw callerSignal?.reason;
  const controller = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const onAbort = (): void => {
    controller.abort(callerSignal?.reason);
    // Also ends a pending read when a custom `fetch` ignores the signal.
    reader?.cancel().catch(noop);
  };
  // Through TTA's shared listener: concurrent calls on one caller signal add one listener in all.
  if (callerSignal !== undefined) whenAborted(callerSignal, onAbort);
  const progress: Progress = { text: "", emitted: false };
  let completed = false;
  let readerDone = false;
  try {
    const response = await postChat(config, body, config.streamHeaders, controller.signal, callerSignal);
    const status = response.status;
    if (!response.ok) throw await httpError(config, response, callerSignal);
    const rateLimit = rateLimitFromHeaders(response.headers);
    const type = response.headers.get("content-type") ?? "";
    if (type.includes("application/json")) {
      const whole = parseCompletion(config, status, await readBody(config, response, callerSignal));
      completed = true;
      yield* fromCompletion(whole, rateLimit);
      return;
    }
    if (response.body === null || type.includes("text/html")) {
      const text = await readCapped(response, MAX_ERROR_BODY_BYTES, callerSignal);
      throw malformedError(config, status, text, `${type === "" ? "no body" : type} instead of an event stream`);
    }
    const bodyReader = (response.body as ReadableStream<Uint8Array>).getReader();
    reader = bodyReader;
    // `createParser` fed from the body reader: one promise per network read, no stream pipeline.
    const decoder = new TextDecoder();
    const events: string[] = [];
    let overflow: Error | undefined;
    const parser = createParser({
      onEvent: (event) => events.push(event.data),
      onError: (error) => {
        if (error.type === "max-buffer-size-exceeded") overflow = error;
      },
      maxBufferSize: MAX_SSE_BUFFER_CHARS,
    });
    const tools = new ToolCallAssembler();
    let finishReason: FinishReason | undefined;
    let usage: Usage | undefined;
    let model = config.model;
    let sawDone = false;
    let ended = false;

    /** The assembled tool calls, or the error of a call without a name. */
    const flushTools = (): ModelChunk[] => {
      const calls = tools.flush();
      if (calls !== undefined) return calls.map((toolCall) => ({ type: "tool-call", toolCall }));
      const before = () =>
        new ProviderError(`${label(config)}: stream had a tool call without a name`, {
          provider: config.provider,
          model: config.model,
          status,
          retryable: true,
        });
      throw failure(config, progress, callerSignal, before, "a tool call without a name");
    };

    read: for (;;) {
      for (let i = 0; i < events.length; i++) {
        const data = events[i] as string;
        if (data === "[DONE]") {
          sawDone = true;
          break read;
        }
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch {
          chunk = undefined;
        }
        if (!isRecord(chunk)) {
          const before = () => malformedError(config, status, data, "a stream data line that is not a JSON object");
          throw failure(config, progress, callerSignal, before, "a data line that is not a JSON object");
        }
        if (chunk.error !== undefined && chunk.error !== null) {
          const detail = errorDetail(chunk);
          const before = () => malformedError(config, status, data, "an error in the stream", detail);
          throw failure(config, progress, callerSignal, before, "the provider sent an error event");
        }
        if (typeof chunk.model === "string" && chunk.model !== "") model = chunk.model;
        if (isRecord(chunk.usage)) usage = mapUsage(chunk.usage);
        const choice = streamChoice(chunk.choices);
        if (choice === undefined) continue;
        const delta = choice.delta;
        if (isRecord(delta)) {
          const content = delta.content;
          if (typeof content === "string" && content !== "") {
            progress.text += content;
            progress.emitted = true;
            yield { type: "text", text: content };
            if (aborted()) throw callerSignal?.reason;
          }
          if (delta.tool_calls !== undefined) tools.add(delta.tool_calls);
        }
        const reason = choice.finish_reason;
        if (typeof reason === "string" && reason !== "") {
          finishReason = mapFinishReason(reason);
          for (const toolChunk of tools.pending ? flushTools() : []) {
            progress.emitted = true;
            yield toolChunk;
            if (aborted()) throw callerSignal?.reason;
          }
        }
      }
      events.length = 0;
      if (ended) break;
      let next: Awaited<ReturnType<typeof bodyReader.read>>;
      try {
        next = await bodyReader.read();
      } catch (error) {
        const before = () => networkError(config, error, "stream failed before its first chunk");
        throw failure(config, progress, callerSignal, before, describeFailure(config, error), error);
      }
      if (aborted()) throw callerSignal?.reason;
      if (next.done) {
        readerDone = true;
        ended = true;
        // Also dispatches a last event the server did not end with a blank line (`data: [DONE]` at EOF).
        parser.feed(`${decoder.decode()}\n\n`);
      } else {
        parser.feed(decoder.decode(next.value, { stream: true }));
      }
      if (overflow !== undefined) {
        const cause = overflow;
        const before = () => malformedError(config, status, "", "a stream line longer than 16 MiB characters");
        throw failure(config, progress, callerSignal, before, "a stream line longer than the parser's buffer", cause);
      }
    }

    if (!sawDone && finishReason === undefined) {
      const before = () =>
        new ProviderError(`${label(config)}: stream ended without a finish reason before its first chunk`, {
          provider: config.provider,
          model: config.model,
          retryable: true,
        });
      throw failure(config, progress, callerSignal, before, "the stream ended without a finish reason");
    }
    const rest = tools.pending ? flushTools() : [];
    completed = true;
    for (const toolChunk of rest) yield toolChunk;
    yield finishChunk(usage ?? { inputTokens: 0, outputTokens: 0 }, finishReason ?? "other", model, rateLimit);
  } finally {
    if (callerSignal !== undefined) offAbort(callerSignal, onAbort);
    if (!readerDone) reader?.cancel().catch(noop);
    if (!completed) controller.abort();
  }
}
