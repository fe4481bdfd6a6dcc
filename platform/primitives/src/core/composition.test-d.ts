/**
 * Type-level tests: input and output types flow through composition (DESIGN §1.2, §3.2, §10).
 */
import { describe, expectTypeOf, it } from "vitest";
import { MockPrimitive } from "../testing/index.js";
import { lambda, parallel, router, sequential, when } from "./index.js";
import type {
  InputOf,
  OutputOf,
  ParallelPrimitive,
  PrimitiveLike,
  SequentialPrimitive,
  SequentialSteps,
  WorkflowContext,
  WorkflowPrimitive,
} from "./index.js";

const len = lambda((s: string) => s.length);
const double = lambda((n: number) => n * 2);
const show = lambda((n: number) => `#${n}`);
const isBig = lambda((n: number) => n > 10);

describe("pipe", () => {
  it("accepts a step whose input matches and infers the output", () => {
    const flow = len.pipe(double);
    expectTypeOf(flow).toEqualTypeOf<SequentialPrimitive<string, number>>();
    expectTypeOf(len.pipe(double).pipe(show)).toEqualTypeOf<SequentialPrimitive<string, string>>();
  });

  it("types an unannotated function step from the previous output", () => {
    const flow = len.pipe((n) => {
      expectTypeOf(n).toEqualTypeOf<number>();
      return n > 3;
    });
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<boolean>();
    expectTypeOf(len.pipe(async (n) => [n])).toEqualTypeOf<SequentialPrimitive<string, number[]>>();
  });

  it("rejects a step whose input type does not match", () => {
    // @ts-expect-error -- a string → string step cannot follow a step that outputs a number
    len.pipe(lambda((s: string) => s));
    // @ts-expect-error -- same with a plain function
    len.pipe((s: string) => s.toUpperCase());
    // @ts-expect-error -- and with a foreign executable
    len.pipe({ execute: async (s: string) => s });
  });

  it("types execute's input and result", () => {
    const flow = len.pipe(double);
    expectTypeOf(flow.execute).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(flow.execute("x")).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error -- wrong input type
    void flow.execute(42);
  });
});

describe("sequential", () => {
  it("infers input and output through 8 steps, typing unannotated functions after the first", () => {
    const flow = sequential([
      (s: string) => s.trim(),
      (s) => s.length,
      (n) => n * 2,
      async (n) => n > 4,
      (b) => (b ? "yes" : "no"),
      (s) => s.split(""),
      (chars) => chars.length,
      (n) => ({ n }),
    ]);
    expectTypeOf(flow).toEqualTypeOf<SequentialPrimitive<string, { n: number }>>();
  });

  it("contextually types each unannotated step with the previous output", () => {
    sequential([
      (s: string) => s.length,
      (n) => {
        expectTypeOf(n).toEqualTypeOf<number>();
        return n > 1;
      },
      (b) => {
        expectTypeOf(b).toEqualTypeOf<boolean>();
        return b;
      },
    ]);
  });

  it("mixes primitives, functions and executables", () => {
    const flow = sequential([len, (n) => n + 1, show, { execute: async (s: string) => s.length > 2 }]);
    expectTypeOf<InputOf<typeof flow>>().toEqualTypeOf<string>();
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<boolean>();
  });

  it("rejects a chain whose types do not line up (instead of falling back to an untyped sequential)", () => {
    // The error is reported at `double`, the step that does not fit (sequential-types.test.ts asserts it):
    //   No overload matches this call. The last overload gave the following error.
    //   Type 'LambdaPrimitive<number, number>' is not assignable to type 'PrimitiveLike<string, number>'.
    // @ts-expect-error -- show outputs a string, but double takes a number
    sequential([len, show, double]);
    // @ts-expect-error -- the second step takes a string, the first outputs a number
    sequential([(s: string) => s.length, (s: string) => s.trim()]);
  });

  it("types chains longer than 8 steps link by link", () => {
    const flow = sequential([len, double, double, double, double, double, double, double, double, show]);
    expectTypeOf(flow).toEqualTypeOf<SequentialPrimitive<string, string>>();
    // @ts-expect-error -- the 8th step takes a number, but show (the 7th) outputs a string
    sequential([len, double, double, double, double, double, show, double, double, double]);
  });

  it("SequentialSteps keeps a chain that lines up and marks the step that does not", () => {
    expectTypeOf<SequentialSteps<[typeof len, typeof double]>>().toEqualTypeOf<readonly [typeof len, typeof double]>();
    expectTypeOf<SequentialSteps<[typeof len, typeof show, typeof double]>>().toEqualTypeOf<
      readonly [typeof len, typeof show, PrimitiveLike<string, number>]
    >();
  });

  it("does not type-check a variadic call", () => {
    // @ts-expect-error -- steps go in an array
    sequential(len, double);
  });
});

