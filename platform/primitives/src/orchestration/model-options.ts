/**
 * The options `model(...)` and `streamModel(...)` share, their validation, the default token
 * estimate and the request check done before anything is reserved or sent.
 *
 * @packageDocumentation
 */
import { InvalidOptionsError } from "../core/errors.js";
import {
  booleanOption,
  describeShape,
  describeValue,
  functionOption,
  isPlainObject,
  nameOption,
  readOptions,
} from "../internal/options.js";
import type { Catalog } from "./catalog.js";
import { defaultCatalog } from "./catalog.js";
import type { LanguageModel, ModelRequest } from "./language-model.js";

/**
 * A token estimate for a request, used to reserve budget before the call.
 * @since 0.1.0
 */
export interface TokenEstimate {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * Options of {@link model} and {@link streamModel}. `undefined` or `null` means the default.
 * @since 0.1.0
 */
export interface ModelOptions {
  /** Prices calls (the `costUsd` of events, spans and budgets). @defaultValue `defaultCatalog` */
  readonly catalog?: Catalog | undefined;
  /** Display name (events, metrics). @defaultValue `"ModelPrimitive"` / `"StreamModelPrimitive"` */
  readonly name?: string | undefined;
  /**
   * Estimates a request's tokens before the call, for the budget reservation. Plug a real tokenizer
   * here. @defaultValue {@link estimateTokens} (characters / 4, plus `maxTokens`)
   */
  readonly estimateTokens?: ((request: ModelRequest) => TokenEstimate) | undefined;
  /**
   * Record prompts and completions on the span (`gen_ai.input.messages` / `gen_ai.output.text`).
   * Off by default: they are user data. @defaultValue false
   */
  readonly captureContent?: boolean | undefined;
}

/** Options after validation. @internal */
export interface ResolvedModelOptions {
  readonly catalog: Catalog;
  readonly name: string;
  readonly estimateTokens: (request: ModelRequest) => TokenEstimate;
  readonly captureContent: boolean;
}

const OPTION_KEYS = ["catalog", "name", "estimateTokens", "captureContent"] as const;

/**
 * The default token estimate: characters of every message / 4 (rounded up) for the input, and the
 * request's `maxTokens` (0 when unset) for the output.
 *
 * @example
 * ```ts
 * estimateTokens({ messages: [{ role: "user", content: "12345678" }], maxTokens: 100 }); // { inputTokens: 2, outputTokens: 100 }
 * ```
 * @since 0.1.0
 */
export function estimateTokens(request: ModelRequest): TokenEstimate {
  let chars = 0;
  for (const message of request.messages) chars += typeof message.content === "string" ? message.content.length : 0;
  return { inputTokens: Math.ceil(chars / 4), outputTokens: request.maxTokens ?? 0 };
}

/** Whether `value` has the shape of a {@link LanguageModel}: `{ provider, modelId (non-empty), generate() }`. @internal */
export function isLanguageModel(value: unknown): value is LanguageModel {
  const lm = value as Partial<LanguageModel> | null;
  return (
    typeof lm === "object" &&
    lm !== null &&
    typeof lm.generate === "function" &&
    typeof lm.modelId === "string" &&
    lm.modelId !== "" &&
    typeof lm.provider === "string"
  );
}

/** Validates the model and options of a model primitive. @internal */
export function resolveModelOptions(
  what: string,
  languageModel: unknown,
  options: unknown,
  defaultName: string,
): ResolvedModelOptions {
  if (!isLanguageModel(languageModel))
    throw new InvalidOptionsError(
      "languageModel",
      `Expected \`languageModel\` to be a LanguageModel ({ provider, modelId, generate }), got ${describeValue(languageModel)}`,
    );
  const opts = readOptions(what, options, OPTION_KEYS);
  const catalog = opts.catalog ?? defaultCatalog;
  if (typeof (catalog as Partial<Catalog>).cost !== "function")
    throw new InvalidOptionsError("catalog", `Expected \`catalog\` to be a Catalog, got ${describeValue(catalog)}`);
  return {
    catalog: catalog as Catalog,
    name: nameOption(opts.name, defaultName),
    estimateTokens:
      functionOption<(r: ModelRequest) => TokenEstimate>("estimateTokens", opts.estimateTokens) ?? estimateTokens,
    captureContent: booleanOption("captureContent", opts.captureContent, false),
  };
}

const ROLES: ReadonlySet<unknown> = new Set(["system", "user", "assistant", "tool"]);

/** A role as written, when it is short enough to be a role (never a prompt pasted into the wrong field). */
function roleOf(message: unknown): string {
  const role = typeof message === "object" && message !== null ? (message as { role?: unknown }).role : undefined;
  return typeof role === "string" && role.length <= 20 ? `role ${JSON.stringify(role)}` : describeShape(message);
}

/**
 * Checks the shape every provider and the token estimate rely on, before anything is reserved or
 * sent: a plain object with a `messages` array of `{ role, content }` (a known role, string content)
 * and, when set, a `maxTokens` that is a positive integer. Providers check the rest. Error messages
 * describe what was wrong by type, never by quoting the request (it is user data). @internal
 */
export function checkRequest(request: unknown): asserts request is ModelRequest {
  if (!isPlainObject(request) || !Array.isArray(request.messages))
    throw new InvalidOptionsError(
      "request.messages",
      `Expected a ModelRequest with a \`messages\` array, got ${isPlainObject(request) ? `\`messages\` as ${describeShape(request.messages)}` : describeShape(request)}`,
    );
  const messages = request.messages as readonly unknown[];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as { readonly role?: unknown; readonly content?: unknown } | null | undefined;
    if (typeof message !== "object" || message === null || !ROLES.has(message.role))
      throw new InvalidOptionsError(
        `request.messages[${i}].role`,
        `Expected \`request.messages[${i}]\` to be a message with a role of "system", "user", "assistant" or "tool", got ${roleOf(message)}`,
      );
    if (typeof message.content !== "string")
      throw new InvalidOptionsError(
        `request.messages[${i}].content`,
        `Expected \`request.messages[${i}].content\` to be a string, got ${describeShape(message.content)}`,
      );
  }
  const maxTokens = request.maxTokens;
  if (maxTokens !== undefined && maxTokens !== null && (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1))
    throw new InvalidOptionsError(
      "request.maxTokens",
      `Expected \`request.maxTokens\` to be a positive integer, got ${describeShape(maxTokens)}`,
    );
}

/**
 * Checks a token estimate (from a custom `estimateTokens`) before it reaches a budget. @internal
 * @throws {@link InvalidOptionsError} naming `estimateTokens` for anything but finite counts ≥ 0.
 */
export function checkEstimate(estimate: unknown): TokenEstimate {
  const e = estimate as Partial<TokenEstimate> | null | undefined;
  const ok = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;
  if (typeof e !== "object" || e === null || !ok(e.inputTokens) || !ok(e.outputTokens))
    throw new InvalidOptionsError(
      "estimateTokens",
      `Expected \`estimateTokens\` to return { inputTokens, outputTokens } as finite numbers ≥ 0, got ${describeShape(estimate)}`,
    );
  return e as TokenEstimate;
}
