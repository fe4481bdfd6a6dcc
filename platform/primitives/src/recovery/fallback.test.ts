import fc from "fast-check";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import type { WorkflowContext } from "../core/context.js";
import type { TtaError } from "../core/errors.js";
import { FallbackError, TimeoutError, isTtaError } from "../core/errors.js";
import { MockPrimitive, SpanRecorder, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { DEFAULT_FALLBACK_OPTIONS, FallbackPrimitive, fallback } from "./fallback.js";
import type { FallbackOptions } from "./fallback.js";
import { invalidOption, recordEvents } from "../test-support/index.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

const failing = (message: string) => (): never => {
  throw new Error(message);
};

// With the default options a failure becomes a FallbackError, so the pass-through checks are off here…
describePrimitiveContract("fallback", (inner) => fallback(inner, { fallbacks: [failing("fallback failed")] }), {
  errorsPassThrough: false,
});
describePrimitiveContract("fallback recovering", (inner) => fallback(inner, { fallbacks: () => "recovered" }), {
  errorsPassThrough: false,
});
// …and on with a `when` that lets no error fall back.
describePrimitiveContract("fallback with when: () => false", (inner) =>
  fallback(inner, { fallbacks: () => "recovered", when: () => false }),
);

describe("the chain", () => {
  it("returns the primary's result without running any fallback", async () => {
    const backup = new MockPrimitive<string, string>({ returns: "backup" });
    await expect(fallback((s: string) => `primary ${s}`, { fallbacks: backup }).execute("q")).resolves.toBe(
      "primary q",
    );
    expect(backup.callCount).toBe(0);
  });

  it("tries each fallback in order with the same input and the same context until one succeeds", async () => {
    const ctx = createTestContext();
    const order: string[] = [];
    const contexts: WorkflowContext[] = [];
    const inputs: unknown[] = [];
    const step =
      (label: string, ok: boolean) =>
      (input: { q: string }, c: WorkflowContext): string => {
        order.push(label);
        contexts.push(c);
        inputs.push(input);
        if (!ok) throw new Error(`${label} failed`);
        return label;
      };
    const never = new MockPrimitive<{ q: string }, string>({ returns: "never" });
    const input = { q: "hello" };
    const chain = fallback(step("primary", false), {
      fallbacks: [step("first", false), step("second", true), never],
    });
    await expect(chain.execute(input, ctx)).resolves.toBe("second");
    expect(order).toEqual(["primary", "first", "second"]);
    expect(inputs.every((i) => i === input)).toBe(true);
    expect(new Set(contexts).size).toBe(1);
    expect(never.callCount).toBe(0);
  });

  it("attempts share the caller's state, signal and deadline", async () => {
    const ctx = createTestContext({ timeoutMs: 1_000 });
    const seen: { state: unknown; deadline: number | undefined }[] = [];
    await fallback(
      (_: number, c: WorkflowContext) => {
        c.state.set("tried", "primary");
        throw new Error("no");
      },
      {
        fallbacks: (_: number, c: WorkflowContext) => {
          seen.push({ state: c.state.get("tried"), deadline: c.deadline });
          return 1;
        },
      },
    ).execute(0, ctx);
    expect(seen).toEqual([{ state: "primary", deadline: 1_000 }]);
    ctx.dispose();
  });

  it("when every attempt fails, rejects with a FallbackError holding every error in order", async () => {
    const errors = [new Error("primary"), new TypeError("first"), new TimeoutError("second")];
    const attempts = errors.map((error) => new MockPrimitive<number, number>({ failTimes: 1, error }));
    const chain = fallback(attempts[0] as MockPrimitive<number, number>, { fallbacks: attempts.slice(1) });
    const error = await rejection(chain.execute(1));
    expect(error).toBeInstanceOf(FallbackError);
    const exhausted = error as FallbackError;
    expect(isTtaError(exhausted, "FALLBACK_EXHAUSTED")).toBe(true);
    expect(exhausted.errors).toHaveLength(3);
    exhausted.errors.forEach((e, i) => expect(e).toBe(errors[i]));
    expect(exhausted.cause).toBe(errors[2]);
    expect(exhausted.retryable).toBe(false);
    expect(exhausted.message).toContain("all 3 attempts failed");
    expect(exhausted.message).toContain("2 fallbacks");
    expect(exhausted.message).toContain("TIMEOUT: second");
    expect(attempts.map((a) => a.callCount)).toEqual([1, 1, 1]);
  });

  it("a single fallback that fails too gives a FallbackError of two", async () => {
    const error = await rejection(fallback(failing("a"), { fallbacks: failing("b") }).execute(0));
    expect((error as FallbackError).errors.map((e) => (e as Error).message)).toEqual(["a", "b"]);
    expect((error as FallbackError).message).toContain("all 2 attempts failed (the primary and 1 fallback)");
  });

  it("wraps non-Error throws as NON_ERROR_THROWN in the collected errors", async () => {
    const error = (await rejection(
      fallback(
        () => {
          throw "plain string";
        },
        { fallbacks: () => Promise.reject({ code: 42 }) },
      ).execute(0),
    )) as FallbackError;
    expect(error.errors.map((e) => isTtaError(e, "NON_ERROR_THROWN"))).toEqual([true, true]);
    expect((error.errors[0] as Error).cause).toBe("plain string");
    expect((error.errors[1] as Error).cause).toEqual({ code: 42 });
  });

  it("walks the chain asynchronously, one attempt at a time, on the context's clock", async () => {
    const ctx = createTestContext();
    const slowFail = new MockPrimitive<number, number>({ latencyMs: 100, failTimes: 1 });
    const slowOk = new MockPrimitive<number, number>({ latencyMs: 50, returns: 2 });
    const run = fallback(slowFail, { fallbacks: [slowOk] }).execute(0, ctx);
    await ctx.clock.advance(100);
    expect(slowOk.calls.map((c) => c.at)).toEqual([100]);
    await ctx.clock.advance(50);
    await expect(run).resolves.toBe(2);
  });

  it("result = the first succeeding attempt; FallbackError of all errors when none does (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 2, maxLength: 8 }), async (outcomes) => {
        const attempts = outcomes.map(
          (ok, i) => new MockPrimitive<number, number>({ returns: i, failTimes: ok ? 0 : 1 }),
        );
        const [primary, ...rest] = attempts as [MockPrimitive<number, number>, ...MockPrimitive<number, number>[]];
        const winner = outcomes.indexOf(true);
        const settled = await fallback(primary, { fallbacks: rest })
          .execute(0)
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        if (winner >= 0) expect(settled).toEqual({ value: winner });
        else expect((settled as { error: FallbackError }).error.errors).toHaveLength(outcomes.length);
        const ran = winner >= 0 ? winner + 1 : outcomes.length;
        expect(attempts.map((a) => a.callCount)).toEqual(outcomes.map((_, i) => (i < ran ? 1 : 0)));
      }),
      { numRuns: 100 },
    );
  });
});

