import { InvalidOptionsError, MemoryStore } from "@tta/primitives";
import type { MemoryEntry, MemoryEntryInit, MemoryStoreLike } from "@tta/primitives";
import { createTestContext } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { memoryNamespace, scopedMemory } from "./memory.js";

function texts(entries: readonly MemoryEntry[]): string[] {
  return entries.map((e) => e.text);
}

describe("scopedMemory: isolation", () => {
  it("never returns agent A's private entries to agent B", async () => {
    const store = new MemoryStore();
    const access = scopedMemory(store, { shared: ["workflow", "session", "global"] });
    const ctx = createTestContext({ workflowId: "run-1", sessionId: "s-1" });
    const a = access.forAgent("alice", ctx);
    const b = access.forAgent("bob", ctx);
    await a.agent.add({ text: "alice secret plan" });
    expect(await b.agent.search("alice secret plan")).toEqual([]);
    expect(await b.workflow?.search("alice secret plan")).toEqual([]);
    expect(await b.session?.search("alice secret plan")).toEqual([]);
    expect(await b.global?.search("alice secret plan")).toEqual([]);
    expect(texts(await a.agent.search("secret"))).toEqual(["alice secret plan"]);
  });

  it("keeps an agent's private scope across runs", async () => {
    const access = scopedMemory(new MemoryStore());
    await access.forAgent("alice", createTestContext({ workflowId: "run-1" })).agent.add({ text: "units metric" });
    const later = access.forAgent("alice", createTestContext({ workflowId: "run-2" }));
    expect(texts(await later.agent.search("units"))).toEqual(["units metric"]);
  });

  it("shows granted shared scopes to both agents", async () => {
    const access = scopedMemory(new MemoryStore(), { shared: ["workflow", "session", "global"] });
    const ctx = createTestContext({ workflowId: "run-1", sessionId: "s-1" });
    const a = access.forAgent("alice", ctx);
    const b = access.forAgent("bob", ctx);
    await a.workflow?.add({ text: "ticket billing" });
    await a.session?.add({ text: "user speaks french" });
    await a.global?.add({ text: "office closed friday" });
    expect(texts((await b.workflow?.search("billing")) ?? [])).toEqual(["ticket billing"]);
    expect(texts((await b.session?.search("french")) ?? [])).toEqual(["user speaks french"]);
    expect(texts((await b.global?.search("friday")) ?? [])).toEqual(["office closed friday"]);
  });

  it("leaves ungranted shared scopes out of the agent's memory", () => {
    const access = scopedMemory(new MemoryStore(), { shared: ["workflow"] });
    const memory = access.forAgent("alice", createTestContext({ sessionId: "s-1" }));
    expect(Object.keys(memory).sort()).toEqual(["agent", "workflow"]);
    expect(memory.session).toBeUndefined();
    expect(memory.global).toBeUndefined();
  });

  it("gives no shared scope at all by default", () => {
    const memory = scopedMemory(new MemoryStore()).forAgent("alice", createTestContext({ sessionId: "s-1" }));
    expect(Object.keys(memory)).toEqual(["agent"]);
  });

  it("keeps workflow and session scopes apart between runs and sessions", async () => {
    const access = scopedMemory(new MemoryStore(), { shared: ["workflow", "session"] });
    const one = access.forAgent("alice", createTestContext({ workflowId: "run-1", sessionId: "s-1" }));
    const two = access.forAgent("alice", createTestContext({ workflowId: "run-2", sessionId: "s-2" }));
    await one.workflow?.add({ text: "run one note" });
    await one.session?.add({ text: "session one note" });
    expect(await two.workflow?.search("note")).toEqual([]);
    expect(await two.session?.search("note")).toEqual([]);
  });

  it("shares the session scope between runs of one session", async () => {
    const access = scopedMemory(new MemoryStore(), { shared: ["session"] });
    await access
      .forAgent("a", createTestContext({ workflowId: "run-1", sessionId: "s-1" }))
      .session?.add({ text: "hi there" });
    const next = access.forAgent("b", createTestContext({ workflowId: "run-2", sessionId: "s-1" }));
    expect(texts((await next.session?.search("hi")) ?? [])).toEqual(["hi there"]);
  });

  it("has no session scope in a context without a session id (or an empty one)", () => {
    const access = scopedMemory(new MemoryStore(), { shared: ["session"] });
    expect(access.forAgent("a", createTestContext()).session).toBeUndefined();
    expect(access.forAgent("a", createTestContext({ sessionId: "" })).session).toBeUndefined();
  });

  it("an agent whose name looks like a namespace cannot reach a workflow scope", async () => {
    const store = new MemoryStore();
    const access = scopedMemory(store, { shared: ["workflow"] });
    const ctx = createTestContext({ workflowId: "run-1" });
    await access.forAgent("alice", ctx).workflow?.add({ text: "shared fact" });
    const sneaky = access.forAgent("x:workflow:run-1", ctx);
    expect(await sneaky.agent.search("shared fact")).toEqual([]);
    const sneaky2 = access.forAgent("run-1", createTestContext({ workflowId: "other" }));
    expect(await sneaky2.agent.search("shared fact")).toEqual([]);
  });

  it("separates accesses with different names over one store, global scope included", async () => {
    const store = new MemoryStore();
    const one = scopedMemory(store, { shared: ["global"], name: "app1" }).forAgent("a", createTestContext());
    const two = scopedMemory(store, { shared: ["global"], name: "app2" }).forAgent("a", createTestContext());
    await one.global?.add({ text: "app one fact" });
    await one.agent.add({ text: "app one private" });
    expect(await two.global?.search("fact")).toEqual([]);
    expect(await two.agent.search("private")).toEqual([]);
  });

  it("writes to the namespace it reports, and tags each scope", async () => {
    const store = new MemoryStore();
    const memory = scopedMemory(store, { shared: ["workflow", "session", "global"] }).forAgent(
      "triage",
      createTestContext({ workflowId: "run-1", sessionId: "s-1" }),
    );
    expect(memory.agent).toMatchObject({ scope: "agent", namespace: "tta:agent:triage" });
    expect(memory.workflow).toMatchObject({ scope: "workflow", namespace: "tta:workflow:run-1" });
    expect(memory.session).toMatchObject({ scope: "session", namespace: "tta:session:s-1" });
    expect(memory.global).toMatchObject({ scope: "global", namespace: "tta:global" });
    const entry = await memory.agent.add({ text: "x" });
    expect(entry.namespace).toBe("tta:agent:triage");
    expect(store.count("tta:agent:triage")).toBe(1);
  });
});

