/**
 * `fromAiSdk(model, options?)`: any Vercel AI SDK provider model (`LanguageModelV2` from AI SDK 5,
 * `LanguageModelV3` from AI SDK 6) as our provider-neutral {@link LanguageModel} (DESIGN §6.1).
 *
 * @packageDocumentation
 */
import { InvalidOptionsError, ProviderError } from "../../core/errors.js";
import { offAbort, onAbort as whenAborted } from "../../internal/abort-fanout.js";
import { describeShape, describeValue, readOptions } from "../../internal/options.js";
import { redactSecrets } from "../../internal/redact.js";
import type { CallOptions, LanguageModel, ModelChunk, ModelRequest, ModelResponse } from "../language-model.js";
import { toProviderError, toStreamInterruptedError } from "./ai-sdk-errors.js";
import type { AiSdkLabel } from "./ai-sdk-errors.js";
import { toCallOptions, toFinishReason, toModelResponse, toRateLimit, toToolCall, toUsage } from "./ai-sdk-mapping.js";
import type { AiSdkLanguageModel, AiSdkStreamReader, AiSdkStreamResult, FromAiSdkOptions } from "./ai-sdk-types.js";

function invalid(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeValue(value)}`);
}

function checkModel(model: AiSdkLanguageModel): void {
  if (typeof model !== "object" || model === null) {
    invalid("model", "an AI SDK language model (LanguageModelV2 or LanguageModelV3)", model);
  }
  const version: unknown = model.specificationVersion;
  if (version !== "v2" && version !== "v3") {
    invalid("model.specificationVersion", '"v2" or "v3" (AI SDK 5 or 6)', version);
  }
  if (typeof model.provider !== "string" || model.provider.trim() === "") {
    invalid("model.provider", "a non-empty string", model.provider);
  }
  if (typeof model.modelId !== "string" || model.modelId === "") {
    invalid("model.modelId", "a non-empty string", model.modelId);
  }
  const fields = model as unknown as Readonly<Record<string, unknown>>;
  for (const method of ["doGenerate", "doStream"]) {
    if (typeof fields[method] !== "function") invalid(`model.${method}`, "a function", fields[method]);
  }
}

const OPTION_KEYS: readonly string[] = ["secrets"];

/** Like {@link invalid}, for a value that may be a secret: says what it is, never what it holds. */
function invalidSecret(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeShape(value)}`);
}

/** The validated `secrets` option: a frozen copy of an array of strings (`[]` when omitted). */
function readSecrets(options: unknown): readonly string[] {
  const value = readOptions("fromAiSdk", options, OPTION_KEYS)["secrets"];
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) invalidSecret("secrets", "an array of strings", value);
  const secrets = [...(value as readonly unknown[])];
  secrets.forEach((secret, index) => {
    if (typeof secret !== "string") invalidSecret(`secrets[${index}]`, "a string", secret);
  });
  return Object.freeze(secrets as string[]);
}

/** What a failed call rejects with: the abort reason when the caller aborted, else a `ProviderError`. */
function failure(error: unknown, signal: AbortSignal, label: AiSdkLabel): unknown {
  return signal.aborted ? signal.reason : toProviderError(error, label);
}

/**
 * Settles like `work`, or rejects with the abort reason as soon as `signal` aborts, so a provider that
 * ignores `abortSignal` cannot hold the caller; `onLate` disposes of a result that arrives after that.
 */
function untilAborted<T>(work: PromiseLike<T>, signal: AbortSignal, onLate?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    whenAborted(signal, onAbort);
    Promise.resolve(work).then(
      (value) => {
        offAbort(signal, onAbort);
        if (signal.aborted) onLate?.(value);
        resolve(value);
      },
      (error: unknown) => {
        offAbort(signal, onAbort);
        reject(error);
      },
    );
  });
}

function cancelQuietly(reader: AiSdkStreamReader, reason?: unknown): void {
  try {
    Promise.resolve(reader.cancel(reason)).catch(() => undefined);
  } catch {
    // A reader that throws on cancel has nothing left to close.
  }
}

function malformed(what: string, label: AiSdkLabel): ProviderError {
  const message = `AI SDK provider "${label.provider}" model "${label.model}": ${what}`;
  return new ProviderError(redactSecrets(message, label.secrets), {
    provider: label.provider,
    model: label.model,
  });
}