describe("when", () => {
  it("an error for which when returns false is rethrown at once, unchanged, and no fallback runs", async () => {
    const fatal = new Error("invalid request");
    const backup = new MockPrimitive<number, number>({ returns: 1 });
    const seen: unknown[] = [];
    const chain = fallback(
      () => {
        throw fatal;
      },
      {
        fallbacks: backup,
        when: (e) => {
          seen.push(e);
          return isTtaError(e, "TIMEOUT");
        },
      },
    );
    await expect(chain.execute(0)).rejects.toBe(fatal);
    expect(seen).toEqual([fatal]);
    expect(backup.callCount).toBe(0);
  });

  it("is consulted for every failing attempt; a non-matching fallback error stops the chain unchanged", async () => {
    const timeoutError = new TimeoutError("slow");
    const fatal = new Error("bad output");
    const last = new MockPrimitive<number, number>({ returns: 3 });
    const seen: unknown[] = [];
    const chain = fallback(new MockPrimitive<number, number>({ failTimes: 1, error: timeoutError }), {
      fallbacks: [new MockPrimitive<number, number>({ failTimes: 1, error: fatal }), last],
      when: (e) => {
        seen.push(e);
        return e instanceof TimeoutError;
      },
    });
    await expect(chain.execute(0)).rejects.toBe(fatal);
    expect(seen).toEqual([timeoutError, fatal]);
    expect(last.callCount).toBe(0);
  });

  it("a matching error moves on to the next fallback", async () => {
    const chain = fallback(
      () => {
        throw new TimeoutError("slow");
      },
      { fallbacks: [() => "backup"], when: (e) => e instanceof TimeoutError },
    );
    await expect(chain.execute(0)).resolves.toBe("backup");
  });

  it("gets non-Error throws wrapped as NON_ERROR_THROWN", async () => {
    const seen: unknown[] = [];
    await fallback(
      () => {
        throw 42;
      },
      { fallbacks: () => 0, when: (e) => (seen.push(e), true) },
    ).execute(0);
    expect(isTtaError(seen[0], "NON_ERROR_THROWN")).toBe(true);
    expect((seen[0] as TtaError).cause).toBe(42);
  });

  it("an exception thrown by when rejects the execution", async () => {
    const bug = new Error("bug in when");
    const chain = fallback(failing("primary"), {
      fallbacks: () => 1,
      when: () => {
        throw bug;
      },
    });
    await expect(chain.execute(0)).rejects.toBe(bug);
  });
});

