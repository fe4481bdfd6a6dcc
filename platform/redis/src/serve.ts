/**
 * `serve(queueName, primitive)`: a BullMQ worker that runs a primitive for `remote()` callers.
 *
 * @packageDocumentation
 */
import { ROOT_CONTEXT, SpanKind, context as otelContext, trace } from "@opentelemetry/api";
import type { Executable, PrimitiveLike } from "@tta/primitives/core";
import { createContext, recordSpanFailure, toExecutable } from "@tta/primitives/core";
import { booleanOption, durationOption, fail, integerOption, nameOption, readOptions } from "@tta/primitives/options";
import { UnrecoverableError, Worker } from "bullmq";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { serializeError } from "./errors-wire.js";
import type { RedisConnection } from "./queue/connection.js";
import { bullConnection, connectControl, quit, redisOptionsOf, within } from "./queue/connection.js";
import { isRemoteJobData, wireReason } from "./queue/job-data.js";
import type { RemoteResult } from "./queue/job-data.js";
import { queueNameOption } from "./queue/names.js";
import { cancelChannel } from "./remote/session.js";
import { extractTrace } from "./trace-wire.js";

/** Options of {@link serve}. @since 0.1.0 */
export interface ServeOptions {
  /** Where Redis is (URL or ioredis options). Required. */
  readonly connection: RedisConnection;
  /** Jobs this worker runs at once. @defaultValue 1 */
  readonly concurrency?: number;
  /** Worker name (BullMQ `worker.name`, span attribute `tta.remote.worker`). @defaultValue the queue name */
  readonly name?: string;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it while the job runs). A
   * worker that dies holds its jobs this long at most before stalled-job detection re-queues them.
   * @defaultValue 30_000
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of any worker). @defaultValue 30_000 */
  readonly stalledIntervalMs?: number;
  /** How many times a job may stall (its worker died) and be re-queued before it fails. @defaultValue 1 */
  readonly maxStalledCount?: number;
  /** Bound on connecting at start-up: past it, `RedisUnavailableError`. @defaultValue 5_000 */
  readonly connectTimeoutMs?: number;
  /** Send the worker's stack traces (redacted) to callers, for debugging. @defaultValue false */
  readonly exposeStacks?: boolean;
  /** BullMQ key prefix; must match the callers'. @defaultValue `"bull"` */
  readonly prefix?: string;
}

/** Options of {@link RemoteWorker.close}. @since 0.1.0 */
export interface RemoteWorkerCloseOptions {
  /**
   * How long the running jobs may take to finish. Past it the worker drops its connections and aborts
   * their signals: their results are not recorded, and each job runs again on another worker once its
   * lock expires (`lockDurationMs`), as after a crash.
   * @defaultValue 30_000
   */
  readonly timeoutMs?: number;
}

/** A running worker pool member started by {@link serve}. @since 0.1.0 */
export interface RemoteWorker {
  /** The BullMQ worker (for events and metrics). */
  readonly worker: Worker;
  /**
   * Stops taking jobs, waits for the running ones (at most `timeoutMs`, see
   * {@link RemoteWorkerCloseOptions}), and closes the connections. Never hangs; idempotent.
   * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} for a bad `timeoutMs`.
   */
  close(options?: RemoteWorkerCloseOptions): Promise<void>;
}

/** Default of {@link RemoteWorkerCloseOptions.timeoutMs}. */
const CLOSE_TIMEOUT_MS = 30_000;

const OPTION_KEYS = [
  "connection",
  "concurrency",
  "name",
  "lockDurationMs",
  "stalledIntervalMs",
  "maxStalledCount",
  "connectTimeoutMs",
  "exposeStacks",
  "prefix",
] as const;

const TRACER = "@tta/redis";

/**
 * Starts a BullMQ worker on `queueName` that runs `primitive` for each job a `remote(queueName)`
 * caller enqueues, and resolves once it is connected.
 *
 * @remarks
 * - Each job runs as `primitive.execute(input, ctx)` with a fresh context whose deadline is the
 *   caller's (an absolute wall-clock time) and whose signal aborts on a caller's cancel message, or
 *   when `close()` stops waiting for it. A job taken after its deadline fails at once with `TimeoutError`.
 * - Tracing: a span `tta.serve` (kind CONSUMER, attributes `tta.remote.queue`, `tta.remote.job_id`,
 *   `tta.remote.attempt`) is started under the caller's trace context from the job and made active
 *   around the primitive, so with a context manager registered (`setupObservability` does it) the
 *   primitive's spans join the caller's trace.
 * - Errors: the primitive's error goes back to the caller serialised (class, code, message,
 *   `retryable`, `retryAfterMs`…; no stack unless `exposeStacks`). A non-retryable error fails the
 *   job for good; a retryable one is retried by BullMQ only if the caller set `jobOptions.attempts`.
 * - Crashes: a job whose worker dies is re-queued by stalled-job detection (after `lockDurationMs`,
 *   checked every `stalledIntervalMs`) and runs again on another worker: at-least-once. Key side
 *   effects with an idempotency key (see `remote`'s `idempotencyKey`).
 *
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} naming the option; `RedisUnavailableError` when Redis does
 * not answer within `connectTimeoutMs`.
 * @example
 * ```ts
 * const worker = await serve("summarise", summariseDoc, { connection: process.env.REDIS_URL!, concurrency: 4 });
 * process.on("SIGTERM", () => void worker.close({ timeoutMs: 10_000 }));
 * ```
 * @since 0.1.0
 */