async function generate(
  model: AiSdkLanguageModel,
  label: AiSdkLabel,
  request: ModelRequest,
  signal: AbortSignal,
): Promise<ModelResponse> {
  signal.throwIfAborted();
  const options = toCallOptions(request, signal);
  let result: unknown;
  try {
    result = await untilAborted(model.doGenerate(options), signal);
  } catch (error) {
    throw failure(error, signal, label);
  }
  if (typeof result !== "object" || result === null) throw malformed("doGenerate returned no result", label);
  return toModelResponse(result, label.model);
}

async function* stream(
  model: AiSdkLanguageModel,
  label: AiSdkLabel,
  request: ModelRequest,
  signal: AbortSignal,
): AsyncGenerator<ModelChunk, void, undefined> {
  signal.throwIfAborted();
  const options = toCallOptions(request, signal);
  let result: AiSdkStreamResult;
  try {
    result = await untilAborted(model.doStream(options), signal, (late) => {
      try {
        cancelQuietly(late.stream.getReader(), signal.reason);
      } catch {
        // Not a readable stream: nothing to close.
      }
    });
  } catch (error) {
    throw failure(error, signal, label);
  }
  let reader: AiSdkStreamReader;
  try {
    reader = result.stream.getReader();
  } catch (error) {
    throw failure(error, signal, label);
  }
  // Cancelling the reader on abort ends a pending read even if the provider ignores `abortSignal`.
  const onAbort = (): void => cancelQuietly(reader, signal.reason);
  whenAborted(signal, onAbort);
  if (signal.aborted) onAbort();
  // Closes the HTTP response (when the caller leaves the loop early); harmless on a finished stream.
  const release = (): void => {
    offAbort(signal, onAbort);
    cancelQuietly(reader);
  };
  let text = "";
  let started = false;
  let responseModel = label.model;
  const fail = (error: unknown): unknown => {
    if (signal.aborted) return signal.reason;
    return started ? toStreamInterruptedError(error, label, text) : toProviderError(error, label);
  };
  try {
    for (;;) {
      let next: Awaited<ReturnType<AiSdkStreamReader["read"]>>;
      try {
        next = await reader.read();
      } catch (error) {
        throw fail(error);
      }
      if (signal.aborted) throw signal.reason;
      if (next.done) break;
      const part = next.value;
      if (typeof part !== "object" || part === null) continue;
      switch (part.type) {
        case "text-delta":
          if (typeof part.delta === "string" && part.delta !== "") {
            text += part.delta;
            started = true;
            yield { type: "text", text: part.delta };
          }
          break;
        case "tool-call": {
          const toolCall = toToolCall(part);
          if (toolCall !== undefined) {
            started = true;
            yield { type: "tool-call", toolCall };
          }
          break;
        }
        case "response-metadata":
          if (typeof part.modelId === "string" && part.modelId !== "") responseModel = part.modelId;
          break;
        case "error":
          throw fail(part.error);
        case "finish": {
          const usage = toUsage(part.usage);
          const finishReason = toFinishReason(part.finishReason);
          const rateLimit = toRateLimit(result.response);
          release(); // before the last yield: a caller that stops iterating at `finish` leaks nothing
          yield rateLimit === undefined
            ? { type: "finish", usage, finishReason, model: responseModel }
            : { type: "finish", usage, finishReason, model: responseModel, rateLimit };
          return;
        }
        default:
          break;
      }
    }
    const ended = "the stream ended without a finish";
    throw started ? toStreamInterruptedError(new Error(ended), label, text) : malformed(ended, label);
  } finally {
    release();
  }
}

