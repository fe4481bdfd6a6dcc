import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompensationError, TimeoutError, createContext, isTtaError, lambda, sequential } from "../core/index.js";
import type { WorkflowContext } from "../core/index.js";
import { MockPrimitive, SpanRecorder, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { DEFAULT_SAGA_OPTIONS, SagaPrimitive, saga } from "./saga.js";
import type { SagaCompensationInput } from "./saga.js";
import { invalidOption, track } from "../test-support/index.js";

describePrimitiveContract("saga (one step, no-op undo)", (inner) => saga().step(inner, () => undefined));
describePrimitiveContract("saga (two steps)", (inner) =>
  saga()
    .step(
      (x: unknown) => x,
      () => undefined,
    )
    .step(inner, () => undefined),
);

type Log = string[];

/** Step `name`: logs, returns `${input}>${name}`; its undo logs what it received. */
function step(log: Log, name: string, opts: { fail?: unknown; latencyMs?: number; ignoreSignal?: boolean } = {}) {
  const forward = async (input: string, ctx: WorkflowContext): Promise<string> => {
    log.push(`do ${name}(${input})`);
    if (opts.latencyMs !== undefined)
      await ctx.clock.sleep(opts.latencyMs, opts.ignoreSignal === true ? undefined : ctx.signal);
    if (opts.fail !== undefined) throw opts.fail;
    return `${input}>${name}`;
  };
  const undo = ({ input, output }: SagaCompensationInput<string, string>): void => {
    log.push(`undo ${name}(${input} → ${output})`);
  };
  return [forward, undo] as const;
}

describe("saga: forward and compensation", () => {
  it("an empty saga passes its input through (same object)", async () => {
    const input = { a: 1 };
    await expect(saga<{ a: number }>().execute(input)).resolves.toBe(input);
    await expect(new SagaPrimitive<number, number>().execute(7)).resolves.toBe(7);
  });

  it("runs the steps in order, each output feeding the next input, and runs no undo on success", async () => {
    const log: Log = [];
    const flow = saga<string>()
      .step(...step(log, "a"))
      .step(...step(log, "b"))
      .step(...step(log, "c"));
    await expect(flow.execute("in")).resolves.toBe("in>a>b>c");
    expect(log).toEqual(["do a(in)", "do b(in>a)", "do c(in>a>b)"]);
  });

  it("a failure at step 3 of 4 runs undo 2 then undo 1 with their own inputs and outputs, then rethrows the same error", async () => {
    const log: Log = [];
    const boom = new Error("step c failed");
    const flow = saga<string>()
      .step(...step(log, "a"))
      .step(...step(log, "b"))
      .step(...step(log, "c", { fail: boom }))
      .step(...step(log, "d"));
    await expect(flow.execute("in", createTestContext())).rejects.toBe(boom);
    expect(log).toEqual(["do a(in)", "do b(in>a)", "do c(in>a>b)", "undo b(in>a → in>a>b)", "undo a(in → in>a)"]);
  });

  it("a failure of the first step runs no undo and rethrows", async () => {
    const log: Log = [];
    const boom = new Error("first");
    const flow = saga<string>()
      .step(...step(log, "a", { fail: boom }))
      .step(...step(log, "b"));
    await expect(flow.execute("x")).rejects.toBe(boom);
    expect(log).toEqual(["do a(x)"]);
  });

  it("undoes exactly the completed steps, in reverse, for any failing step (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.nat(), async (n, seed) => {
        const failAt = seed % n;
        const log: Log = [];
        const boom = new Error("boom");
        let flow = saga<string>();
        for (let i = 0; i < n; i++) flow = flow.step(...step(log, `s${i}`, i === failAt ? { fail: boom } : {}));
        await expect(flow.execute("x")).rejects.toBe(boom);
        const undone = log.filter((l) => l.startsWith("undo")).map((l) => l.slice(5, l.indexOf("(")));
        expect(undone).toEqual(Array.from({ length: failAt }, (_, i) => `s${failAt - 1 - i}`));
      }),
      { numRuns: 50 },
    );
  });

  it("a non-Error thrown by a step is wrapped (NON_ERROR_THROWN) after compensating", async () => {
    const undo = new MockPrimitive<SagaCompensationInput<number, number>, void>();
    const flow = saga<number>()
      .step((n) => n + 1, undo)
      .step(
        () => {
          throw "plain";
        },
        () => undefined,
      );
    const error: unknown = await flow.execute(1).catch((e: unknown) => e);
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect((error as Error).cause).toBe("plain");
    expect(undo.calls.map((c) => c.input)).toEqual([{ input: 1, output: 2 }]);
  });

  it("compensations may be primitives and wrapped primitives (sequential, mock)", async () => {
    const audit: unknown[] = [];
    const undoA = new MockPrimitive<SagaCompensationInput<number, number>, void>({ name: "undoA" });
    const undoB = sequential([
      (c: SagaCompensationInput<number, number>) => c.output,
      (out: number) => void audit.push(`refund ${out}`),
    ]);
    const boom = new Error("c");
    const flow = saga<number>()
      .step((n) => n * 10, undoA)
      .step((n) => n + 1, undoB)
      .step(
        () => Promise.reject(boom),
        () => undefined,
      );
    await expect(flow.execute(2)).rejects.toBe(boom);
    expect(audit).toEqual(["refund 21"]);
    expect(undoA.calls.map((c) => c.input)).toEqual([{ input: 2, output: 20 }]);
  });

  it(".step returns a new saga and leaves the original unchanged (immutable)", async () => {
    const base = saga<number>().step(
      (n) => n + 1,
      () => undefined,
    );
    const longer = base.step(
      (n) => n * 2,
      () => undefined,
    );
    expect(longer).not.toBe(base);
    expect(base.steps).toHaveLength(1);
    expect(longer.steps).toHaveLength(2);
    expect(Object.isFrozen(base.steps)).toBe(true);
    await expect(base.execute(1)).resolves.toBe(2);
    await expect(longer.execute(1)).resolves.toBe(4);
  });

  it("accepts steps in the constructor and keeps options across .step()", async () => {
    const s = new SagaPrimitive<number, number>([{ forward: (n: number) => n + 1, compensate: () => undefined }], {
      name: "booking",
      continueOnCompensationError: true,
      compensationTimeoutMs: 5,
    }).step(
      (n) => n + 1,
      () => undefined,
    );
    expect(s.name).toBe("booking");
    expect(s.options).toEqual({ name: "booking", continueOnCompensationError: true, compensationTimeoutMs: 5 });
    await expect(s.execute(0)).resolves.toBe(2);
  });
});

