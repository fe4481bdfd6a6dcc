/**
 * `openAICompatible`: a `LanguageModel` for any server that speaks OpenAI's chat completions API
 * (OpenAI, vLLM, Ollama, OpenRouter, Groq, LiteLLM, …) over `fetch`.
 *
 * @packageDocumentation
 */
import { InvalidOptionsError } from "../../core/errors.js";
import { offAbort, onAbort as whenAborted } from "../../internal/abort-fanout.js";
import {
  booleanOption,
  describeShape,
  describeValue,
  functionOption,
  integerOption,
  isPlainObject,
  readOptions,
} from "../../internal/options.js";
import type { CallOptions, LanguageModel, ModelChunk, ModelRequest, ModelResponse } from "../language-model.js";
import { rateLimitFromHeaders } from "../retry-hints.js";
import type { OpenAIConfig } from "./openai-http.js";
import { httpError, postChat, readBody } from "./openai-http.js";
import { buildChatBody, callSignal, validateRequest } from "./openai-request.js";
import { streamChat } from "./openai-stream.js";
import { parseCompletion } from "./openai-wire.js";

/**
 * Options of {@link openAICompatible}. `undefined` or `null` for an optional option means its default.
 * @since 0.1.0
 */
export interface OpenAICompatibleOptions {
  /**
   * The API's base URL, `http:` or `https:`, e.g. `"https://api.openai.com/v1"` or
   * `"http://127.0.0.1:11434/v1"` (a trailing slash is tolerated, a query string is kept). Requests go
   * to `<baseURL>/chat/completions`.
   */
  readonly baseURL: string;
  /** The model id sent as `model`, e.g. `"gpt-4o-mini"`; non-empty. */
  readonly model: string;
  /**
   * Sent as `Authorization: Bearer <apiKey>` (it wins over an `authorization` entry of `headers`);
   * redacted from error bodies and messages. Never read from the environment: pass it yourself.
   * @defaultValue none (no `Authorization` header)
   */
  readonly apiKey?: string | undefined;
  /**
   * Extra request headers (string values), e.g. OpenRouter's `HTTP-Referer` or an `api-key`. Their
   * values are redacted from error bodies and messages. They may override `content-type` and `accept`.
   * A header named `__proto__` is rejected: Node's `fetch` would silently drop it.
   * @defaultValue none
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The `fetch` to use (a proxy agent, a test double…). @defaultValue `globalThis.fetch`, looked up at each call */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** The provider name reported as `gen_ai.provider.name` (`"ollama"`, `"groq"`, …). @defaultValue `"openai"` */
  readonly provider?: string | undefined;
  /** `max_tokens` for requests that set no `maxTokens`; a positive integer. @defaultValue none (the server's) */
  readonly maxTokens?: number | undefined;
  /**
   * Whether streams ask for `stream_options: { include_usage: true }` (turn it off for a server that
   * rejects the field; the `finish` chunk then reports zero usage). @defaultValue true
   */
  readonly includeUsage?: boolean | undefined;
}

const OPTION_KEYS: readonly string[] = [
  "baseURL",
  "model",
  "apiKey",
  "headers",
  "fetch",
  "provider",
  "maxTokens",
  "includeUsage",
];

