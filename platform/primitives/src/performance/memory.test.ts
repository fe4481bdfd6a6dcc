import { describe, expect, it } from "vitest";
import type { WorkflowContext } from "../core/context.js";
import { lambda } from "../core/index.js";
import {
  MockPrimitive,
  SpanRecorder,
  TestClock,
  createTestContext,
  describePrimitiveContract,
} from "../testing/index.js";
import { MemoryPrimitive, recall, remember } from "./memory.js";
import type { MemoryEntry } from "./memory-store.js";
import { MemoryStore } from "./memory-store.js";
import { invalidOption } from "../test-support/index.js";

// The inner work runs inside the entry / query functions, which receive the memory step's context.
describePrimitiveContract("memory (remember)", (inner) =>
  remember({
    store: new MemoryStore(),
    namespace: "contract",
    entry: async (input: unknown, ctx) => ({ text: String(await inner.execute(input, ctx)) }),
  }),
);
describePrimitiveContract("memory (recall)", (inner) =>
  recall({
    store: new MemoryStore(),
    namespace: "contract",
    query: async (input: unknown, ctx) => String(await inner.execute(input, ctx)),
  }),
);

interface Message {
  readonly session: string;
  readonly text: string;
}

describe("remember and recall", () => {
  it("remember stores an entry and passes its input on; recall outputs the best matches", async () => {
    const store = new MemoryStore();
    const save = remember<string>({ store, namespace: "agent-a" });
    await expect(save.execute("The user prefers metric units")).resolves.toBe("The user prefers metric units");
    await save.execute("The user lives in Lyon");
    const find = recall<string>({ store, namespace: "agent-a", limit: 1 });
    const found = await find.execute("which units does the user like?");
    expect(found.map((e) => e.text)).toEqual(["The user prefers metric units"]);
    expect(store.count("agent-a")).toBe(2);
  });

  it("namespaces computed from the input and context keep sessions apart", async () => {
    const store = new MemoryStore();
    const save = remember<Message>({
      store,
      namespace: (m, ctx) => `${String(ctx.metadata.tenant)}/${m.session}`,
      entry: (m) => ({ text: m.text, metadata: { session: m.session } }),
    });
    const ctx = createTestContext({ metadata: { tenant: "t1" } });
    await save.execute({ session: "s1", text: "secret plan for s1" }, ctx);
    await save.execute({ session: "s2", text: "other plan for s2" }, ctx);
    const find = recall<Message>({
      store,
      namespace: (m, c) => `${String(c.metadata.tenant)}/${m.session}`,
      query: (m) => m.text,
    });
    const s2 = await find.execute({ session: "s2", text: "plan" }, ctx);
    expect(s2.map((e) => e.text)).toEqual(["other plan for s2"]);
    const otherTenant = await find.execute(
      { session: "s1", text: "plan" },
      createTestContext({ metadata: { tenant: "t2" } }),
    );
    expect(otherTenant).toEqual([]);
  });

  it("composes in a pipeline: remember, then answer with what was recalled", async () => {
    const store = new MemoryStore();
    store.add("chat", { text: "favourite colour is green" });
    const flow = remember<string>({ store, namespace: "chat" })
      .pipe(recall<string>({ store, namespace: "chat", limit: 2 }))
      .pipe((entries: MemoryEntry[]) => entries.map((e) => e.text));
    await expect(flow.execute("what is my favourite colour?")).resolves.toEqual([
      "what is my favourite colour?",
      "favourite colour is green",
    ]);
  });

  it("TTL on the store's clock applies to recall", async () => {
    const clock = new TestClock();
    const store = new MemoryStore({ ttlMs: 1_000, clock });
    await remember<string>({ store, namespace: "n" }).execute("short lived note");
    const find = recall<string>({ store, namespace: "n" });
    await clock.advance(999);
    expect(await find.execute("note")).toHaveLength(1);
    await clock.advance(1);
    expect(await find.execute("note")).toEqual([]);
  });

  it("nothing is written once the context has aborted during the entry function", async () => {
    const store = new MemoryStore();
    const controller = new AbortController();
    const reason = new Error("stop");
    let nested: Promise<unknown> | undefined;
    const save = remember<string>({
      store,
      namespace: "n",
      entry: (text) => {
        controller.abort(reason);
        return { text };
      },
    });
    const outer = lambda((text: string, ctx: WorkflowContext) => (nested = save.execute(text, ctx)));
    await expect(outer.execute("x", createTestContext({ signal: controller.signal }))).rejects.toBe(reason);
    await expect(nested).rejects.toBe(reason);
    expect(store.count()).toBe(0);
  });

  it("works with any store that has add and search (async ones too)", async () => {
    const added: string[] = [];
    const store = {
      add: async (ns: string, entry: { text: string }) => {
        added.push(`${ns}:${entry.text}`);
        return { id: "1", namespace: ns, text: entry.text, metadata: {}, createdAt: 0 };
      },
      search: async (ns: string, query: string) => [
        { id: "1", namespace: ns, text: `hit for ${query}`, metadata: {}, createdAt: 0 },
      ],
    };
    await remember<string>({ store, namespace: "n" }).execute("a");
    expect(added).toEqual(["n:a"]);
    const found = await recall<string>({ store, namespace: "n" }).execute("q");
    expect(found.map((e) => e.text)).toEqual(["hit for q"]);
  });

  it("spans: tta.memory with the operation and result count, never the namespace or texts", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const store = new MemoryStore();
      await remember<string>({ store, namespace: "secret-ns" }).execute("secret text");
      await recall<string>({ store, namespace: "secret-ns" }).execute("secret");
      const spans = recorder.spans.filter((s) => s.name === "tta.memory");
      expect(spans.map((s) => [s.attributes["tta.memory.operation"], s.attributes["tta.memory.results"]])).toEqual([
        ["remember", undefined],
        ["recall", 1],
      ]);
      expect(JSON.stringify(recorder.spans.map((s) => [s.name, s.attributes, s.events]))).not.toContain("secret");
    } finally {
      recorder.uninstall();
    }
  });
});