describe("cancellation", () => {
  it("an abort during the primary rejects with the signal's reason; no fallback and no when run", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const ctx = createTestContext({ signal: controller.signal });
    const backup = new MockPrimitive<number, number>({ returns: 1 });
    let whenCalls = 0;
    const chain = fallback(new MockPrimitive<number, number>({ latencyMs: 1_000 }), {
      fallbacks: backup,
      when: () => (whenCalls++, true),
    });
    let nested: Promise<number> | undefined;
    const outer = new MockPrimitive<number, unknown>({ impl: (input, c) => (nested = chain.execute(input, c)) });
    outer.execute(0, ctx).catch(() => undefined);
    await ctx.clock.advance(10);
    controller.abort(reason);
    await expect(nested).rejects.toBe(reason);
    expect(backup.callCount).toBe(0);
    expect(whenCalls).toBe(0);
  });

  it("an abort while a fallback runs stops the chain with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const ctx = createTestContext({ signal: controller.signal });
    const third = new MockPrimitive<number, number>({ returns: 3 });
    const chain = fallback(failing("primary"), {
      fallbacks: [
        () => {
          controller.abort(reason);
          throw new Error("failed as the run was cancelled");
        },
        third,
      ],
    });
    const outer = new MockPrimitive<number, unknown>({ impl: (input, c) => chain.execute(input, c) });
    await expect(outer.execute(0, ctx)).rejects.toBe(reason);
    expect(third.callCount).toBe(0);
  });

  it("a deadline passing is a cancellation too: the context's TimeoutError, no fallback", async () => {
    const ctx = createTestContext({ timeoutMs: 100 });
    const backup = new MockPrimitive<number, number>({ returns: 1 });
    const chain = fallback(new MockPrimitive<number, number>({ latencyMs: 1_000 }), { fallbacks: backup });
    const run = chain.execute(0, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(100);
    expect(await rejection(run)).toBeInstanceOf(TimeoutError);
    expect(backup.callCount).toBe(0);
  });

  it("an error named AbortError is rethrown unchanged, without falling back", async () => {
    const abortError = new DOMException("The operation was aborted.", "AbortError");
    const backup = new MockPrimitive<number, number>({ returns: 1 });
    const chain = fallback(
      () => {
        throw abortError;
      },
      { fallbacks: backup },
    );
    await expect(chain.execute(0)).rejects.toBe(abortError);
    expect(backup.callCount).toBe(0);
  });

  it("an inner timeout (not a cancellation of this run) does fall back", async () => {
    const chain = fallback(
      () => {
        throw new TimeoutError("model call timed out", { timeoutMs: 10 });
      },
      { fallbacks: () => "backup" },
    );
    await expect(chain.execute(0)).resolves.toBe("backup");
  });
});

