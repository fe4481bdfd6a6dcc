import { afterEach, describe, expect, it } from "vitest";
import { MockPrimitive, TestClock, createTestContext } from "../testing/index.js";
import {
  InvalidOptionsError,
  TimeoutError,
  WorkflowPrimitive,
  createContext,
  isTtaError,
  lambda,
  parallel,
  sequential,
  subscribe,
  toError,
} from "./index.js";
import type { WorkflowContext } from "./index.js";
import { track } from "../test-support/index.js";

class Upper extends WorkflowPrimitive<string, string> {
  constructor(name?: string) {
    super({ kind: "upper", name });
  }
  protected async run(input: string): Promise<string> {
    return input.toUpperCase();
  }
}
class Shout extends Upper {}

/** Work that never settles and never looks at its signal. */
const hang = lambda((_: number): Promise<string> => new Promise<string>(() => undefined));

/** Counts listeners added to and removed from `signal`. */
function countListeners(signal: AbortSignal): { added: number; removed: number } {
  const counts = { added: 0, removed: 0 };
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>) => {
    counts.added++;
    add(...args);
  };
  signal.removeEventListener = (...args: Parameters<AbortSignal["removeEventListener"]>) => {
    counts.removed++;
    remove(...args);
  };
  return counts;
}

describe("name", () => {
  it("defaults to the class name, subclasses included", () => {
    expect(new Upper().name).toBe("Upper");
    expect(new Shout().name).toBe("Shout");
    expect(new MockPrimitive().name).toBe("MockPrimitive");
    expect(sequential([(n: number) => n]).name).toBe("SequentialPrimitive");
    expect(parallel([(n: number) => n]).name).toBe("ParallelPrimitive");
  });

  it("can be set", () => {
    expect(new Upper("shouty").name).toBe("shouty");
  });

  it("an empty or non-string name throws InvalidOptionsError naming name", () => {
    for (const bad of ["", 5]) {
      const make = () => new Upper(bad as string);
      expect(make).toThrow(InvalidOptionsError);
      try {
        make();
      } catch (error) {
        expect((error as InvalidOptionsError).option).toBe("name");
      }
    }
  });
});

describe("execute", () => {
  it("creates a root context when none is given", async () => {
    let seen: WorkflowContext | undefined;
    await lambda((_: number, ctx: WorkflowContext) => (seen = ctx)).execute(1);
    expect(seen?.workflowId).toMatch(/^wf-/);
    expect(seen?.signal.aborted).toBe(false);
    expect(seen?.state).toBeInstanceOf(Map);
  });

  it("a user subclass composes with pipe and parallel", async () => {
    await expect(new Upper().pipe((s) => `${s}!`).execute("hi")).resolves.toBe("HI!");
    await expect(new Upper().parallel((s: string) => s.length).execute("hi")).resolves.toEqual(["HI", 2]);
  });

  it("accepts an object with execute(input, ctx) as a pipe step", async () => {
    const foreign = { execute: async (s: string, ctx?: WorkflowContext) => `${s}:${ctx?.workflowId ?? "none"}` };
    const ctx = createTestContext({ workflowId: "wf-x" });
    await expect(new Upper().pipe(foreign).execute("a", ctx)).resolves.toBe("A:wf-x");
  });
});

describe("top-level cancellation", () => {
  it("rejects with the signal's reason as soon as it aborts, even if the work ignores the signal", async () => {
    const controller = new AbortController();
    const run = hang.execute(1, createTestContext({ signal: controller.signal }));
    const state = track(run);
    await Promise.resolve();
    expect(state.settled).toBe(false);
    const reason = new Error("cancelled");
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
  });

  it("a deadline from createTestContext({ timeoutMs: 100 }) rejects hung work with TimeoutError at 100 ms, not before", async () => {
    const ctx = createTestContext({ timeoutMs: 100 });
    const run = hang.execute(1, ctx);
    const state = track(run);
    await ctx.clock.advance(99);
    expect(state.settled).toBe(false);
    await ctx.clock.advance(1);
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isTtaError(error, "TIMEOUT")).toBe(true);
  });

  it("a context derived by user code with ctx.child() is also raced at the top level", async () => {
    const parent = new AbortController();
    const ctx = createTestContext({ signal: parent.signal }).child({ metadata: { step: 1 } });
    const run = hang.execute(1, ctx);
    parent.abort("parent gone");
    await expect(run).rejects.toBe("parent gone");
  });

  it("a result already on its way when the abort comes stands", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const work = lambda(async (_: number, c: WorkflowContext) => {
      await c.clock.sleep(100);
      return "done";
    });
    const run = work.execute(1, ctx);
    // Scheduled after the work's own timer at the same instant: the work settles first.
    ctx.clock.schedule(100, () => controller.abort(new Error("too late")));
    await ctx.clock.advance(100);
    expect(controller.signal.aborted).toBe(true);
    await expect(run).resolves.toBe("done");
  });

  it("an abort observed before the work settles wins, even if the work would finish right after", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const reason = new Error("first");
    ctx.clock.schedule(100, () => controller.abort(reason));
    const run = lambda(async (_: number, c: WorkflowContext) => {
      await c.clock.sleep(100);
      return "done";
    }).execute(1, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(100);
    await expect(run).rejects.toBe(reason);
  });

  it("releases its abort listener when each call settles (no growth on a long-lived signal)", async () => {
    const controller = new AbortController();
    const counts = countListeners(controller.signal);
    const ctx = createContext({ signal: controller.signal });
    for (let i = 0; i < 50; i++) await lambda((n: number) => n).execute(i, ctx);
    await lambda(() => Promise.reject(new Error("x")))
      .execute(0, ctx)
      .catch(() => undefined);
    expect(counts.added).toBeGreaterThan(0);
    expect(counts.removed).toBe(counts.added);
  });

  it("nested executions add no listener of their own to the caller's signal", async () => {
    const controller = new AbortController();
    const counts = countListeners(controller.signal);
    const steps = Array.from({ length: 10 }, () => (n: number) => n + 1);
    await expect(sequential(steps).execute(0, createContext({ signal: controller.signal }))).resolves.toBe(10);
    expect(counts.added).toBe(1);
  });
});

