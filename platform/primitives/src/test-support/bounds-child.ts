/**
 * The child process of `internal/bounds.fuzz.test.ts` (issue 10 item 1, ADR 0013). It constructs
 * every factory that takes a bound with extreme but legal values (2^31 − 1, `Number.MAX_SAFE_INTEGER`,
 * random huge integers, the longest timer, `Infinity` where allowed), runs one call through each,
 * and checks that what the construction keeps (V8 heap plus `ArrayBuffer` memory, after a forced
 * garbage collection) stays under {@link KEPT_LIMIT_BYTES}. It runs under a 256 MB heap cap, so a
 * construction that allocates for its bound crashes this process instead of the test runner.
 *
 * Usage: `node --max-old-space-size=256 --expose-gc --import <ts hooks> bounds-child.ts <seed> <runs>`.
 * Exit 0 and a last line `ok …` on success; otherwise a non-zero exit with the counterexample on
 * stderr. Every handle it opens is closed, so it exits on its own.
 *
 * @packageDocumentation
 */
import fc from "fast-check";
import {
  MemoryStore,
  InMemoryCacheStore,
  bulkhead,
  cache,
  circuitBreaker,
  compensation,
  createContext,
  lambda,
  model,
  openAICompatible,
  parallel,
  rateLimit,
  recall,
  remember,
  retry,
  saga,
  streamModel,
  timeout,
} from "../index.js";
import type { ModelRequest } from "../index.js";
import { MAX_TIMER_MS } from "../internal/options.js";
import { MockLanguageModel } from "../testing/mock-language-model.js";
import { MockPrimitive } from "../testing/mock-primitive.js";
import { startSimulatedProvider } from "../testing/simulated-provider/server.js";

/** Most bytes one scenario may keep, whatever its bounds (the fixed cost of its objects is far lower). */
const KEPT_LIMIT_BYTES = 16 * 1024 * 1024;

/** A factory with its bounds set from `n` (a huge legal count), run once; returns what it built. */
interface Scenario {
  readonly name: string;
  run(n: number): Promise<unknown>;
}