describe("saga: failing compensations", () => {
  function failingFlow(log: Log, options?: { continueOnCompensationError?: boolean }) {
    const original = new Error("step d failed");
    const undoErrB = new Error("undo b failed");
    const undoErrA = new Error("undo a failed");
    const flow = saga<string>(options)
      .step(step(log, "a")[0], () => {
        log.push("undo a");
        throw undoErrA;
      })
      .step(step(log, "b")[0], () => {
        log.push("undo b");
        throw undoErrB;
      })
      .step(...step(log, "c"))
      .step(...step(log, "d", { fail: original }));
    return { flow, original, undoErrA, undoErrB };
  }

  it("stops at the first failing undo by default and rejects with CompensationError", async () => {
    const log: Log = [];
    const { flow, original, undoErrB } = failingFlow(log);
    const error = (await flow.execute("x").catch((e: unknown) => e)) as CompensationError;
    expect(error).toBeInstanceOf(CompensationError);
    expect(error.code).toBe("COMPENSATION_FAILED");
    expect(error.retryable).toBe(false);
    expect(error.originalError).toBe(original);
    expect(error.cause).toBe(original);
    expect(error.compensationErrors).toEqual([undoErrB]);
    expect(error.compensationErrors[0]).toBe(undoErrB);
    expect(log.filter((l) => l.startsWith("undo"))).toEqual(["undo c(x>a>b → x>a>b>c)", "undo b"]);
  });

  it("with continueOnCompensationError: true runs every remaining undo and collects all errors in order", async () => {
    const log: Log = [];
    const { flow, original, undoErrA, undoErrB } = failingFlow(log, { continueOnCompensationError: true });
    const error = (await flow.execute("x").catch((e: unknown) => e)) as CompensationError;
    expect(error).toBeInstanceOf(CompensationError);
    expect(error.originalError).toBe(original);
    expect(error.compensationErrors).toEqual([undoErrB, undoErrA]);
    expect(log.filter((l) => l.startsWith("undo"))).toEqual(["undo c(x>a>b → x>a>b>c)", "undo b", "undo a"]);
  });

  it("wraps a non-Error thrown by an undo as NON_ERROR_THROWN in compensationErrors", async () => {
    const boom = new Error("b");
    const flow = saga<number>()
      .step(
        (n) => n,
        () => Promise.reject(new Map()),
      )
      .step(
        () => Promise.reject(boom),
        () => undefined,
      );
    const error = (await flow.execute(1).catch((e: unknown) => e)) as CompensationError;
    expect(error.originalError).toBe(boom);
    expect(isTtaError(error.compensationErrors[0], "NON_ERROR_THROWN")).toBe(true);
  });
});

