import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestClock, createTestContext } from "../testing/index.js";
import { TimeoutError, createContext, isTtaError, lambda } from "./index.js";
import type { ChildContextInit, ContextInit } from "./index.js";
import { invalidOption } from "../test-support/index.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe("ids", () => {
  it("generates a wf- workflow id and a UUID correlation id, stable across reads", () => {
    const ctx = createContext();
    expect(ctx.workflowId).toMatch(/^wf-.+/);
    expect(ctx.correlationId).toMatch(UUID);
    expect(ctx.workflowId).toBe(ctx.workflowId);
    expect(ctx.correlationId).toBe(ctx.correlationId);
  });

  it("gives each root context its own ids", () => {
    const a = createContext();
    const b = createContext();
    expect(a.workflowId).not.toBe(b.workflowId);
    expect(a.correlationId).not.toBe(b.correlationId);
  });

  it("keeps a given workflow id and session id", () => {
    const ctx = createContext({ workflowId: "triage", sessionId: "s-1" });
    expect(ctx.workflowId).toBe("triage");
    expect(ctx.sessionId).toBe("s-1");
  });

  it("children and grandchildren inherit workflowId and correlationId", () => {
    const root = createContext();
    const child = root.child();
    const grandchild = child.child({ metadata: { x: 1 } });
    expect(child.workflowId).toBe(root.workflowId);
    expect(grandchild.workflowId).toBe(root.workflowId);
    expect(child.correlationId).toBe(root.correlationId);
    expect(grandchild.correlationId).toBe(root.correlationId);
  });

  it("ids read first on a child are the same ones the root later reports", () => {
    const root = createContext();
    const child = root.child();
    const fromChild = child.correlationId;
    expect(root.correlationId).toBe(fromChild);
    expect(root.workflowId).toBe(child.workflowId);
  });

  it("sets causationId to the parent's correlationId on children only", () => {
    const root = createContext();
    expect(root.causationId).toBeUndefined();
    expect(root.child().causationId).toBe(root.correlationId);
  });

  it("a child inherits the session id unless it sets its own", () => {
    const root = createContext({ sessionId: "s-1" });
    expect(root.child().sessionId).toBe("s-1");
    expect(root.child({ sessionId: "s-2" }).sessionId).toBe("s-2");
  });
});

describe("option validation", () => {
  it("child({ workflowId }) throws InvalidOptionsError naming workflowId", () => {
    const ctx = createContext();
    expect(invalidOption(() => ctx.child({ workflowId: "other" } as ChildContextInit)).option).toBe("workflowId");
  });

  it("an unknown key throws InvalidOptionsError naming the key", () => {
    expect(invalidOption(() => createContext({ timeout: 5 } as ContextInit)).option).toBe("timeout");
    expect(invalidOption(() => createContext().child({ metdata: {} } as ChildContextInit)).option).toBe("metdata");
  });

  it("null, an array or a Map as the options argument throws InvalidOptionsError", () => {
    for (const bad of [null, [], new Map(), "x"]) {
      const error = invalidOption(() => createContext(bad as unknown as ContextInit));
      expect(error.message).toContain("options");
      invalidOption(() => createContext().child(bad as unknown as ChildContextInit));
    }
  });

  it("null for an optional option means its default", () => {
    const ctx = createContext({ timeoutMs: null, metadata: null } as unknown as ContextInit);
    expect(ctx.deadline).toBeUndefined();
    expect(ctx.metadata).toEqual({});
  });

  it.each([
    ["workflowId", { workflowId: "" }],
    ["workflowId", { workflowId: 5 }],
    ["sessionId", { sessionId: 5 }],
    ["signal", { signal: {} }],
    ["timeoutMs", { timeoutMs: 0 }],
    ["timeoutMs", { timeoutMs: -1 }],
    ["timeoutMs", { timeoutMs: Infinity }],
    ["timeoutMs", { timeoutMs: "5" }],
    ["deadline", { deadline: NaN }],
    ["metadata", { metadata: [1] }],
    ["tags", { tags: "a" }],
    ["baggage", { baggage: new Map() }],
  ])("rejects an invalid %s (%o) naming it", (option, init) => {
    expect(invalidOption(() => createContext(init as ContextInit)).option).toBe(option);
  });

  it("tags and baggage must be string-valued, naming the offending entry", () => {
    const tags = invalidOption(() => createContext({ tags: { env: 1 } } as unknown as ContextInit));
    expect(tags.option).toBe("tags");
    expect(tags.message).toContain("tags.env");
    const baggage = invalidOption(() =>
      createContext().child({ baggage: { user: null } } as unknown as ChildContextInit),
    );
    expect(baggage.option).toBe("baggage");
  });

  it("rejects a clock that lacks now, sleep or schedule", () => {
    expect(invalidOption(() => createContext({ clock: { now: () => 0 } } as unknown as ContextInit)).option).toBe(
      "clock",
    );
    expect(invalidOption(() => createContext({ clock: 5 } as unknown as ContextInit)).option).toBe("clock");
  });
});

