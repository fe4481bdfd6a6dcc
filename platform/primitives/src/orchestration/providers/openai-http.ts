/**
 * HTTP plumbing of the OpenAI-compatible provider: the POST, and every way it can fail (a network
 * error, an HTTP error answer, a malformed body), each mapped to a `ProviderError` with a redacted
 * body and the provider's retry hint.
 *
 * @packageDocumentation
 */
import { ProviderError } from "../../core/errors.js";
import { redactSecrets } from "../../internal/redact.js";
import { retryAfterFromHeaders } from "../retry-hints.js";
import { truncate } from "../../internal/values.js";

/**
 * The settings of one OpenAI-compatible model after validation, built once at construction.
 * @internal
 * @since 0.1.0
 */
export interface OpenAIConfig {
  /** `gen_ai.provider.name`, e.g. `"openai"`. */
  readonly provider: string;
  /** The model id sent as `model`. */
  readonly model: string;
  /** `<baseURL>/chat/completions`. */
  readonly url: string;
  /** Headers of a `generate` request (JSON in, JSON out, credentials, the user's headers). */
  readonly jsonHeaders: Readonly<Record<string, string>>;
  /** Headers of a `stream` request (as `jsonHeaders`, accepting `text/event-stream`). */
  readonly streamHeaders: Readonly<Record<string, string>>;
  /** The user's `fetch`; `undefined` means `globalThis.fetch`, looked up at call time. */
  readonly fetch: typeof globalThis.fetch | undefined;
  /** Default `max_tokens` for requests that set none. */
  readonly maxTokens: number | undefined;
  /** Whether streams ask for `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  /** Values redacted from error bodies and messages: the API key and the user's header values. */
  readonly secrets: readonly string[];
}

/**
 * Most bytes of an error body that are read; the rest is cancelled (a provider may send an HTML
 * page of any size).
 * @internal
 * @since 0.1.0
 */
export const MAX_ERROR_BODY_BYTES: number = 64 * 1024;

/** Longest provider `error.message` quoted in a `ProviderError` message. */
const MAX_DETAIL_CHARS = 200;

const noop = (): void => undefined;

/**
 * `"<provider> <model>"`, the prefix of every error message.
 * @internal
 * @since 0.1.0
 */
export function label(config: OpenAIConfig): string {
  return `${config.provider} ${config.model}`;
}

/**
 * POSTs `body` to the chat completions endpoint.
 *
 * @param signal - the per-call signal handed to `fetch`.
 * @param callerSignal - the caller's signal: when it has aborted, its reason is thrown as is.
 * @throws the caller's `signal.reason` after an abort; a retryable {@link ProviderError} without a
 * status when `fetch` rejects (connection refused, reset, DNS…) or returns something that is not a
 * response.
 * @internal
 * @since 0.1.0
 */
export async function postChat(
  config: OpenAIConfig,
  body: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<Response> {
  let response: unknown;
  try {
    // Called as a plain function: the global `fetch` of some runtimes rejects another `this`.
    response = await (config.fetch ?? globalThis.fetch)(config.url, { method: "POST", headers, body, signal });
  } catch (error) {
    if (callerSignal?.aborted === true) throw callerSignal.reason;
    throw networkError(config, error);
  }
  if (!isResponse(response)) {
    throw new ProviderError(`${label(config)}: fetch did not return a Response`, {
      provider: config.provider,
      model: config.model,
      retryable: false,
    });
  }
  return response;
}

function isResponse(value: unknown): value is Response {
  if (typeof value !== "object" || value === null) return false;
  const r = value as { status?: unknown; ok?: unknown; headers?: unknown };
  return typeof r.status === "number" && typeof r.ok === "boolean" && typeof r.headers === "object";
}

/**
 * What went wrong, for a message: `fetch failed (ECONNREFUSED)`, `terminated (other side closed)`.
 * Not redacted.
 */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === "string" ? error : "unknown error";
  const inner: unknown = error.cause;
  if (!(inner instanceof Error)) return error.message;
  const code = (inner as { code?: unknown }).code;
  return `${error.message} (${typeof code === "string" ? code : inner.message})`;
}

/**
 * A short description of a failure (its message and its cause's code), secrets redacted.
 * @internal
 * @since 0.1.0
 */
export function describeFailure(config: OpenAIConfig, error: unknown): string {
  return redactSecrets(describeCause(error), config.secrets);
}

/**
 * A retryable {@link ProviderError} without a status for a failed connection or a body cut short.
 * @internal
 * @since 0.1.0
 */
export function networkError(config: OpenAIConfig, cause: unknown, what = "request failed"): ProviderError {
  const message = `${label(config)}: ${what}: ${describeFailure(config, cause)}`;
  return new ProviderError(message, { provider: config.provider, model: config.model, retryable: true, cause });
}