describe("saga: the undo context", () => {
  it("shares the run's ids, state, metadata and clock, with a signal that is not aborted and no deadline", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal, timeoutMs: 10_000, metadata: { user: "u1" } });
    ctx.state.set("k", "v");
    let seen: WorkflowContext | undefined;
    const flow = saga<number>()
      .step(
        (n) => n,
        (_c, undoCtx) => {
          seen = undoCtx;
        },
      )
      .step(
        (_n, c) => c.clock.sleep(1_000, c.signal),
        () => undefined,
      );
    const run = flow.execute(1, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(10);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(seen).toBeDefined();
    const u = seen as WorkflowContext;
    expect(u.signal.aborted).toBe(false);
    expect(u.deadline).toBeUndefined();
    expect(u.workflowId).toBe(ctx.workflowId);
    expect(u.correlationId).toBe(ctx.correlationId);
    expect(u.state).toBe(ctx.state);
    expect(u.metadata).toEqual({ user: "u1" });
    expect(u.clock).toBe(ctx.clock);
  });

  it("compensates after the deadline passed (undo steps are not skipped)", async () => {
    const ctx = createTestContext({ timeoutMs: 100 });
    const undo = new MockPrimitive<SagaCompensationInput<number, number>, void>({ latencyMs: 50 });
    const flow = saga<number>()
      .step((n) => n + 1, undo)
      .step(
        (_n, c) => c.clock.sleep(1_000, c.signal).then(() => 0),
        () => undefined,
      );
    const run = track(flow.execute(1, ctx));
    await ctx.clock.advance(100);
    expect(run.state).toBe("pending"); // waiting for the undo (its own latency on the clock)
    await ctx.clock.advance(50);
    expect(run.state).toBe("rejected");
    expect(run.error).toBeInstanceOf(TimeoutError);
    expect(undo.calls.map((c) => c.input)).toEqual([{ input: 1, output: 2 }]);
  });
});