describe("deadlines", () => {
  it("timeoutMs sets the deadline relative to the clock", () => {
    const clock = new TestClock(1_000);
    expect(createContext({ clock, timeoutMs: 500 }).deadline).toBe(1_500);
  });

  it("with both timeoutMs and deadline, the earlier wins", () => {
    const clock = new TestClock(1_000);
    expect(createContext({ clock, timeoutMs: 500, deadline: 1_200 }).deadline).toBe(1_200);
    expect(createContext({ clock, timeoutMs: 100, deadline: 1_200 }).deadline).toBe(1_100);
  });

  it("a child takes the minimum of its own and its parent's deadline", () => {
    const clock = new TestClock();
    const parent = createContext({ clock, timeoutMs: 1_000 });
    expect(parent.child({ timeoutMs: 5_000 }).deadline).toBe(1_000);
    expect(parent.child({ timeoutMs: 200 }).deadline).toBe(200);
    expect(parent.child({ deadline: 300 }).deadline).toBe(300);
    expect(parent.child().deadline).toBe(1_000);
    expect(createContext({ clock }).child({ timeoutMs: 50 }).deadline).toBe(50);
  });

  it("remainingMs counts down on the clock, never goes negative, and is Infinity without a deadline", async () => {
    const ctx = createTestContext({ timeoutMs: 1_000 });
    expect(ctx.remainingMs()).toBe(1_000);
    await ctx.clock.advance(400);
    expect(ctx.remainingMs()).toBe(600);
    await ctx.clock.advance(5_000);
    expect(ctx.remainingMs()).toBe(0);
    expect(createTestContext().remainingMs()).toBe(Infinity);
  });

  it("the signal aborts with a TimeoutError exactly at the deadline, not 1 ms before", async () => {
    const ctx = createTestContext({ timeoutMs: 100 });
    await ctx.clock.advance(99);
    expect(ctx.signal.aborted).toBe(false);
    await ctx.clock.advance(1);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBeInstanceOf(TimeoutError);
    expect(isTtaError(ctx.signal.reason, "TIMEOUT")).toBe(true);
  });

  it("a deadline already in the past aborts the signal at once", () => {
    const clock = new TestClock(1_000);
    const ctx = createContext({ clock, deadline: 500 });
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBeInstanceOf(TimeoutError);
  });

  it("a child with an earlier deadline aborts at its own deadline while the parent stays live", async () => {
    const parent = createTestContext({ timeoutMs: 1_000 });
    const child = parent.child({ timeoutMs: 100 });
    await parent.clock.advance(100);
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toBeInstanceOf(TimeoutError);
    expect(parent.signal.aborted).toBe(false);
  });

  it("dispose() clears the deadline timer and the signal then never aborts", async () => {
    const ctx = createTestContext({ timeoutMs: 100 });
    expect(ctx.clock.pendingTimers).toBe(0); // armed only once something listens
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.clock.pendingTimers).toBe(1);
    ctx.dispose();
    expect(ctx.clock.pendingTimers).toBe(0);
    await ctx.clock.advance(1_000);
    expect(ctx.signal.aborted).toBe(false);
  });

  it("dispose() is idempotent and also available as Symbol.dispose", () => {
    const ctx = createTestContext({ timeoutMs: 100 });
    const child = ctx.child({ timeoutMs: 50 });
    void [ctx.signal, child.signal]; // read signals: each context follows its deadline (one timer each)
    expect(ctx.clock.pendingTimers).toBe(2);
    child[Symbol.dispose]();
    child.dispose();
    expect(ctx.clock.pendingTimers).toBe(1);
    ctx.dispose();
    expect(ctx.clock.pendingTimers).toBe(0);
  });
});

