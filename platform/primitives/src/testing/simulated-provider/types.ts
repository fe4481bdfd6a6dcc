/**
 * Public types of the simulated OpenAI-compatible provider started by `startSimulatedProvider`.
 *
 * @packageDocumentation
 */
import type { Catalog } from "../../orchestration/catalog.js";

/**
 * A model the simulated provider serves. Its prices (for `stats().costUsd`) come from the provider's
 * `catalog`, the one price table of TTA.
 *
 * @example
 * ```ts
 * const model: SimulatedModel = { id: "sim-mini", contextWindow: 8_192 };
 * ```
 * @since 0.1.0
 */
export interface SimulatedModel {
  /** The model id clients send as `model`. */
  readonly id: string;
  /**
   * Largest prompt, in tokens; a longer prompt gets a 400 `context_length_exceeded`.
   * @defaultValue the catalogue entry's `contextWindow`, else 128000
   */
  readonly contextWindow?: number;
}

/**
 * How long the provider waits before it answers (for a stream: before the first chunk).
 *
 * @remarks A `lognormal` latency has the given median and 99th percentile (`p99Ms` ≥ `medianMs`):
 * `σ = ln(p99Ms / medianMs) / 2.326`.
 * @example
 * ```ts
 * const latency: SimulatedLatency = { distribution: "lognormal", medianMs: 200, p99Ms: 2_000 };
 * ```
 * @since 0.1.0
 */
export type SimulatedLatency =
  | { readonly distribution: "fixed"; readonly ms: number }
  | { readonly distribution: "uniform"; readonly minMs: number; readonly maxMs: number }
  | { readonly distribution: "lognormal"; readonly medianMs: number; readonly p99Ms: number };

/**
 * Probabilities of random faults, each in [0, 1]; their sum must be ≤ 1 (the rest answers normally).
 *
 * @example
 * ```ts
 * const errors: SimulatedErrorRates = { rate429: 0.1, rate500: 0.05 };
 * ```
 * @since 0.1.0
 */
export interface SimulatedErrorRates {
  /** A 429 with `retry-after: 1`. @defaultValue 0 */
  readonly rate429?: number;
  /** A 500 with an OpenAI-style error body. @defaultValue 0 */
  readonly rate500?: number;
  /** No answer at all until the client or the server closes the socket. @defaultValue 0 */
  readonly rateHang?: number;
  /** A 200 whose body (or one SSE data line) is not JSON. @defaultValue 0 */
  readonly rateMalformed?: number;
  /** About half of the answer, then the socket is destroyed. @defaultValue 0 */
  readonly rateStreamCut?: number;
}

/**
 * What happens to one chat-completion request.
 *
 * @remarks
 * - `ok`: a normal answer.
 * - `429`: status 429 with `retry-after` (`retryAfterS`, default 1) and, when given,
 *   `x-ratelimit-reset-tokens` (e.g. `"6m0s"`).
 * - `500`: status 500 with an OpenAI-style error body.
 * - `hang`: never answers; holds the socket until the client closes it or the server closes.
 * - `malformed`: a 200 whose body is not valid JSON (a stream: one data line that is not JSON).
 * - `stream-cut`: a stream sends about half of its chunks, a JSON answer about half of its body, then
 *   the socket is destroyed.
 * - `status`: any status from 200 to 599 with the given body (default: an OpenAI-style error JSON),
 *   extra headers and content type (default `application/json`). A `body` function receives the
 *   request's raw headers (the `authorization` header included, so a test can simulate a provider
 *   that echoes the key).
 * @example
 * ```ts
 * const script: SimulatedFault[] = [{ kind: "429", retryAfterS: 2 }, { kind: "ok" }];
 * ```
 * @since 0.1.0
 */
export type SimulatedFault =
  | { readonly kind: "ok" }
  | { readonly kind: "429"; readonly retryAfterS?: number; readonly resetTokens?: string }
  | { readonly kind: "500" }
  | { readonly kind: "hang" }
  | { readonly kind: "malformed" }
  | { readonly kind: "stream-cut" }
  | {
      readonly kind: "status";
      readonly status: number;
      readonly body?: string | ((request: { readonly headers: Readonly<Record<string, string>> }) => string);
      readonly headers?: Readonly<Record<string, string>>;
      readonly contentType?: string;
    };

