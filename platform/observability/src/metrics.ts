/**
 * Prometheus metrics (prom-client) fed by the `@tta/primitives` event hook: the DESIGN §8 catalogue
 * with low-cardinality labels only, a `/metrics` request handler and an optional standalone server.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { ModelCallEvent, TtaEvent } from "@tta/primitives";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { ModelCallRecord, ModelCallSink } from "./gen-ai.js";
import { GenAiMetrics } from "./gen-ai-metrics.js";
import type { ResolvedMetricsOptions } from "./options.js";
import type { CounterCell, HistogramSeries } from "./internal/fast-metrics.js";
import { AggregatedHistogram, BufferedCounter } from "./internal/fast-metrics.js";
import { LabelCap, OVERFLOW_LABEL } from "./internal/labels.js";
import { catalogCost, finiteCount } from "./internal/model-cost.js";
import type { OnceReporter } from "./internal/report.js";

/**
 * Buckets of `tta_primitive_duration_seconds` (seconds). Primitive durations come from the
 * context clock in whole milliseconds, so anything faster than 1 ms lands in the first bucket.
 * @since 0.1.0
 */
export const PRIMITIVE_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]);

/** `tta_circuit_breaker_state` values. @since 0.1.0 */
export const CIRCUIT_STATE_VALUE: Readonly<Record<"closed" | "half-open" | "open", number>> = Object.freeze({
  closed: 0,
  "half-open": 1,
  open: 2,
});

/** Per (kind, name): the series the hot path updates, so it neither allocates nor hashes labels. */
interface ExecutionCells {
  readonly duration: HistogramSeries;
  readonly success: CounterCell;
  readonly error: CounterCell;
  readonly aborted: CounterCell;
}

/**
 * The TTA metric set in one prom-client {@link Registry}, updated from primitive events and model calls.
 *
 * @remarks
 * Model calls arrive two ways and are recorded by the same code: `model-call` events (from the
 * `model`/`streamModel` primitives of `@tta/primitives`) and `recordModelCall` (from
 * `withModelCallSpan` or user code). A call without a reported cost is priced with `options.catalog`.
 * Labels are bounded: `kind` and `name` are sanitised and only the first `maxNames` distinct names
 * (and 100 kinds, and `maxNames` models) are kept; the rest are reported as `"other"`. Workflow ids,
 * correlation ids, inputs and cache keys never become labels.
 *
 * @example
 * ```ts
 * const metrics = new TtaMetrics(resolved.metrics, reporter);
 * const stop = subscribe((event) => metrics.onEvent(event));
 * ```
 * @since 0.1.0
 */
export class TtaMetrics implements ModelCallSink {
  /** The registry every TTA metric is registered in. */
  readonly registry: Registry;
  readonly #executions: BufferedCounter<"kind" | "name" | "outcome">;
  readonly #duration: AggregatedHistogram;
  readonly #retries: Counter<"name">;
  readonly #breakerState: Gauge<"name">;
  readonly #breakerTransitions: Counter<"name" | "from" | "to">;
  readonly #cache: BufferedCounter<"name" | "result">;
  readonly #fallbacks: Counter<"name">;
  readonly #timeouts: Counter<"name">;
  readonly #rejections: Counter<"kind" | "name">;
  readonly #genAi: GenAiMetrics;
  readonly #cost: Counter<"model">;
  readonly #routes: Counter<"name" | "model" | "outcome">;
  readonly #hedges: Counter<"name">;
  readonly #failovers: Counter<"name">;
  readonly #budget: Counter<"name" | "resource" | "level">;
  readonly #names: LabelCap;
  readonly #kinds = new LabelCap(100);
  readonly #models: LabelCap;
  readonly #cells = new Map<string, Map<string, ExecutionCells>>();
  readonly #cellsByLabels = new Map<string, ExecutionCells>();
  readonly #cacheCells = new Map<string, CounterCell>();
  readonly #cacheCellsByLabels = new Map<string, CounterCell>();
  readonly #options: ResolvedMetricsOptions;
  readonly #reporter: OnceReporter;

