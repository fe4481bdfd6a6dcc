import { MemoryStore } from "@tta/primitives";
import { createTestContext } from "@tta/primitives/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryNamespace, scopedMemory } from "./memory.js";
import type { MemoryScopeName } from "./types.js";

/**
 * Strings built from the pieces an encoding could confuse (separators, escapes, scope names), so that
 * a flawed encoding meets a collision quickly; plus arbitrary strings (lone surrogates included).
 */
const tricky = fc.oneof(
  fc
    .array(fc.constantFrom(":", "%", "3A", "25", "agent", "workflow", "global", "tta", "x"), {
      minLength: 1,
      maxLength: 5,
    })
    .map((parts) => parts.join("")),
  fc.string({ minLength: 1, unit: "binary" }),
);

/** A (name, scope, owner) triple; the global scope has no owner. */
const triple = fc.oneof(
  fc.record({
    name: tricky,
    scope: fc.constantFrom<MemoryScopeName>("agent", "workflow", "session"),
    owner: tricky,
  }),
  fc.record({ name: tricky, scope: fc.constant<MemoryScopeName>("global"), owner: fc.constant(undefined) }),
);

/** The inverse of the namespace encoding (test-only): a namespace back to its (name, scope, owner). */
function parse(namespace: string): { name: string; scope: string; owner: string | undefined } {
  const decode = (segment: string): string => segment.replace(/%3A|%25/g, (m) => (m === "%3A" ? ":" : "%"));
  const parts = namespace.split(":");
  expect(parts.length === 2 || parts.length === 3).toBe(true);
  const [name = "", scope = "", owner] = parts;
  return { name: decode(name), scope, owner: owner === undefined ? undefined : decode(owner) };
}

describe("memoryNamespace (property)", () => {
  it("is injective: every namespace decodes back to its one (name, scope, owner)", () => {
    fc.assert(
      fc.property(triple, (t) => {
        expect(parse(memoryNamespace(t.scope, t.owner, t.name))).toEqual(t);
      }),
      { numRuns: 2_000 },
    );
  });

  it("gives distinct namespaces to distinct triples", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(triple, {
          minLength: 2,
          maxLength: 40,
          selector: (t) => JSON.stringify([t.name, t.scope, t.owner ?? null]),
        }),
        (triples) => {
          const namespaces = new Set(triples.map((t) => memoryNamespace(t.scope, t.owner, t.name)));
          expect(namespaces.size).toBe(triples.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("agent B never finds what agent A wrote privately, whatever the names", async () => {
    await fc.assert(
      fc.asyncProperty(tricky, tricky, tricky, async (a, b, workflowId) => {
        fc.pre(a !== b);
        const access = scopedMemory(new MemoryStore(), { shared: ["workflow", "global"] });
        const ctx = createTestContext({ workflowId });
        await access.forAgent(a, ctx).agent.add({ text: "needle" });
        const other = access.forAgent(b, ctx);
        expect(await other.agent.search("needle")).toEqual([]);
        expect(await other.workflow?.search("needle")).toEqual([]);
        expect(await other.global?.search("needle")).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
