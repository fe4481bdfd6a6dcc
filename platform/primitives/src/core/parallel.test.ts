import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MockPrimitive, createTestContext } from "../testing/index.js";
import { InvalidOptionsError, ParallelPrimitive, lambda, parallel } from "./index.js";
import type { ParallelOptions, WorkflowContext } from "./index.js";
import { invalidOption } from "../test-support/index.js";

/** A branch that waits `ms` on the context's clock (abortably), records its signal, then returns `value`. */
function sleeper<T>(ms: number, value: T, seen?: { signal?: AbortSignal }) {
  return async (_input: unknown, ctx: WorkflowContext): Promise<T> => {
    if (seen) seen.signal = ctx.signal;
    await ctx.clock.sleep(ms, ctx.signal);
    return value;
  };
}

describe("results", () => {
  it("an array of branches gives a tuple in branch order, every branch getting the same input", async () => {
    const inputs: unknown[] = [];
    const flow = parallel([
      (s: string) => {
        inputs.push(s);
        return s.length;
      },
      async (s: string) => {
        inputs.push(s);
        return s.toUpperCase();
      },
    ]);
    await expect(flow.execute("abc")).resolves.toEqual([3, "ABC"]);
    expect(inputs).toEqual(["abc", "abc"]);
  });

  it("a record of branches gives a record with the same keys", async () => {
    const flow = parallel({ len: (s: string) => s.length, upper: (s: string) => s.toUpperCase() });
    await expect(flow.execute("hi")).resolves.toEqual({ len: 2, upper: "HI" });
  });

  it("result order is branch order whatever the branch latencies (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 8 }),
        async (latencies) => {
          const ctx = createTestContext();
          const branches = latencies.map(
            (latencyMs, i) => new MockPrimitive<number, number>({ latencyMs, returns: i }),
          );
          const run = new ParallelPrimitive<number, number[]>(branches).execute(0, ctx);
          await ctx.clock.runAll();
          expect(await run).toEqual(latencies.map((_, i) => i));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a record branch keyed __proto__ gets its own result key like any other", async () => {
    const branches: Record<string, (n: number) => unknown> = { normal: (n: number) => n };
    Object.defineProperty(branches, "__proto__", { value: (n: number) => ({ n }), enumerable: true });
    const result = (await new ParallelPrimitive<number, Record<string, unknown>>(branches).execute(1)) as object;
    expect(Object.keys(result).sort()).toEqual(["__proto__", "normal"]);
    expect(Object.getOwnPropertyDescriptor(result, "__proto__")?.value).toEqual({ n: 1 });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it("a record result has exactly the branches' own keys, in their order, whatever the key names, mode and concurrency (property)", async () => {
    const awkward = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "0", "10", "2", "", "a b"];
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(fc.constantFrom(...awkward), fc.string({ maxLength: 4 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom<ParallelOptions>(
          {},
          { concurrency: 1 },
          { mode: "allSettled" },
          { mode: "allSettled", concurrency: 2 },
        ),
        async (keys, options) => {
          const branches: Record<string, (s: string) => string> = {};
          for (const key of keys)
            Object.defineProperty(branches, key, {
              value: (s: string) => `${key}:${s}`,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          const flow = new ParallelPrimitive<string, Record<string, unknown>>(branches, options);
          for (const input of ["x", "y"]) {
            const result = await flow.execute(input);
            expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
            expect(Reflect.ownKeys(result)).toEqual(Object.keys(branches));
            for (const key of Object.keys(branches)) {
              const value = `${key}:${input}`;
              const expected = options.mode === "allSettled" ? { status: "fulfilled", value } : value;
              expect(Object.getOwnPropertyDescriptor(result, key)).toEqual({
                value: expected,
                enumerable: true,
                writable: true,
                configurable: true,
              });
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("every execution of a record parallel returns a new object: changing one result leaves the next alone", async () => {
    const flow = parallel({ a: (n: number) => n, b: (n: number) => n * 2 });
    const first: Record<string, unknown> = await flow.execute(1);
    first.a = "changed";
    first.extra = true;
    delete first.b;
    const second = await flow.execute(2);
    expect(second).not.toBe(first);
    expect(second).toEqual({ a: 2, b: 4 });
    expect(Object.keys(second)).toEqual(["a", "b"]);
  });

  it("branches share ctx.state with each other and with the caller", async () => {
    const ctx = createTestContext();
    const seenBySecond: unknown[] = [];
    await parallel([
      (_: number, c: WorkflowContext) => c.state.set("first", 1),
      (_: number, c: WorkflowContext) => {
        seenBySecond.push(c.state.get("first"));
        c.state.set("second", 2);
      },
    ]).execute(0, ctx);
    expect(seenBySecond).toEqual([1]);
    expect(Object.fromEntries(ctx.state)).toEqual({ first: 1, second: 2 });
  });
});

describe('mode "all"', () => {
  it("a failing branch rejects with that error and aborts the siblings' signals with it as reason", async () => {
    const error = new Error("branch failed");
    const seen: { signal?: AbortSignal } = {};
    const ctx = createTestContext();
    const failing = async (_: number, c: WorkflowContext): Promise<never> => {
      await c.clock.sleep(10);
      throw error;
    };
    const run = parallel([sleeper(1_000, "late", seen), failing]).execute(0, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(10);
    await expect(run).rejects.toBe(error);
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBe(error);
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("with a concurrency limit, pending branches are not started after a failure", async () => {
    const error = new Error("first failed");
    const later = new MockPrimitive<number, number>({ returns: 2 });
    const flow = parallel([new MockPrimitive<number, number>({ failTimes: 1, error }), later], { concurrency: 1 });
    await expect(flow.execute(0, createTestContext())).rejects.toBe(error);
    expect(later.callCount).toBe(0);
  });

  it("an abort of the caller's signal reaches every branch with the caller's reason", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const a: { signal?: AbortSignal } = {};
    const b: { signal?: AbortSignal } = {};
    const run = parallel([sleeper(1_000, 1, a), sleeper(1_000, 2, b)]).execute(0, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(1);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(a.signal?.reason).toBe(reason);
    expect(b.signal?.reason).toBe(reason);
  });
});

describe('mode "allSettled"', () => {
  it("returns every outcome in branch order and does not abort the siblings", async () => {
    const error = new Error("one failed");
    const seen: { signal?: AbortSignal } = {};
    const ctx = createTestContext();
    const failing = async (_: number, c: WorkflowContext): Promise<never> => {
      await c.clock.sleep(10);
      throw error;
    };
    const run = parallel([failing, sleeper(1_000, "late", seen)], { mode: "allSettled" }).execute(0, ctx);
    await ctx.clock.advance(10);
    expect(seen.signal?.aborted).toBe(false);
    await ctx.clock.advance(990);
    await expect(run).resolves.toEqual([
      { status: "rejected", reason: error },
      { status: "fulfilled", value: "late" },
    ]);
    expect(seen.signal?.aborted).toBe(false);
  });

  it("a cancelled run rejects with the signal's reason instead of reporting it as settled branch results", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const settled = parallel([sleeper(1_000, 1), sleeper(1_000, 2)], { mode: "allSettled" });
    const seen: unknown[] = [];
    // Executed inside another primitive, so no top-level race hides what the parallel itself does.
    const outer = lambda(async (n: number, c: WorkflowContext) => {
      await settled.execute(n, c).then(
        (value) => seen.push({ resolved: value }),
        (error: unknown) => seen.push({ rejected: error }),
      );
    });
    const run = outer.execute(0, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(10);
    const reason = new Error("user cancelled");
    controller.abort(reason);
    await ctx.clock.advance(0);
    expect(seen).toEqual([{ rejected: reason }]);
  });

  it("works with a record and a concurrency limit", async () => {
    const error = new Error("x failed");
    const flow = parallel(
      { x: new MockPrimitive<number, number>({ failTimes: 1, error }), y: (n: number) => n + 1 },
      { mode: "allSettled", concurrency: 1 },
    );
    const result = await flow.execute(1, createTestContext());
    expect(result.x).toEqual({ status: "rejected", reason: error });
    expect(result.y).toEqual({ status: "fulfilled", value: 2 });
  });
});

describe("concurrency", () => {
  it("never has more branches in flight than the limit, uses every slot, and starts pending branches in order (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        async (latencies, concurrency) => {
          const ctx = createTestContext();
          let inFlight = 0;
          let maxInFlight = 0;
          const started: number[] = [];
          const branches = latencies.map((ms, i) => async (_: number, c: WorkflowContext) => {
            started.push(i);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            try {
              await c.clock.sleep(ms, c.signal);
            } finally {
              inFlight--;
            }
            return i;
          });
          const run = new ParallelPrimitive<number, number[]>(branches, { concurrency }).execute(0, ctx);
          await ctx.clock.runAll();
          expect(await run).toEqual(latencies.map((_, i) => i));
          expect(maxInFlight).toBe(Math.min(concurrency, latencies.length));
          expect(started).toEqual(latencies.map((_, i) => i));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("concurrency 2 starts the third branch only when one of the first two finishes", async () => {
    const ctx = createTestContext();
    const third = new MockPrimitive<number, string>({ returns: "c" });
    const run = parallel([sleeper(100, "a"), sleeper(300, "b"), third], { concurrency: 2 }).execute(0, ctx);
    await ctx.clock.advance(99);
    expect(third.callCount).toBe(0);
    await ctx.clock.advance(1);
    expect(third.callCount).toBe(1);
    expect(third.calls[0]?.at).toBe(100);
    await ctx.clock.advance(200);
    await expect(run).resolves.toEqual(["a", "b", "c"]);
  });
});

describe(".parallel() chaining", () => {
  const a = lambda((n: number) => `A${n}`);
  const b = lambda((n: number) => `B${n}`);
  const c = lambda((n: number) => `C${n}`);

  it("a.parallel(b).parallel(c) appends to one flat tuple", async () => {
    const flow = a.parallel(b).parallel(c);
    expect(flow.branches).toHaveLength(3);
    await expect(flow.execute(1)).resolves.toEqual(["A1", "B1", "C1"]);
  });

  it("a.parallel(b.parallel(c)) keeps the right-hand operand's shape", async () => {
    await expect(a.parallel(b.parallel(c)).execute(1)).resolves.toEqual(["A1", ["B1", "C1"]]);
  });

  it("accepts a plain function as the other branch", async () => {
    await expect(a.parallel((n: number) => n * 2).execute(3)).resolves.toEqual(["A3", 6]);
  });

  it("appending to an array-form parallel keeps its options", async () => {
    const error = new Error("b failed");
    const base = parallel([a, () => Promise.reject(error)], { concurrency: 1, mode: "allSettled", name: "fanout" });
    const flow = base.parallel(c);
    expect(flow.options).toEqual({ concurrency: 1, mode: "allSettled", name: "fanout" });
    await expect(flow.execute(1)).resolves.toEqual([
      { status: "fulfilled", value: "A1" },
      { status: "rejected", reason: error },
      { status: "fulfilled", value: "C1" },
    ]);
  });

  it("record-form .parallel(x) gives [record, X]", async () => {
    await expect(parallel({ x: a, y: b }).parallel(c).execute(1)).resolves.toEqual([{ x: "A1", y: "B1" }, "C1"]);
  });
});

describe("validation", () => {
  const step = (n: number) => n;

  it.each([0, -1, 1.5, "2", NaN, -Infinity])(
    "concurrency %o throws InvalidOptionsError naming concurrency",
    (concurrency) => {
      expect(invalidOption(() => parallel([step], { concurrency } as never)).option).toBe("concurrency");
    },
  );

  it("concurrency Infinity is accepted", async () => {
    await expect(parallel([step, step], { concurrency: Infinity }).execute(1)).resolves.toEqual([1, 1]);
  });

  it("an empty array or an empty record throws InvalidOptionsError naming branches", () => {
    expect(invalidOption(() => parallel([] as never)).option).toBe("branches");
    expect(invalidOption(() => parallel({} as never)).option).toBe("branches");
    expect(invalidOption(() => new ParallelPrimitive([])).option).toBe("branches");
  });

  it("an unknown mode throws InvalidOptionsError naming mode", () => {
    expect(invalidOption(() => parallel([step], { mode: "any" } as never)).option).toBe("mode");
  });

  it("an unknown option key throws InvalidOptionsError naming it", () => {
    expect(invalidOption(() => parallel([step], { concurency: 2 } as ParallelOptions as never)).option).toBe(
      "concurency",
    );
  });

  it("a first argument that is neither an array nor a record (a variadic call) throws InvalidOptionsError", () => {
    const variadic = parallel as unknown as (...args: unknown[]) => unknown;
    for (const first of [lambda(step), step, "x", 5, null, new Map()])
      expect(invalidOption(() => variadic(first, lambda(step))).option).toBe("branches");
  });

  it("a branch that is neither a primitive nor a function is named by its index or key", () => {
    expect(invalidOption(() => parallel([step, 5] as never)).option).toBe("branches[1]");
    expect(invalidOption(() => parallel({ x: step, y: "nope" } as never)).option).toBe("branches.y");
  });
});

describe("sparse branch arrays", () => {
  it("a hole in the branch array is an InvalidOptionsError naming it, at construction", () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the bad input under test
    const branches = [(n: number) => n, , (n: number) => n] as unknown as ((n: number) => number)[];
    expect(() => parallel(branches)).toThrow(InvalidOptionsError);
    expect(() => parallel(branches)).toThrow(/branches\[1\]/);
  });
});
