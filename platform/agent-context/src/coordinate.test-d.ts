/**
 * Type-level tests: `coordinate` infers its input, outputs and keys from a tuple or record of agents,
 * and outcomes narrow on `status` (and on `key`, per agent).
 */
import type { WorkflowPrimitive } from "@tta/primitives";
import { lambda } from "@tta/primitives";
import { MockPrimitive } from "@tta/primitives/testing";
import { describe, expectTypeOf, it } from "vitest";
import { coordinate } from "./coordinate.js";
import type { AgentOutcome, CoordinatePrimitive, CoordinationResult, CoordinationStrategy } from "./coordinate.js";

interface Critique {
  readonly score: number;
}
const writer = lambda((topic: string) => `an essay on ${topic}`);
const critic = lambda(async (topic: string): Promise<Critique> => ({ score: topic.length }));
const counter = (topic: string): number => topic.length;

describe("coordinate (array form)", () => {
  it("infers the input, the output union and the index keys from a tuple", () => {
    const c = coordinate([writer, critic, counter]);
    type R = CoordinationResult<
      string | Critique | number,
      "0" | "1" | "2",
      AgentOutcome<string, "0"> | AgentOutcome<Critique, "1"> | AgentOutcome<number, "2">
    >;
    expectTypeOf(c).toEqualTypeOf<CoordinatePrimitive<string, R>>();
    expectTypeOf(c).toExtend<WorkflowPrimitive<string, CoordinationResult<unknown>>>();
  });

  it("narrows an outcome on status, and on key to that agent's output", async () => {
    const r = await coordinate([writer, critic], { strategy: "any" }).execute("ai");
    expectTypeOf(r.values).toEqualTypeOf<readonly (string | Critique)[]>();
    expectTypeOf(r.winner).toEqualTypeOf<"0" | "1" | undefined>();
    expectTypeOf(r.partial).toEqualTypeOf<boolean>();
    expectTypeOf(r.strategy).toEqualTypeOf<CoordinationStrategy>();
    for (const o of r.outcomes) {
      expectTypeOf(o.value).toEqualTypeOf<string | Critique | undefined>();
      if (o.status === "fulfilled") {
        expectTypeOf(o.value).toEqualTypeOf<string | Critique>();
        if (o.key === "1") expectTypeOf(o.value).toEqualTypeOf<Critique>();
      } else {
        expectTypeOf(o.status).toEqualTypeOf<"rejected" | "aborted">();
        expectTypeOf(o.error).toEqualTypeOf<unknown>();
        expectTypeOf(o.value).toEqualTypeOf<undefined>();
      }
    }
  });

  it("types an array (not a tuple) built with map by its element", async () => {
    const agents = [1, 2, 3].map((n) => new MockPrimitive<string, number>({ returns: n }));
    const c = coordinate(agents, { strategy: { quorum: 2 } });
    expectTypeOf(c).toEqualTypeOf<CoordinatePrimitive<string, CoordinationResult<number>>>();
    const r = await c.execute("q");
    expectTypeOf(r.outcomes).toEqualTypeOf<readonly AgentOutcome<number>[]>();
    expectTypeOf(r.winner).toEqualTypeOf<string | undefined>();
  });
});

describe("coordinate (record form)", () => {
  it("infers record keys and per-key outputs", async () => {
    const c = coordinate({ writer, critic }, { strategy: "first", timeoutMs: 1_000 });
    type R = CoordinationResult<
      string | Critique,
      "writer" | "critic",
      AgentOutcome<string, "writer"> | AgentOutcome<Critique, "critic">
    >;
    expectTypeOf(c).toEqualTypeOf<CoordinatePrimitive<string, R>>();
    const r = await c.execute("ai");
    expectTypeOf(r.winner).toEqualTypeOf<"writer" | "critic" | undefined>();
    const o = r.outcomes[0];
    if (o !== undefined && o.key === "critic" && o.status === "fulfilled")
      expectTypeOf(o.value).toEqualTypeOf<Critique>();
  });
});

describe("coordinate (settled)", () => {
  it("accepts the settled strategy and keeps the per-agent outcome types", async () => {
    const r = await coordinate({ writer, critic }, { strategy: "settled" }).execute("topic");
    expectTypeOf(r.strategy).toEqualTypeOf<CoordinationStrategy>();
    const o = r.outcomes[0];
    if (o !== undefined && o.key === "writer" && o.status === "rejected")
      expectTypeOf(o.error).toEqualTypeOf<unknown>();
  });
});

describe("coordinate (invalid use)", () => {
  it("rejects unknown strategies and options at compile time", () => {
    // @ts-expect-error -- "majority" is not a strategy
    coordinate([writer], { strategy: "majority" });
    // @ts-expect-error -- quorum must be a number
    coordinate([writer], { strategy: { quorum: "2" } });
    // @ts-expect-error -- unknown option
    coordinate([writer], { retries: 2 });
  });
});