describe("scopedMemory: stores", () => {
  it("works with an async store and returns promises", async () => {
    const calls: string[] = [];
    const store: MemoryStoreLike = {
      add: async (namespace: string, entry: MemoryEntryInit) => {
        calls.push(`add ${namespace}`);
        return Promise.resolve({ id: "1", namespace, text: entry.text, metadata: {}, createdAt: 0 });
      },
      search: async (namespace: string) => {
        calls.push(`search ${namespace}`);
        return Promise.resolve([]);
      },
    };
    const memory = scopedMemory(store).forAgent("a", createTestContext());
    await expect(memory.agent.add({ text: "t" })).resolves.toMatchObject({ namespace: "tta:agent:a" });
    await expect(memory.agent.search("t")).resolves.toEqual([]);
    expect(calls).toEqual(["add tta:agent:a", "search tta:agent:a"]);
  });

  it("turns a store's synchronous throw into a rejection", async () => {
    const memory = scopedMemory(new MemoryStore()).forAgent("a", createTestContext());
    const pending = memory.agent.add({ text: 42 } as unknown as MemoryEntryInit);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});

describe("scopedMemory: options", () => {
  const store = new MemoryStore();

  it("names an unknown scope by its index", () => {
    expect(() => scopedMemory(store, { shared: ["workflow", "team" as never] })).toThrow(
      expect.objectContaining({ option: "shared[1]" }),
    );
  });

  it("refuses to share the agent scope", () => {
    expect(() => scopedMemory(store, { shared: ["agent" as never] })).toThrow(/always private/);
  });

  it("refuses a duplicate scope", () => {
    expect(() => scopedMemory(store, { shared: ["global", "workflow", "global"] })).toThrow(
      expect.objectContaining({ option: "shared[2]" }),
    );
  });

  it("refuses a non-array shared, an unknown option and an empty name", () => {
    expect(() => scopedMemory(store, { shared: "global" as never })).toThrow(
      expect.objectContaining({ option: "shared" }),
    );
    expect(() => scopedMemory(store, { scopes: [] } as never)).toThrow(expect.objectContaining({ option: "scopes" }));
    expect(() => scopedMemory(store, { name: "" })).toThrow(expect.objectContaining({ option: "name" }));
  });

  it("refuses a store without add and search", () => {
    expect(() => scopedMemory({ add: () => undefined } as never)).toThrow(expect.objectContaining({ option: "store" }));
    expect(() => scopedMemory(undefined as never)).toThrow(InvalidOptionsError);
  });

  it("refuses an empty agent name, and a ctx that is not a context", () => {
    expect(() => scopedMemory(store).forAgent("", createTestContext())).toThrow(
      expect.objectContaining({ option: "agentName" }),
    );
    expect(() => scopedMemory(store, { shared: ["workflow"] }).forAgent("a", undefined as never)).toThrow(
      expect.objectContaining({ option: "ctx" }),
    );
  });
});

describe("memoryNamespace", () => {
  it("encodes ':' and '%' in names and owners", () => {
    expect(memoryNamespace("agent", "a:b%c")).toBe("tta:agent:a%3Ab%25c");
    expect(memoryNamespace("workflow", "w", "my:app")).toBe("my%3Aapp:workflow:w");
  });

  it("refuses an owner for global, a missing owner elsewhere, and an unknown scope", () => {
    expect(() => memoryNamespace("global", "x")).toThrow(expect.objectContaining({ option: "owner" }));
    expect(() => memoryNamespace("session")).toThrow(expect.objectContaining({ option: "owner" }));
    expect(() => memoryNamespace("team" as never, "x")).toThrow(expect.objectContaining({ option: "scope" }));
  });
});
