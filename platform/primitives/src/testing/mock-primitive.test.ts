import { describe, expect, it } from "vitest";
import { InvalidOptionsError, sequential } from "../core/index.js";
import type { WorkflowContext } from "../core/index.js";
import { MockPrimitive, TestClock, createTestContext } from "./index.js";
import type { MockPrimitiveOptions } from "./index.js";

async function outcomes<O>(mock: MockPrimitive<number, O>, n: number): Promise<unknown[]> {
  const results: unknown[] = [];
  for (let i = 0; i < n; i++)
    results.push(
      await mock.execute(i, createTestContext()).then(
        (value) => value,
        (error: unknown) => (error instanceof Error ? `throws ${error.message}` : error),
      ),
    );
  return results;
}

describe("scripted results", () => {
  it("returns `returns` on every call, undefined when not given", async () => {
    expect(await outcomes(new MockPrimitive<number, string>({ returns: "ok" }), 3)).toEqual(["ok", "ok", "ok"]);
    expect(await outcomes(new MockPrimitive<number, unknown>(), 1)).toEqual([undefined]);
  });

  it("a sequence gives its items in order, then repeats its last item", async () => {
    expect(await outcomes(new MockPrimitive<number, string>({ sequence: ["a", "b", "c"] }), 5)).toEqual([
      "a",
      "b",
      "c",
      "c",
      "c",
    ]);
  });

  it("an Error item of a sequence is thrown (the same object), and a last Error item keeps being thrown", async () => {
    const error = new Error("rate limited");
    const mock = new MockPrimitive<number, string>({ sequence: ["a", error] });
    await expect(mock.execute(0, createTestContext())).resolves.toBe("a");
    await expect(mock.execute(0, createTestContext())).rejects.toBe(error);
    await expect(mock.execute(0, createTestContext())).rejects.toBe(error);
  });

  it("failTimes makes the first n calls throw `MockPrimitive failure <call number>`, then succeeds", async () => {
    expect(await outcomes(new MockPrimitive<number, string>({ failTimes: 2, returns: "ok" }), 4)).toEqual([
      "throws MockPrimitive failure 1",
      "throws MockPrimitive failure 2",
      "ok",
      "ok",
    ]);
  });

  it("failTimes throws `error` when given, by identity", async () => {
    const error = new TypeError("custom");
    const mock = new MockPrimitive<number, string>({ failTimes: 1, error, returns: "ok" });
    await expect(mock.execute(0, createTestContext())).rejects.toBe(error);
    await expect(mock.execute(0, createTestContext())).resolves.toBe("ok");
  });

  it("applies failTimes first, then impl, then sequence, then returns", async () => {
    const all: MockPrimitiveOptions<number, string> = {
      failTimes: 1,
      impl: (n) => `impl ${n}`,
      sequence: ["seq"],
      returns: "ret",
    };
    expect(await outcomes(new MockPrimitive(all), 2)).toEqual(["throws MockPrimitive failure 1", "impl 1"]);
    expect(await outcomes(new MockPrimitive<number, string>({ sequence: ["seq"], returns: "ret" }), 1)).toEqual([
      "seq",
    ]);
  });

  it("impl gets the input and the context, and may be async", async () => {
    const ctx = createTestContext({ workflowId: "wf-impl" });
    const mock = new MockPrimitive<number, string>({
      impl: async (n: number, c: WorkflowContext) => `${c.workflowId}:${n * 2}`,
    });
    await expect(mock.execute(21, ctx)).resolves.toBe("wf-impl:42");
  });
});

describe("recorded calls", () => {
  it("records each call's input, context snapshot and clock time, oldest first", async () => {
    const ctx = createTestContext({ workflowId: "wf-calls", metadata: { user: "u1" }, clock: new TestClock(1_000) });
    const mock = new MockPrimitive<string, string>({ returns: "ok" });
    await mock.execute("first", ctx);
    await ctx.clock.advance(500);
    await mock.execute("second", ctx);
    expect(mock.callCount).toBe(2);
    expect(mock.calls.map((c) => [c.input, c.at])).toEqual([
      ["first", 1_000],
      ["second", 1_500],
    ]);
    expect(mock.calls[0]?.context).toEqual({
      workflowId: "wf-calls",
      correlationId: ctx.correlationId,
      metadata: { user: "u1" },
      state: {},
    });
  });

  it("snapshots state as a plain object that later writes to ctx.state do not change", async () => {
    const ctx = createTestContext();
    ctx.state.set("step", 1);
    const mock = new MockPrimitive<number, number>({ returns: 0 });
    await mock.execute(0, ctx);
    ctx.state.set("step", 2);
    ctx.state.set("added", true);
    const snapshot = mock.calls[0]?.context.state;
    expect(snapshot).toEqual({ step: 1 });
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(snapshot).not.toBeInstanceOf(Map);
  });

  it("snapshots state when the call starts, before latency, even if a later step writes", async () => {
    const ctx = createTestContext();
    const mock = new MockPrimitive<number, number>({ returns: 0, latencyMs: 10 });
    const run = sequential([
      (n: number, c: WorkflowContext) => {
        c.state.set("phase", "before");
        return n;
      },
      mock,
      (n: number, c: WorkflowContext) => {
        c.state.set("phase", "after");
        return n;
      },
    ]).execute(0, ctx);
    await ctx.clock.advance(10);
    await run;
    expect(mock.calls[0]?.context.state).toEqual({ phase: "before" });
    expect(ctx.state.get("phase")).toBe("after");
  });

  it("reset() forgets calls and restarts the failTimes and sequence scripts", async () => {
    const mock = new MockPrimitive<number, string>({ failTimes: 1, sequence: ["a", "b"] });
    expect(await outcomes(mock, 3)).toEqual(["throws MockPrimitive failure 1", "a", "b"]);
    mock.reset();
    expect(mock.callCount).toBe(0);
    expect(mock.calls).toEqual([]);
    expect(await outcomes(mock, 3)).toEqual(["throws MockPrimitive failure 1", "a", "b"]);
  });
});

