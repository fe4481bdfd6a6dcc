/**
 * The model router's `route` event: metrics (`tta_route_*`) and log lines, with no prompt in either.
 */
import { ProviderError, createCatalog, createContext } from "@tta/primitives";
import { modelRouter } from "@tta/primitives/orchestration";
import { MockLanguageModel } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import { LineSink } from "./test-support/receivers.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

const catalog = createCatalog([
  {
    id: "cheap",
    provider: "a",
    contextWindow: 8_000,
    pricing: { inputPerMillion: 1, outputPerMillion: 2 },
    capabilities: [],
  },
  {
    id: "backup",
    provider: "b",
    contextWindow: 8_000,
    pricing: { inputPerMillion: 5, outputPerMillion: 10 },
    capabilities: [],
  },
]);
const PROMPT = "SECRET-PROMPT: my card number is 4111";
const ask = { messages: [{ role: "user" as const, content: PROMPT }] };

function router(): ReturnType<typeof modelRouter> {
  const down = new ProviderError("down", { provider: "a", model: "cheap", status: 503 });
  const cheap = new MockLanguageModel({ modelId: "cheap", responses: [down, "fine"] });
  const backup = new MockLanguageModel({ modelId: "backup", responses: ["from backup"] });
  return modelRouter({ candidates: [cheap, backup], catalog, name: "llm", retry: { maxRetries: 0 } });
}

describe("route events", () => {
  it("count routed requests by answering model, failovers and hedges", async () => {
    obs = setupObservability({ serviceName: "route-test", tracing: false, logging: false });
    const llm = router();
    await llm.execute(ask, createContext());
    await llm.execute(ask, createContext());
    const text = await obs.registry.metrics();
    expect(text).toContain('tta_route_requests_total{name="llm",model="backup",outcome="success"} 1');
    expect(text).toContain('tta_route_requests_total{name="llm",model="cheap",outcome="success"} 1');
    expect(text).toContain('tta_route_failovers_total{name="llm"} 1');
    expect(text).not.toContain("SECRET-PROMPT");
  });

  it("log a failover at info, a plain route only at debug, never the prompt", async () => {
    const sink = new LineSink();
    obs = setupObservability({
      serviceName: "route-test",
      tracing: false,
      metrics: false,
      logging: { level: "info", destination: sink },
    });
    const llm = router();
    await llm.execute(ask, createContext());
    await llm.execute(ask, createContext());
    const routes = sink.lines.filter((l) => l.event === "route");
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({
      level: "info",
      model: "backup",
      attempts: 2,
      failovers: 1,
      msg: "routed to backup after 2 attempts",
    });
    expect(JSON.stringify(sink.lines)).not.toContain("SECRET-PROMPT");
  });
});
