/**
 * `remote(queueName)`: a primitive that runs on a pool of BullMQ workers (see `serve`).
 *
 * @packageDocumentation
 */
import { SpanKind } from "@opentelemetry/api";
import type { WorkflowContext } from "@tta/primitives/core";
import { TimeoutError, WorkflowPrimitive } from "@tta/primitives/core";
import { durationOption, fail, functionOption, isPlainObject, nameOption, readOptions } from "@tta/primitives/options";
import type { JobsOptions } from "bullmq";
import { createHash, randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import type { RedisConnection } from "./queue/connection.js";
import { RedisUnavailableError, redisOptionsOf, within } from "./queue/connection.js";
import { JOB_VERSION, errorFromReason, resultValue } from "./queue/job-data.js";
import type { RemoteJobData } from "./queue/job-data.js";
import { queueNameOption } from "./queue/names.js";
import { finishedOutcome } from "./remote/finished.js";
import type { RemoteSession } from "./remote/session.js";
import { openSession } from "./remote/session.js";
import { injectTrace } from "./trace-wire.js";

/**
 * BullMQ job options a `remote()` passes on (`jobId` is {@link RemoteOptions.idempotencyKey}).
 * @since 0.1.0
 */
export type RemoteJobOptions = Omit<JobsOptions, "jobId" | "repeat" | "parent" | "repeatJobKey">;

/** Options of {@link remote}. @since 0.1.0 */
export interface RemoteOptions<I = unknown> {
  /** Where Redis is (URL or ioredis options). Required. */
  readonly connection: RedisConnection;
  /** Display name (spans, events, metrics) and BullMQ job name. @defaultValue the queue name */
  readonly name?: string;
  /**
   * BullMQ job options, merged over the defaults `{ attempts: 1, removeOnComplete: { age: 3600,
   * count: 10000 }, removeOnFail: true }`. `attempts`/`backoff` retry a job whose primitive failed
   * with a *retryable* error on the queue side (a crashed worker is recovered by stalled-job
   * detection instead, see `serve`).
   * @defaultValue `{}`
   */
  readonly jobOptions?: RemoteJobOptions;
  /**
   * How long a call waits for its result when its context has no earlier deadline; then it rejects
   * with `TimeoutError` and removes its job if no worker has taken it. Also the worker's deadline.
   * @defaultValue 300_000
   */
  readonly timeoutMs?: number;
  /** Bound on connecting and on each Redis command: past it, `RedisUnavailableError`. @defaultValue 5_000 */
  readonly connectTimeoutMs?: number;
  /**
   * The idempotency key of a call, from its input: calls with the same key share one job (the job
   * id is a hash of the key), and while the finished job is kept (`removeOnComplete`, an hour by
   * default) a repeated call returns its result without running again. Use it for work with side
   * effects; the worker may still run a job twice after a crash (at-least-once), so side effects
   * should be keyed on it too (pass it in the input).
   * @defaultValue a random job id per call
   */
  readonly idempotencyKey?: (input: I) => string;
  /** BullMQ key prefix; must match the workers'. @defaultValue `"bull"` */
  readonly prefix?: string;
}

const OPTION_KEYS = [
  "connection",
  "name",
  "jobOptions",
  "timeoutMs",
  "connectTimeoutMs",
  "idempotencyKey",
  "prefix",
] as const;

/** Defaults of {@link remote}. @since 0.1.0 */
export const DEFAULT_REMOTE_OPTIONS: Readonly<{
  timeoutMs: number;
  connectTimeoutMs: number;
  prefix: string;
  jobOptions: RemoteJobOptions;
}> = Object.freeze({
  timeoutMs: 300_000,
  connectTimeoutMs: 5_000,
  prefix: "bull",
  jobOptions: Object.freeze({ attempts: 1, removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: true }),
});

/**
 * A primitive whose `run` enqueues its input on a BullMQ queue and resolves with what a worker
 * (`serve(queueName, primitive)`) returned, or rejects with the worker's error rebuilt as the same
 * TTA error class.
 *
 * @remarks
 * - Input and output travel as JSON: use JSON-safe values (a `Date` arrives as a string).
 * - The job carries the caller's W3C trace context (when tracing is on) and an absolute deadline:
 *   the earlier of the context's deadline and `timeoutMs` from now, on the wall clock. The worker
 *   runs the primitive under that deadline, so one trace and one deadline span both processes.
 * - Abort: a job no worker has taken is removed, and the call rejects with the signal's reason; a
 *   job already running gets a best-effort cancel message (its worker aborts the primitive's
 *   signal), but may still finish. Deadline or `timeoutMs` passed: `TimeoutError`, same clean-up.
 * - At-least-once: a worker that dies mid-job loses its lock and the job runs again on another
 *   worker; the caller still settles exactly once (the first `completed`/`failed` event wins).
 * - Redis unreachable at the first call: `RedisUnavailableError` within `connectTimeoutMs` (the next
 *   call tries again). Redis lost mid-run: adding fails fast with `RedisUnavailableError`; a call
 *   already waiting rejects at its deadline or `timeoutMs`, never hangs.
 * - Span `tta.remote` (kind PRODUCER) with `tta.remote.queue` and `tta.remote.job_id`.
 * - Call `close()` when done: it rejects calls still waiting and closes the connections.
 *
 * @example
 * ```ts
 * const summarise = remote<Doc, Summary>("summarise", { connection: "redis://127.0.0.1:6379" });
 * const summary = await summarise.execute(doc, createContext({ timeoutMs: 60_000 }));
 * await summarise.close();
 * ```
 * @since 0.1.0
 */
export class RemotePrimitive<I, O> extends WorkflowPrimitive<I, O> {
  /** The BullMQ queue the jobs go to. */
  readonly queueName: string;
  readonly #redis: ReturnType<typeof redisOptionsOf>;
  readonly #jobOptions: JobsOptions;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #key: ((input: I) => string) | undefined;
  readonly #prefix: string;
  #session: Promise<RemoteSession> | undefined;
  #closed = false;
  readonly #waiting = new Set<(error: Error) => void>();
  readonly #cleanups = new Set<Promise<void>>();

  /**
   * @param queueName - the BullMQ queue (no `:`).
   * @param options - see {@link RemoteOptions}; `connection` is required.
   * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} naming the option when one is missing or invalid.
   */
  constructor(queueName: string, options: RemoteOptions<I>) {
    const o = readOptions("remote", options, OPTION_KEYS);
    const name = queueNameOption(queueName);
    super({ kind: "remote", name: nameOption(o.name, name), spanKind: SpanKind.PRODUCER });
    this.queueName = name;
    if (o.connection === undefined) fail("connection", "a redis:// URL or ioredis options", undefined);
    this.#redis = redisOptionsOf(o.connection);
    if (o.jobOptions !== undefined && !isPlainObject(o.jobOptions))
      fail("jobOptions", "a plain object of BullMQ job options", o.jobOptions);
    if (o.jobOptions !== undefined && "jobId" in o.jobOptions)
      fail("jobOptions.jobId", "omitted (use `idempotencyKey`)", o.jobOptions.jobId);
    this.#jobOptions = { ...DEFAULT_REMOTE_OPTIONS.jobOptions, ...(o.jobOptions as RemoteJobOptions | undefined) };
    this.#timeoutMs = durationOption("timeoutMs", o.timeoutMs, DEFAULT_REMOTE_OPTIONS.timeoutMs);
    this.#connectTimeoutMs = durationOption("connectTimeoutMs", o.connectTimeoutMs, 5_000);
    this.#key = functionOption<(input: I) => string>("idempotencyKey", o.idempotencyKey);
    if (o.prefix !== undefined && (typeof o.prefix !== "string" || o.prefix === ""))
      fail("prefix", "a non-empty string", o.prefix);
    this.#prefix = o.prefix ?? DEFAULT_REMOTE_OPTIONS.prefix;
  }

  /**
   * Connects now (instead of at the first call).
   * @throws `RedisUnavailableError` when Redis does not answer within `connectTimeoutMs`.
   */
  async ready(): Promise<void> {
    await this.#open();
  }

  /** Rejects the calls still waiting (`RedisUnavailableError`) and closes the connections. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const reject of [...this.#waiting]) reject(new RedisUnavailableError(`remote "${this.name}" was closed`));
    await Promise.all([...this.#cleanups]);
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined) await session.then((s) => s.close()).catch(() => undefined);
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const session = await this.#open();
    if (ctx.signal.aborted) throw ctx.signal.reason; // aborted while connecting: no job
    const jobId = this.#jobId(input);
    const span = this.currentSpan(ctx);
    const trace = span === undefined ? undefined : injectTrace(span);
    span?.setAttribute("tta.remote.queue", this.queueName);
    span?.setAttribute("tta.remote.job_id", jobId);
    const waitMs = Math.min(ctx.remainingMs(), this.#timeoutMs);
    if (!(waitMs > 0)) throw new TimeoutError(`remote "${this.name}": no time left to run`, { timeoutMs: 0 });
    const data: RemoteJobData = {
      v: JOB_VERSION,
      input,
      deadline: Date.now() + waitMs,
      workflowId: ctx.workflowId,
      ...(trace === undefined ? {} : { trace }),
      ...(ctx.sessionId === undefined ? {} : { sessionId: ctx.sessionId }),
    };
    return this.#await(session, jobId, data, waitMs, ctx);
  }

  #await(session: RemoteSession, jobId: string, data: RemoteJobData, waitMs: number, ctx: WorkflowContext): Promise<O> {
    // Per-job event names (`completed:<id>`) are not in BullMQ's listener map type.
    const events = session.events as unknown as EventEmitter;
    return new Promise<O>((resolve, reject) => {
      let settled = false;
      const done = `completed:${jobId}`;
      const failed = `failed:${jobId}`;
      const settle = (abandon: boolean, outcome: () => void): void => {
        if (settled) return;
        settled = true;
        events.off(done, onCompleted);
        events.off(failed, onFailed);
        cancelTimer();
        unwatch();
        this.#waiting.delete(onClose);
        if (abandon) this.#abandon(session, jobId);
        outcome();
      };
      const onCompleted = (args: { returnvalue?: unknown }): void =>
        settle(false, () => resolve(resultValue(args.returnvalue) as O));
      const onFailed = (args: { failedReason?: unknown }): void =>
        settle(false, () => reject(errorFromReason(args.failedReason)));
      const onAbort = (): void => settle(true, () => reject(ctx.signal.reason));
      const onClose = (error: Error): void => settle(true, () => reject(error));
      events.on(done, onCompleted);
      events.on(failed, onFailed);
      const unwatch = onAbortOf(ctx.signal, onAbort);
      this.#waiting.add(onClose);
      const cancelTimer = ctx.clock.schedule(waitMs, () =>
        settle(true, () =>
          reject(new TimeoutError(`remote "${this.name}": no result within ${waitMs} ms`, { timeoutMs: waitMs })),
        ),
      );
      const added = within(
        session.queue.add(this.name, data, { ...this.#jobOptions, jobId }),
        this.#connectTimeoutMs,
        "add job",
      );
      added.then(
        () => {
          // A keyed job may have finished before this call (its result is kept): no event will come.
          if (this.#key !== undefined && !settled) this.#settleIfFinished(session, jobId, onCompleted, onFailed);
        },
        (error: unknown) => settle(true, () => reject(error)),
      );
    });
  }

  #settleIfFinished(
    session: RemoteSession,
    jobId: string,
    onCompleted: (args: { returnvalue?: unknown }) => void,
    onFailed: (args: { failedReason?: unknown }) => void,
  ): void {
    void finishedOutcome(session.queue, jobId).then(
      (outcome) => {
        if (outcome?.state === "completed") onCompleted(outcome);
        else if (outcome?.state === "failed") onFailed(outcome);
      },
      () => undefined, // the events still settle the call, or its timer does
    );
  }

  /** Removes `jobId` if no worker holds it, else asks its worker to cancel it. Best effort, awaited by `close`. */
  #abandon(session: RemoteSession, jobId: string): void {
    const work = (async (): Promise<void> => {
      let removed = 0;
      try {
        removed = await within(session.queue.remove(jobId), this.#connectTimeoutMs, "remove");
      } catch {
        // locked by a worker, or Redis is away
      }
      if (removed !== 1) await within(session.control.publish(session.channel, jobId), 1_000, "cancel").catch(() => 0);
    })();
    this.#cleanups.add(work);
    void work.finally(() => this.#cleanups.delete(work));
  }

  #jobId(input: I): string {
    if (this.#key === undefined) return randomUUID();
    const key = this.#key(input);
    if (typeof key !== "string" || key === "") fail("idempotencyKey", "a function returning a non-empty string", key);
    // Hashed: the key may hold user data, and job ids appear in Redis keys, dashboards and spans.
    return `k-${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;
  }

  #open(): Promise<RemoteSession> {
    if (this.#closed) return Promise.reject(new RedisUnavailableError(`remote "${this.name}" was closed`));
    if (this.#session === undefined) {
      const opening = openSession(this.queueName, this.#redis, this.#prefix, this.#connectTimeoutMs);
      this.#session = opening;
      opening.catch(() => {
        if (this.#session === opening) this.#session = undefined; // the next call tries again
      });
    }
    return this.#session;
  }
}

/** Callbacks waiting on each signal: one `abort` listener per signal however many calls share it. */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` when `signal` aborts; returns the function that stops watching. */
function onAbortOf(signal: AbortSignal, callback: () => void): () => void {
  let set = watchers.get(signal);
  if (set === undefined) {
    const callbacks = new Set<() => void>();
    set = callbacks;
    watchers.set(signal, callbacks);
    signal.addEventListener(
      "abort",
      () => {
        watchers.delete(signal);
        for (const cb of [...callbacks]) cb();
      },
      { once: true },
    );
  }
  set.add(callback);
  const owned = set;
  return () => {
    owned.delete(callback);
  };
}

/**
 * A {@link RemotePrimitive}: runs on the workers that `serve(queueName, primitive)` starts.
 *
 * @throws An {@link @tta/primitives!core.InvalidOptionsError | InvalidOptionsError} naming the option when one is missing or invalid.
 * @example
 * ```ts
 * const flow = retry(remote<Ticket, Triage>("triage", { connection: process.env.REDIS_URL! }));
 * ```
 * @since 0.1.0
 */
export function remote<I, O>(queueName: string, options: RemoteOptions<I>): RemotePrimitive<I, O> {
  return new RemotePrimitive<I, O>(queueName, options);
}