describe("signals", () => {
  it("a root context without a signal has one that is present and not aborted", () => {
    const ctx = createContext();
    expect(ctx.signal).toBeInstanceOf(AbortSignal);
    expect(ctx.signal.aborted).toBe(false);
  });

  it("a given signal's abort reaches the context with the same reason", () => {
    const controller = new AbortController();
    const ctx = createContext({ signal: controller.signal });
    const reason = new Error("stop");
    controller.abort(reason);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
  });

  it("a child's signal aborts when the parent's aborts, with the parent's reason", () => {
    const parent = new AbortController();
    const own = new AbortController();
    const root = createContext({ signal: parent.signal });
    const child = root.child({ signal: own.signal });
    const reason = new Error("parent stop");
    parent.abort(reason);
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toBe(reason);
  });

  it("a child's signal aborts when its own given signal aborts, without aborting the parent", () => {
    const own = new AbortController();
    const root = createContext({ signal: new AbortController().signal });
    const child = root.child({ signal: own.signal });
    own.abort("mine");
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toBe("mine");
    expect(root.signal.aborted).toBe(false);
  });

  it("a child given an already-aborted signal starts aborted", () => {
    const own = new AbortController();
    own.abort("early");
    const child = createContext().child({ signal: own.signal });
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toBe("early");
  });

  it("after dispose(), aborting the parent no longer aborts the child (it was unlinked)", () => {
    const parent = new AbortController();
    const root = createContext({ signal: parent.signal });
    const child = root.child({ signal: new AbortController().signal });
    child.dispose();
    parent.abort(new Error("later"));
    expect(root.signal.aborted).toBe(true);
    expect(child.signal.aborted).toBe(false);
  });

  it("many disposed children of a long-lived parent leave no abort listener behind", () => {
    const parent = new AbortController();
    let added = 0;
    let removed = 0;
    const add = parent.signal.addEventListener.bind(parent.signal);
    const remove = parent.signal.removeEventListener.bind(parent.signal);
    parent.signal.addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>) => {
      added++;
      add(...args);
    };
    parent.signal.removeEventListener = (...args: Parameters<AbortSignal["removeEventListener"]>) => {
      removed++;
      remove(...args);
    };
    const root = createContext({ signal: parent.signal });
    for (let i = 0; i < 100; i++) {
      const child = root.child({ signal: new AbortController().signal });
      void child.signal; // a read signal links the child to its parent
      child.dispose();
    }
    expect(added).toBeGreaterThan(0);
    expect(removed).toBe(added);
  });
});

describe("state", () => {
  it("is one Map shared by the root and all its children", () => {
    const root = createContext();
    const child = root.child({ metadata: { a: 1 } });
    const grandchild = child.child();
    child.state.set("seen", true);
    expect(root.state.get("seen")).toBe(true);
    expect(grandchild.state).toBe(root.state);
    expect(root.state).toBeInstanceOf(Map);
  });

  it("is separate between root contexts", () => {
    const a = createContext();
    const b = createContext();
    a.state.set("k", 1);
    expect(b.state.has("k")).toBe(false);
  });
});

describe("metadata, tags and baggage", () => {
  it("a child shallow-merges its records over the parent's, leaving the parent unchanged", () => {
    const root = createContext({
      metadata: { user: "u1", nested: { deep: 1 } },
      tags: { env: "prod", team: "a" },
      baggage: { tenant: "t1" },
    });
    const child = root.child({ metadata: { nested: { other: 2 } }, tags: { team: "b" }, baggage: { region: "eu" } });
    expect(child.metadata).toEqual({ user: "u1", nested: { other: 2 } });
    expect(child.tags).toEqual({ env: "prod", team: "b" });
    expect(child.baggage).toEqual({ tenant: "t1", region: "eu" });
    expect(root.metadata).toEqual({ user: "u1", nested: { deep: 1 } });
    expect(root.tags).toEqual({ env: "prod", team: "a" });
    expect(root.baggage).toEqual({ tenant: "t1" });
  });

  it("records default to empty objects", () => {
    const ctx = createContext();
    expect(ctx.metadata).toEqual({});
    expect(ctx.tags).toEqual({});
    expect(ctx.baggage).toEqual({});
  });

  it("records are read-only: writes throw and never reach the context", () => {
    const root = createContext({ metadata: { user: "u1" }, tags: { env: "prod" } });
    const child = root.child({ metadata: { step: 1 } });
    for (const record of [root.metadata, root.tags, root.baggage, child.metadata] as Record<string, unknown>[]) {
      expect(() => {
        record.injected = "x";
      }).toThrow(TypeError);
      expect(record.injected).toBeUndefined();
    }
  });

  it("mutating the object given at creation does not change the context", () => {
    const metadata: Record<string, unknown> = { user: "u1" };
    const tags: Record<string, string> = { env: "prod" };
    const root = createContext({ metadata, tags });
    const childMeta: Record<string, unknown> = { step: 1 };
    const child = root.child({ metadata: childMeta });
    metadata.user = "hacked";
    tags.env = "hacked";
    childMeta.step = 99;
    expect(root.metadata.user).toBe("u1");
    expect(root.tags.env).toBe("prod");
    expect(child.metadata.step).toBe(1);
  });

  it("clock is inherited by children unless overridden", () => {
    const clock = new TestClock(42);
    const other = new TestClock(7);
    const root = createContext({ clock });
    expect(root.child().clock).toBe(clock);
    expect(root.child({ clock: other }).clock).toBe(other);
  });
});