/**
 * Reads at most `max` bytes of a body as text, then cancels the rest. A body cut short yields what
 * arrived; never throws except the caller's abort reason.
 * @internal
 * @since 0.1.0
 */
export async function readCapped(
  response: Response,
  max: number,
  callerSignal: AbortSignal | undefined,
): Promise<string> {
  const stream = response.body as ReadableStream<Uint8Array> | null;
  if (stream === null) return "";
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    while (bytes < max) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const part = value.byteLength > max - bytes ? value.subarray(0, max - bytes) : value;
      bytes += part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
    reader.cancel().catch(noop);
    return text + decoder.decode();
  } catch {
    if (callerSignal?.aborted === true) throw callerSignal.reason;
    reader.cancel().catch(noop);
    return text + decoder.decode();
  }
}

/**
 * The whole body of a 2xx answer as text.
 * @throws the caller's abort reason, or a retryable {@link ProviderError} without a status when the
 * connection fails while the body is read.
 * @internal
 * @since 0.1.0
 */
export async function readBody(
  config: OpenAIConfig,
  response: Response,
  callerSignal: AbortSignal | undefined,
): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    if (callerSignal?.aborted === true) throw callerSignal.reason;
    throw networkError(config, error, "connection failed while reading the response");
  }
}

/**
 * The provider's own error message in an OpenAI-style JSON body (`{ error: { message } }`,
 * `{ error: "…" }`, `{ message }`, `{ detail }`), when there is one.
 * @internal
 * @since 0.1.0
 */
export function errorDetail(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { error, message, detail } = json as { error?: unknown; message?: unknown; detail?: unknown };
  if (typeof error === "object" && error !== null) {
    const inner = (error as { message?: unknown }).message;
    if (typeof inner === "string" && inner !== "") return inner;
  }
  if (typeof error === "string" && error !== "") return error;
  if (typeof message === "string" && message !== "") return message;
  if (typeof detail === "string" && detail !== "") return detail;
  return undefined;
}

function parseDetail(text: string): string | undefined {
  const start = text.trimStart();
  if (!start.startsWith("{")) return undefined;
  try {
    return errorDetail(JSON.parse(start));
  } catch {
    return undefined;
  }
}

/** `": <detail>"`, redacted and truncated, or `""`. */
function detailSuffix(config: OpenAIConfig, detail: string | undefined): string {
  return detail === undefined ? "" : `: ${truncate(redactSecrets(detail, config.secrets), MAX_DETAIL_CHARS)}`;
}

/**
 * The {@link ProviderError} for a non-2xx answer: reads up to {@link MAX_ERROR_BODY_BYTES} of the
 * body, redacts it, quotes the provider's `error.message`, sets `retryable` from the status and
 * `retryAfterMs` from the headers.
 * @throws the caller's abort reason when it aborts while the body is read.
 * @internal
 * @since 0.1.0
 */
export async function httpError(
  config: OpenAIConfig,
  response: Response,
  callerSignal: AbortSignal | undefined,
): Promise<ProviderError> {
  const text = await readCapped(response, MAX_ERROR_BODY_BYTES, callerSignal);
  const status = response.status;
  const statusText =
    typeof response.statusText === "string" && response.statusText !== "" ? ` ${response.statusText}` : "";
  const message = `${label(config)}: HTTP ${status}${statusText}${detailSuffix(config, parseDetail(text))}`;
  return new ProviderError(message, {
    provider: config.provider,
    model: config.model,
    status,
    retryAfterMs: retryAfterFromHeaders(response.headers, Date.now(), status),
    body: redactSecrets(text, config.secrets),
  });
}

/**
 * A retryable {@link ProviderError} for a 2xx answer that cannot be used (HTML instead of JSON, no
 * `choices`, a stream data line that is not JSON…), with the status and the redacted body.
 *
 * @param what - what was wrong, e.g. `"a body that is not JSON"`.
 * @param detail - the provider's own error message found in the body, if any.
 * @internal
 * @since 0.1.0
 */
export function malformedError(
  config: OpenAIConfig,
  status: number,
  text: string,
  what: string,
  detail?: string,
): ProviderError {
  const body = redactSecrets(
    text.length > MAX_ERROR_BODY_BYTES ? text.slice(0, MAX_ERROR_BODY_BYTES) : text,
    config.secrets,
  );
  return new ProviderError(`${label(config)}: HTTP ${status} with ${what}${detailSuffix(config, detail)}`, {
    provider: config.provider,
    model: config.model,
    status,
    retryable: true,
    body,
  });
}
