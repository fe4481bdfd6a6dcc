import { createContext } from "@tta/primitives";
import { MockPrimitive, TestClock, createTestContext } from "@tta/primitives/testing";
import { expect, it } from "vitest";

it("runs a slow model on fake time", async () => {
  const clock = new TestClock(); // now() starts at 0 and only moves when the test advances it
  const model = new MockPrimitive<string, string>({ latencyMs: 2_000, returns: "answer" });

  const run = model.execute("q", createContext({ clock }));
  await clock.advance(1_999);
  expect(clock.pendingTimers).toBe(1); // still waiting
  await clock.advance(1);
  await expect(run).resolves.toBe("answer");
  expect(clock.now()).toBe(2_000);
});

it("times a run out at its deadline, without waiting", async () => {
  const model = new MockPrimitive<string, string>({ latencyMs: 60_000, returns: "too late" });
  const ctx = createTestContext({ timeoutMs: 1_000 }); // its clock is a fresh TestClock

  // Attach the expectation before advancing, so the rejection is never unhandled.
  const outcome = expect(model.execute("q", ctx)).rejects.toMatchObject({ name: "TimeoutError", code: "TIMEOUT" });
  await ctx.clock.advance(1_000);
  await outcome;
});