/** An RFC 9110 header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A value `fetch` accepts: Latin-1, no control characters but tab (so no CR/LF injection). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function bad(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeValue(value)}`);
}

/** Like {@link bad}, for a value that may be a secret: says what it is, never what it holds. */
function badSecret(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeShape(value)}`);
}

function nonEmptyString(option: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.trim() === "") bad(option, "a non-empty string", value);
  return value;
}

function chatURL(value: unknown): string {
  const expected = 'an http(s) URL such as "https://api.openai.com/v1"';
  if (typeof value !== "string" || value.trim() === "") bad("baseURL", expected, value);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    bad("baseURL", expected, value);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") bad("baseURL", expected, value);
  if (url.username !== "" || url.password !== "")
    throw new InvalidOptionsError("baseURL", "Expected `baseURL` to hold no credentials; pass `apiKey` or `headers`");
  url.hash = "";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
  return url.href;
}

function userHeaders(value: unknown): Record<string, string> {
  // No prototype: every name, `constructor` or `toString` included, is an own entry that spreads.
  const out = Object.create(null) as Record<string, string>;
  if (value === undefined) return out;
  if (!isPlainObject(value)) bad("headers", "a plain object of string header values", value);
  for (const name of Object.keys(value)) {
    const option = `headers.${name}`;
    if (!HEADER_NAME.test(name))
      throw new InvalidOptionsError(option, `Expected \`${option}\` to be a valid header name`);
    // A legal token, but Node's `fetch` (undici) silently drops it, even from a `Headers` object.
    if (name.toLowerCase() === "__proto__")
      throw new InvalidOptionsError(
        option,
        `Expected \`${option}\` to be a header name \`fetch\` can send; Node's \`fetch\` silently drops a header named \`__proto__\``,
      );
    const headerValue = value[name];
    if (typeof headerValue !== "string" || !HEADER_VALUE.test(headerValue))
      badSecret(option, "a string of Latin-1 characters without line breaks", headerValue);
    out[name.toLowerCase()] = headerValue;
  }
  return out;
}

/** Validates the options and builds everything a call needs once. */
function resolveConfig(options: unknown): OpenAIConfig {
  const opts = readOptions("openAICompatible", options, OPTION_KEYS);
  const url = chatURL(opts.baseURL);
  const model = nonEmptyString("model", opts.model);
  const apiKey = opts.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey === "" || !HEADER_VALUE.test(apiKey)))
    badSecret("apiKey", "a non-empty string without line breaks", apiKey);
  const extra = userHeaders(opts.headers);
  const fetchFn = functionOption<typeof globalThis.fetch>("fetch", opts.fetch);
  const provider = nonEmptyString("provider", opts.provider, "openai");
  const maxTokens =
    opts.maxTokens === undefined ? undefined : integerOption("maxTokens", opts.maxTokens, 0, { min: 1 });
  const includeUsage = booleanOption("includeUsage", opts.includeUsage, true);
  const auth: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
  const secrets = Object.values(extra);
  if (apiKey !== undefined) secrets.unshift(apiKey);
  return {
    provider,
    model,
    url,
    jsonHeaders: Object.freeze({ "content-type": "application/json", accept: "application/json", ...extra, ...auth }),
    streamHeaders: Object.freeze({
      "content-type": "application/json",
      accept: "text/event-stream",
      ...extra,
      ...auth,
    }),
    fetch: fetchFn,
    maxTokens,
    includeUsage,
    secrets: Object.freeze(secrets),
  };
}

/**
 * A {@link LanguageModel} for an OpenAI-compatible chat completions server; see
 * {@link openAICompatible}.
 *
 * @remarks
 * Failures are typed for the recovery primitives: network errors, 408, 409, 429 and 5xx answers
 * and malformed 2xx bodies are retryable `ProviderError`s (with `retryAfterMs` from `retry-after-ms`,
 * `retry-after` or, on a 429, `x-ratelimit-reset-*`); other 4xx are not retryable. Error bodies are
 * read up to 64 KB, secrets (the API key, header values, generic key shapes) redacted. An abort
 * rejects with `signal.reason`, never wrapped. The API key is kept in a private field (it never
 * shows in `JSON.stringify` or `util.inspect`). A successful answer carries the rate-limit state the
 * server reported (`x-ratelimit-*` headers) as `rateLimit`, on the response and on a stream's `finish`
 * chunk.
 *
 * @throws {@link InvalidOptionsError} naming the option (`baseURL`, `model`, `maxTokens`,
 * `headers.x-foo`, an unknown key…) when the options are invalid.
 * @example
 * ```ts
 * const llm = new OpenAICompatibleModel({ baseURL: "http://127.0.0.1:11434/v1", model: "llama3.2", provider: "ollama" });
 * ```
 * @since 0.1.0
 */
