/**
 * Context values (DESIGN §9 "Core slot"): `contextKey`, `ctx.withValue`, `ctx.getValue`, and their
 * inheritance by every context derived from a context, by users and by primitives.
 */
import v8 from "node:v8";
import vm from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cache } from "../performance/index.js";
import { retry, saga, timeout } from "../recovery/index.js";
import { SpanRecorder, createTestContext } from "../testing/index.js";
import { invalidOption, track } from "../test-support/index.js";
import type { ContextKey, WorkflowContext } from "./index.js";
import { contextKey, createContext, lambda, parallel, sequential } from "./index.js";

const TENANT = contextKey<string>("tenant");
const USER = contextKey<{ readonly id: number }>("user");

/** A lambda that records what its own context says about `key`. */
function reader<T>(key: ContextKey<T>, seen: (T | undefined)[]) {
  return lambda((input: number, ctx: WorkflowContext) => {
    seen.push(ctx.getValue(key));
    return input;
  }, "reader");
}

interface Runnable {
  execute(input: number, ctx: WorkflowContext): Promise<unknown>;
}

describe("withValue / getValue", () => {
  it("returns the value set under a key, and undefined for a key never set", () => {
    const ctx = createContext().withValue(TENANT, "acme");
    expect(ctx.getValue(TENANT)).toBe("acme");
    expect(ctx.getValue(USER)).toBeUndefined();
    expect(createContext().getValue(TENANT)).toBeUndefined();
  });

  it("keeps several keys side by side, and a later set of the same key wins", () => {
    const user = { id: 7 };
    const a = createContext().withValue(TENANT, "acme").withValue(USER, user);
    const b = a.withValue(TENANT, "globex");
    expect(a.getValue(TENANT)).toBe("acme");
    expect(a.getValue(USER)).toBe(user);
    expect(b.getValue(TENANT)).toBe("globex");
    expect(b.getValue(USER)).toBe(user);
  });

  it("stores undefined, null and falsy values as given", () => {
    const FLAG = contextKey<boolean | null | undefined | number>("flag");
    const ctx = createContext().withValue(FLAG, 1);
    expect(ctx.withValue(FLAG, false).getValue(FLAG)).toBe(false);
    expect(ctx.withValue(FLAG, null).getValue(FLAG)).toBeNull();
    expect(ctx.withValue(FLAG, 0).getValue(FLAG)).toBe(0);
    // Setting undefined hides the parent's value rather than falling through to it.
    expect(ctx.withValue(FLAG, undefined).getValue(FLAG)).toBeUndefined();
  });

  it("compares keys by identity: two keys with the same name are different keys", () => {
    const first = contextKey<string>("same-name");
    const second = contextKey<string>("same-name");
    const ctx = createContext().withValue(first, "one");
    expect(ctx.getValue(first)).toBe("one");
    expect(ctx.getValue(second)).toBeUndefined();
    // A look-alike object with the same name is not the key either.
    expect(ctx.getValue({ name: "same-name" })).toBeUndefined();
    const both = ctx.withValue(second, "two");
    expect([both.getValue(first), both.getValue(second)]).toEqual(["one", "two"]);
  });

  it("contextKey keeps the name for debugging and rejects a non-string name", () => {
    expect(contextKey("my-lib.tenant").name).toBe("my-lib.tenant");
    expect(() => contextKey(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", option: "name" }),
    );
  });

  it("rejects a value that is not a ContextKey with an InvalidOptionsError naming `key`", () => {
    const ctx = createContext();
    for (const bad of [undefined, null, "tenant", 42, {}, { name: 1 }, Symbol("k")]) {
      const error = invalidOption(() => ctx.withValue(bad as unknown as ContextKey<string>, "x"));
      expect(error.option).toBe("key");
    }
  });
});

describe("withValue leaves everything else as it was", () => {
  it("keeps the signal, deadline, ids, records, clock and the same state Map", () => {
    const controller = new AbortController();
    const root = createTestContext({
      workflowId: "wf-values",
      sessionId: "s-1",
      signal: controller.signal,
      timeoutMs: 5_000,
      metadata: { user: "u1" },
      tags: { team: "a" },
      baggage: { b: "1" },
    });
    const ctx = root.withValue(TENANT, "acme");
    expect(ctx.signal).toBe(root.signal);
    expect(ctx.deadline).toBe(root.deadline);
    expect(ctx.deadline).toBe(5_000);
    expect(ctx.workflowId).toBe("wf-values");
    expect(ctx.correlationId).toBe(root.correlationId);
    expect(ctx.causationId).toBe(root.causationId);
    expect(ctx.sessionId).toBe("s-1");
    expect(ctx.metadata).toEqual({ user: "u1" });
    expect(ctx.tags).toEqual({ team: "a" });
    expect(ctx.baggage).toEqual({ b: "1" });
    expect(ctx.clock).toBe(root.clock);
    expect(ctx.state).toBe(root.state);
    ctx.state.set("written", true);
    expect(root.state.get("written")).toBe(true);
    root.dispose();
  });

  it("keeps the ids of a child (causation included) and shares the run's state", () => {
    const root = createContext();
    const child = root.child({ metadata: { step: 1 } });
    const valued = child.withValue(TENANT, "acme");
    expect(valued.workflowId).toBe(root.workflowId);
    expect(valued.correlationId).toBe(root.correlationId);
    expect(valued.causationId).toBe(child.causationId);
    expect(valued.metadata).toEqual({ step: 1 });
    expect(valued.state).toBe(root.state);
  });

  it("aborts with the original context's signal (it is the same signal)", () => {
    const controller = new AbortController();
    const ctx = createContext({ signal: controller.signal }).withValue(TENANT, "acme");
    const reason = new Error("stop");
    controller.abort(reason);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
  });

  it("does not change the original context", () => {
    const root = createContext().withValue(TENANT, "acme");
    const derived = root.withValue(TENANT, "globex").withValue(USER, { id: 1 });
    expect(derived).not.toBe(root);
    expect(root.getValue(TENANT)).toBe("acme");
    expect(root.getValue(USER)).toBeUndefined();
  });

  it("disposing a derived context does not clear the original context's deadline", async () => {
    const root = createTestContext({ timeoutMs: 100 });
    const valued = root.withValue(TENANT, "acme");
    valued.dispose();
    await root.clock.advance(100);
    expect(root.signal.aborted).toBe(true);
    expect(valued.signal.aborted).toBe(true);
  });
});

describe("inheritance", () => {
  it("is inherited by ctx.child() and its children, which may override it for their own subtree", () => {
    const root = createContext().withValue(TENANT, "acme");
    const child = root.child({ metadata: { x: 1 } });
    const grandchild = child.child();
    expect(child.getValue(TENANT)).toBe("acme");
    expect(grandchild.getValue(TENANT)).toBe("acme");
    const overridden = child.withValue(TENANT, "globex");
    expect(overridden.child().getValue(TENANT)).toBe("globex");
    expect(child.getValue(TENANT)).toBe("acme");
    expect(root.getValue(TENANT)).toBe("acme");
  });

  it("is visible to a lambda executed directly, with and without an explicit context", async () => {
    const seen: (string | undefined)[] = [];
    await reader(TENANT, seen).execute(1, createContext().withValue(TENANT, "acme"));
    await reader(TENANT, seen).execute(1);
    expect(seen).toEqual(["acme", undefined]);
  });

  it("is visible inside sequential, parallel (both forms), retry, timeout and cache", async () => {
    const seen: (string | undefined)[] = [];
    const read = () => reader(TENANT, seen);
    const flows: Runnable[] = [
      sequential([(n: number) => n, read(), (n: number) => n]),
      parallel([read(), read()]),
      parallel({ a: read() }, { concurrency: 1 }),
      retry(read()),
      timeout(read(), { timeoutMs: 1_000 }),
      cache(read()),
      sequential([parallel([retry(timeout(read(), { timeoutMs: 1_000 }))])]),
    ];
    const ctx = createTestContext().withValue(TENANT, "acme");
    for (const flow of flows) await flow.execute(1, ctx);
    expect(seen).toEqual(Array(8).fill("acme"));
  });

  it("is visible to every retry attempt, not only the first", async () => {
    const seen: (string | undefined)[] = [];
    let calls = 0;
    const flaky = lambda((_: number, ctx: WorkflowContext) => {
      seen.push(ctx.getValue(TENANT));
      if (++calls < 3) throw new Error("flaky");
      return "ok";
    });
    const root = createTestContext();
    const run = track(retry(flaky, { initialDelayMs: 10, jitter: "none" }).execute(1, root.withValue(TENANT, "acme")));
    await root.clock.advance(10);
    await root.clock.advance(20);
    expect(run).toMatchObject({ state: "resolved", value: "ok" });
    expect(seen).toEqual(["acme", "acme", "acme"]);
  });

  it("is visible to a saga's undo steps, which run on a detached context", async () => {
    const seen: (string | undefined)[] = [];
    const flow = saga<number>()
      .step(
        (n: number) => n,
        (_: unknown, ctx: WorkflowContext) => void seen.push(ctx.getValue(TENANT)),
      )
      .step(
        () => {
          throw new Error("second step fails");
        },
        () => undefined,
      );
    await expect(flow.execute(1, createContext().withValue(TENANT, "acme"))).rejects.toThrow("second step fails");
    expect(seen).toEqual(["acme"]);
  });

  it("reaches inner steps through the traced path too (an SDK registered)", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const seen: (string | undefined)[] = [];
      const flow = sequential([reader(TENANT, seen), parallel([reader(TENANT, seen), retry(reader(TENANT, seen))])]);
      await flow.execute(1, createContext().withValue(TENANT, "acme"));
      expect(seen).toEqual(["acme", "acme", "acme"]);
      expect(recorder.spans.length).toBeGreaterThan(3);
    } finally {
      recorder.uninstall();
    }
  });

  it("a value set by an inner step (on its own context) does not leak to the next step", async () => {
    const seen: (string | undefined)[] = [];
    const flow = sequential([
      lambda(async (n: number, ctx: WorkflowContext) =>
        reader(TENANT, seen).execute(n, ctx.withValue(TENANT, "inner")),
      ),
      reader(TENANT, seen),
    ]);
    await flow.execute(1, createContext().withValue(TENANT, "outer"));
    expect(seen).toEqual(["inner", "outer"]);
  });
});

