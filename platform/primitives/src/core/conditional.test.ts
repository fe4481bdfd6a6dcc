import { afterEach, describe, expect, it } from "vitest";
import { MockPrimitive, SpanRecorder, createTestContext } from "../testing/index.js";
import { ConditionalPrimitive, isTtaError, when } from "./index.js";
import type { ConditionalOptions, WorkflowContext } from "./index.js";
import { invalidOption } from "../test-support/index.js";

function branches() {
  const then = new MockPrimitive<number, string>({ returns: "then" });
  const otherwise = new MockPrimitive<number, string>({ returns: "else" });
  return { then, otherwise };
}

describe("choosing a branch", () => {
  it("a sync true condition runs then, and only then", async () => {
    const { then, otherwise } = branches();
    await expect(when((n: number) => n > 0, then, otherwise).execute(1, createTestContext())).resolves.toBe("then");
    expect(then.callCount).toBe(1);
    expect(otherwise.callCount).toBe(0);
  });

  it("a sync false condition runs else, and only else", async () => {
    const { then, otherwise } = branches();
    await expect(when((n: number) => n > 0, then, otherwise).execute(-1, createTestContext())).resolves.toBe("else");
    expect(then.callCount).toBe(0);
    expect(otherwise.callCount).toBe(1);
  });

  it("an async condition resolving true runs then", async () => {
    const { then, otherwise } = branches();
    await expect(when(async () => true, then, otherwise).execute(1, createTestContext())).resolves.toBe("then");
  });

  it("an async condition resolving false runs else (a pending promise is never taken as true)", async () => {
    const { then, otherwise } = branches();
    await expect(when(async () => false, then, otherwise).execute(1, createTestContext())).resolves.toBe("else");
    expect(then.callCount).toBe(0);
  });

  it("a condition that waits on the clock decides only once it resolves", async () => {
    const { then, otherwise } = branches();
    const ctx = createTestContext();
    const slowNo = async (_: number, c: WorkflowContext) => {
      await c.clock.sleep(50, c.signal);
      return false;
    };
    const run = when(slowNo, then, otherwise).execute(1, ctx);
    await ctx.clock.advance(49);
    expect(then.callCount + otherwise.callCount).toBe(0);
    await ctx.clock.advance(1);
    await expect(run).resolves.toBe("else");
  });

  it("a thenable condition is awaited", async () => {
    const { then, otherwise } = branches();
    const thenable: PromiseLike<boolean> = { then: (resolve) => Promise.resolve(false).then(resolve) };
    await expect(when(() => thenable, then, otherwise).execute(1, createTestContext())).resolves.toBe("else");
  });

  it("the condition and the chosen branch get the input and the run's context", async () => {
    const ctx = createTestContext({ workflowId: "wf-cond" });
    const seen: string[] = [];
    const then = new MockPrimitive<number, number>({ returns: 0 });
    await when((n: number, c: WorkflowContext) => {
      seen.push(`${n}:${c.workflowId}`);
      return true;
    }, then).execute(7, ctx);
    expect(seen).toEqual(["7:wf-cond"]);
    expect(then.calls[0]?.input).toBe(7);
    expect(then.calls[0]?.context.workflowId).toBe("wf-cond");
  });

  it("accepts plain functions as branches", async () => {
    const flow = when(
      (n: number) => n % 2 === 0,
      (n: number) => `even ${n}`,
      (n: number) => `odd ${n}`,
    );
    await expect(flow.execute(2)).resolves.toBe("even 2");
    await expect(flow.execute(3)).resolves.toBe("odd 3");
  });
});

describe("passthrough", () => {
  it("without else, a false condition returns the input itself", async () => {
    const input = { q: "hello" };
    const then = new MockPrimitive<typeof input, string>({ returns: "x" });
    await expect(when(() => false, then).execute(input, createTestContext())).resolves.toBe(input);
    expect(then.callCount).toBe(0);
  });

  it("without else, an async false condition also passes the input through", async () => {
    await expect(
      when(
        async () => false,
        (n: number) => n * 100,
      ).execute(3),
    ).resolves.toBe(3);
  });
});

describe("errors", () => {
  it("a condition error propagates unchanged and no branch runs", async () => {
    const { then, otherwise } = branches();
    const error = new Error("condition broke");
    const flow = when(
      () => {
        throw error;
      },
      then,
      otherwise,
    );
    await expect(flow.execute(1, createTestContext())).rejects.toBe(error);
    await expect(when(() => Promise.reject(error), then, otherwise).execute(1, createTestContext())).rejects.toBe(
      error,
    );
    expect(then.callCount + otherwise.callCount).toBe(0);
  });

  it("a branch error propagates unchanged", async () => {
    const error = new Error("branch broke");
    const then = new MockPrimitive<number, number>({ failTimes: 1, error });
    await expect(when(() => true, then).execute(1, createTestContext())).rejects.toBe(error);
  });

  it("a non-Error thrown by the condition is wrapped as NON_ERROR_THROWN", async () => {
    const flow = when(
      () => {
        throw "nope";
      },
      (n: number) => n,
    );
    const error = await flow.execute(1).catch((e: unknown) => e);
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect((error as Error).cause).toBe("nope");
  });

  it("an abort during the condition rejects with the signal's reason and runs no branch", async () => {
    const { then, otherwise } = branches();
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const waitThenTrue = async (_: number, c: WorkflowContext) => {
      await c.clock.sleep(100);
      return true;
    };
    const run = when(waitThenTrue, then, otherwise).execute(1, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(10);
    controller.abort("stop");
    await expect(run).rejects.toBe("stop");
    await ctx.clock.advance(100);
    expect(then.callCount).toBe(0);
  });
});

describe("construction", () => {
  it("a condition that is not a function throws InvalidOptionsError naming condition", () => {
    expect(invalidOption(() => when(true as never, (n: number) => n)).option).toBe("condition");
  });

  it("an invalid then or else branch throws InvalidOptionsError naming it", () => {
    expect(invalidOption(() => when(() => true, 5 as never)).option).toBe("then");
    expect(
      invalidOption(() =>
        when(
          () => true,
          (n: number) => n,
          "x" as never,
        ),
      ).option,
    ).toBe("else");
  });

  it("an unknown option or invalid name throws InvalidOptionsError", () => {
    const id = (n: number) => n;
    expect(invalidOption(() => when(() => true, id, undefined, { nam: "x" } as ConditionalOptions)).option).toBe("nam");
    expect(invalidOption(() => when(() => true, id, undefined, { name: "" })).option).toBe("name");
  });

  it("the name defaults to ConditionalPrimitive and can be set", () => {
    const id = (n: number) => n;
    expect(when(() => true, id).name).toBe("ConditionalPrimitive");
    expect(new ConditionalPrimitive(() => true, id, undefined, { name: "gate" }).name).toBe("gate");
  });
});

describe("spans", () => {
  let recorder: SpanRecorder | undefined;
  afterEach(() => recorder?.uninstall());

  it("records the branch taken as tta.conditional.branch", async () => {
    recorder = new SpanRecorder().install();
    const id = (n: number) => n;
    await when(() => true, id, id).execute(1);
    await when(() => false, id, id).execute(1);
    await when(() => false, id).execute(1);
    const branchesTaken = recorder.spans
      .filter((s) => s.name === "tta.conditional")
      .map((s) => s.attributes["tta.conditional.branch"]);
    expect(branchesTaken).toEqual(["then", "else", "passthrough"]);
  });
});