describe("deadlines on the system clock (vitest fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the signal aborts when the deadline passes, not before", () => {
    const ctx = createContext({ timeoutMs: 1_000 });
    vi.advanceTimersByTime(999);
    expect(ctx.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(ctx.signal.reason).toBeInstanceOf(TimeoutError);
  });

  it("an absolute deadline more than 2^31 − 1 ms away does not abort the signal early", () => {
    const thirtyDays = 30 * 24 * 3_600_000;
    const ctx = createContext({ deadline: Date.now() + thirtyDays });
    vi.advanceTimersByTime(60_000);
    expect(ctx.signal.aborted).toBe(false);
    ctx.dispose();
  });

  it("a timeoutMs above 2^31 − 1 ms throws InvalidOptionsError naming timeoutMs", () => {
    expect(invalidOption(() => createContext({ timeoutMs: 2 ** 31 })).option).toBe("timeoutMs");
  });
});

describe("children of a long-lived context link to it lazily (issue 10, item 3)", () => {
  const listeners = (signal: AbortSignal): number => getEventListeners(signal, "abort").length;

  it("200 executions on never-disposed ctx.child({ timeoutMs }) leave no listener and no timer on the parent", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const flow = lambda((n: number) => Promise.resolve(n + 1));
    for (let i = 0; i < 200; i++) await flow.execute(i, ctx.child({ timeoutMs: 60_000 }));
    expect(listeners(controller.signal)).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("the same on a parent with its own deadline (a signal TTA made)", async () => {
    const ctx = createTestContext({ timeoutMs: 3_600_000 });
    const flow = lambda((n: number) => Promise.resolve(n + 1));
    for (let i = 0; i < 200; i++) await flow.execute(i, ctx.child({ timeoutMs: 60_000 }));
    expect(listeners(ctx.signal)).toBe(0);
    expect(ctx.clock.pendingTimers).toBeLessThanOrEqual(1);
  });

  it("children whose signal was read share one listener on the parent, dropped when their deadlines fire", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const children = Array.from({ length: 200 }, () => ctx.child({ timeoutMs: 60_000 }));
    for (const child of children) expect(child.signal.aborted).toBe(false);
    expect(listeners(controller.signal)).toBeLessThanOrEqual(1);
    await ctx.clock.advance(60_000);
    for (const child of children) expect(child.signal.reason).toBeInstanceOf(TimeoutError);
    expect(listeners(controller.signal)).toBe(0);
    expect(ctx.clock.pendingTimers).toBe(0);
  });

  it("an unlinked child still reports its parent's abort and its own deadline", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const early = ctx.child({ timeoutMs: 100 });
    const late = ctx.child({ timeoutMs: 1_000 });
    await ctx.clock.advance(100);
    expect(early.signal.reason).toBeInstanceOf(TimeoutError);
    const reason = new Error("stop");
    controller.abort(reason);
    expect(late.signal.reason).toBe(reason);
    await expect(lambda((n: number) => n).execute(1, late)).rejects.toBe(reason);
  });

  it("an execution on a child follows the parent's abort while it is in flight", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const run = lambda(() => new Promise<never>(() => undefined)).execute(1, ctx.child({ timeoutMs: 60_000 }));
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(listeners(controller.signal)).toBe(0);
  });
});
