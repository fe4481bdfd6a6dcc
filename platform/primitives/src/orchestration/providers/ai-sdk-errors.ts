/**
 * How errors thrown by (or streamed from) a Vercel AI SDK model become our errors: an `APICallError`
 * (detected by its marker symbol, name or shape; `@ai-sdk/provider` is never imported) becomes a
 * `ProviderError` with the HTTP status, retry hint and redacted body; anything else a retryable
 * `ProviderError`; a failure after the first chunk a `StreamInterruptedError`; an abort its reason.
 *
 * Only the messages of the errors in {@link QUOTABLE_NAMES} are quoted (redacted): the others
 * (`AI_TypeValidationError`, `AI_JSONParseError`, …) quote the raw chunk or body, i.e. model output,
 * and are described by their name alone.
 */
import { ProviderError, StreamInterruptedError } from "../../core/errors.js";
import { redactSecrets } from "../../internal/redact.js";
import { retryAfterFromHeaders } from "../retry-hints.js";

/** Which model failed (our provider name and the model id), and what to redact from the texts we build. */
export interface AiSdkLabel {
  readonly provider: string;
  readonly model: string;
  /** Exact values (`fromAiSdk`'s `secrets`) redacted from every message, cause and body built here. */
  readonly secrets?: readonly string[] | undefined;
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

/**
 * Errors whose message carries no prompt or model output, so it may be quoted (redacted) in our
 * messages and causes: an `APICallError` (the status text, the provider's error message or the
 * connection failure), the configuration errors, and a plain `TypeError` from `fetch`
 * (`"fetch failed"`). Every other error (`AI_TypeValidationError` and `AI_JSONParseError` quote the
 * raw chunk or body; `AI_InvalidPromptError` the prompt) is described by its name alone.
 */
const QUOTABLE_NAMES: ReadonlySet<string> = new Set([
  "AI_APICallError",
  "AI_LoadAPIKeyError",
  "AI_LoadSettingError",
  "AI_UnsupportedFunctionalityError",
  "AI_NoSuchModelError",
  "TypeError",
]);

const MAX_MESSAGE_DETAIL = 300;
const MAX_NAME = 100;

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

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The `name` of an error (or error-shaped object), when it has a non-empty string one. */
function nameOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/** The message of `error` when its kind is known to carry no user content, else `undefined`. */
function quotableMessage(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const name = nameOf(error);
  if (!(name !== undefined && QUOTABLE_NAMES.has(name)) && apiCallFields(error) === undefined) return undefined;
  const message = (error as { message?: unknown }).message;
  return typeof message === "string" && message !== "" ? message : undefined;
}

/**
 * A short description of a thrown or streamed value for an error message, `secrets` and the default
 * credential shapes redacted: the message of a {@link QUOTABLE_NAMES} error, else the error's name; a
 * non-`Error` value (kept as `body` by {@link toProviderError}) by its kind only.
 */
function detail(error: unknown, secrets: readonly string[] | undefined): string {
  const message = quotableMessage(error);
  if (message !== undefined) return cut(redactSecrets(message, secrets), MAX_MESSAGE_DETAIL);
  const name = nameOf(error);
  if (name !== undefined) return cut(redactSecrets(name, secrets), MAX_NAME);
  if (typeof error === "string") return "an error string";
  if (typeof error === "object" && error !== null) return "an error object";
  return "a non-Error value";
}

/**
 * A non-`Error` value streamed as an `error` part or thrown (e.g. the JSON error object of an SSE
 * chunk, or a provider's error message as a string): the provider's own error payload, kept as the
 * body (redacted) since the message describes it by its kind only.
 */
function bodyOf(error: unknown, secrets: readonly string[] | undefined): string | undefined {
  if (typeof error === "string") return redactSecrets(error, secrets);
  if (error instanceof Error || typeof error !== "object" || error === null) return undefined;
  try {
    const json = JSON.stringify(error);
    return json === undefined ? undefined : redactSecrets(json, secrets);
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
 * key or setting); no body, except a non-`Error` value (a streamed error object), kept as the body.
 * The message never contains the body, and quotes the error's message only for the kinds in
 * {@link QUOTABLE_NAMES} (else its name). `label.secrets` are redacted from message, cause and body.
 * @param now - current time, epoch ms (for an HTTP-date `retry-after`). @defaultValue `Date.now()`
 */
export function toProviderError(error: unknown, label: AiSdkLabel, now: number = Date.now()): ProviderError {
  const { secrets } = label;
  const base = `AI SDK provider "${label.provider}" model "${label.model}"`;
  const api = apiCallFields(error);
  if (api !== undefined) {
    const { status, headers, body } = api;
    const retryAfterMs = headers === undefined ? undefined : retryAfterFromHeaders(headers, now, status);
    const what =
      status !== undefined && status >= 400 ? `answered HTTP ${status}` : `failed: ${detail(error, secrets)}`;
    return new ProviderError(redactSecrets(`${base} ${what}`, secrets), {
      provider: label.provider,
      model: label.model,
      status,
      retryAfterMs,
      body: body === undefined ? undefined : redactSecrets(body, secrets),
      cause: safeCause(error, secrets),
    });
  }
  const name = nameOf(error);
  const retryable = !(name !== undefined && NOT_RETRYABLE_NAMES.has(name));
  return new ProviderError(redactSecrets(`${base} failed: ${detail(error, secrets)}`, secrets), {
    provider: label.provider,
    model: label.model,
    retryable,
    body: bodyOf(error, secrets),
    cause: safeCause(error, secrets),
  });
}

/**
 * A `StreamInterruptedError` for a stream that failed (or ended without a finish) after it had
 * emitted chunks; `text` is the text emitted so far. The message describes the failure as
 * {@link toProviderError}'s does.
 */
export function toStreamInterruptedError(error: unknown, label: AiSdkLabel, text: string): StreamInterruptedError {
  const message = `AI SDK provider "${label.provider}" model "${label.model}": stream interrupted after its first chunk: ${detail(error, label.secrets)}`;
  return new StreamInterruptedError(redactSecrets(message, label.secrets), {
    provider: label.provider,
    model: label.model,
    text,
    cause: safeCause(error, label.secrets),
  });
}

/**
 * What an AI SDK error may keep as `cause`: its name, and its redacted message only for the kinds in
 * {@link QUOTABLE_NAMES} (else an empty message). The SDK's own error objects carry the request body
 * (the prompts), the raw response body and headers, the raw chunk that failed validation, which
 * loggers and error trackers print with the error; they must not travel on.
 */
function safeCause(error: unknown, secrets: readonly string[] | undefined): Error | undefined {
  if (!(error instanceof Error)) return undefined;
  const message = quotableMessage(error);
  const safe = new Error(message === undefined ? "" : redactSecrets(message, secrets));
  // Set before `stack` is first read, so the stack's first line shows it too.
  safe.name = cut(redactSecrets(error.name, secrets), MAX_NAME) || "Error";
  return safe;
}
