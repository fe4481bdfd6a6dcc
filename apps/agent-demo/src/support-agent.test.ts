import { ProviderError } from "@tta/primitives";
import { type ModelRequest, createCatalog } from "@tta/primitives/orchestration";
import { type MockReply, MockLanguageModel, TestClock } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startDemoProviders } from "./providers.js";
import { type SupportAgent, type SupportAgentOptions, createSupportAgent } from "./support-agent.js";
import { TICKETS, orderIdIn, ticketAt } from "./tickets.js";

const catalog = createCatalog(
  ["mock-primary", "mock-backup"].map((id, i) => ({
    id,
    provider: "mock",
    contextWindow: 32_000,
    pricing: { inputPerMillion: i === 0 ? 0.3 : 2.5, outputPerMillion: i === 0 ? 1.2 : 10 },
    capabilities: ["tools" as const],
  })),
);

/** A support model in ModelRequest terms: look the order up when offered the tool, then answer. */
function supportModel(request: ModelRequest): MockReply {
  const usage = { inputTokens: 120, outputTokens: 30 };
  const last = request.messages.at(-1);
  if (last?.role === "tool") return { text: `Looked up: ${last.content.slice(0, 40)}`, usage };
  const orderId = orderIdIn(last?.content ?? "");
  if (request.tools?.some((t) => t.name === "lookup_order") === true && orderId !== undefined)
    return { toolCalls: [{ id: "call-1", name: "lookup_order", arguments: { orderId } }], usage };
  return { text: "Here is how to do that.", usage };
}

const down = (status: number) =>
  new ProviderError(`HTTP ${status}`, { provider: "mock", model: "mock-primary", status });

let support: SupportAgent | undefined;
afterEach(() => support?.close());

function agentWith(primaryReply: (request: ModelRequest) => MockReply, extra: Partial<SupportAgentOptions> = {}) {
  const primary = new MockLanguageModel({ modelId: "mock-primary", reply: primaryReply });
  const backup = new MockLanguageModel({ modelId: "mock-backup", reply: supportModel });
  support = createSupportAgent({ primary, backup, catalog, orderLatencyMs: 0, ...extra });
  return { primary, backup, support };
}

