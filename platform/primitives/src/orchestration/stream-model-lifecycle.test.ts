/**
 * The life of a `ModelStream` after `execute` resolved: the caller's abort still reaches it through
 * the wrappers that settled at its first chunk (`timeout`, `parallel`), the links are released when
 * it ends, a dropped stream is closed when collected, and nothing a budget or a listener does can
 * turn into an unhandled rejection or a lost answer.
 */
import { getEventListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { Budget, Reservation, Spend } from "../core/index.js";
import { BUDGET_KEY, lambda, parallel, subscribe } from "../core/index.js";
import type { ModelCallEvent } from "../core/instrumentation.js";
import { timeout } from "../recovery/index.js";
import { MockLanguageModel, createTestContext } from "../testing/index.js";
import { recordEvents, track } from "../test-support/index.js";
import { TEXT, closableModel, streamRequest as request } from "../test-support/model-fixtures.js";
import type { LanguageModel, ModelRequest } from "./index.js";
import { ProviderError, model, streamModel } from "./index.js";

/** A budget that counts what is held and can be told to throw on commit. */
class CountingBudget implements Budget {
  outstanding = 0;
  committed: Spend[] = [];
  throwOnCommit = false;
  reserve(): Reservation {
    this.outstanding++;
    return {
      commit: (actual) => {
        this.outstanding--;
        if (this.throwOnCommit) throw new Error("over budget on commit");
        this.committed.push(actual);
      },
      release: () => void this.outstanding--,
    };
  }
}

const wrappers = {
  timeout: (lm: LanguageModel) => timeout(streamModel(lm), { timeoutMs: 60_000 }),
  parallel: (lm: LanguageModel) => parallel([streamModel(lm)]).pipe(([stream]) => stream),
  "timeout in timeout": (lm: LanguageModel) =>
    timeout(timeout(streamModel(lm), { timeoutMs: 50_000 }), { timeoutMs: 60_000 }),
  // User code between the wrapper and the stream, deriving its own child context.
  "parallel, then a user's ctx.child()": (lm: LanguageModel) =>
    parallel([lambda((input: ModelRequest, ctx) => streamModel(lm).execute(input, ctx.child({})))]).pipe(
      ([stream]) => stream,
    ),
};

type Wrap = (typeof wrappers)[keyof typeof wrappers];

/**
 * Starts collecting a stream of `TEXT` (`chunkSize` characters every 100 ms) through `wrap`, under a
 * caller's signal whose abort listeners (`before`) were counted first.
 */
async function collectThrough(wrap: Wrap, chunkSize: number) {
  const controller = new AbortController();
  const ctx = createTestContext({ signal: controller.signal });
  const before = getEventListeners(controller.signal, "abort").length;
  const lm = new MockLanguageModel({ clock: ctx.clock, chunkDelayMs: 100, chunkSize, responses: [TEXT] });
  const stream = await wrap(lm).execute(request, ctx);
  return { controller, ctx, before, collected: track(stream.collect()) };
}

describe.each(Object.entries(wrappers))("the caller's abort after execute resolved, through %s", (_, wrap) => {
  it("still stops the stream, and the links to the caller's signal are released when it ends", async () => {
    const { controller, ctx, before, collected } = await collectThrough(wrap, 4);
    await ctx.clock.advance(150);
    const reason = new Error("user pressed stop");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(collected).toMatchObject({ state: "rejected", error: reason });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(before);
  });

  it("a stream that completes releases every link it held", async () => {
    const { controller, ctx, before, collected } = await collectThrough(wrap, 8);
    await ctx.clock.advance(1_000);
    expect(collected).toMatchObject({ state: "resolved", value: { text: TEXT } });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(before);
  });
});

describe("a stream nobody reads to its end", () => {
  it("is closed and its reservation settled once it is garbage-collected", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const budget = new CountingBudget();
    const lm = closableModel([
      { type: "text", text: "first" },
      { type: "text", text: "never read" },
    ]);
    await (async () => {
      // Resolved, then dropped without a single read (as a failed `parallel` sibling would).
      await streamModel(lm).execute(request, createTestContext().withValue(BUDGET_KEY, budget));
    })();
    expect(budget.outstanding).toBe(1);
    for (let i = 0; i < 50 && !lm.closed; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(lm.closed).toBe(true);
    expect(budget.outstanding).toBe(0);
  });

  it("is closed once garbage-collected even when nothing watches it (no budget, span or listener)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const lm = closableModel([
      { type: "text", text: "first" },
      { type: "text", text: "never read" },
    ]);
    await (async () => {
      await streamModel(lm).execute(request);
    })();
    for (let i = 0; i < 50 && !lm.closed; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(lm.closed).toBe(true);
  });
});

describe("nothing from a budget or a listener escapes", () => {
  it("a budget whose commit throws does not cost the caller the answer (generate and stream)", async () => {
    const budget = new CountingBudget();
    budget.throwOnCommit = true;
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    const lm = new MockLanguageModel({ responses: [TEXT] });
    await expect(model(lm).execute(request, ctx)).resolves.toMatchObject({ text: TEXT });
    const stream = await streamModel(lm).execute(request, ctx);
    await expect(stream.collect()).resolves.toMatchObject({ text: TEXT });
    expect(budget.outstanding).toBe(0);
  });

  it("a listener that subscribes during a call gets no event with a made-up duration", async () => {
    const ctx = createTestContext();
    const lm = new MockLanguageModel({ latencyMs: 100, clock: ctx.clock, responses: [TEXT] });
    const run = model(lm).execute(request, ctx);
    const late: ModelCallEvent[] = [];
    const stop = subscribe((e) => void (e.type === "model-call" && late.push(e)));
    try {
      await ctx.clock.advance(100);
      await run;
      expect(late).toEqual([]);
    } finally {
      stop();
    }
  });
});

describe("requests and streams checked at the boundary", () => {
  it("a message that is not { role, content } is an InvalidOptionsError naming it, before any reservation", async () => {
    const budget = new CountingBudget();
    const ctx = createTestContext().withValue(BUDGET_KEY, budget);
    const lm = new MockLanguageModel();
    const bad = [
      [{ messages: [null] }, "request.messages[0].role"],
      [
        {
          messages: [
            { role: "user", content: "ok" },
            { role: "wizard", content: "x" },
          ],
        },
        "request.messages[1].role",
      ],
      [{ messages: [{ role: "user", content: 42 }] }, "request.messages[0].content"],
    ] as const;
    for (const [input, option] of bad) {
      const error = await model(lm)
        .execute(input as unknown as ModelRequest, ctx)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "INVALID_OPTIONS", option });
    }
    expect(budget.outstanding).toBe(0);
    expect(lm.callCount).toBe(0);
  });

  it("a stream that ends before its first chunk is a retryable ProviderError", async () => {
    const events = recordEvents();
    const empty = closableModel([]);
    const error = await streamModel(empty)
      .execute(request, createTestContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true, provider: "mock", model: "mock-model" });
    expect(events.filter((e) => e.type === "model-call")).toEqual([
      expect.objectContaining({ outcome: "error", errorType: "PROVIDER_ERROR", inputTokens: 0, outputTokens: 0 }),
    ]);
  });
});
