import { ProviderError } from "@tta/primitives";
import { model, openAICompatible } from "@tta/primitives/orchestration";
import { fallback, retry } from "@tta/primitives/recovery";
import { MockLanguageModel, startSimulatedProvider } from "@tta/primitives/testing";
import { expect, it } from "vitest";

const ask = { messages: [{ role: "user" as const, content: "Where is my refund?" }] };

it("falls back to the backup model when the primary keeps failing", async () => {
  // A scripted model: no network, no key; every request is recorded.
  const primary = new MockLanguageModel({
    modelId: "primary",
    responses: [new ProviderError("down", { provider: "mock", model: "primary", status: 503 })],
  });
  const backup = new MockLanguageModel({ modelId: "backup", responses: ["Refunds take 3 days."] });
  const flow = fallback(retry(model(primary), { maxRetries: 1, initialDelayMs: 0 }), { fallbacks: model(backup) });

  await expect(flow.execute(ask)).resolves.toMatchObject({ text: "Refunds take 3 days.", model: "backup" });
  expect(primary.callCount).toBe(2);
  expect(backup.calls[0]?.request).toBe(ask);
});

it("survives a real server's failures: a 500, then a malformed answer, then success", async () => {
  // The simulated provider is a real OpenAI-compatible HTTP server on 127.0.0.1.
  await using server = await startSimulatedProvider({ script: [{ kind: "500" }, { kind: "malformed" }] });
  const llm = retry(model(openAICompatible({ baseURL: server.baseURL, model: "sim-small" })), { initialDelayMs: 0 });

  const answer = await llm.execute(ask);
  expect(answer.text).toContain("Where is my refund?");
  expect(server.stats().byStatus).toEqual({ "200": 2, "500": 1 });
});