describe("saga: cancellation", () => {
  it("nested: an abort mid-step-2 whose step ignores the signal waits, undoes step 2 (committed late) and step 1, then rejects with the reason", async () => {
    const log: Log = [];
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const flow = saga<string>()
      .step(...step(log, "a"))
      .step(...step(log, "b", { latencyMs: 1_000, ignoreSignal: true }))
      .step(...step(log, "c"));
    let nested: ReturnType<typeof track> | undefined;
    const outer = lambda((input: string, c: WorkflowContext) => {
      const p = flow.execute(input, c);
      nested = track(p);
      return p;
    });
    outer.execute("in", ctx).catch(() => undefined);
    await ctx.clock.advance(100);
    const reason = new Error("user cancelled");
    controller.abort(reason);
    await ctx.clock.advance(899);
    expect(nested?.state).toBe("pending");
    expect(log).toEqual(["do a(in)", "do b(in>a)"]);
    await ctx.clock.advance(1);
    expect(nested?.state).toBe("rejected");
    expect(nested?.error).toBe(reason);
    expect(log).toEqual(["do a(in)", "do b(in>a)", "undo b(in>a → in>a>b)", "undo a(in → in>a)"]);
  });

  it("top-level: the caller's promise rejects with the reason only after compensation finished", async () => {
    const log: Log = [];
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const slowUndo = (name: string) => async (c: SagaCompensationInput<string, string>, u: WorkflowContext) => {
      await u.clock.sleep(50, u.signal);
      log.push(`undo ${name}(${c.input} → ${c.output})`);
    };
    const flow = saga<string>()
      .step(step(log, "a")[0], slowUndo("a"))
      .step(step(log, "b", { latencyMs: 1_000, ignoreSignal: true })[0], slowUndo("b"));
    const run = track(flow.execute("in", ctx));
    await ctx.clock.advance(100);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await ctx.clock.advance(900 + 99); // step b commits at 1000; undo b ends at 1050, undo a at 1100
    expect(run.state).toBe("pending");
    expect(log).toEqual(["do a(in)", "do b(in>a)", "undo b(in>a → in>a>b)"]);
    await ctx.clock.advance(1);
    expect(run.state).toBe("rejected");
    expect(run.error).toBe(reason);
    expect(log.at(-1)).toBe("undo a(in → in>a)");
  });

  it("top-level: a hung undo holds the caller for compensationTimeoutMs at most", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const flow = saga<number>({ compensationTimeoutMs: 5_000 })
      .step(
        (n) => n,
        () => new Promise<never>(() => undefined),
      )
      .step(
        (_n, c) => c.clock.sleep(1_000, c.signal).then(() => 1),
        () => undefined,
      );
    const run = track(flow.execute(1, ctx));
    await ctx.clock.advance(10);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await ctx.clock.advance(4_999);
    expect(run.state).toBe("pending");
    await ctx.clock.advance(1);
    expect(run.state).toBe("rejected");
    expect(run.error).toBe(reason);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("top-level: uses the default 30 s bound", async () => {
    expect(DEFAULT_SAGA_OPTIONS.compensationTimeoutMs).toBe(30_000);
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const flow = saga<number>()
      .step(
        (n) => n,
        () => new Promise<never>(() => undefined),
      )
      .step(
        (_n, c) => c.clock.sleep(1_000, c.signal).then(() => 1),
        () => undefined,
      );
    const run = track(flow.execute(1, ctx));
    controller.abort(new Error("x"));
    await ctx.clock.advance(29_999);
    expect(run.state).toBe("pending");
    await ctx.clock.advance(1);
    expect(run.state).toBe("rejected");
  });

  it("a last step that commits after the abort is undone too, and the saga rejects with the reason", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const undo = new MockPrimitive<SagaCompensationInput<number, number>, void>();
    const flow = saga<number>().step(async (n, c) => {
      await c.clock.sleep(100);
      return n + 1;
    }, undo);
    const run = track(flow.execute(1, ctx));
    controller.abort(new Error("late"));
    await ctx.clock.advance(100);
    expect(run.state).toBe("rejected");
    expect((run.error as Error).message).toBe("late");
    expect(undo.calls.map((c) => c.input)).toEqual([{ input: 1, output: 2 }]);
  });

  it("an already-aborted signal runs nothing", async () => {
    const controller = new AbortController();
    controller.abort(new Error("before"));
    const forward = new MockPrimitive<number, number>({ returns: 1 });
    const undo = new MockPrimitive<SagaCompensationInput<number, number>, void>();
    await expect(
      saga<number>()
        .step(forward, undo)
        .execute(0, createContext({ signal: controller.signal })),
    ).rejects.toThrow("before");
    expect(forward.callCount + undo.callCount).toBe(0);
  });
});