describe("contexts from another copy of the package", () => {
  function foreignContext(signal: AbortSignal, clock = new TestClock()) {
    return {
      signal,
      workflowId: "wf-foreign",
      correlationId: "corr-foreign",
      causationId: undefined,
      sessionId: undefined,
      deadline: undefined,
      state: new Map<string, unknown>([["seed", 1]]),
      clock,
      metadata: { user: "u9" },
      tags: { env: "test" },
      baggage: {},
      child: () => {
        throw new Error("not used");
      },
      remainingMs: () => Infinity,
    };
  }

  it("is accepted by execute: ids, metadata and the same state Map reach the steps", async () => {
    const foreign = foreignContext(new AbortController().signal);
    const seen: unknown[] = [];
    const flow = sequential([
      (n: number, c: WorkflowContext) => {
        seen.push(c.workflowId, c.correlationId, c.metadata.user, c.tags.env, c.state.get("seed"));
        c.state.set("written", true);
        return n + 1;
      },
      (n: number) => n * 2,
    ]);
    await expect(flow.execute(1, foreign as unknown as WorkflowContext)).resolves.toBe(4);
    expect(seen).toEqual(["wf-foreign", "corr-foreign", "u9", "test", 1]);
    expect(foreign.state.get("written")).toBe(true);
  });

  it("its signal is honoured at the top level", async () => {
    const controller = new AbortController();
    const run = hang.execute(1, foreignContext(controller.signal) as unknown as WorkflowContext);
    controller.abort("foreign abort");
    await expect(run).rejects.toBe("foreign abort");
  });

  it("its clock drives the steps", async () => {
    const clock = new TestClock(5_000);
    const foreign = foreignContext(new AbortController().signal, clock);
    const mock = new MockPrimitive<number, number>({ latencyMs: 30, returns: 7 });
    const run = mock.execute(1, foreign as unknown as WorkflowContext);
    await clock.advance(30);
    await expect(run).resolves.toBe(7);
    expect(mock.calls[0]?.at).toBe(5_000);
  });
});

describe("non-Error throws inside compositions", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it("a nested step's async non-Error rejection reaches the top-level caller wrapped, even when user code rethrows it", async () => {
    // ADR 0006: nested executes add no promise layer, so user code that catches a nested rejection
    // may see the raw value (use toError); every boundary the library controls wraps it.
    const inner = lambda(async (_: number): Promise<number> => {
      throw "nested string";
    });
    const seen: unknown[] = [];
    const outer = lambda(async (n: number, ctx: WorkflowContext) => {
      try {
        return await inner.execute(n, ctx);
      } catch (error) {
        seen.push(toError(error));
        throw error;
      }
    });
    const error: unknown = await outer.execute(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect((error as Error).cause).toBe("nested string");
    expect(isTtaError(seen[0], "NON_ERROR_THROWN")).toBe(true);
  });

  it("allSettled reports a branch's async non-Error rejection wrapped as NON_ERROR_THROWN", async () => {
    const result = await parallel([async (): Promise<number> => Promise.reject("settled string")], {
      mode: "allSettled",
    }).execute(1);
    const first = result[0];
    expect(first.status).toBe("rejected");
    expect(isTtaError(first.status === "rejected" ? first.reason : undefined, "NON_ERROR_THROWN")).toBe(true);
  });

  it("allSettled reports a branch's sync non-Error throw wrapped as NON_ERROR_THROWN", async () => {
    const throwing = (): number => {
      throw "sync string";
    };
    const [first] = await parallel([throwing], { mode: "allSettled" }).execute(1);
    expect(first.status === "rejected" && isTtaError(first.reason, "NON_ERROR_THROWN")).toBe(true);
  });

  it("what a nested step's non-Error rejection looks like does not depend on whether anyone subscribes to events", async () => {
    const flow = parallel([async (): Promise<number> => Promise.reject("observed?")], { mode: "allSettled" });
    const [withoutTelemetry] = await flow.execute(1);
    stop = subscribe(() => undefined);
    const [withTelemetry] = await flow.execute(1);
    const kind = (r: PromiseSettledResult<number>) =>
      r.status === "rejected" ? (isTtaError(r.reason) ? r.reason.code : typeof r.reason) : "fulfilled";
    expect(kind(withoutTelemetry)).toBe(kind(withTelemetry));
  });
});

describe("kind validation", () => {
  it("a kind that is not lowercase kebab-case is an InvalidOptionsError naming `kind`", () => {
    class Bad extends WorkflowPrimitive<number, number> {
      constructor() {
        super({ kind: "Not Kebab" });
      }
      protected run(input: number): Promise<number> {
        return Promise.resolve(input);
      }
    }
    expect(() => new Bad()).toThrow(InvalidOptionsError);
    expect(() => new Bad()).toThrow(/`kind`/);
  });
});