const REQUEST: ModelRequest = { messages: [{ role: "user", content: "Say hello" }] };

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`unexpected result: ${what}`);
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: "cache({ maxEntries: n, ttlMs: Infinity })",
    async run(n) {
      const cached = cache((x: number) => x + 1, { maxEntries: n, ttlMs: Infinity });
      check((await cached.execute(1)) === 2 && (await cached.execute(1)) === 2, "cache hit");
      return cached;
    },
  },
  {
    name: "cache({ maxEntries: n, ttlMs and staleWhileRevalidateMs: longest timer })",
    async run(n) {
      const cached = cache((x: number) => x + 1, {
        maxEntries: n,
        ttlMs: MAX_TIMER_MS,
        staleWhileRevalidateMs: MAX_TIMER_MS,
      });
      check((await cached.execute(1)) === 2, "cache miss");
      return cached;
    },
  },
  {
    name: "cache({ store: new InMemoryCacheStore({ maxEntries: n }) })",
    async run(n) {
      const store = new InMemoryCacheStore({ maxEntries: n });
      const cached = cache((x: number) => x + 1, { store });
      check((await cached.execute(1)) === 2 && store.size === 1, "store filled");
      return cached;
    },
  },
  {
    name: "MemoryStore({ maxEntries: n }) with remember and recall({ limit: n })",
    async run(n) {
      const store = new MemoryStore({ maxEntries: n, ttlMs: MAX_TIMER_MS });
      await remember<string>({ store, namespace: "agent" }).execute("metric units please");
      const found = await recall<string>({ store, namespace: "agent", limit: n }).execute("units");
      check(found.length === 1, "recalled one entry");
      return store;
    },
  },
  {
    name: "circuitBreaker({ window: { kind: 'count', size: n } })",
    async run(n) {
      const breaker = circuitBreaker((x: number) => x + 1, { window: { kind: "count", size: n } });
      check((await breaker.execute(1)) === 2, "closed breaker call");
      return breaker;
    },
  },
  {
    name: "circuitBreaker({ window: { kind: 'count', size: n, minimumCalls: 1 } }), failing call",
    async run(n) {
      const breaker = circuitBreaker(
        () => {
          throw new Error("boom");
        },
        { window: { kind: "count", size: n, minimumCalls: 1 } },
      );
      const outcome = await breaker.execute(1).then(
        () => "resolved",
        (error: unknown) => (error instanceof Error ? error.message : "?"),
      );
      check(outcome === "boom", "the failure passes through");
      return breaker;
    },
  },
  {
    name: "circuitBreaker({ window: { kind: 'time', size: longest timer, minimumCalls: n } })",
    async run(n) {
      const breaker = circuitBreaker((x: number) => x + 1, {
        window: { kind: "time", size: MAX_TIMER_MS, minimumCalls: n },
      });
      check((await breaker.execute(1)) === 2, "time-window call");
      return breaker;
    },
  },
  {
    name: "circuitBreaker({ failureThreshold, successThreshold, halfOpenMaxConcurrent: n })",
    async run(n) {
      const breaker = circuitBreaker((x: number) => x + 1, {
        failureThreshold: n,
        successThreshold: n,
        halfOpenMaxConcurrent: n,
        recoveryTimeoutMs: MAX_TIMER_MS,
        slowCallMs: MAX_TIMER_MS,
      });
      check((await breaker.execute(1)) === 2, "threshold breaker call");
      return breaker;
    },
  },
  {
    name: "bulkhead({ maxConcurrent: n, maxQueue: n })",
    async run(n) {
      const limited = bulkhead((x: number) => x + 1, { maxConcurrent: n, maxQueue: n });
      check((await limited.execute(1)) === 2, "bulkhead call");
      return limited;
    },
  },
  {
    name: "bulkhead({ maxConcurrent: 1, maxQueue: n }) with a queued call",
    async run(n) {
      const limited = bulkhead((x: number) => Promise.resolve(x + 1), { maxConcurrent: 1, maxQueue: n });
      const [a, b] = await Promise.all([limited.execute(1), limited.execute(2)]);
      check(a === 2 && b === 3, "queued call");
      return limited;
    },
  },
  {
    name: "bulkhead({ maxConcurrent: Infinity, maxQueue: Infinity })",
    async run() {
      const limited = bulkhead((x: number) => x + 1, { maxConcurrent: Infinity, maxQueue: Infinity });
      check((await limited.execute(1)) === 2, "unbounded bulkhead call");
      return limited;
    },
  },
  {
    name: "rateLimit({ tokensPerInterval: n, intervalMs: longest timer })",
    async run(n) {
      const limited = rateLimit((x: number) => x + 1, { tokensPerInterval: n, intervalMs: MAX_TIMER_MS });
      check((await limited.execute(1)) === 2, "rate-limited call");
      return limited;
    },
  },
  {
    name: "rateLimit({ tokensPerInterval: n, intervalMs: 1, cost: n })",
    async run(n) {
      const limited = rateLimit((x: number) => x + 1, { tokensPerInterval: n, intervalMs: 1, cost: () => n });
      check((await limited.execute(1)) === 2, "full-bucket call");
      return limited;
    },
  },
  {
    name: "retry({ maxRetries: n, longest delays })",
    async run(n) {
      const retried = retry((x: number) => x + 1, {
        maxRetries: n,
        initialDelayMs: MAX_TIMER_MS,
        maxDelayMs: Infinity,
        maxRetryAfterMs: MAX_TIMER_MS,
      });
      check((await retried.execute(1)) === 2, "retried call");
      return retried;
    },
  },
  {
    name: "timeout({ timeoutMs: longest timer }) and a context with the longest timeout",
    async run() {
      const ctx = createContext({ timeoutMs: MAX_TIMER_MS });
      try {
        const bounded = timeout((x: number) => x + 1, { timeoutMs: MAX_TIMER_MS });
        check((await bounded.execute(1, ctx)) === 2, "timed call");
        return bounded;
      } finally {
        ctx.dispose();
      }
    },
  },
  {
    name: "parallel([a, b], { concurrency: n })",
    async run(n) {
      const both = parallel([lambda((x: number) => x + 1), lambda((x: number) => x + 2)], { concurrency: n });
      const [a, b] = await both.execute(1);
      check(a === 2 && b === 3, "parallel results");
      return both;
    },
  },
  {
    name: "saga and compensation({ compensationTimeoutMs: longest timer })",
    async run() {
      const flow = saga<number>({ compensationTimeoutMs: MAX_TIMER_MS }).step(
        (x: number) => x + 1,
        () => undefined,
      );
      const guarded = compensation(
        (x: number) => x + 1,
        () => undefined,
        { compensationTimeoutMs: MAX_TIMER_MS },
      );
      check((await flow.execute(1)) === 2 && (await guarded.execute(1)) === 2, "saga and compensation");
      return [flow, guarded];
    },
  },
  {
    name: "MockPrimitive({ failTimes: Infinity }) and MockLanguageModel({ chunkSize: n, failStreamAfterChunks: n })",
    async run(n) {
      const failing = new MockPrimitive<number, number>({ failTimes: Infinity, returns: 1 });
      check(
        await failing.execute(1).then(
          () => false,
          () => true,
        ),
        "mock failure",
      );
      const lm = new MockLanguageModel({
        responses: [{ text: "hello there" }],
        chunkSize: n,
        failStreamAfterChunks: n,
      });
      check((await model(lm).execute(REQUEST)).text === "hello there", "mock model answer");
      const stream = await streamModel(lm).execute(REQUEST);
      check((await stream.collect()).text === "hello there", "mock model stream");
      return [failing, lm];
    },
  },
  {
    name: "startSimulatedProvider({ chunkSize: n, contextWindow: n, maxBodyBytes: 1 GiB }) and openAICompatible({ maxTokens: n })",
    async run(n) {
      const provider = await startSimulatedProvider({
        models: [{ id: "sim-huge", contextWindow: n }],
        chunkSize: n,
        maxBodyBytes: 1_073_741_824,
        script: [{ kind: "ok" }],
      });
      try {
        const lm = openAICompatible({ baseURL: provider.baseURL, model: "sim-huge", maxTokens: n });
        const answer = await model(lm).execute(REQUEST);
        check(answer.text.length > 0, "simulated answer");
        const stream = await streamModel(lm).execute(REQUEST);
        check((await stream.collect()).text.length > 0, "simulated stream");
        return lm;
      } finally {
        await provider.close();
      }
    },
  },
];

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the bounds child with --expose-gc");
  gc();
}

function keptBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

let sink: unknown;

/** Runs one scenario and fails when what it built keeps more than {@link KEPT_LIMIT_BYTES}. */
async function runMeasured(scenario: Scenario, n: number): Promise<void> {
  collectGarbage();
  const before = keptBytes();
  const built = await scenario.run(n);
  collectGarbage();
  const kept = keptBytes() - before;
  sink = built; // keeps `built` alive across the measure
  if (kept > KEPT_LIMIT_BYTES)
    throw new Error(`${scenario.name} with n = ${n} kept ${(kept / 1_048_576).toFixed(1)} MB after one call`);
}

const EXTREMES: readonly number[] = [2 ** 31 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];

const hugeCount = fc.oneof(
  fc.constantFrom(...EXTREMES),
  fc.integer({ min: 2 ** 20, max: 2 ** 31 - 1 }),
  fc.maxSafeNat().map((n) => Math.max(1, n)),
);

async function main(): Promise<void> {
  const seed = Number(process.argv[2] ?? Date.now());
  const numRuns = Number(process.argv[3] ?? 100);
  const examples: [number, number][] = [];
  for (let i = 0; i < SCENARIOS.length; i++) for (const n of EXTREMES) examples.push([i, n]);
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: SCENARIOS.length - 1 }), hugeCount, (i, n) =>
      runMeasured(SCENARIOS[i] as Scenario, n),
    ),
    { seed, numRuns: numRuns + examples.length, examples },
  );
  void sink;
  process.stdout.write(`ok ${SCENARIOS.length} scenarios, ${numRuns + examples.length} runs, seed ${seed}\n`);
}

/** An error's stack and, down its `cause` chain (fast-check puts the property's own error there), theirs. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause === undefined ? "" : `\nCaused by: ${describeFailure(error.cause)}`;
  return `${error.stack ?? error.message}${cause}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${describeFailure(error)}\n`);
  process.exitCode = 1;
});