/**
 * The answer to one request, as returned by the `reply` option.
 *
 * @remarks A tool call's `arguments` are sent as `JSON.stringify(arguments)`, except a string, which
 * is sent as is (so a test can send arguments that are not valid JSON). `finishReason` defaults to
 * `"tool_calls"` when there are tool calls, `"length"` when `max_tokens` cut the text, else `"stop"`.
 * @example
 * ```ts
 * const reply: SimulatedReply = { toolCalls: [{ name: "search", arguments: { q: "tta" } }] };
 * ```
 * @since 0.1.0
 */
export interface SimulatedReply {
  /** The assistant's text. @defaultValue `""` */
  readonly text?: string;
  /** Tool calls the assistant makes. @defaultValue none */
  readonly toolCalls?: readonly { readonly name: string; readonly arguments: unknown }[];
  /** The choice's `finish_reason`. */
  readonly finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
}

/**
 * One chat-completion request as the provider received it.
 * @since 0.1.0
 */
export interface SimulatedRequest {
  /** The `model` the request named. */
  readonly model: string;
  /** Whether the request asked for a stream (`stream: true`). */
  readonly stream: boolean;
  /** The parsed JSON body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Lower-case request headers; `authorization` (and other credential headers) read `"[REDACTED]"`. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Options of {@link startSimulatedProvider}.
 *
 * @remarks
 * Every chat-completion request that is authorised, well-formed, names a known model, fits the
 * context window and does not fall in an outage takes the next request index `i` (in the order
 * their bodies finish arriving): it gets `script[i]` while `i < script.length`, otherwise a random
 * fault drawn from `errors`. The random fault and the latency of request `i` depend only on `seed`
 * and `i`, so sequential clients see the same run every time.
 * @example
 * ```ts
 * const provider = await startSimulatedProvider({
 *   seed: 42,
 *   latency: { distribution: "lognormal", medianMs: 300, p99Ms: 3_000 },
 *   errorLatency: { distribution: "lognormal", medianMs: 20, p99Ms: 80 },
 *   errors: { rate429: 0.05, rate500: 0.01 },
 *   outages: [{ startMs: 10_000, endMs: 20_000 }],
 *   script: [{ kind: "429", retryAfterS: 2 }],
 * });
 * ```
 * @since 0.1.0
 */
export interface SimulatedProviderOptions {
  /** Address to bind; only loopback is accepted (`127.0.0.0/8`, `"localhost"`, `"::1"`). @defaultValue `"127.0.0.1"` */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /**
   * Models served (a string is a model with that id, price 0 and a 128000-token window).
   * @defaultValue `sim-small` ($0.15 / $0.60 per million) and `sim-large` ($2.50 / $10), 128000 tokens each
   */
  readonly models?: readonly (string | SimulatedModel)[];
  /**
   * Prices the answers for `stats().costUsd` (a model it does not list costs 0) and gives the models'
   * default context windows. @defaultValue `simulatedCatalog` (`defaultCatalog` plus `sim-small` and `sim-large`)
   */
  readonly catalog?: Catalog;
  /** Seed of the random faults and latencies. @defaultValue 1 */
  readonly seed?: number;
  /**
   * Time until the response (a stream: until the first chunk) of every counted request, error faults
   * included unless `errorLatency` is set (not `hang`, nor the 4xx checks and outages that come before
   * the fault).
   * @defaultValue `{ distribution: "fixed", ms: 0 }`
   */
  readonly latency?: SimulatedLatency;
  /**
   * Time until the response of the error faults: `429`, `500` and `status` faults with a status
   * ≥ 400 (scripted or random). Real gateways reject a rate-limited request in milliseconds, long
   * before a model would have answered; set this to simulate that.
   *
   * @remarks Sampled from its own seeded stream, so the latencies of request `i` (the normal one and
   * the error one) still depend only on `seed` and `i`, and setting it does not change the latency of
   * any answered request. `ok`, `malformed`, `stream-cut` and `status` faults below 400 keep `latency`.
   * @defaultValue `latency`
   */
  readonly errorLatency?: SimulatedLatency;
  /** Stream only: delay between chunks, in ms. @defaultValue 0 */
  readonly chunkDelayMs?: number;
  /** Characters of text (or of tool-call arguments) per SSE chunk. @defaultValue 8 */
  readonly chunkSize?: number;
  /** Probabilities of random faults. @defaultValue no faults */
  readonly errors?: SimulatedErrorRates;
  /**
   * Outage windows in wall-clock ms since the provider started (`startMs` inclusive, `endMs`
   * exclusive). During one, every request to a known route gets `status` with `retry-after` = the
   * seconds until the outage ends (rounded up). @defaultValue none
   */
  readonly outages?: readonly { readonly startMs: number; readonly endMs: number; readonly status?: number }[];
  /** Faults of the first requests, in order (across all models). @defaultValue none */
  readonly script?: readonly SimulatedFault[];
  /**
   * Computes the answer; a throw or an invalid result gets a 500.
   * @defaultValue `"Simulated answer from <model>: <first 60 chars of the last user message>"`; a small
   * JSON object when `response_format` asks for JSON; a call to the named tool when `tool_choice` is
   * `"required"` or names a function
   */
  readonly reply?: (request: SimulatedRequest) => SimulatedReply | string | Promise<SimulatedReply | string>;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401 (the key is never echoed). */
  readonly apiKey?: string;
  /** Largest request body in bytes; a larger one gets a 413. @defaultValue 1048576 */
  readonly maxBodyBytes?: number;
}

/**
 * The options {@link SimulatedProvider.configure} can change at runtime.
 * @since 0.1.0
 */
export type SimulatedProviderUpdate = Pick<
  SimulatedProviderOptions,
  "latency" | "errorLatency" | "chunkDelayMs" | "errors" | "outages" | "script" | "reply"
>;

/**
 * Counters of a simulated provider since it started.
 * @since 0.1.0
 */
export interface SimulatedProviderStats {
  /** HTTP requests received, on any route. */
  readonly requests: number;
  /** Responses by status code (`"200"`, `"429"`…), counted when the status line is sent. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Requests that got a `hang` fault. */
  readonly hung: number;
  /** Responses cut by a `stream-cut` fault. */
  readonly cut: number;
  /** Responses sent malformed by a `malformed` fault. */
  readonly malformed: number;
  /** Requests whose client closed the socket before the server finished responding. */
  readonly clientClosed: number;
  /** Prompt tokens of the successful answers. */
  readonly inputTokens: number;
  /** Completion tokens of the successful answers. */
  readonly outputTokens: number;
  /** Cost in USD of the successful answers, from the model prices. */
  readonly costUsd: number;
  /** Requests being handled right now. */
  readonly inFlight: number;
}

/**
 * A running simulated provider; see {@link startSimulatedProvider}.
 * @since 0.1.0
 */
export interface SimulatedProvider {
  /** Base URL for OpenAI-compatible clients, e.g. `"http://127.0.0.1:41234/v1"`. */
  readonly baseURL: string;
  /** The port it listens on. */
  readonly port: number;
  /** The models it serves, with their defaults filled in. */
  readonly models: readonly SimulatedModel[];
  /** A snapshot of its counters. */
  stats(): SimulatedProviderStats;
  /** The last 1000 chat-completion requests, oldest first (a snapshot). */
  readonly requests: readonly SimulatedRequest[];
  /**
   * Changes behaviour at runtime. A key that is present replaces the current value (at runtime,
   * `undefined` or `null` restores its default; `{}` and `[]` clear `errors`, `outages` and `script`);
   * `script` restarts at its first item. Outages stay relative to the start.
   *
   * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} for unknown or invalid keys
   * (nothing is changed then).
   */
  configure(update: SimulatedProviderUpdate): void;
  /**
   * Resolves once `stats().clientClosed >= count`; rejects if the provider closes first.
   * @param count - @defaultValue 1
   */
  waitForClientClose(count?: number): Promise<void>;
  /** Stops listening and destroys every open socket (hung requests included); idempotent. */
  close(): Promise<void>;
  /** Same as {@link SimulatedProvider.close}. */
  [Symbol.asyncDispose](): Promise<void>;
}
