/**
 * `StreamModelPrimitive`: a streamed model call as a workflow primitive. It resolves once the first
 * chunk has arrived, so `retry`, `fallback` and `timeout` around it act on time-to-first-chunk.
 *
 * @packageDocumentation
 */
import { SpanKind } from "@opentelemetry/api";
import type { WorkflowContext } from "../core/context.js";
import { holdContext, isNeverSignal } from "../core/context.js";
import { ProviderError } from "../core/errors.js";
import { WorkflowPrimitive } from "../core/workflow-primitive.js";
import { offAbort, onAbort } from "../internal/abort-fanout.js";
import type { LanguageModel, ModelChunk, ModelRequest, ModelResponse } from "./language-model.js";
import { ModelCall, checkResponse } from "./model-call.js";
import type { ModelOptions, ResolvedModelOptions } from "./model-options.js";
import { checkRequest, resolveModelOptions } from "./model-options.js";
import type { ModelStream, StreamLink } from "./model-stream.js";
import { ObservedModelStream } from "./model-stream.js";

/**
 * A streamed model call as a primitive: `ModelRequest → ModelStream`.
 *
 * @remarks
 * `execute` resolves with a {@link ModelStream} as soon as the provider's first chunk has arrived
 * (the stream replays it), and rejects if the stream fails before that: a failure before the first
 * chunk is an ordinary, usually retryable error, so `retry(streamModel(lm))` and `fallback` fail over
 * before any output and never after it. After the first chunk a failure surfaces from the loop as a
 * `StreamInterruptedError` with the text so far.
 *
 * The CLIENT span `chat {modelId}` and the `model-call` event cover the whole stream: they end when
 * the stream finishes, fails or is left early (`break`), with the usage of the finish chunk. A stream
 * that is never iterated to its end keeps its span open, so always iterate or `collect()` it. A model
 * without `stream()` is called with `generate()` and its answer replayed as chunks. Budget,
 * catalogue and content capture work as in {@link ModelPrimitive}; a stream that stopped after output
 * commits its estimate to the budget (tokens were spent).
 *
 * @example
 * ```ts
 * const stream = await streamModel(lm).execute({ messages: [{ role: "user", content: "Tell me a story" }] });
 * for await (const chunk of stream) if (chunk.type === "text") process.stdout.write(chunk.text);
 * ```
 * @since 0.1.0
 */
export class StreamModelPrimitive extends WorkflowPrimitive<ModelRequest, ModelStream> {
  /** The model this primitive calls. */
  readonly languageModel: LanguageModel;
  readonly #options: ResolvedModelOptions;

  /** @throws {@link InvalidOptionsError} for a value that is not a `LanguageModel`, or bad options. */
  constructor(languageModel: LanguageModel, options?: ModelOptions) {
    const resolved = resolveModelOptions("streamModel", languageModel, options, "StreamModelPrimitive");
    super({
      kind: "model",
      name: resolved.name,
      spanName: `chat ${languageModel.modelId}`,
      spanKind: SpanKind.CLIENT,
      endSpanOnResult: false,
    });
    this.languageModel = languageModel;
    this.#options = resolved;
  }

  protected async run(request: ModelRequest, ctx: WorkflowContext): Promise<ModelStream> {
    checkRequest(request);
    const lm = this.languageModel;
    const span = this.currentSpan(ctx);
    const call = new ModelCall(lm, this.#options, this.kind, ctx, span, request, true);
    const link = linkToCaller(ctx.signal);
    let iterator: AsyncIterator<ModelChunk>;
    let first: IteratorResult<ModelChunk>;
    try {
      const options = { signal: link.signal };
      const source = lm.stream !== undefined ? lm.stream(request, options) : replay(lm, lm.generate(request, options));
      iterator = source[Symbol.asyncIterator]();
      first = await iterator.next();
      if (first.done === true)
        throw new ProviderError(`${lm.provider} ${lm.modelId}: the stream ended before its first chunk`, {
          provider: lm.provider,
          model: lm.modelId,
        });
    } catch (error) {
      // Nothing was delivered: release the budget; the base class records the failure on the span.
      link.unlink();
      call.fail(error);
      throw error;
    }
    // The stream outlives this execution: keep the wrappers' links to the caller's abort (a `timeout`
    // or `parallel` around it settles at the first chunk) until the stream ends.
    return new ObservedModelStream(iterator, first, call, span, holdContext(ctx), link);
  }
}

/**
 * The provider's signal for one stream: its own controller, aborted by the caller's signal (through
 * TTA's one listener per signal) or by the stream itself when its consumer closes it — so `return()`
 * ends a read that is still pending instead of waiting behind it.
 */
function linkToCaller(caller: AbortSignal): StreamLink & { readonly signal: AbortSignal } {
  const controller = new AbortController();
  const close = (reason: unknown): void => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  if (caller.aborted) controller.abort(caller.reason);
  if (caller.aborted || isNeverSignal(caller)) return { signal: controller.signal, linked: false, close, unlink: noop };
  const onCallerAbort = (): void => close(caller.reason);
  onAbort(caller, onCallerAbort);
  let linked = true;
  const unlink = (): void => {
    if (!linked) return;
    linked = false;
    offAbort(caller, onCallerAbort);
  };
  return { signal: controller.signal, linked: true, close, unlink };
}

function noop(): void {}

/** A whole answer as the chunks a stream would have carried. */
async function* replay(lm: LanguageModel, response: Promise<ModelResponse>): AsyncGenerator<ModelChunk> {
  const answer = checkResponse(lm, await response);
  if (answer.text !== "") yield { type: "text", text: answer.text };
  for (const toolCall of answer.toolCalls) yield { type: "tool-call", toolCall };
  const { usage, finishReason, model, rateLimit } = answer;
  yield rateLimit === undefined
    ? { type: "finish", usage, finishReason, model }
    : { type: "finish", usage, finishReason, model, rateLimit };
}

/**
 * Creates a {@link StreamModelPrimitive}.
 *
 * @throws {@link InvalidOptionsError} for a value that is not a `LanguageModel`, or bad options.
 * @example
 * ```ts
 * const answer = await (await streamModel(lm).execute(request)).collect();
 * ```
 * @since 0.1.0
 */
export function streamModel(languageModel: LanguageModel, options?: ModelOptions): StreamModelPrimitive {
  return new StreamModelPrimitive(languageModel, options);
}