describe("saga: spans", () => {
  it("each step and undo is its own child span of tta.saga, which records tta.saga.compensated", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const boom = new Error("c");
      const flow = saga<number>({ name: "booking" })
        .step(
          lambda((n: number) => n + 1, "reserve"),
          lambda(() => undefined, "release"),
        )
        .step(
          lambda((n: number) => n + 1, "charge"),
          lambda(() => undefined, "refund"),
        )
        .step(
          lambda(() => Promise.reject(boom), "notify"),
          () => undefined,
        );
      await expect(flow.execute(0, createTestContext())).rejects.toBe(boom);
      expect(recorder.tree()).toBe(
        ["tta.saga", "  tta.lambda", "  tta.lambda", "  tta.lambda", "  tta.lambda", "  tta.lambda"].join("\n"),
      );
      const root = recorder.spans[0];
      expect(root?.attributes["tta.primitive.name"]).toBe("booking");
      expect(root?.attributes["tta.saga.compensated"]).toBe(2);
      expect(recorder.spans.slice(1).map((s) => s.attributes["tta.primitive.name"])).toEqual([
        "reserve",
        "charge",
        "notify",
        "refund",
        "release",
      ]);
    } finally {
      recorder.uninstall();
    }
  });
});

describe("saga: bad input", () => {
  it("rejects unknown options, naming them (typo protection)", () => {
    expect(invalidOption(() => saga({ continueOnCompensationErrors: true } as never)).option).toBe(
      "continueOnCompensationErrors",
    );
  });

  it("treats null option values as defaults, and a null or non-object options argument as invalid", () => {
    const s = saga({ continueOnCompensationError: null, compensationTimeoutMs: null, name: null } as never);
    expect(s.options).toEqual(DEFAULT_SAGA_OPTIONS);
    for (const bad of [null, [], new Map(), "fast", 1]) invalidOption(() => saga(bad as never));
  });

  it("validates continueOnCompensationError, compensationTimeoutMs and name", () => {
    expect(invalidOption(() => saga({ continueOnCompensationError: "yes" as never })).option).toBe(
      "continueOnCompensationError",
    );
    for (const bad of [0, -1, NaN, Infinity, 2 ** 31, "10"])
      expect(invalidOption(() => saga({ compensationTimeoutMs: bad as never })).option).toBe("compensationTimeoutMs");
    expect(invalidOption(() => saga({ name: "" })).option).toBe("name");
  });

  it("validates steps", () => {
    expect(invalidOption(() => saga().step(42 as never, () => undefined)).option).toBe("forward");
    expect(invalidOption(() => saga().step((x: unknown) => x, undefined as never)).option).toBe("compensate");
    expect(invalidOption(() => new SagaPrimitive("steps" as never)).option).toBe("steps");
    expect(invalidOption(() => new SagaPrimitive([null as never])).option).toBe("steps[0]");
    expect(invalidOption(() => new SagaPrimitive([{ forward: (x: unknown) => x } as never])).option).toBe(
      "steps[0].compensate",
    );
  });
});

describe("saga: foreign executables", () => {
  it("compensates when a step object's execute throws synchronously", async () => {
    const boom = new Error("sync");
    const undo = new MockPrimitive<SagaCompensationInput<number, number>, void>();
    const flow = saga<number>()
      .step((n) => n + 1, undo)
      .step(
        {
          execute: (): Promise<number> => {
            throw boom;
          },
        },
        () => undefined,
      );
    await expect(flow.execute(1)).rejects.toBe(boom);
    expect(undo.calls.map((c) => c.input)).toEqual([{ input: 1, output: 2 }]);
  });
});

describe("cancellation reason", () => {
  it("rejects with the abort reason even when the in-flight step fails with its own error after the abort", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const ctx = createTestContext({ signal: controller.signal });
    const undone: unknown[] = [];
    const step2 = new MockPrimitive<number, number>({
      impl: (_n, c) =>
        new Promise<number>((_resolve, reject) =>
          c.signal.addEventListener("abort", () => reject(new Error("socket closed by abort")), { once: true }),
        ),
    });
    const flow = saga<number>()
      .step(
        (n: number) => n + 1,
        ({ output }) => void undone.push(output),
      )
      .step(step2, () => undefined);
    let nested: Promise<unknown> | undefined;
    const outer = new MockPrimitive<number, unknown>({ impl: (input, c) => (nested = flow.execute(input, c)) });
    outer.execute(1, ctx).catch(() => undefined);
    await ctx.clock.advance(0);
    controller.abort(reason);
    await expect(nested).rejects.toBe(reason);
    expect(undone).toEqual([2]);
  });
});
