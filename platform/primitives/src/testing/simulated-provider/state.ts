/**
 * The mutable state of one simulated provider: runtime configuration, the request counter that
 * drives the script and the seeded randomness, the bounded request log, counters and the
 * `waitForClientClose` waiters.
 *
 * @packageDocumentation
 */
import { performance } from "node:perf_hooks";
import { InvalidOptionsError } from "../../core/errors.js";
import { describeValue } from "../../internal/options.js";
import { chooseFault, isErrorFault, mulberry32, sampleLatency, streamSeeds } from "./faults.js";
import type { Random } from "./faults.js";
import { resolveUpdate } from "./options.js";
import type { ResolvedModel, ResolvedOptions, RuntimeConfig } from "./options.js";
import type { Answer } from "./reply.js";
import type { SimulatedFault, SimulatedProviderStats, SimulatedRequest } from "./types.js";

/** How many requests `requests` keeps. */
export const REQUEST_LOG_LIMIT = 1000;

/** What happens to one counted request. */
export interface Decision {
  /** 0-based index among counted requests. */
  readonly index: number;
  readonly fault: SimulatedFault;
  readonly latencyMs: number;
}

interface Waiter {
  readonly count: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** State shared by the request handler and the provider object. */
export class ProviderState {
  /** The validated start options (their runtime part is superseded by {@link ProviderState.config}). */
  readonly options: ResolvedOptions;
  /** Models by id. */
  readonly models: ReadonlyMap<string, ResolvedModel>;
  /** Aborted when its request ends or the provider closes; clears timers and releases hangs. */
  readonly active: Set<AbortController> = new Set();
  /** The current runtime configuration (replaced by `configure`). */
  config: RuntimeConfig;
  /** Set by `close()`: sockets closing from now on were closed by the server, not by clients. */
  closing = false;
  /** HTTP requests received. */
  requests = 0;
  /** Requests that got a `hang` fault. */
  hung = 0;
  /** Responses destroyed by a `stream-cut` fault. */
  cut = 0;
  /** Responses sent malformed. */
  malformed = 0;
  /** Requests whose response has not closed yet. */
  inFlight = 0;
  readonly #byStatus = new Map<number, number>();
  readonly #faultRandom: Random;
  readonly #latencyRandom: Random;
  readonly #errorLatencyRandom: Random;
  readonly #log: SimulatedRequest[] = [];
  #waiters: Waiter[] = [];
  #idle: (() => void)[] = [];
  #startedAt = performance.now();
  #index = 0;
  #scriptIndex = 0;
  #callCounter = 0;
  #clientClosed = 0;
  #inputTokens = 0;
  #outputTokens = 0;
  #costUsd = 0;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.config = options;
    this.models = new Map(options.models.map((model) => [model.id, model]));
    const seeds = streamSeeds(options.seed);
    this.#faultRandom = mulberry32(seeds.faults);
    this.#latencyRandom = mulberry32(seeds.latency);
    this.#errorLatencyRandom = mulberry32(seeds.errorLatency);
  }

  /** Starts the outage clock. */
  markStarted(): void {
    this.#startedAt = performance.now();
  }

  /** Wall-clock ms since {@link ProviderState.markStarted}. */
  elapsedMs(): number {
    return performance.now() - this.#startedAt;
  }

  /** Applies a validated `configure` update (all or nothing). */
  configure(update: unknown): void {
    const next = resolveUpdate(update, this.config);
    this.config = next;
    if (typeof update === "object" && update !== null && Object.hasOwn(update, "script")) this.#scriptIndex = 0;
  }

  /**
   * Takes the next request index: its fault (the script's next item, else a random one) and latency
   * (`errorLatency` for an error fault when it is set, else `latency`). Always draws one fault number,
   * one latency sample and, when `errorLatency` is set, one error-latency sample from its own stream,
   * so request `i` depends only on the seed and `i`.
   */
  nextDecision(): Decision {
    const index = this.#index++;
    const u = this.#faultRandom();
    const { latency, errorLatency } = this.config;
    const normalMs = sampleLatency(latency, this.#latencyRandom);
    const errorMs = errorLatency === undefined ? normalMs : sampleLatency(errorLatency, this.#errorLatencyRandom);
    const scripted = this.config.script[this.#scriptIndex];
    if (scripted !== undefined) this.#scriptIndex++;
    const fault = scripted ?? chooseFault(this.config.errors, u);
    return { index, fault, latencyMs: isErrorFault(fault) ? errorMs : normalMs };
  }

  /** `count` new tool-call ids (`call_<n>`). */
  nextCallIds(count: number): string[] {
    return Array.from({ length: count }, () => `call_${++this.#callCounter}`);
  }

  /** Adds a request to the bounded log. */
  record(request: SimulatedRequest): void {
    this.#log.push(request);
    if (this.#log.length > REQUEST_LOG_LIMIT) this.#log.splice(0, this.#log.length - REQUEST_LOG_LIMIT);
  }

  /** A snapshot of the log, oldest first. */
  requestLog(): readonly SimulatedRequest[] {
    return this.#log.slice();
  }

  /** Counts a status line sent. */
  countStatus(status: number): void {
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
  }

  /** Adds the usage and cost of a fully sent answer. */
  countSuccess(model: ResolvedModel, answer: Answer): void {
    this.#inputTokens += answer.promptTokens;
    this.#outputTokens += answer.completionTokens;
    this.#costUsd +=
      this.options.catalog.cost(model.id, {
        inputTokens: answer.promptTokens,
        outputTokens: answer.completionTokens,
      }) ?? 0;
  }

  /** Counts a request that arrived; pair with {@link ProviderState.requestEnded}. */
  requestStarted(): number {
    this.inFlight++;
    return ++this.requests;
  }

  /** Counts a request whose response closed, and wakes {@link ProviderState.idle} waiters. */
  requestEnded(): void {
    this.inFlight--;
    if (this.inFlight > 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Counts a client that closed its socket early, and wakes the waiters it satisfies. */
  noteClientClosed(): void {
    this.#clientClosed++;
    const ready = this.#waiters.filter((waiter) => this.#clientClosed >= waiter.count);
    this.#waiters = this.#waiters.filter((waiter) => this.#clientClosed < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }

  /** See `SimulatedProvider.waitForClientClose`; rejects with `InvalidOptionsError` for a bad `count`. */
  waitForClientClose(count: unknown): Promise<void> {
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0)
      return Promise.reject(
        new InvalidOptionsError("count", `Expected \`count\` to be an integer ≥ 0, got ${describeValue(count)}`),
      );
    if (this.#clientClosed >= count) return Promise.resolve();
    if (this.closing) return Promise.reject(new Error("The simulated provider is closed"));
    return new Promise((resolve, reject) => this.#waiters.push({ count, resolve, reject }));
  }

  /** Rejects every pending `waitForClientClose`. */
  rejectWaiters(error: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** A snapshot of the counters. */
  stats(): SimulatedProviderStats {
    return {
      requests: this.requests,
      byStatus: Object.fromEntries([...this.#byStatus].map(([status, n]) => [String(status), n])),
      hung: this.hung,
      cut: this.cut,
      malformed: this.malformed,
      clientClosed: this.#clientClosed,
      inputTokens: this.#inputTokens,
      outputTokens: this.#outputTokens,
      costUsd: this.#costUsd,
      inFlight: this.inFlight,
    };
  }
}