  constructor(options: ResolvedMetricsOptions, reporter: OnceReporter, registry: Registry = new Registry()) {
    this.#options = options;
    this.#reporter = reporter;
    this.#names = new LabelCap(options.maxNames);
    this.#models = new LabelCap(options.maxNames);
    const registers = [registry];
    this.registry = registry;
    this.#executions = new BufferedCounter({
      name: "tta_primitive_executions_total",
      help: "Primitive executions by kind, name and outcome (success, error, aborted).",
      labelNames: ["kind", "name", "outcome"],
      registers,
    });
    this.#duration = new AggregatedHistogram({
      name: "tta_primitive_duration_seconds",
      help: "Primitive execution time in seconds (context clock, millisecond resolution).",
      labelNames: ["kind", "name"],
      buckets: [...PRIMITIVE_DURATION_BUCKETS],
      registers,
    });
    this.#retries = counter(registers, "tta_retry_attempts_total", "Retries scheduled (attempts after the first).", [
      "name",
    ]);
    this.#breakerState = new Gauge({
      name: "tta_circuit_breaker_state",
      help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
      labelNames: ["name"],
      registers,
    });
    this.#breakerTransitions = counter(registers, "tta_circuit_breaker_transitions_total", "Breaker transitions.", [
      "name",
      "from",
      "to",
    ]);
    this.#cache = new BufferedCounter({
      name: "tta_cache_requests_total",
      help: "Cache lookups by result (hit, miss, coalesced, stale).",
      labelNames: ["name", "result"],
      registers,
    });
    this.#fallbacks = counter(registers, "tta_fallback_activations_total", "Fallbacks used after a failure.", ["name"]);
    this.#timeouts = counter(registers, "tta_timeouts_total", "Timeout primitives whose deadline fired.", ["name"]);
    this.#rejections = counter(
      registers,
      "tta_rejections_total",
      "Calls rejected by a bulkhead or rate limiter (kind bulkhead | rate-limit).",
      ["kind", "name"],
    );
    this.#genAi = new GenAiMetrics(registers, this.#models);
    this.#cost = counter(registers, "tta_llm_cost_usd_total", "Model call cost in US dollars.", ["model"]);
    this.#routes = counter(
      registers,
      "tta_route_requests_total",
      "Requests routed by a model router, by the model that answered (none on failure) and outcome.",
      ["name", "model", "outcome"],
    );
    this.#hedges = counter(registers, "tta_route_hedges_total", "Hedged requests started by a model router.", ["name"]);
    this.#failovers = counter(
      registers,
      "tta_route_failovers_total",
      "Candidates a model router moved on from before the one that answered.",
      ["name"],
    );
    this.#budget = counter(
      registers,
      "tta_budget_events_total",
      "Budget limits crossed: level soft (a warning) or hard (a reservation refused), by resource.",
      ["name", "resource", "level"],
    );
    if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  }

  /**
   * Updates the metrics for one primitive event. Never throws (a failure is reported once through `diag`).
   */
  onEvent(event: TtaEvent): void {
    try {
      switch (event.type) {
        case "start":
          return;
        case "end": {
          const cells = this.#executionCells(event.kind, event.name);
          cells[event.outcome].pending++;
          this.#duration.record(cells.duration, event.durationMs / 1000);
          return;
        }
        case "retry":
          this.#retries.inc({ name: this.#names.value(event.name) });
          return;
        case "circuit-state": {
          const name = this.#names.value(event.name);
          this.#breakerState.set({ name }, CIRCUIT_STATE_VALUE[event.to]);
          this.#breakerTransitions.inc({ name, from: event.from, to: event.to });
          return;
        }
        case "cache":
          this.#cacheCell(event.name, event.result).pending++;
          return;
        case "fallback":
          this.#fallbacks.inc({ name: this.#names.value(event.name) });
          return;
        case "timeout":
          this.#timeouts.inc({ name: this.#names.value(event.name) });
          return;
        case "bulkhead":
        case "rate-limit":
          if (event.action === "rejected")
            this.#rejections.inc({ kind: event.type, name: this.#names.value(event.name) });
          return;
        case "model-call":
          this.recordModelCall(modelCallRecord(event));
          return;
        case "route": {
          const name = this.#names.value(event.name);
          const model = event.model === undefined ? "none" : this.#models.value(event.model);
          this.#routes.inc({ name, model, outcome: event.outcome });
          if (event.hedged) this.#hedges.inc({ name });
          if (event.failovers > 0) this.#failovers.inc({ name }, event.failovers);
          return;
        }
        case "budget":
          this.#budget.inc({ name: this.#names.value(event.name), resource: event.resource, level: event.level });
          return;
        default:
          // Forward-compatible: an event type this version does not know is ignored.
          return;
      }
    } catch (error) {
      this.#reporter.report("metrics:event", "updating metrics from a primitive event failed", error);
    }
  }

  /**
   * Records one model call: token usage (`gen_ai_client_token_usage`), duration
   * (`gen_ai_client_operation_duration_seconds`) and cost (`record.costUsd`, else priced with the
   * catalogue) as `tta_llm_cost_usd_total{model}`. `gen_ai_request_model` and `model` are
   * `record.model`, bounded like `name`. Never throws.
   */
  recordModelCall(record: ModelCallRecord): void {
    try {
      this.#genAi.record(record);
      const model = this.#models.value(record.model);
      const cost = finiteCount(record.costUsd) ?? this.priceModelCall(record);
      if (cost !== undefined && cost > 0) this.#cost.inc({ model }, cost);
    } catch (error) {
      this.#reporter.report("metrics:model-call", "recording a model call failed", error);
    }
  }

  /**
   * The cost of `record` in USD from this registry's catalogue (`metrics.catalog`), ignoring
   * `record.costUsd`; `undefined` when the catalogue lists neither model. Never throws (a throwing
   * catalogue is reported once through `diag`).
   */
  priceModelCall(record: ModelCallRecord): number | undefined {
    try {
      return catalogCost(this.#options.catalog, record);
    } catch (error) {
      this.#reporter.report(
        "metrics:catalog",
        "the model catalogue's cost() threw; the call is recorded without a cost",
        error,
      );
      return undefined;
    }
  }

  /**
   * A node:http request handler serving the registry in the Prometheus text format at `GET /metrics`
   * (`HEAD` too); other paths answer 404, other methods 405. Never throws.
   */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found: scrape /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    this.registry.metrics().then(
      (body) => {
        res.writeHead(200, { "content-type": this.registry.contentType });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: unknown) => {
        this.#reporter.report("metrics:collect", "collecting metrics for a scrape failed", error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("metrics collection failed\n");
      },
    );
  };

  /**
   * Starts the standalone server when `port` is set: resolves with its URL, or `undefined` when
   * it could not listen (reported through `diag`, never thrown).
   */
  listen(): { server: Server | undefined; ready: Promise<string | undefined> } {
    const { port, host } = this.#options;
    if (port === undefined) return { server: undefined, ready: Promise.resolve(undefined) };
    const server = createServer(this.handler);
    server.keepAliveTimeout = 5_000;
    const ready = new Promise<string | undefined>((resolve) => {
      let listening = false;
      // A persistent listener: a runtime error (e.g. EMFILE on accept) is reported, never left to crash the process.
      server.on("error", (error) => {
        if (listening) {
          this.#reporter.report("metrics:serve", `the metrics server on ${host}:${port} failed`, error);
          return;
        }
        this.#reporter.report("metrics:listen", `the metrics server could not listen on ${host}:${port}`, error);
        resolve(undefined);
      });
      server.listen(port, host, () => {
        listening = true;
        const address = server.address();
        const bound = typeof address === "object" && address !== null ? address.port : port;
        const shown = host.includes(":") ? `[${host}]` : host;
        resolve(`http://${shown}:${bound}/metrics`);
      });
    });
    server.unref();
    return { server, ready };
  }

  #executionCells(rawKind: string, rawName: string): ExecutionCells {
    const cached = this.#cells.get(rawKind)?.get(rawName);
    if (cached !== undefined) return cached;
    const kind = this.#kinds.value(rawKind);
    const name = this.#names.value(rawName);
    // One set of cells per label pair (bounded by the caps), shared by every raw value mapping to it.
    const labelKey = `${kind}\u0000${name}`;
    let cells = this.#cellsByLabels.get(labelKey);
    if (cells === undefined) {
      cells = {
        duration: this.#duration.series({ kind, name }),
        success: this.#executions.cell({ kind, name, outcome: "success" }),
        error: this.#executions.cell({ kind, name, outcome: "error" }),
        aborted: this.#executions.cell({ kind, name, outcome: "aborted" }),
      };
      this.#cellsByLabels.set(labelKey, cells);
    }
    // Raw values past a cap ("other") are not remembered, so the raw-value maps stay bounded too.
    if (kind !== OVERFLOW_LABEL && name !== OVERFLOW_LABEL) {
      let byName = this.#cells.get(rawKind);
      if (byName === undefined) this.#cells.set(rawKind, (byName = new Map<string, ExecutionCells>()));
      byName.set(rawName, cells);
    }
    return cells;
  }

  #cacheCell(rawName: string, result: string): CounterCell {
    const rawKey = `${result}\u0000${rawName}`;
    const cached = this.#cacheCells.get(rawKey);
    if (cached !== undefined) return cached;
    const name = this.#names.value(rawName);
    const labelKey = `${result}\u0000${name}`;
    let cell = this.#cacheCellsByLabels.get(labelKey);
    if (cell === undefined) {
      cell = this.#cache.cell({ name, result });
      this.#cacheCellsByLabels.set(labelKey, cell);
    }
    if (name !== OVERFLOW_LABEL) this.#cacheCells.set(rawKey, cell);
    return cell;
  }
}

function counter<L extends string>(registers: Registry[], name: string, help: string, labelNames: L[]): Counter<L> {
  return new Counter({ name, help, labelNames, registers });
}

/** The {@link ModelCallRecord} of a `model-call` event (the event's cost, when present, is used as is). */
function modelCallRecord(event: ModelCallEvent): ModelCallRecord {
  return {
    model: event.model,
    responseModel: event.responseModel,
    inputTokens: event.inputTokens,
    outputTokens: event.outputTokens,
    cachedInputTokens: event.cachedInputTokens,
    provider: event.provider,
    durationMs: event.durationMs,
    costUsd: event.costUsd,
    errorType: event.errorType,
  };
}
