import { InvalidOptionsError } from "@tta/primitives";
import { createTestContext } from "@tta/primitives/testing";
import { describe, expect, it } from "vitest";
import { CoordinatePrimitive, coordinate } from "../coordinate.js";
import type { CoordinationResult } from "../coordinate.js";

describe("coordinate: options", () => {
  const agent = (s: string): string => s;

  it("refuses empty or malformed agents", () => {
    expect(() => coordinate([] as never)).toThrow(expect.objectContaining({ option: "agents" }));
    expect(() => coordinate({} as never)).toThrow(expect.objectContaining({ option: "agents" }));
    expect(() => coordinate("x" as never)).toThrow(expect.objectContaining({ option: "agents" }));
    expect(() => coordinate([agent, 42 as never])).toThrow(expect.objectContaining({ option: "agents[1]" }));
    // A hole of a sparse array is an agent missing, not a TypeError at run time.
    // eslint-disable-next-line no-sparse-arrays -- the hostile input under test
    expect(() => coordinate([agent, , agent] as never)).toThrow(expect.objectContaining({ option: "agents[1]" }));
    expect(() => coordinate({ ok: agent, bad: null as never })).toThrow(
      expect.objectContaining({ option: "agents.bad" }),
    );
  });

  it("refuses a quorum that is not an integer from 1 to the agent count", () => {
    for (const quorum of [0, 3, 1.5, "2", Number.NaN, undefined])
      expect(() => coordinate([agent, agent], { strategy: { quorum } as never })).toThrow(
        expect.objectContaining({ option: "strategy.quorum" }),
      );
    expect(() => coordinate([agent, agent], { strategy: { quorum: 2, n: 1 } as never })).toThrow(
      expect.objectContaining({ option: "strategy.n" }),
    );
  });

  it("refuses an unknown strategy, a bad timeoutMs, an empty name and unknown options", () => {
    expect(() => coordinate([agent], { strategy: "majority" as never })).toThrow(
      expect.objectContaining({ option: "strategy" }),
    );
    for (const timeoutMs of [0, -1, Number.NaN, "10"])
      expect(() => coordinate([agent], { timeoutMs: timeoutMs as never })).toThrow(
        expect.objectContaining({ option: "timeoutMs" }),
      );
    expect(() => coordinate([agent], { name: "" })).toThrow(expect.objectContaining({ option: "name" }));
    expect(() => coordinate([agent], { retries: 1 } as never)).toThrow(InvalidOptionsError);
  });

  it("exposes its agents, keys and resolved options; the class works like the factory", async () => {
    const c = new CoordinatePrimitive<string, CoordinationResult<string>>({ x: agent, y: agent }, { name: "duo" });
    expect(c.name).toBe("duo");
    expect(c.keys).toEqual(["x", "y"]);
    expect(c.options).toEqual({ strategy: "all", timeoutMs: undefined, name: "duo" });
    expect((await c.execute("hi", createTestContext())).values).toEqual(["hi", "hi"]);
  });
});
