import { sequential } from "@tta/primitives";
import { MockPrimitive, createTestContext } from "@tta/primitives/testing";
import { expect, it } from "vitest";

it("uses the model's answer, and surfaces its failure", async () => {
  // A scripted fake model: the first call answers, the second throws.
  const model = new MockPrimitive<string, string>({ name: "llm", sequence: ["Sure!", new Error("rate limited")] });
  const flow = sequential([(question: string) => question.trim(), model, (answer: string) => answer.toUpperCase()]);

  const ctx = createTestContext({ workflowId: "test-run" });
  ctx.state.set("user", "u1");
  await expect(flow.execute("  can you help? ", ctx)).resolves.toBe("SURE!");
  await expect(flow.execute("again", ctx)).rejects.toThrow("rate limited");

  // Every call is recorded, with a snapshot of the context.
  model.assertCalledTimes(2);
  model.assertCalledWith("can you help?");
  expect(model.calls[0]?.context).toMatchObject({ workflowId: "test-run", state: { user: "u1" } });
});

it("fails the first calls on demand", async () => {
  const flaky = new MockPrimitive<string, string>({ failTimes: 2, returns: "ok" });
  await expect(flaky.execute("q")).rejects.toThrow("MockPrimitive failure 1");
  await expect(flaky.execute("q")).rejects.toThrow("MockPrimitive failure 2");
  await expect(flaky.execute("q")).resolves.toBe("ok");
  expect(flaky.callCount).toBe(3);
});
