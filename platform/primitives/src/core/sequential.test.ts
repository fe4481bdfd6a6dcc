import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { MockPrimitive, createTestContext } from "../testing/index.js";
import { InvalidOptionsError, SequentialPrimitive, isTtaError, lambda, sequential, subscribe } from "./index.js";
import type { PrimitiveLike, SequentialOptions, TtaEvent, WorkflowContext, WorkflowPrimitive } from "./index.js";
import { invalidOption } from "../test-support/index.js";

describe("running steps", () => {
  it("feeds each step's output into the next, in order, across types", async () => {
    const order: string[] = [];
    const flow = sequential([
      (s: string) => {
        order.push("trim");
        return s.trim();
      },
      async (s: string) => {
        order.push("length");
        return s.length;
      },
      (n: number) => {
        order.push("double");
        return { doubled: n * 2 };
      },
    ]);
    await expect(flow.execute("  hey  ")).resolves.toEqual({ doubled: 6 });
    expect(order).toEqual(["trim", "length", "double"]);
  });

  it("a single-step sequential returns that step's output", async () => {
    await expect(sequential([(n: number) => n + 1]).execute(1)).resolves.toBe(2);
  });

  it("new SequentialPrimitive(steps) behaves like sequential(steps)", async () => {
    const flow = new SequentialPrimitive<number, number>([(n: number) => n + 1, (n: number) => n * 10]);
    await expect(flow.execute(1)).resolves.toBe(20);
  });

  it("accepts any object with execute(input, ctx) as a step", async () => {
    const foreign = { execute: async (n: number) => n * 3 };
    await expect(sequential([(n: number) => n + 1, foreign]).execute(1)).resolves.toBe(6);
  });

  it("gives every step the same run: state written by step 1 is visible to step 2", async () => {
    const seen: unknown[] = [];
    const flow = sequential([
      (x: number, ctx) => {
        ctx.state.set("token", "abc");
        return x;
      },
      (x: number, ctx) => {
        seen.push(ctx.state.get("token"));
        return x;
      },
    ]);
    const ctx = createTestContext();
    await flow.execute(1, ctx);
    expect(seen).toEqual(["abc"]);
    expect(ctx.state.get("token")).toBe("abc");
  });
});

