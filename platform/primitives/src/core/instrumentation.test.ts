import { afterEach, describe, expect, it, vi } from "vitest";
import { MockPrimitive, TestClock, createTestContext } from "../testing/index.js";
import { TimeoutError, TtaError, emit, isObserved, lambda, sequential, subscribe } from "./index.js";
import type { EndEvent, TtaEvent } from "./index.js";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Subscribes a recording listener, unsubscribed after the test. */
function record(): TtaEvent[] {
  const events: TtaEvent[] = [];
  stops.push(subscribe((e) => events.push(e)));
  return events;
}

const ends = (events: readonly TtaEvent[]) => events.filter((e): e is EndEvent => e.type === "end");

describe("start and end events", () => {
  it("reports start and end with kind, name, ids, outcome and the duration measured on the context's clock", async () => {
    const events = record();
    const ctx = createTestContext({ clock: new TestClock(1_000), workflowId: "wf-events" });
    const mock = new MockPrimitive<number, number>({ latencyMs: 250, returns: 1, name: "llm" });
    const run = mock.execute(0, ctx);
    await ctx.clock.advance(250);
    await run;
    expect(events).toEqual([
      {
        type: "start",
        kind: "mock",
        name: "llm",
        workflowId: "wf-events",
        correlationId: ctx.correlationId,
        at: 1_000,
      },
      {
        type: "end",
        kind: "mock",
        name: "llm",
        workflowId: "wf-events",
        correlationId: ctx.correlationId,
        at: 1_250,
        outcome: "success",
        durationMs: 250,
      },
    ]);
  });

  it("reports one start and one end per execution, nested in execution order, all with the run's ids", async () => {
    const events = record();
    const ctx = createTestContext();
    await sequential([lambda((n: number) => n + 1, "inc"), lambda((n: number) => n * 2, "double")]).execute(1, ctx);
    expect(events.map((e) => `${e.type}:${e.kind}:${e.name}`)).toEqual([
      "start:sequential:SequentialPrimitive",
      "start:lambda:inc",
      "end:lambda:inc",
      "start:lambda:double",
      "end:lambda:double",
      "end:sequential:SequentialPrimitive",
    ]);
    expect(new Set(events.map((e) => e.workflowId))).toEqual(new Set([ctx.workflowId]));
    expect(new Set(events.map((e) => e.correlationId))).toEqual(new Set([ctx.correlationId]));
  });

  it("each execution is reported, not each primitive", async () => {
    const events = record();
    const step = lambda((n: number) => n);
    await step.execute(1);
    await step.execute(2);
    expect(events.filter((e) => e.type === "start")).toHaveLength(2);
    expect(ends(events)).toHaveLength(2);
  });

  it("durations of nested executions are measured on the clock too", async () => {
    const events = record();
    const ctx = createTestContext();
    const run = sequential([
      new MockPrimitive<number, number>({ latencyMs: 100, returns: 1 }),
      new MockPrimitive<number, number>({ latencyMs: 50, returns: 2 }),
    ]).execute(0, ctx);
    await ctx.clock.runAll();
    await run;
    expect(ends(events).map((e) => [e.kind, e.durationMs])).toEqual([
      ["mock", 100],
      ["mock", 50],
      ["sequential", 150],
    ]);
  });
});

describe("failure outcomes", () => {
  it("an error ends with outcome error and errorType = the TtaError code", async () => {
    const events = record();
    await lambda(() => {
      throw new TimeoutError();
    })
      .execute(1)
      .catch(() => undefined);
    expect(ends(events)[0]).toMatchObject({ outcome: "error", errorType: "TIMEOUT" });
  });

  it("a plain error's errorType is its name", async () => {
    const events = record();
    await lambda(() => {
      throw new RangeError("out of range");
    })
      .execute(1)
      .catch(() => undefined);
    expect(ends(events)[0]).toMatchObject({ outcome: "error", errorType: "RangeError" });
  });

  it("a non-Error throw is reported as NON_ERROR_THROWN", async () => {
    const events = record();
    await lambda(() => Promise.reject("str"))
      .execute(1)
      .catch(() => undefined);
    expect(ends(events)[0]).toMatchObject({ outcome: "error", errorType: "NON_ERROR_THROWN" });
  });

  it("a failing step fails its enclosing sequential with the same errorType", async () => {
    const events = record();
    await sequential([(n: number) => n, () => Promise.reject(new TtaError("BUDGET_EXCEEDED", "over"))])
      .execute(1)
      .catch(() => undefined);
    expect(ends(events).map((e) => [e.kind, e.outcome, e.errorType])).toEqual([
      ["lambda", "success", undefined],
      ["lambda", "error", "BUDGET_EXCEEDED"],
      ["sequential", "error", "BUDGET_EXCEEDED"],
    ]);
  });

  it("a success carries no errorType", async () => {
    const events = record();
    await lambda((n: number) => n).execute(1);
    expect(ends(events)[0]).not.toHaveProperty("errorType");
  });

  it("a run cancelled by its signal ends with outcome aborted and the duration until the abort", async () => {
    const events = record();
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const run = new MockPrimitive<number, number>({ latencyMs: 1_000 }).execute(0, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(400);
    controller.abort(new Error("user cancelled"));
    await expect(run).rejects.toThrow("user cancelled");
    await ctx.clock.advance(0);
    expect(ends(events)).toEqual([
      expect.objectContaining({ kind: "mock", outcome: "aborted", durationMs: 400, errorType: "Error" }),
    ]);
  });
});

describe("subscribe", () => {
  it("unsubscribing stops delivery", async () => {
    const listener = vi.fn();
    const stop = subscribe(listener);
    stops.push(stop);
    await lambda((n: number) => n).execute(1);
    expect(listener).toHaveBeenCalledTimes(2);
    stop();
    await lambda((n: number) => n).execute(1);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("unsubscribing twice removes only that one subscription", async () => {
    const listener = vi.fn();
    const first = subscribe(listener);
    stops.push(subscribe(listener));
    first();
    first();
    await lambda((n: number) => n).execute(1);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("a throwing listener breaks neither the execution nor the other listeners", async () => {
    stops.push(
      subscribe(() => {
        throw new Error("listener bug");
      }),
    );
    const events = record();
    await expect(sequential([(n: number) => n + 1, (n: number) => n * 2]).execute(1)).resolves.toBe(4);
    await expect(lambda(() => Promise.reject(new Error("work failed"))).execute(1)).rejects.toThrow("work failed");
    expect(events).toHaveLength(8);
  });

  it("with no subscriber left, nothing is delivered and isObserved() is false", async () => {
    const listener = vi.fn();
    const stop = subscribe(listener);
    expect(isObserved()).toBe(true);
    stop();
    expect(isObserved()).toBe(false);
    await sequential([(n: number) => n, (n: number) => n]).execute(1);
    await lambda(() => Promise.reject(new Error("x")))
      .execute(1)
      .catch(() => undefined);
    expect(listener).not.toHaveBeenCalled();
  });

  it("rejects a listener that is not a function", () => {
    expect(() => subscribe("nope" as never)).toThrow(TypeError);
  });

  it("emit delivers an event to every current listener synchronously", () => {
    const events = record();
    const event: TtaEvent = { type: "start", kind: "custom", name: "x", workflowId: "w", correlationId: "c", at: 0 };
    emit(event);
    expect(events).toEqual([event]);
  });
});