export async function serve<I, O>(
  queueName: string,
  primitive: PrimitiveLike<I, O>,
  options: ServeOptions,
): Promise<RemoteWorker> {
  const o = readOptions("serve", options, OPTION_KEYS);
  const name = queueNameOption(queueName);
  const inner = toExecutable(primitive, "primitive");
  if (o.connection === undefined) fail("connection", "a redis:// URL or ioredis options", undefined);
  const redis = redisOptionsOf(o.connection);
  const concurrency = integerOption("concurrency", o.concurrency, 1, { min: 1, max: 10_000 });
  const workerName = nameOption(o.name, name);
  const lockDuration = durationOption("lockDurationMs", o.lockDurationMs, 30_000);
  const stalledInterval = durationOption("stalledIntervalMs", o.stalledIntervalMs, 30_000);
  const maxStalledCount = integerOption("maxStalledCount", o.maxStalledCount, 1, { min: 0, max: 1_000 });
  const connectTimeoutMs = durationOption("connectTimeoutMs", o.connectTimeoutMs, 5_000);
  const exposeStacks = booleanOption("exposeStacks", o.exposeStacks, false);
  if (o.prefix !== undefined && (typeof o.prefix !== "string" || o.prefix === ""))
    fail("prefix", "a non-empty string", o.prefix);
  const prefix = o.prefix ?? "bull";

  // Fails fast (typed, bounded) when Redis is not there, before BullMQ starts reconnecting forever.
  const subscriber: Redis = await connectControl(redis, connectTimeoutMs);
  const processor = (job: Job, _token?: string, signal?: AbortSignal): Promise<RemoteResult> =>
    runJob(job, signal, { queueName: name, workerName, inner, exposeStacks });
  const worker = new Worker(name, processor, {
    connection: bullConnection(redis),
    prefix,
    name: workerName,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: true,
  });
  worker.on("error", () => undefined); // connection errors: BullMQ reconnects on its own
  let closing: Promise<void> | undefined;
  const close = (closeOptions?: RemoteWorkerCloseOptions): Promise<void> => {
    let timeoutMs: number;
    try {
      timeoutMs = durationOption("close.timeoutMs", closeOptions?.timeoutMs, CLOSE_TIMEOUT_MS);
    } catch (error) {
      return Promise.reject(error);
    }
    closing ??= (async () => {
      const graceful = worker.close();
      const finished = await within(graceful, timeoutMs, "close").then(
        () => true,
        () => false,
      );
      if (!finished) {
        // Drop the connections first, so that no result or failure of an abandoned job is recorded:
        // its lock expires and another worker runs it (at-least-once). Then stop the local work.
        await within(worker.disconnect(), 2_000, "disconnect").catch(() => undefined);
        worker.cancelAllJobs("the worker is closing");
        await within(graceful, 2_000, "close").catch(() => undefined);
      }
      await quit(subscriber);
    })();
    return closing;
  };
  try {
    await within(worker.waitUntilReady(), connectTimeoutMs, "start worker");
    const channel = cancelChannel(prefix, name);
    subscriber.on("message", (from: string, jobId: string) => {
      if (from === channel) worker.cancelJob(jobId, "cancelled by the caller");
    });
    // The subscriber has no offline queue: subscribe once connected, and again after a reconnect.
    subscriber.on("ready", () => void subscriber.subscribe(channel).catch(() => undefined));
    await within(subscriber.subscribe(channel), connectTimeoutMs, "subscribe");
  } catch (error) {
    await close({ timeoutMs: 2_000 });
    throw error;
  }
  return { worker, close };
}

interface JobContext<I, O> {
  readonly queueName: string;
  readonly workerName: string;
  readonly inner: Executable<I, O>;
  readonly exposeStacks: boolean;
}

async function runJob<I, O>(job: Job, signal: AbortSignal | undefined, env: JobContext<I, O>): Promise<RemoteResult> {
  const data: unknown = job.data;
  if (!isRemoteJobData(data))
    throw new UnrecoverableError(
      wireReason(serializeError(new TypeError("not a remote() job (unknown payload version)"))),
    );
  const parent = extractTrace(data.trace) ?? ROOT_CONTEXT;
  const span = trace.getTracer(TRACER).startSpan(
    "tta.serve",
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "tta.remote.queue": env.queueName,
        "tta.remote.job_id": job.id ?? "",
        "tta.remote.attempt": job.attemptsStarted,
        "tta.remote.worker": env.workerName,
      },
    },
    parent,
  );
  const ctx = createContext({
    deadline: data.deadline,
    ...(signal === undefined ? {} : { signal }),
    ...(typeof data.workflowId === "string" ? { workflowId: data.workflowId } : {}),
    ...(typeof data.sessionId === "string" ? { sessionId: data.sessionId } : {}),
  });
  try {
    const value = await otelContext.with(trace.setSpan(parent, span), () => env.inner.execute(data.input as I, ctx));
    return value === undefined ? {} : { value };
  } catch (error) {
    recordSpanFailure(span, error);
    const wire = serializeError(error, { exposeStacks: env.exposeStacks });
    // Only a retryable error may be retried on the queue side (when the job has `attempts` left).
    throw wire.retryable === true ? new Error(wireReason(wire)) : new UnrecoverableError(wireReason(wire));
  } finally {
    span.end();
    ctx.dispose();
  }
}