export class OpenAICompatibleModel implements LanguageModel {
  /** `gen_ai.provider.name`, from the `provider` option. */
  readonly provider: string;
  /** The configured model id. */
  readonly modelId: string;
  readonly #config: OpenAIConfig;

  constructor(options: OpenAICompatibleOptions) {
    const config = resolveConfig(options);
    this.#config = config;
    this.provider = config.provider;
    this.modelId = config.model;
  }

  /**
   * Sends one chat completion request and maps the answer.
   *
   * @throws {@link InvalidOptionsError} (as a rejection) for an invalid request, naming the field
   * (`request.messages[2].role`, `request.maxTokens`…); `options.signal.reason` when aborted;
   * {@link ProviderError} for network, HTTP and malformed-answer failures.
   * @example
   * ```ts
   * const { text, usage } = await llm.generate({ messages: [{ role: "user", content: "Hi" }] }, { signal });
   * ```
   */
  async generate(request: ModelRequest, options: CallOptions): Promise<ModelResponse> {
    validateRequest(request);
    const signal = callSignal(options);
    const config = this.#config;
    const body = buildChatBody(config, request, false);
    if (signal?.aborted === true) throw signal.reason;
    // A per-call controller: `fetch` links its listeners to it, not to a long-lived caller signal.
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    // Through TTA's shared listener: concurrent calls on one caller signal add one listener in all.
    if (signal !== undefined) whenAborted(signal, onAbort);
    try {
      const response = await postChat(config, body, config.jsonHeaders, controller.signal, signal);
      if (!response.ok) throw await httpError(config, response, signal);
      const parsed = parseCompletion(config, response.status, await readBody(config, response, signal));
      const rateLimit = rateLimitFromHeaders(response.headers);
      return rateLimit === undefined ? parsed : { ...parsed, rateLimit };
    } finally {
      if (signal !== undefined) offAbort(signal, onAbort);
    }
  }

  /**
   * Streams one chat completion: text deltas, whole tool calls (once their arguments are complete)
   * and one `finish` chunk with the usage. The request starts at the first `next()`; leaving the
   * `for await` early closes it.
   *
   * @throws {@link InvalidOptionsError} synchronously for an invalid request. While iterating:
   * `options.signal.reason` when aborted; a retryable {@link ProviderError} for HTTP errors and
   * failures before the first chunk; {@link StreamInterruptedError} (with the text so far) for a
   * failure after it, or a stream that ends without a finish.
   * @example
   * ```ts
   * for await (const chunk of llm.stream({ messages }, { signal })) if (chunk.type === "text") write(chunk.text);
   * ```
   */
  stream(request: ModelRequest, options: CallOptions): AsyncGenerator<ModelChunk, void, undefined> {
    validateRequest(request);
    const signal = callSignal(options);
    return streamChat(this.#config, buildChatBody(this.#config, request, true), signal);
  }
}

/**
 * Creates a {@link LanguageModel} for any OpenAI-compatible chat completions server (OpenAI, vLLM,
 * Ollama, OpenRouter, Groq, LiteLLM…) over `fetch`, with SSE streaming, tool calls and JSON output.
 *
 * @remarks
 * Request mapping: `messages` (assistant `toolCalls` → `tool_calls`, tool messages →
 * `tool_call_id`), `maxTokens` → `max_tokens`, `temperature`, `stop`, `seed`, `tools`,
 * `toolChoice`, `responseFormat` (`json_object`, or `json_schema` with `strict: true` when a schema
 * is given), then `providerOptions` spread in as is. The API key is never read from the environment.
 *
 * @param options - see {@link OpenAICompatibleOptions}.
 * @throws {@link InvalidOptionsError} naming the option when the options are invalid.
 * @example
 * ```ts
 * const llm = openAICompatible({ baseURL: "https://api.openai.com/v1", apiKey: key, model: "gpt-4o-mini" });
 * const flow = retry(model(llm), { maxRetries: 2 });
 * ```
 * @since 0.1.0
 */
export function openAICompatible(options: OpenAICompatibleOptions): OpenAICompatibleModel {
  return new OpenAICompatibleModel(options);
}