describe("no unbounded growth", () => {
  it("replacing the same key 10 000 times keeps the last value and the other keys", () => {
    let ctx = createContext().withValue(USER, { id: -1 });
    for (let i = 0; i < 10_000; i++) ctx = ctx.withValue(TENANT, `t${i}`);
    expect(ctx.getValue(TENANT)).toBe("t9999");
    expect(ctx.getValue(USER)).toEqual({ id: -1 });
  });

  it("a replaced value is not retained by the context that replaced it", async () => {
    // `gc` is exposed for this test only; V8 accepts the flag at run time.
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const PAYLOAD = contextKey<object>("payload");
    // Built in a plain function, so no stale local of this async test's frame keeps a payload alive.
    const build = (): { ctx: WorkflowContext; refs: WeakRef<object>[] } => {
      let ctx = createContext().withValue(TENANT, "acme");
      const refs: WeakRef<object>[] = [];
      for (let i = 0; i < 5; i++) {
        const payload = { big: new Array(1_000).fill(i) };
        ctx = ctx.withValue(PAYLOAD, payload);
        refs.push(new WeakRef(payload));
      }
      return { ctx: ctx.withValue(PAYLOAD, { replaced: true }), refs };
    };
    const { ctx, refs } = build();
    // WeakRef targets stay alive until the current job ends: let it end, then collect.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(ctx.getValue(PAYLOAD)).toEqual({ replaced: true });
    expect(ctx.getValue(TENANT)).toBe("acme");
  });

  it("for any sequence of sets, getValue agrees with a Map keyed by key identity (property)", () => {
    const keys = [contextKey<number>("k"), contextKey<number>("k"), contextKey<number>("k2"), contextKey<number>("k3")];
    const op = fc.record({ key: fc.integer({ min: 0, max: keys.length - 1 }), value: fc.integer() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const model = new Map<ContextKey<number>, number>();
        const history: [WorkflowContext, Map<ContextKey<number>, number>][] = [];
        let ctx = createContext();
        for (const { key, value } of ops) {
          const k = keys[key] as ContextKey<number>;
          ctx = ctx.withValue(k, value);
          model.set(k, value);
          history.push([ctx, new Map(model)]);
          for (const each of keys) expect(ctx.getValue(each)).toBe(model.get(each));
        }
        // Earlier contexts are unchanged by later sets (immutability), and children agree.
        for (const [past, snapshot] of history)
          for (const each of keys) {
            expect(past.getValue(each)).toBe(snapshot.get(each));
            expect(past.child().getValue(each)).toBe(snapshot.get(each));
          }
      }),
    );
  });
});

describe("cancellation", () => {
  it("a top-level execute with a withValue'd user context still honours the caller's abort", async () => {
    const controller = new AbortController();
    const root = createTestContext({ signal: controller.signal });
    // Work that ignores its signal entirely: only the top-level race can reject it.
    const stubborn = lambda(() => new Promise<string>(() => undefined));
    const run = track(sequential([stubborn]).execute(1, root.withValue(TENANT, "acme")));
    await root.clock.advance(0);
    expect(run.state).toBe("pending");
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await root.clock.advance(0);
    expect(run).toMatchObject({ state: "rejected", error: reason });
  });

  it("a deadline on a withValue'd context still times the run out", async () => {
    const root = createTestContext({ timeoutMs: 50 });
    const stubborn = lambda(() => new Promise<string>(() => undefined));
    const run = track(stubborn.execute(1, root.withValue(TENANT, "acme")));
    await root.clock.advance(49);
    expect(run.state).toBe("pending");
    await root.clock.advance(1);
    expect(run.state).toBe("rejected");
    expect((run.error as Error).name).toBe("TimeoutError");
  });
});