describe("bad input", () => {
  it("invalid options throw InvalidOptionsError naming the option", () => {
    const store = new MemoryStore();
    expect(invalidOption(() => remember({ namespace: "n" } as never)).option).toBe("store");
    expect(invalidOption(() => remember({ store: { add: () => undefined } as never, namespace: "n" })).option).toBe(
      "store",
    );
    expect(invalidOption(() => remember({ store, namespace: "" })).option).toBe("namespace");
    expect(invalidOption(() => remember({ store, namespace: 5 as never })).option).toBe("namespace");
    expect(invalidOption(() => remember({ store, namespace: "n", entry: "text" as never })).option).toBe("entry");
    expect(invalidOption(() => remember({ store, namespace: "n", query: () => "q" } as never)).option).toBe("query");
    expect(invalidOption(() => remember(null as never)).message).toContain("plain object");
    expect(invalidOption(() => recall({ store, namespace: "n", limit: 0 })).option).toBe("limit");
    expect(invalidOption(() => recall({ store, namespace: "n", limit: 1.5 })).option).toBe("limit");
    expect(invalidOption(() => recall({ store, namespace: "n", entry: () => ({}) } as never)).option).toBe("entry");
    expect(invalidOption(() => new MemoryPrimitive({ store, namespace: "n" } as never)).option).toBe("operation");
    expect(
      invalidOption(() => new MemoryPrimitive({ store, namespace: "n", operation: "forget" } as never)).option,
    ).toBe("operation");
    expect(invalidOption(() => recall({ store, namespace: "n", name: "" })).option).toBe("name");
  });

  it("a non-string input without entry/query, or a bad computed namespace, rejects with InvalidOptionsError", async () => {
    const store = new MemoryStore();
    const saveObject = remember<{ text: string }>({ store, namespace: "n" });
    await expect(saveObject.execute({ text: "x" })).rejects.toMatchObject({ option: "entry" });
    await expect(recall<number>({ store, namespace: "n" }).execute(5)).rejects.toMatchObject({ option: "query" });
    const badNamespace = remember<string>({ store, namespace: () => "" });
    await expect(badNamespace.execute("x")).rejects.toMatchObject({ option: "namespace" });
    const inner = new MockPrimitive<string, string>({ returns: "x" });
    await expect(
      remember<string>({ store, namespace: "n", entry: async (s, c) => ({ text: await inner.execute(s, c) }) }).execute(
        "in",
      ),
    ).resolves.toBe("in");
    expect(store.count("n")).toBe(1);
  });

  it("names: defaults to MemoryPrimitive; kind memory", () => {
    const step = recall({ store: new MemoryStore(), namespace: "n", name: "notes" });
    expect([step.name, step.kind]).toEqual(["notes", "memory"]);
    expect(remember({ store: new MemoryStore(), namespace: "n" }).name).toBe("MemoryPrimitive");
  });
});
