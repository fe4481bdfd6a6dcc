/**
 * How errors thrown by (or streamed from) a Vercel AI SDK model become our errors: an `APICallError`
 * (detected by its marker symbol, name or shape; `@ai-sdk/provider` is never imported) becomes a
 * `ProviderError` with the HTTP status, retry hint and redacted body; anything else a retryable
 * `ProviderError`; a failure after the first chunk a `StreamInterruptedError`; an abort its reason.
 */
import { ProviderError, StreamInterruptedError } from "../../core/errors.js";
import { redactSecrets } from "../../internal/redact.js";
import { retryAfterFromHeaders } from "../retry-hints.js";

/** Which model failed (our provider name and the model id). */
export interface AiSdkLabel {
  readonly provider: string;
  readonly model: string;
}

/** The marker `APICallError.isInstance` checks (`Symbol.for("vercel.ai.error.AI_APICallError")`). */
const API_CALL_ERROR_MARKER = Symbol.for("vercel.ai.error.AI_APICallError");

/**
 * AI SDK errors that say the request itself cannot work (a bad prompt or argument, a feature the
 * provider lacks, a missing API key or setting): repeating the call cannot help.
 */
const NOT_RETRYABLE_NAMES: ReadonlySet<string> = new Set([
  "AI_InvalidPromptError",
  "AI_InvalidArgumentError",
  "AI_UnsupportedFunctionalityError",
  "AI_LoadAPIKeyError",
  "AI_LoadSettingError",
]);

const MAX_MESSAGE_DETAIL = 300;

interface ApiCallFields {
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string | undefined>> | undefined;
  readonly body: string | undefined;
}

/** The HTTP fields of an AI SDK `APICallError`, or `undefined` when `error` is not one. */
function apiCallFields(error: unknown): ApiCallFields | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const fields = error as Record<PropertyKey, unknown>;
  const isApiCallError =
    fields[API_CALL_ERROR_MARKER] === true ||
    fields["name"] === "AI_APICallError" ||
    (typeof fields["isRetryable"] === "boolean" && "requestBodyValues" in fields && "url" in fields);
  if (!isApiCallError) return undefined;
  const status = fields["statusCode"];
  const headers = fields["responseHeaders"];
  const body = fields["responseBody"];
  return {
    status: typeof status === "number" && Number.isInteger(status) ? status : undefined,
    headers:
      typeof headers === "object" && headers !== null
        ? (headers as Readonly<Record<string, string | undefined>>)
        : undefined,
    body: typeof body === "string" ? body : undefined,
  };
}

/** A short description of a thrown value for an error message (redacted by the error's constructor). */
function detail(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.message;
  else if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string")
    text = (error as { message: string }).message;
  else if (typeof error === "string") text = error;
  else text = "unknown error";
  return text.length > MAX_MESSAGE_DETAIL ? `${text.slice(0, MAX_MESSAGE_DETAIL)}…` : text;
}

/** A non-`Error` value streamed as an `error` part (e.g. the JSON error object of an SSE chunk), as text. */
function bodyOf(error: unknown): string | undefined {
  if (error instanceof Error || typeof error !== "object" || error === null) return undefined;
  try {
    return JSON.stringify(error);
  } catch {
    return undefined;
  }
}

/**
 * A `ProviderError` for an error thrown or streamed by an AI SDK model.
 *
 * @remarks For an `APICallError`: `status` from `statusCode`, `retryable` from the status by our rules
 * (network errors, 408, 409, 429 and 5xx retryable; other 4xx not; the SDK's own `isRetryable` is
 * ignored), `retryAfterMs` from the response headers, `body` from `responseBody` (redacted and
 * truncated by `ProviderError`). Other errors: no status, retryable, except the AI SDK errors that
 * say the request cannot work (invalid prompt or argument, unsupported functionality, missing API
 * key or setting). The message never contains the body.
 * @param now - current time, epoch ms (for an HTTP-date `retry-after`). @defaultValue `Date.now()`
 */
export function toProviderError(error: unknown, label: AiSdkLabel, now: number = Date.now()): ProviderError {
  const base = `AI SDK provider "${label.provider}" model "${label.model}"`;
  const api = apiCallFields(error);
  if (api !== undefined) {
    const { status, headers, body } = api;
    const retryAfterMs = headers === undefined ? undefined : retryAfterFromHeaders(headers, now, status);
    const what = status !== undefined && status >= 400 ? `answered HTTP ${status}` : `failed: ${detail(error)}`;
    return new ProviderError(`${base} ${what}`, {
      provider: label.provider,
      model: label.model,
      status,
      retryAfterMs,
      body,
      cause: safeCause(error),
    });
  }
  const name = typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
  const retryable = !(typeof name === "string" && NOT_RETRYABLE_NAMES.has(name));
  return new ProviderError(`${base} failed: ${detail(error)}`, {
    provider: label.provider,
    model: label.model,
    retryable,
    body: bodyOf(error),
    cause: safeCause(error),
  });
}

/**
 * A `StreamInterruptedError` for a stream that failed (or ended without a finish) after it had
 * emitted chunks; `text` is the text emitted so far.
 */
export function toStreamInterruptedError(error: unknown, label: AiSdkLabel, text: string): StreamInterruptedError {
  return new StreamInterruptedError(
    `AI SDK provider "${label.provider}" model "${label.model}": stream interrupted after its first chunk: ${detail(error)}`,
    { provider: label.provider, model: label.model, text, cause: safeCause(error) },
  );
}

/**
 * What an AI SDK error may keep as `cause`: its name and redacted message only. The SDK's own error
 * objects carry the request body (the prompts), the raw response body and headers, which loggers and
 * error trackers print with the error; they must not travel on.
 */
function safeCause(error: unknown): Error | undefined {
  if (!(error instanceof Error)) return undefined;
  const safe = new Error(redactSecrets(error.message));
  safe.name = error.name;
  return safe;
}