/**
 * Wraps a Vercel AI SDK provider model as our {@link LanguageModel}, so every AI SDK provider
 * (`@ai-sdk/openai`, `@ai-sdk/anthropic`, `@ai-sdk/google`, `@ai-sdk/openai-compatible`, …) works with
 * `model(...)`, `modelRouter(...)` and the recovery primitives.
 *
 * @remarks
 * Accepts `LanguageModelV3` (AI SDK 6, `@ai-sdk/provider` 3.x) and `LanguageModelV2` (AI SDK 5,
 * `@ai-sdk/provider` 2.x); the parameter is typed structurally ({@link AiSdkLanguageModel}), so
 * `@ai-sdk/provider` stays an optional peer dependency. `provider` is the AI SDK provider id before
 * its first `"."` (`"openai.chat"` → `"openai"`); `modelId` is the model's.
 *
 * `generate` calls `doGenerate` once (no retries here: wrap the model in `retry`); text parts are
 * concatenated, tool calls (`input` JSON) parsed, usage and finish reason normalised, `model` is
 * `response.modelId` or the model id. `stream` maps `text-delta`, `tool-call` and `finish` parts; the
 * response model comes from `response-metadata`. Both set `rateLimit` (on the response, on the
 * `finish` chunk) from the `x-ratelimit-*` headers of the result's `response.headers`, when present.
 * Not mapped: files and images, reasoning, sources, provider-executed tools and their results.
 *
 * Errors: an AI SDK `APICallError` becomes a `ProviderError` with `status`, `retryable` (network,
 * 408, 409, 429, 5xx), `retryAfterMs` from the response headers and the redacted body; other failures a
 * retryable `ProviderError` (invalid-prompt/argument, unsupported-functionality and missing-key errors
 * are not retryable). A stream that fails (an `error` part, a broken connection, no `finish`) after its
 * first chunk rejects with `StreamInterruptedError` carrying the text so far. An abort rejects with
 * `signal.reason` unchanged; leaving a `for await` early cancels the stream and so the HTTP request.
 *
 * What the errors say (their message reaches span status messages and recorded exceptions): the
 * message and `cause` quote the AI SDK error's own message only for `APICallError`, `LoadAPIKeyError`,
 * `LoadSettingError`, `UnsupportedFunctionalityError`, `NoSuchModelError` and a plain `TypeError`
 * (`"fetch failed"`); any other error, e.g. `AI_TypeValidationError` or `AI_JSONParseError` (whose
 * messages quote the raw chunk or body, i.e. model output), is named only. `cause` is a fresh `Error`
 * with that name and message, never the SDK's error object. Everything quoted and every body is
 * redacted: `options.secrets` exactly, then the generic credential shapes. The adapter cannot see the
 * API key you gave the AI SDK provider: pass it in `secrets`.
 *
 * @param model - the AI SDK model, e.g. `openai("gpt-4o-mini")` or `createOpenAICompatible({…}).chatModel(id)`.
 * @param options - {@link FromAiSdkOptions}: `secrets`, the exact values to redact. @defaultValue `{}`
 * @returns a {@link LanguageModel} with `generate` and `stream`.
 * @throws InvalidOptionsError naming the field when `model` is not a V2/V3 AI SDK language model
 * (`model.specificationVersion`, `model.provider`, `model.modelId`, `model.doGenerate`, `model.doStream`),
 * or `options` is not a plain object, has an unknown key, or `secrets` is not an array of strings
 * (`secrets`, `secrets[1]`). `generate`/`stream` reject with `InvalidOptionsError` naming the request
 * field for a malformed request (e.g. `request.messages[2].toolCallId`).
 * @example
 * ```ts
 * import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
 * const openai = createOpenAICompatible({ name: "openai", baseURL: "https://api.openai.com/v1", apiKey: process.env.OPENAI_API_KEY! });
 * const llm = model(fromAiSdk(openai.chatModel("gpt-4o-mini")));
 * const answer = await llm.execute({ messages: [{ role: "user", content: "Hello" }] });
 * ```
 * @example A gateway whose keys have no well-known shape: pass the key so error bodies echoing it are redacted.
 * ```ts
 * const apiKey = process.env.GATEWAY_API_KEY!;
 * const gateway = createOpenAICompatible({ name: "gateway", baseURL: "https://gateway.example/v1", apiKey });
 * const llm = model(fromAiSdk(gateway.chatModel("llama-3.1-8b"), { secrets: [apiKey] }));
 * ```
 * @since 0.1.0
 */
export function fromAiSdk(model: AiSdkLanguageModel, options?: FromAiSdkOptions): LanguageModel {
  checkModel(model);
  const secrets = readSecrets(options);
  const provider = model.provider.split(".")[0]?.trim() || model.provider;
  const label: AiSdkLabel = { provider, model: model.modelId, secrets };
  return {
    provider,
    modelId: model.modelId,
    generate: (request: ModelRequest, options: CallOptions) => generate(model, label, request, options.signal),
    stream: (request: ModelRequest, options: CallOptions) => stream(model, label, request, options.signal),
  };
}