describe("events and spans", () => {
  let recorder: SpanRecorder | undefined;
  afterEach(() => recorder?.uninstall());

  it("reports a fallback event each time it moves on, with the index and the error type", async () => {
    const events = recordEvents();
    const ctx = createTestContext({ workflowId: "wf-f" });
    await fallback(
      () => {
        throw new TimeoutError("slow");
      },
      { fallbacks: [failing("second"), () => 3], name: "models" },
    ).execute(0, ctx);
    expect(events.filter((e) => e.type === "fallback")).toEqual([
      {
        type: "fallback",
        index: 1,
        errorType: "TIMEOUT",
        kind: "fallback",
        name: "models",
        workflowId: "wf-f",
        correlationId: ctx.correlationId,
        at: 0,
      },
      expect.objectContaining({ type: "fallback", index: 2, errorType: "Error" }),
    ]);
  });

  it("reports no fallback event on success, nor after the last attempt fails", async () => {
    const events = recordEvents();
    await fallback(() => 1, { fallbacks: () => 2 }).execute(0);
    await fallback(failing("a"), { fallbacks: failing("b") })
      .execute(0)
      .catch(() => undefined);
    expect(events.filter((e) => e.type === "fallback").map((e) => (e as { index: number }).index)).toEqual([1]);
  });

  it("sets tta.fallback.index to the attempt that produced the result (0 = primary)", async () => {
    recorder = new SpanRecorder().install();
    await fallback(() => "p", { fallbacks: () => "f" }).execute(0);
    await fallback(failing("p"), { fallbacks: [failing("f1"), () => "f2"] }).execute(0);
    const spans = recorder.spans.filter((s) => s.name === "tta.fallback");
    expect(spans.map((s) => s.attributes["tta.fallback.index"])).toEqual([0, 2]);
  });

  it("runs each attempt as a child span of the fallback span", async () => {
    recorder = new SpanRecorder().install();
    const mocks = [0, 1, 2].map((i) => new MockPrimitive<number, number>({ failTimes: i < 2 ? 1 : 0, returns: i }));
    await fallback(mocks[0] as MockPrimitive<number, number>, { fallbacks: mocks.slice(1) }).execute(0);
    expect(recorder.tree()).toBe("tta.fallback\n  tta.mock\n  tta.mock\n  tta.mock");
  });

  it("marks the span failed with FALLBACK_EXHAUSTED when every attempt fails, with no result index", async () => {
    recorder = new SpanRecorder().install();
    await fallback(failing("a"), { fallbacks: [failing("b"), failing("c")] })
      .execute(0)
      .catch(() => undefined);
    const span = recorder.spans.find((s) => s.name === "tta.fallback");
    expect(span?.attributes["error.type"]).toBe("FALLBACK_EXHAUSTED");
    expect(span?.attributes["tta.fallback.attempts"]).toBe(3);
    expect(span?.attributes["tta.fallback.index"]).toBeUndefined();
  });
});