describe("latency", () => {
  it("waits latencyMs on the context's clock before answering", async () => {
    const ctx = createTestContext();
    const mock = new MockPrimitive<number, string>({ latencyMs: 200, returns: "slow" });
    let done = false;
    const run = mock.execute(0, ctx).then((v) => ((done = true), v));
    await ctx.clock.advance(199);
    expect(done).toBe(false);
    expect(mock.callCount).toBe(1);
    await ctx.clock.advance(1);
    await expect(run).resolves.toBe("slow");
  });

  it("the wait is abortable by the context's signal and leaves no timer behind", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const run = new MockPrimitive<number, string>({ latencyMs: 1_000, returns: "never" }).execute(0, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(10);
    controller.abort("cancel");
    await expect(run).rejects.toBe("cancel");
    expect(ctx.clock.pendingTimers).toBe(0);
  });
});

describe("assertion helpers", () => {
  it("assertCalledTimes throws unless the count matches", async () => {
    const mock = new MockPrimitive<number, number>({ returns: 0 });
    expect(() => mock.assertCalledTimes(0)).not.toThrow();
    await mock.execute(1, createTestContext());
    expect(() => mock.assertCalledTimes(1)).not.toThrow();
    expect(() => mock.assertCalledTimes(2)).toThrow(/expected 2 call\(s\), got 1/);
  });

  it("assertNotCalled throws once any call was made", async () => {
    const mock = new MockPrimitive<number, number>({ returns: 0 });
    expect(() => mock.assertNotCalled()).not.toThrow();
    await mock.execute(1, createTestContext());
    expect(() => mock.assertNotCalled()).toThrow();
  });

  it("assertCalledWith passes for a deep-equal input and throws otherwise", async () => {
    const mock = new MockPrimitive<{ q: string; tags: string[] }, number>({ returns: 0 });
    await mock.execute({ q: "hi", tags: ["a"] }, createTestContext());
    expect(() => mock.assertCalledWith({ q: "hi", tags: ["a"] })).not.toThrow();
    expect(() => mock.assertCalledWith({ q: "hi", tags: ["b"] })).toThrow();
    expect(() => mock.assertCalledWith({ q: "ho", tags: ["a"] })).toThrow();
  });
});

describe("construction", () => {
  it.each([
    ["unknown key", { retuns: 1 }, "retuns"],
    ["empty sequence", { sequence: [] }, "sequence"],
    ["negative failTimes", { failTimes: -1 }, "failTimes"],
    ["fractional failTimes", { failTimes: 1.5 }, "failTimes"],
    ["negative latencyMs", { latencyMs: -1 }, "latencyMs"],
    ["non-function impl", { impl: "x" }, "impl"],
    ["empty name", { name: "" }, "name"],
  ])("rejects a %s with InvalidOptionsError naming it", (_label, options, option) => {
    let caught: unknown;
    try {
      new MockPrimitive(options as MockPrimitiveOptions<unknown, unknown>);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOptionsError);
    expect((caught as InvalidOptionsError).option).toBe(option);
  });

  it("accepts latencyMs 0 and an Infinity failTimes", async () => {
    const mock = new MockPrimitive<number, number>({ latencyMs: 0, failTimes: Infinity });
    expect(await outcomes(mock, 2)).toEqual(["throws MockPrimitive failure 1", "throws MockPrimitive failure 2"]);
  });

  it("is named MockPrimitive by default, takes a name, and has span kind mock", () => {
    expect(new MockPrimitive().name).toBe("MockPrimitive");
    expect(new MockPrimitive({ name: "llm" }).name).toBe("llm");
    expect(new MockPrimitive().kind).toBe("mock");
  });
});

describe("null options", () => {
  it("null for an optional option means its default, and `returns: null` returns null", async () => {
    const mock = new MockPrimitive<number, null>({ sequence: null as never, returns: null });
    await expect(mock.execute(1)).resolves.toBeNull();
  });
});