describe("parallel", () => {
  it("infers a tuple from an array of branches", () => {
    const both = parallel([double, show]);
    expectTypeOf<OutputOf<typeof both>>().toEqualTypeOf<[number, string]>();
    expectTypeOf<InputOf<typeof both>>().toEqualTypeOf<number>();
    // @ts-expect-error -- the branches take numbers
    void both.execute("not a number");
  });

  it("accepts no input for branches with incompatible inputs", () => {
    // @ts-expect-error -- double takes a number, len a string: no input fits both
    void parallel([double, len]).execute(1);
    // @ts-expect-error -- same for a record of branches
    void parallel({ x: double, y: len }).execute(1);
  });

  it("infers the input of a record of branches", () => {
    const facts = parallel({ x: double, y: show });
    expectTypeOf<InputOf<typeof facts>>().toEqualTypeOf<number>();
    // @ts-expect-error -- the branches take numbers
    void facts.execute("not a number");
  });

  it("infers a record from a record of branches", () => {
    const facts = parallel({ x: double, y: show, z: (n: number) => [n] });
    expectTypeOf<OutputOf<typeof facts>>().toEqualTypeOf<{ x: number; y: string; z: number[] }>();
  });

  it('gives PromiseSettledResults in "allSettled" mode, for tuples and records', () => {
    const settled = parallel([double, show], { mode: "allSettled" });
    expectTypeOf<OutputOf<typeof settled>>().toEqualTypeOf<
      [PromiseSettledResult<number>, PromiseSettledResult<string>]
    >();
    const record = parallel({ x: double, y: show }, { mode: "allSettled" });
    expectTypeOf<OutputOf<typeof record>>().toEqualTypeOf<{
      x: PromiseSettledResult<number>;
      y: PromiseSettledResult<string>;
    }>();
  });

  it("a.parallel(b).parallel(c) is [A, B, C]", () => {
    const flow = double.parallel(show).parallel(isBig);
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<[number, string, boolean]>();
    expectTypeOf<InputOf<typeof flow>>().toEqualTypeOf<number>();
  });

  it("a.parallel(b.parallel(c)) is [A, [B, C]]", () => {
    const flow = double.parallel(show.parallel(isBig));
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<[number, [string, boolean]]>();
  });

  it("appending to an allSettled parallel stays settled", () => {
    const flow = parallel([double, show], { mode: "allSettled" }).parallel(isBig);
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<
      [PromiseSettledResult<number>, PromiseSettledResult<string>, PromiseSettledResult<boolean>]
    >();
  });

  it("record-form .parallel(x) is [record, X]", () => {
    const flow = parallel({ a: double, b: show }).parallel(isBig);
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<[{ a: number; b: string }, boolean]>();
  });

  it("rejects a branch whose input does not fit", () => {
    // @ts-expect-error -- len takes a string, the parallel's input is a number
    double.parallel(len);
  });

  it("is a ParallelPrimitive", () => {
    expectTypeOf(parallel([double, show])).toMatchTypeOf<ParallelPrimitive<number, [number, string]>>();
  });
});

describe("router", () => {
  it("outputs the union of the route outputs, and types the selector's input", () => {
    const triage = router({
      routes: { count: len, shout: (s: string) => s.toUpperCase(), check: (s: string) => s.length > 3 },
      select: (s) => {
        expectTypeOf(s).toEqualTypeOf<string>();
        return s.startsWith("!") ? "shout" : "count";
      },
      default: "check",
    });
    expectTypeOf<OutputOf<typeof triage>>().toEqualTypeOf<number | string | boolean>();
    expectTypeOf<InputOf<typeof triage>>().toEqualTypeOf<string>();
  });

  it("accepts an async selector returning a route key", () => {
    router({ routes: { a: double, b: show }, select: async (n: number) => (n > 0 ? "a" : "b") });
  });

  it("requires select and default to be route keys", () => {
    // @ts-expect-error -- "nope" is not a route key
    router({ routes: { a: double, b: show }, select: () => "nope" });
    // @ts-expect-error -- the default must be a route key
    router({ routes: { a: double, b: show }, select: () => "a", default: "c" });
  });
});

describe("when", () => {
  it("without else yields O | I", () => {
    const flow = when((n: number) => n > 0, show);
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<string | number>();
  });

  it("with else yields the union of both branches", () => {
    const flow = when((n: number) => n > 0, show, isBig);
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<string | boolean>();
  });

  it("accepts an async condition", () => {
    const flow = when(async (n: number, ctx: WorkflowContext) => n > ctx.state.size, double, double);
    expectTypeOf<OutputOf<typeof flow>>().toEqualTypeOf<number>();
  });
});

describe("testing kit", () => {
  it("MockPrimitive<I, O> composes with its declared types", () => {
    const mock = new MockPrimitive<string, number>({ returns: 1 });
    expectTypeOf(mock.pipe(double)).toEqualTypeOf<SequentialPrimitive<string, number>>();
    expectTypeOf(mock).toMatchTypeOf<WorkflowPrimitive<string, number>>();
  });
});
