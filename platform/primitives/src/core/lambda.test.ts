import { describe, expect, it } from "vitest";
import { createTestContext } from "../testing/index.js";
import { LambdaPrimitive, TtaError, isTtaError, lambda, sequential } from "./index.js";
import type { WorkflowContext } from "./index.js";
import { invalidOption } from "../test-support/index.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

describe("results", () => {
  it("returns a sync function's value", async () => {
    await expect(lambda((n: number) => n + 1).execute(1)).resolves.toBe(2);
  });

  it("awaits a promise returned by a non-async function", async () => {
    const ctx = createTestContext();
    const fn = (n: number, c: WorkflowContext): Promise<number> => c.clock.sleep(10).then(() => n * 2);
    const run = lambda(fn).execute(21, ctx);
    await ctx.clock.advance(10);
    await expect(run).resolves.toBe(42);
  });

  it("awaits a thenable that is not a Promise", async () => {
    const thenable: PromiseLike<string> = {
      then: (onFulfilled) => Promise.resolve("from thenable").then(onFulfilled),
    };
    await expect(lambda(() => thenable).execute(undefined)).resolves.toBe("from thenable");
  });

  it("passes the input and the run's context to the function", async () => {
    const ctx = createTestContext({ workflowId: "wf-lambda", metadata: { user: "u1" } });
    const seen: unknown[] = [];
    await lambda((n: number, c: WorkflowContext) => seen.push(n, c.workflowId, c.metadata.user)).execute(5, ctx);
    expect(seen).toEqual([5, "wf-lambda", "u1"]);
  });

  it("new LambdaPrimitive(fn) behaves like lambda(fn)", async () => {
    await expect(new LambdaPrimitive((s: string) => s.length).execute("four")).resolves.toBe(4);
  });
});

describe("errors", () => {
  it("an Error thrown synchronously passes through by identity", async () => {
    const error = new TypeError("bad input");
    await expect(
      lambda(() => {
        throw error;
      }).execute(1),
    ).rejects.toBe(error);
  });

  it("an Error rejected asynchronously passes through by identity", async () => {
    const error = new Error("async failure");
    await expect(lambda(async () => Promise.reject(error)).execute(1)).rejects.toBe(error);
  });

  it("a TtaError thrown by user code keeps its identity and code", async () => {
    const error = new TtaError("BUDGET_EXCEEDED", "over budget");
    await expect(
      lambda(() => {
        throw error;
      }).execute(1),
    ).rejects.toBe(error);
  });

  it.each([
    ["a string", "boom"],
    ["a number", 42],
    ["null", null],
    ["undefined", undefined],
    ["a plain object", { status: 500 }],
  ])("%s thrown synchronously is wrapped as NON_ERROR_THROWN with the value as cause", async (_label, value) => {
    const error = await rejection(
      lambda(() => {
        throw value;
      }).execute(1),
    );
    expect(error).toBeInstanceOf(TtaError);
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect((error as Error).cause).toBe(value);
  });

  it.each([
    ["a string", "boom"],
    ["a number", 42],
    ["null", null],
    ["undefined", undefined],
  ])("%s rejected asynchronously is wrapped as NON_ERROR_THROWN with the value as cause", async (_label, value) => {
    const error = await rejection(lambda(async () => Promise.reject(value)).execute(1));
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect((error as Error).cause).toBe(value);
  });

  it("a non-Error thrown inside a sequential reaches the caller wrapped, with the value as cause", async () => {
    const flow = sequential([
      (n: number) => n,
      async () => {
        throw "deep";
      },
    ]);
    const error = await rejection(flow.execute(1));
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect((error as Error).cause).toBe("deep");
  });
});

describe("cancellation", () => {
  it("an abort whose reason is a string rejects with that exact string, not wrapped", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const run = lambda(async (_: number, c: WorkflowContext) => {
      await c.clock.sleep(1_000, c.signal);
      return "late";
    }).execute(1, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(10);
    controller.abort("user went away");
    await expect(run).rejects.toBe("user went away");
  });

  it("a function that rethrows a string abort reason is not wrapped either", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const run = lambda((_: number, c: WorkflowContext) => {
      controller.abort("stop now");
      throw c.signal.reason;
    }).execute(1, ctx);
    await expect(run).rejects.toBe("stop now");
  });

  it("an already-aborted signal rejects with its reason without calling the function", async () => {
    const controller = new AbortController();
    controller.abort("before start");
    let called = false;
    const run = lambda(() => {
      called = true;
    }).execute(undefined, createTestContext({ signal: controller.signal }));
    await expect(run).rejects.toBe("before start");
    expect(called).toBe(false);
  });
});

describe("construction", () => {
  it("a non-function throws InvalidOptionsError naming fn", () => {
    expect(invalidOption(() => lambda(5 as never)).option).toBe("fn");
    expect(invalidOption(() => new LambdaPrimitive(null as never)).option).toBe("fn");
  });

  it("an empty or non-string name throws InvalidOptionsError naming name", () => {
    expect(invalidOption(() => lambda((n: number) => n, "")).option).toBe("name");
    expect(invalidOption(() => lambda((n: number) => n, 5 as never)).option).toBe("name");
  });

  it("an explicit name is used", () => {
    expect(lambda((n: number) => n, "trim").name).toBe("trim");
  });

  it("an anonymous function's lambda is named after its class, LambdaPrimitive (DESIGN §3.2)", () => {
    expect(lambda((n: number) => n).name).toBe("LambdaPrimitive");
  });

  it("its kind is lambda", () => {
    expect(lambda((n: number) => n).kind).toBe("lambda");
  });
});
