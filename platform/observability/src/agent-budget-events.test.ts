/**
 * What `@tta/agent-context` relies on here: `budget` events become `tta_budget_events_total` and a warn
 * line, and the `tta.agent.*` span attributes (set through `SPAN_ATTRIBUTES_KEY`) reach log lines.
 */
import { SPAN_ATTRIBUTES_KEY, createContext, emit, lambda, sequential } from "@tta/primitives";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import { LineSink } from "./test-support/receivers.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  await obs?.shutdown();
  obs = undefined;
});

const base = { kind: "budget", name: "run", workflowId: "wf-b", correlationId: "c-1", at: 0 } as const;

describe("budget events", () => {
  it("count soft and hard limits by budget, resource and level", async () => {
    obs = setupObservability({ serviceName: "budget-test", tracing: false, logging: false });
    emit({ ...base, type: "budget", resource: "tokens", level: "soft", limit: 800, spent: 850, requested: 0 });
    emit({ ...base, type: "budget", resource: "tokens", level: "hard", limit: 1000, spent: 990, requested: 40 });
    emit({ ...base, type: "budget", resource: "tokens", level: "hard", limit: 1000, spent: 990, requested: 40 });
    const text = await obs.registry.metrics();
    expect(text).toContain('tta_budget_events_total{name="run",resource="tokens",level="soft"} 1');
    expect(text).toContain('tta_budget_events_total{name="run",resource="tokens",level="hard"} 2');
  });

  it("log a refused reservation at warn with the amounts and the run's ids", () => {
    const sink = new LineSink();
    obs = setupObservability({
      serviceName: "budget-test",
      tracing: false,
      metrics: false,
      logging: { destination: sink },
    });
    emit({ ...base, type: "budget", resource: "costUsd", level: "hard", limit: 1, spent: 0.98, requested: 0.05 });
    expect(sink.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        event: "budget",
        resource: "costUsd",
        budget_level: "hard",
        limit: 1,
        spent: 0.98,
        requested: 0.05,
        workflow_id: "wf-b",
        msg: "budget run: costUsd limit 1 reached; request of 0.05 refused",
      }),
    );
  });
});

describe("agent fields on log lines", () => {
  it("lines written inside a span labelled with tta.agent.* carry agent_id, agent_name and agent_role", async () => {
    const sink = new LineSink();
    obs = setupObservability({
      serviceName: "agent-test",
      tracing: { exporter: "memory" },
      metrics: false,
      logging: { destination: sink },
    });
    const { logger } = obs;
    const labelled = createContext().withValue(SPAN_ATTRIBUTES_KEY, {
      "tta.agent.id": "agent-1",
      "tta.agent.name": "billing",
      "tta.agent.role": "billing-specialist",
    });
    const step = lambda(async (n: number) => {
      await Promise.resolve();
      logger.info("inside the agent");
      return n;
    }, "step");
    await sequential([step]).execute(1, labelled);
    await step.execute(1, createContext());
    const [inside, plain] = sink.lines.filter((l) => l.msg === "inside the agent");
    expect(inside).toMatchObject({ agent_id: "agent-1", agent_name: "billing", agent_role: "billing-specialist" });
    expect(plain).toBeDefined();
    expect(plain).not.toHaveProperty("agent_id");
    const spans = obs.memoryExporter?.getFinishedSpans() ?? [];
    const labelledSpans = spans.filter((s) => s.attributes["tta.agent.id"] === "agent-1");
    expect(labelledSpans.map((s) => s.name).sort()).toEqual(["tta.lambda", "tta.sequential"]);
    // The primitive's own attributes are never replaced by the labels.
    expect(labelledSpans[0]?.attributes["tta.primitive.kind"]).toBeDefined();
  });
});
