/**
 * `remote()` against a real redis-server with `serve()` running in worker processes.
 */
import {
  BudgetExceededError,
  CircuitOpenError,
  ProviderError,
  RateLimitedError,
  TimeoutError,
  createContext,
  isTtaError,
} from "@tta/primitives/core";
import type { WorkflowContext } from "@tta/primitives/core";
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Queue, QueueEvents } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { REDIS_UNAVAILABLE, RedisUnavailableError } from "./queue/connection.js";
import type { RemotePrimitive } from "./remote.js";
import { remote } from "./remote.js";
import { serve } from "./serve.js";
import { type TestRedis, redisSkipReason, startTestRedis, uniqueName } from "./test-support/redis-server.js";
import { type WorkerProcess, startWorker } from "./test-support/worker-process.js";

describe.skipIf(redisSkipReason !== undefined)("remote() with worker processes", () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  const remotes: RemotePrimitive<never, unknown>[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(remotes.splice(0).map((r) => r.close()));
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  function track<I, O>(primitive: RemotePrimitive<I, O>): RemotePrimitive<I, O> {
    remotes.push(primitive);
    return primitive;
  }

  async function worker(queue: string, mode: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const w = await startWorker({ REDIS_URL: redis.url, QUEUE: queue, MODE: mode, ...env });
    workers.push(w);
    return w;
  }

  function inspect(queue: string): Queue {
    const q = new Queue(queue, {
      connection: { host: new URL(redis.url).hostname, port: Number(new URL(redis.url).port) },
    });
    closers.push(() => q.close());
    return q;
  }

  it("round-trips an input to a worker process and back", async () => {
    const queue = uniqueName("echo");
    const w = await worker(queue, "echo");
    const echo = track(
      remote<{ n: number }, { echoed: unknown; pid: number; hasDeadline: boolean }>(queue, { connection: redis.url }),
    );
    const out = await echo.execute({ n: 1 });
    expect(out).toEqual({ echoed: { n: 1 }, pid: w.pid, hasDeadline: true });
    const many = await Promise.all([1, 2, 3, 4, 5].map((n) => echo.execute({ n })));
    expect(many.map((r) => r.echoed)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
  });

  it("rebuilds the worker's error as the same TTA error class", async () => {
    const queue = uniqueName("fail");
    await worker(queue, "fail");
    const call = track(remote<{ error: string }, never>(queue, { connection: redis.url }));
    const failure = (error: string): Promise<unknown> =>
      call.execute({ error }).then(
        () => undefined,
        (e: unknown) => e,
      );

    const timeout = await failure("timeout");
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout).toMatchObject({
      code: "TIMEOUT",
      message: "worker step timed out",
      timeoutMs: 250,
      retryable: true,
    });
    const rate = await failure("rate");
    expect(rate).toBeInstanceOf(RateLimitedError);
    expect(rate).toMatchObject({ retryAfterMs: 1_234 });
    const circuit = await failure("circuit");
    expect(circuit).toBeInstanceOf(CircuitOpenError);
    expect(circuit).toMatchObject({ retryAfterMs: Infinity, retryable: false });
    expect(await failure("budget")).toMatchObject({ resource: "tokens", limit: 100, spent: 90, requested: 20 });
    expect(await failure("budget")).toBeInstanceOf(BudgetExceededError);
    const provider = await failure("provider");
    expect(provider).toBeInstanceOf(ProviderError);
    expect(provider).toMatchObject({ provider: "openai", model: "gpt-x", status: 503, retryAfterMs: 2_000 });
    const plain = (await failure("type")) as Error;
    expect(isTtaError(plain)).toBe(false);
    expect(plain).toMatchObject({ name: "TypeError", message: "plain failure" });
    expect(plain.stack).not.toContain("worker-remote");
  });

  it("completes a killed worker's job on another worker, with exactly one result", async () => {
    const queue = uniqueName("crash");
    const env = { LOCK_MS: "1000", STALLED_MS: "300" };
    const [a, b] = await Promise.all([worker(queue, "slow", env), worker(queue, "slow", env)]);
    const events = new QueueEvents(queue, { connection: { host: "127.0.0.1", port: Number(new URL(redis.url).port) } });
    closers.push(() => events.close());
    await events.waitUntilReady();
    let completions = 0;
    events.on("completed", () => completions++);

    const slow = track(remote<{ ms: number }, { pid: number }>(queue, { connection: redis.url }));
    const result = slow.execute({ ms: 1_500 });
    let first: WorkerProcess | undefined;
    await vi.waitFor(
      () => {
        first = [a, b].find((w) => w?.messages.some((m) => m.type === "job"));
        expect(first).toBeDefined();
      },
      { timeout: 5_000 },
    );
    await first?.kill();
    const survivor = first === a ? b : a;
    const out = await result;
    expect(out.pid).toBe(survivor?.pid);
    expect(survivor?.messages.filter((m) => m.type === "job")).toHaveLength(1);
    await vi.waitFor(() => expect(completions).toBe(1));
  }, 20_000);

  it("removes a waiting job when the caller aborts", async () => {
    const queue = uniqueName("abort");
    const q = inspect(queue);
    const call = track(remote<{ n: number }, unknown>(queue, { connection: redis.url }));
    const controller = new AbortController();
    const pending = call.execute({ n: 1 }, createContext({ signal: controller.signal }));
    await vi.waitFor(async () => expect(await q.getWaitingCount()).toBe(1));
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await vi.waitFor(async () =>
      expect(await q.getJobCounts("waiting", "active", "completed", "failed")).toEqual({
        waiting: 0,
        active: 0,
        completed: 0,
        failed: 0,
      }),
    );
  });

  it("rejects with TimeoutError at the deadline and removes the job no worker took", async () => {
    const queue = uniqueName("deadline");
    const q = inspect(queue);
    const call = track(remote<{ n: number }, unknown>(queue, { connection: redis.url, timeoutMs: 300 }));
    await expect(call.execute({ n: 1 })).rejects.toBeInstanceOf(TimeoutError);
    await vi.waitFor(async () => expect(await q.getWaitingCount()).toBe(0));
  });

  it("joins a worker that picks the job later after a restart (at-least-once, no lost job)", async () => {
    const queue = uniqueName("late");
    const call = track(remote<{ n: number }, { pid: number }>(queue, { connection: redis.url, timeoutMs: 20_000 }));
    const pending = call.execute({ n: 7 });
    const q = inspect(queue);
    await vi.waitFor(async () => expect(await q.getWaitingCount()).toBe(1));
    const w = await worker(queue, "echo");
    expect((await pending).pid).toBe(w.pid);
  }, 20_000);

  it("serve().close() gives a stuck job up after timeoutMs: its signal aborts and another worker runs it once", async () => {
    const queue = uniqueName("stuck");
    const fast = { connection: redis.url, lockDurationMs: 1_000, stalledIntervalMs: 300 };
    let release: (() => void) | undefined;
    let stuckSignal: AbortSignal | undefined;
    const stuck = await serve(
      queue,
      (_n: number, ctx: WorkflowContext) => {
        stuckSignal = ctx.signal;
        // Ignores its signal, as careless user code may.
        return new Promise<string>((resolve) => (release = () => resolve("from the stuck worker")));
      },
      fast,
    );
    closers.push(() => stuck.close());
    const events = new QueueEvents(queue, { connection: { host: "127.0.0.1", port: Number(new URL(redis.url).port) } });
    closers.push(() => events.close());
    await events.waitUntilReady();
    let completions = 0;
    events.on("completed", () => completions++);

    const call = track(remote<number, string>(queue, { connection: redis.url, timeoutMs: 20_000 }));
    const result = call.execute(1);
    await vi.waitFor(() => expect(stuckSignal).toBeDefined(), { timeout: 5_000 });
    await stuck.close({ timeoutMs: 100 }); // returns although the job never finished
    expect(stuckSignal?.aborted).toBe(true);
    release?.(); // too late: its connections are gone, nothing is recorded

    const healthy = await serve(queue, async (n: number) => `from the healthy worker (${n})`, fast);
    closers.push(() => healthy.close());
    expect(await result).toBe("from the healthy worker (1)");
    await vi.waitFor(() => expect(completions).toBe(1));
    await expect(stuck.close({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
  }, 20_000);

  it("serve() in-process: returns undefined results and uses an idempotency key once", async () => {
    const queue = uniqueName("keyed");
    let runs = 0;
    const served = await serve(
      queue,
      async (n: number) => {
        runs++;
        return n > 0 ? n * 2 : undefined;
      },
      { connection: redis.url },
    );
    closers.push(() => served.close());
    const call = track(
      remote<number, number | undefined>(queue, { connection: redis.url, idempotencyKey: (n) => `order-${n}` }),
    );
    expect(await call.execute(0)).toBeUndefined();
    expect(await call.execute(21)).toBe(42);
    expect(await call.execute(21)).toBe(42);
    expect(runs).toBe(2);
  });
});

describe.skipIf(redisSkipReason !== undefined)("remote() tracing and Redis loss", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it("makes one trace of the caller's span and the worker's spans", async () => {
    const redis = await startTestRedis();
    closers.push(() => redis.stop());
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    closers.push(async () => {
      trace.disable();
      await provider.shutdown();
    });
    const queue = uniqueName("traced");
    const w = await startWorker({ REDIS_URL: redis.url, QUEUE: queue, MODE: "echo", TRACE: "1" });
    closers.push(() => w.stop());
    const call = remote<{ n: number }, unknown>(queue, { connection: redis.url });
    closers.push(() => call.close());
    await call.execute({ n: 1 });

    const callerSpan = exporter.getFinishedSpans().find((s) => s.name === "tta.remote");
    expect(callerSpan?.attributes).toMatchObject({ "tta.remote.queue": queue, "tta.primitive.kind": "remote" });
    const traceId = callerSpan?.spanContext().traceId;
    await vi.waitFor(() => expect(w.messages.filter((m) => m.type === "span")).toHaveLength(2));
    const spans = w.messages.filter((m) => m.type === "span");
    const serveSpan = spans.find((m) => m.name === "tta.serve");
    const stepSpan = spans.find((m) => m.name === "tta.lambda");
    expect(serveSpan).toMatchObject({ traceId, parentSpanId: callerSpan?.spanContext().spanId });
    expect(stepSpan).toMatchObject({ traceId, parentSpanId: serveSpan?.spanId });
  }, 20_000);

  it("rejects a waiting call within its timeout when Redis dies mid-run, and closes without hanging", async () => {
    const redis = await startTestRedis();
    let stopped = false;
    closers.push(() => (stopped ? Promise.resolve() : redis.stop()));
    const queue = uniqueName("lost");
    const call = remote<{ n: number }, unknown>(queue, {
      connection: redis.url,
      timeoutMs: 1_500,
      connectTimeoutMs: 500,
    });
    closers.push(() => call.close());
    await call.ready();
    const pending = call.execute({ n: 1 }).catch((e: unknown) => e);
    const q = new Queue(queue, { connection: { host: "127.0.0.1", port: Number(new URL(redis.url).port) } });
    await vi.waitFor(async () => expect(await q.getWaitingCount()).toBe(1));
    await q.close();
    await redis.stop();
    stopped = true;
    expect(await pending).toBeInstanceOf(TimeoutError);
    // Redis is gone: a new call fails fast with the typed error.
    await expect(call.execute({ n: 2 })).rejects.toBeInstanceOf(RedisUnavailableError);
  }, 20_000);
});

describe("remote() and serve() options", () => {
  it("reject invalid options at construction, naming the option", async () => {
    const bad = (options: unknown, queue = "q"): unknown => {
      try {
        remote(queue, options as never);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(bad({})).toMatchObject({ code: "INVALID_OPTIONS", option: "connection" });
    expect(bad({ connection: "http://x" })).toMatchObject({ option: "connection" });
    expect(bad({ connection: "redis://x" }, "a:b")).toMatchObject({ option: "queueName" });
    expect(bad({ connection: "redis://x", timeoutMs: -1 })).toMatchObject({ option: "timeoutMs" });
    expect(bad({ connection: "redis://x", jobOptions: { jobId: "x" } })).toMatchObject({ option: "jobOptions.jobId" });
    expect(bad({ connection: "redis://x", concurency: 2 })).toMatchObject({ option: "concurency" });
    await expect(serve("q", (n: number) => n, { connection: "redis://x", concurrency: 0 })).rejects.toMatchObject({
      option: "concurrency",
    });
  });
});

describe("remote() and serve() without a reachable Redis", () => {
  it("reject with RedisUnavailableError within connectTimeoutMs", async () => {
    const { freePort } = await import("./test-support/redis-server.js");
    const url = `redis://127.0.0.1:${await freePort()}`;
    const call = remote<number, number>("nowhere", { connection: url, connectTimeoutMs: 300 });
    const error = await call.execute(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(isTtaError(error, REDIS_UNAVAILABLE)).toBe(true);
    await call.close();
    await expect(serve("nowhere", (n: number) => n, { connection: url, connectTimeoutMs: 300 })).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );
  });

  it("treat a Redis that accepts connections but never answers as unavailable", async () => {
    const { startSilentServer } = await import("./test-support/redis-server.js");
    const silent = await startSilentServer();
    try {
      const call = remote<number, number>("silent", { connection: silent.url, connectTimeoutMs: 300 });
      await expect(call.execute(1)).rejects.toBeInstanceOf(RedisUnavailableError);
      await call.close();
    } finally {
      await silent.close();
    }
  });
});