describe("a run with nothing observing it (steps run directly, ADR 0006)", () => {
  it("the steps of a call made without a context share one run: the same ids and state", async () => {
    const seen: unknown[][] = [];
    const step = (n: number, ctx: WorkflowContext): number => {
      seen.push([ctx.correlationId, ctx.workflowId, ctx.state.get("n")]);
      ctx.state.set("n", n);
      return n + 1;
    };
    await expect(sequential([step, step]).execute(1)).resolves.toBe(3);
    const [first, second] = seen;
    expect(second?.slice(0, 2)).toEqual(first?.slice(0, 2));
    expect([first?.[2], second?.[2]]).toEqual([undefined, 1]);
  });

  it("a step whose execute was replaced (a spy) is still called through it", async () => {
    const double = lambda((n: number) => n * 2);
    const spy = vi.spyOn(double, "execute");
    await expect(sequential([(n: number) => n + 1, double, (n: number) => n + 1]).execute(1)).resolves.toBe(5);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("a subscriber added by a step sees the events of the steps after it", async () => {
    const events: TtaEvent[] = [];
    let stop: (() => void) | undefined;
    const flow = sequential([
      lambda((n: number) => {
        stop = subscribe((event) => events.push(event));
        return n + 1;
      }, "subscribes"),
      lambda((n: number) => n * 2, "after"),
    ]);
    try {
      await expect(flow.execute(1)).resolves.toBe(4);
    } finally {
      stop?.();
    }
    expect(events.map((e) => `${e.type} ${e.name}`)).toEqual(["start after", "end after"]);
  });

  it("a nested sequential rejects with a non-Error throw wrapped (NON_ERROR_THROWN), as the top level does", async () => {
    const inner = sequential([
      (n: number) => n,
      (): number => {
        throw "raw";
      },
    ]);
    let seen: unknown;
    const outer = lambda(async (n: number, ctx: WorkflowContext) =>
      inner.execute(n, ctx).catch((error: unknown) => {
        seen = error;
        throw error;
      }),
    );
    const error: unknown = await outer.execute(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTtaError(seen, "NON_ERROR_THROWN")).toBe(true);
    expect(error).toBe(seen);
    expect((error as Error).cause).toBe("raw");
  });
});

describe("flattening", () => {
  const a = lambda((n: number) => n + 1, "a");
  const b = lambda((n: number) => n * 2, "b");
  const c = lambda((n: number) => n - 3, "c");

  it("a.pipe(b).pipe(c) is one sequential of three steps", async () => {
    const flow = a.pipe(b).pipe(c);
    expect(flow).toBeInstanceOf(SequentialPrimitive);
    expect(flow.steps).toEqual([a, b, c]);
    await expect(flow.execute(1)).resolves.toBe(1);
  });

  it("a.pipe(b.pipe(c)) is also one sequential of three steps", async () => {
    const flow = a.pipe(b.pipe(c));
    expect(flow.steps).toEqual([a, b, c]);
    await expect(flow.execute(1)).resolves.toBe(1);
  });

  it("sequential([sequential([a, b]), c]) and sequential([a, sequential([b, c])]) flatten too", () => {
    expect(sequential([sequential([a, b]), c]).steps).toHaveLength(3);
    expect(sequential([a, sequential([b, c])]).steps).toHaveLength(3);
  });

  it("a named sequential is kept as one step", async () => {
    const named = sequential([b, c], { name: "enrich" });
    const flow = a.pipe(named);
    expect(flow.steps).toEqual([a, named]);
    expect(named.name).toBe("enrich");
    await expect(flow.execute(1)).resolves.toBe(1);
  });
});

describe("errors", () => {
  it("stops at the first error and rethrows it unchanged; later steps are not called", async () => {
    const error = new Error("step 2 failed");
    const first = new MockPrimitive<number, number>({ returns: 1 });
    const second = new MockPrimitive<number, number>({ failTimes: 1, error });
    const third = new MockPrimitive<number, number>({ returns: 3 });
    await expect(sequential([first, second, third]).execute(0, createTestContext())).rejects.toBe(error);
    expect(first.callCount).toBe(1);
    expect(second.callCount).toBe(1);
    expect(third.callCount).toBe(0);
  });

  it("a TtaError thrown by a step keeps its identity through the sequential", async () => {
    const error = new InvalidOptionsError("x", "bad");
    const flow = sequential([
      (n: number) => n,
      () => {
        throw error;
      },
    ]);
    await expect(flow.execute(1)).rejects.toBe(error);
  });
});

describe("cancellation", () => {
  it("aborting during step 2 rejects with the signal's reason and never calls step 3", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const step1 = new MockPrimitive<number, number>({ returns: 1 });
    const step2 = new MockPrimitive<number, number>({ latencyMs: 1_000, returns: 2 });
    const step3 = new MockPrimitive<number, number>({ returns: 3 });
    const run = sequential([step1, step2, step3]).execute(0, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(500);
    expect(step2.callCount).toBe(1);
    const reason = new Error("user cancelled");
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    await ctx.clock.advance(1_000);
    expect(step3.callCount).toBe(0);
  });

  it("a step that ignores the signal still finishes, but the next step is not started after an abort", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const reason = new Error("stop");
    const step1 = lambda((n: number) => {
      controller.abort(reason);
      return n + 1;
    });
    const step2 = new MockPrimitive<number, number>({ returns: 2 });
    await expect(sequential([step1, step2]).execute(0, ctx)).rejects.toBe(reason);
    await ctx.clock.advance(0);
    expect(step2.callCount).toBe(0);
  });

  it("an already-aborted signal runs no step at all", async () => {
    const controller = new AbortController();
    controller.abort("gone");
    const step = new MockPrimitive<number, number>({ returns: 1 });
    await expect(sequential([step]).execute(0, createTestContext({ signal: controller.signal }))).rejects.toBe("gone");
    expect(step.callCount).toBe(0);
  });
});

describe("validation", () => {
  const step = (n: number) => n;

  it("an empty list throws InvalidOptionsError naming steps", () => {
    expect(invalidOption(() => sequential([] as unknown as [PrimitiveLike<number, number>])).option).toBe("steps");
    expect(invalidOption(() => new SequentialPrimitive([])).option).toBe("steps");
  });

  it("a non-array first argument (a variadic call) throws InvalidOptionsError", () => {
    const a = lambda(step);
    const b = lambda(step);
    expect(invalidOption(() => (sequential as unknown as (...args: unknown[]) => unknown)(a, b)).option).toBe("steps");
    expect(invalidOption(() => sequential(step as never)).option).toBe("steps");
  });

  it("a step that is neither a primitive nor a function is named by its index", () => {
    const error = invalidOption(() => sequential([step, 5 as never, step]));
    expect(error.option).toBe("steps[1]");
    expect(error.message).toContain("steps[1]");
    expect(invalidOption(() => sequential([null as never])).option).toBe("steps[0]");
    expect(invalidOption(() => sequential([step, { run: step } as never])).option).toBe("steps[1]");
  });

  it("an unknown option key throws InvalidOptionsError naming it", () => {
    expect(invalidOption(() => sequential([step], { nmae: "x" } as SequentialOptions)).option).toBe("nmae");
  });

  it("an invalid name throws InvalidOptionsError naming name", () => {
    expect(invalidOption(() => sequential([step], { name: "" })).option).toBe("name");
    expect(invalidOption(() => sequential([step], { name: 5 } as unknown as SequentialOptions)).option).toBe("name");
  });
});

describe("associativity (property)", () => {
  type Op = { readonly kind: "add" | "mul"; readonly k: number };
  const opArb: fc.Arbitrary<Op> = fc.record({
    kind: fc.constantFrom("add" as const, "mul" as const),
    k: fc.integer({ min: -5, max: 5 }),
  });
  const apply = (op: Op, n: number): number => (op.kind === "add" ? n + op.k : n * op.k);
  const toFn = (op: Op) => (n: number) => apply(op, n);
  // Mix plain functions and lambda primitives, as users do.
  const toStep = (op: Op, i: number): PrimitiveLike<number, number> => (i % 2 === 0 ? lambda(toFn(op)) : toFn(op));
  const direct = (ops: readonly Op[], n: number): number => ops.reduce((acc, op) => apply(op, acc), n);

  it("nested, concatenated, left-piped and right-piped compositions all equal direct function composition", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 6 }),
        fc.array(opArb, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -100, max: 100 }),
        async (left, right, input) => {
          const all = [...left, ...right];
          const expected = direct(all, input);
          const nested = sequential([sequential(left.map(toStep)), sequential(right.map(toStep))]);
          const flat = sequential(all.map(toStep));
          const prims: WorkflowPrimitive<number, number>[] = all.map((op) => lambda(toFn(op)));
          // ((a.pipe(b)).pipe(c))… and a.pipe(b.pipe(c.pipe(…)))
          const leftPiped = prims
            .slice(1)
            .reduce((acc, p) => acc.pipe(p), prims[0] as WorkflowPrimitive<number, number>);
          const rightPiped = prims.reduceRight((acc, p) => p.pipe(acc));
          for (const flow of [nested, flat, leftPiped, rightPiped]) expect(await flow.execute(input)).toBe(expected);
          for (const flow of [nested, flat, leftPiped, rightPiped])
            expect((flow as SequentialPrimitive<number, number>).steps).toHaveLength(all.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("sparse step arrays", () => {
  it("a hole in the step array is an InvalidOptionsError naming it, not a silently shorter chain", () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the bad input under test
    const steps = [(n: number) => n, , (n: number) => n] as unknown as ((n: number) => number)[];
    expect(() => sequential(steps)).toThrow(/steps\[1\]/);
  });
});