describe("options", () => {
  it("resolves options once into a frozen object; accepts one fallback or an array; exposes the primary", () => {
    const primary = new MockPrimitive();
    const backup = new MockPrimitive();
    const one = new FallbackPrimitive(primary, { fallbacks: backup });
    expect(one.options.fallbacks).toEqual([backup]);
    expect(Object.isFrozen(one.options)).toBe(true);
    expect(Object.isFrozen(one.options.fallbacks)).toBe(true);
    expect(one.primary).toBe(primary);
    expect(one.options.when).toBeUndefined();
    expect(one.name).toBe("FallbackPrimitive");
    expect(one.kind).toBe("fallback");
    expect(fallback(primary, { fallbacks: [backup, () => 1], name: "models" }).options.fallbacks).toHaveLength(2);
    expect(fallback(primary, { fallbacks: [backup], name: "models" }).name).toBe("models");
    expect(DEFAULT_FALLBACK_OPTIONS).toEqual({ when: undefined, name: "FallbackPrimitive" });
    expect(Object.isFrozen(DEFAULT_FALLBACK_OPTIONS)).toBe(true);
  });

  it("accepts an object with execute as primary or fallback", async () => {
    const foreign = { execute: (n: number) => Promise.resolve(n + 1) };
    await expect(fallback(failing("p"), { fallbacks: foreign }).execute(1)).resolves.toBe(2);
    await expect(fallback(foreign, { fallbacks: () => 0 }).execute(1)).resolves.toBe(2);
  });

  it("null for an optional option means its default", () => {
    const chain = fallback(() => 1, { fallbacks: () => 2, when: null, name: null } as unknown as FallbackOptions<
      number,
      number
    >);
    expect(chain.options.when).toBeUndefined();
    expect(chain.name).toBe("FallbackPrimitive");
  });

  it.each<[string, unknown, string]>([
    ["missing", {}, "fallbacks"],
    ["null", { fallbacks: null }, "fallbacks"],
    ["an empty array", { fallbacks: [] }, "fallbacks"],
    ["a number", { fallbacks: 42 }, "fallbacks"],
    ["an array with a bad item", { fallbacks: [() => 1, "nope"] }, "fallbacks[1]"],
    ["when not a function", { fallbacks: () => 1, when: true }, "when"],
    ["an empty name", { fallbacks: () => 1, name: "" }, "name"],
    ["an unknown key (typo)", { fallbacks: () => 1, fallback: () => 1 }, "fallback"],
  ])("rejects %s, naming the option", (_label, options, option) => {
    const error = invalidOption(() => fallback(() => 1, options as FallbackOptions<number, number>));
    expect(error.option).toBe(option);
  });

  it("rejects a missing, null or non-object options argument, and an invalid primary", () => {
    const make = (options: unknown) => () => new FallbackPrimitive(() => 1, options as FallbackOptions<number, number>);
    expect(invalidOption(make(undefined)).option).toBe("fallbacks");
    expect(invalidOption(make(null)).option).toBe("fallback options");
    expect(invalidOption(make([() => 1])).option).toBe("fallback options");
    expect(invalidOption(() => fallback(null as never, { fallbacks: () => 1 })).option).toBe("primary");
  });

  it("the empty-list message names the option and the value", () => {
    const error = invalidOption(() => fallback(() => 1, { fallbacks: [] }));
    expect(error.message).toContain("`fallbacks`");
    expect(error.message).toContain("non-empty");
  });
});

describe("types", () => {
  it("input and output types flow through; fallbacks must produce the primary's output type", () => {
    const chain = fallback(async (s: string) => s.length, { fallbacks: [(s) => s.length * 2, async () => 0] });
    expectTypeOf(chain).toEqualTypeOf<FallbackPrimitive<string, number>>();
    // @ts-expect-error -- a fallback returning a string does not fit a number-producing chain
    fallback(async (s: string) => s.length, { fallbacks: (s: string) => s });
  });
});

describe("sparse fallback arrays", () => {
  it("a hole in `fallbacks` is an InvalidOptionsError naming it, at construction", () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the bad input under test
    const fallbacks = [, (n: number) => n] as unknown as ((n: number) => number)[];
    expect(() => fallback((n: number) => n, { fallbacks })).toThrow(/fallbacks\[0\]/);
  });
});