describe("the support agent against scripted models", () => {
  it("looks an order up with the tool and charges the ticket's budget", async () => {
    const { primary, backup, support } = agentWith(supportModel);
    const outcome = await support.handle(TICKETS[0]!, 1); // "Where is my order A-1042?"
    expect(outcome).toMatchObject({ ok: true, lane: "orders", workflowId: "ticket-1-T-1001", failovers: 0 });
    expect(outcome.result).toMatchObject({ agent: "order-desk", steps: 2, toolCalls: 1, stopReason: "stop" });
    expect(outcome.result?.text).toContain('"orderId":"A-1042"');
    expect(outcome.spent).toEqual({ tokens: 300, costUsd: expect.closeTo(0.000144, 9) as number, launches: 1 });
    expect(primary.callCount).toBe(2);
    expect(backup.callCount).toBe(0);
    // Both model calls offered the tool; the second carried its result.
    expect(primary.calls[1]?.request.messages.at(-1)).toMatchObject({ role: "tool", toolCallId: "call-1" });
  });

  it("answers account questions at the help desk without the tool", async () => {
    const { primary, support } = agentWith(supportModel);
    const outcome = await support.handle(TICKETS[2]!, 3);
    expect(outcome).toMatchObject({ ok: true, lane: "general", result: { agent: "help-desk", toolCalls: 0 } });
    expect(primary.calls[0]?.request.tools).toBeUndefined();
  });

  it("fails over to the backup during an outage, and the primary's breaker opens", async () => {
    const { primary, backup, support } = agentWith(() => down(503));
    const outcome = await support.handle(TICKETS[3]!, 4); // a bug report: one model call
    expect(outcome).toMatchObject({ ok: true, lane: "technical", failovers: 1, attempts: 4 });
    expect(primary.callCount).toBe(3); // the first try and two retries, then the backup
    expect(backup.callCount).toBe(1);
    expect(support.status().map((c) => [c.model, c.breaker])).toEqual([
      ["mock-primary", "open"],
      ["mock-backup", "closed"],
    ]);
    // With the breaker open, the next ticket goes straight to the backup: no failover, no primary call.
    const next = await support.handle(TICKETS[2]!, 5);
    expect(next).toMatchObject({ ok: true, failovers: 0, attempts: 1 });
    expect(primary.callCount).toBe(3);
  });

  it("waits out a short Retry-After on the primary instead of paying for the backup", async () => {
    let calls = 0;
    const throttledOnce = (request: ModelRequest): MockReply =>
      ++calls === 1
        ? new ProviderError("rate limited", { provider: "mock", model: "mock-primary", status: 429, retryAfterMs: 50 })
        : supportModel(request);
    const clock = new TestClock();
    const { primary, backup, support } = agentWith(throttledOnce, { clock });
    const handled = support.handle(TICKETS[2]!, 6);
    await clock.advance(49);
    expect(primary.callCount).toBe(1);
    await clock.advance(1);
    const outcome = await handled;
    expect(outcome).toMatchObject({ ok: true, failovers: 0, attempts: 2 });
    expect([primary.callCount, backup.callCount]).toEqual([2, 0]);
  });

  it("reports a failed ticket as an outcome, with the error's code", async () => {
    const primary = new MockLanguageModel({ modelId: "mock-primary", responses: [down(400)] });
    const backup = new MockLanguageModel({ modelId: "mock-backup", responses: [down(400)] });
    support = createSupportAgent({ primary, backup, catalog });
    const outcome = await support.handle(TICKETS[2]!, 7);
    expect(outcome).toMatchObject({ ok: false, lane: "general", errorType: "PROVIDER_ERROR", result: undefined });
    expect(outcome.spent.launches).toBe(1);
  });

  it("gives up at the ticket's deadline", async () => {
    const clock = new TestClock();
    const slow = (modelId: string) => new MockLanguageModel({ modelId, latencyMs: 10_000, clock });
    const [primary, backup] = [slow("mock-primary"), slow("mock-backup")];
    support = createSupportAgent({ primary, backup, catalog, deadlineMs: 5_000, clock });
    const handled = support.handle(TICKETS[2]!, 8);
    await clock.advance(5_000);
    expect(await handled).toMatchObject({ ok: false, errorType: "TIMEOUT" });
    expect(primary.callCount).toBe(1);
  });
});

describe("the support agent against the simulated providers", () => {
  it("routes to the backup while the primary is down, then opens its breaker", async () => {
    await using_(
      await startDemoProviders({ speedup: 50, rate429: 0, outage: { every: 100, from: 2, to: 6 } }),
      async (providers) => {
        support = createSupportAgent({ ...providers, orderLatencyMs: 0 });
        const outcomes = [];
        for (let n = 0; n < 6; n++) {
          providers.beforeTicket(n);
          outcomes.push(await support.handle(ticketAt(n), n + 1));
        }
        expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true, true]);
        expect(outcomes.slice(0, 2).map((o) => o.failovers)).toEqual([0, 0]);
        expect(outcomes[2]?.failovers).toBeGreaterThanOrEqual(1); // ticket 2 met the outage first
        expect(support.status().find((c) => c.model === "sim-primary")?.breaker).toBe("open");
        // The order ticket (n = 0) used the tool through the real HTTP round trip.
        expect(outcomes[0]?.result).toMatchObject({ toolCalls: 1, agent: "order-desk" });
        expect(outcomes[0]?.result?.text).toMatch(/^Order A-1042 is shipped/);
        // The backup costs more: the outage tickets cost more than the healthy ones of the same lane.
        expect(outcomes[5]!.spent.costUsd).toBeGreaterThan(outcomes[0]!.spent.costUsd);
      },
    );
  });
});

/** `await using` for a value with `close()`. */
async function using_<T extends { close(): Promise<void> }>(value: T, body: (value: T) => Promise<void>) {
  try {
    await body(value);
  } finally {
    await value.close();
  }
}
