/**
 * A worker process for the `remote()`/`serve()` tests: `serve`s one test primitive on a queue and
 * reports over IPC (`ready`, `job` when a job starts, `span` for each finished span when `TRACE=1`).
 * Closes its worker on a `close` message and exits.
 *
 * Environment: `REDIS_URL`, `QUEUE`, `MODE` (`echo` | `fail` | `slow`), optional `TRACE=1`,
 * `LOCK_MS`, `STALLED_MS`, `CONCURRENCY`.
 *
 * Test-only: not built, not published.
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import {
  BudgetExceededError,
  CircuitOpenError,
  ProviderError,
  RateLimitedError,
  TimeoutError,
  lambda,
} from "@tta/primitives/core";
import type { WorkflowContext } from "@tta/primitives/core";
import { serve } from "../serve.js";

const send = (message: Record<string, unknown>): void => {
  process.send?.(message);
};

if (process.env.TRACE === "1") {
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done) {
      for (const span of spans)
        send({
          type: "span",
          name: span.name,
          traceId: span.spanContext().traceId,
          spanId: span.spanContext().spanId,
          parentSpanId: span.parentSpanContext?.spanId,
        });
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
}

type FailInput = { readonly error: string };

function failWith(input: FailInput): never {
  switch (input.error) {
    case "timeout":
      throw new TimeoutError("worker step timed out", { timeoutMs: 250 });
    case "rate":
      throw new RateLimitedError("provider quota spent", 1_234);
    case "circuit":
      throw new CircuitOpenError("breaker open", Infinity);
    case "budget":
      throw new BudgetExceededError("token budget spent", { resource: "tokens", limit: 100, spent: 90, requested: 20 });
    case "provider":
      throw new ProviderError("upstream 503", { provider: "openai", model: "gpt-x", status: 503, retryAfterMs: 2_000 });
    default:
      throw new TypeError("plain failure");
  }
}

const mode = process.env.MODE ?? "echo";
const primitive = lambda(async (input: unknown, ctx: WorkflowContext) => {
  send({ type: "job", pid: process.pid, input });
  if (mode === "fail") failWith(input as FailInput);
  if (mode === "slow") await ctx.clock.sleep((input as { ms: number }).ms, ctx.signal);
  return { echoed: input, pid: process.pid, hasDeadline: ctx.deadline !== undefined };
}, "test-step");

const worker = await serve(process.env.QUEUE ?? "q", primitive, {
  connection: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  concurrency: Number(process.env.CONCURRENCY ?? 1),
  lockDurationMs: Number(process.env.LOCK_MS ?? 30_000),
  stalledIntervalMs: Number(process.env.STALLED_MS ?? 30_000),
});
process.on("message", (message: { type?: string }) => {
  if (message.type !== "close") return;
  void worker.close().then(() => process.exit(0));
});
send({ type: "ready", pid: process.pid });
