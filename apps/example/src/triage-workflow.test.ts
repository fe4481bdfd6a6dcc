import { SpanStatusCode } from "@opentelemetry/api";
import { createContext } from "@tta/primitives";
import { SpanRecorder } from "@tta/primitives/testing";
import { afterEach, describe, expect, it } from "vitest";
import { SAMPLE_TICKETS, createTriageWorkflow } from "./triage-workflow.js";

const [billing, technical, general] = SAMPLE_TICKETS as [
  (typeof SAMPLE_TICKETS)[number],
  (typeof SAMPLE_TICKETS)[number],
  (typeof SAMPLE_TICKETS)[number],
];

describe("support triage workflow", () => {
  let recorder: SpanRecorder | undefined;
  afterEach(() => {
    recorder?.uninstall();
    recorder = undefined;
  });

  it("routes an urgent billing ticket to the billing desk and escalates it", async () => {
    const result = await createTriageWorkflow().execute(billing, createContext({ workflowId: "t-billing" }));
    expect(result).toEqual({
      ticketId: "T-1001",
      category: "billing",
      urgency: "high",
      queue: "billing-priority",
      reply: "Hi ada@example.com, we are reviewing the charges on your account.",
      escalated: true,
    });
  });

  it("routes a crash report through the technical desk's knowledge-base search", async () => {
    const ctx = createContext({ workflowId: "t-technical" });
    const result = await createTriageWorkflow().execute(technical, ctx);
    expect(result).toEqual({
      ticketId: "T-1002",
      category: "technical",
      urgency: "low",
      queue: "technical",
      reply: "Hi linus@example.com, see KB-E42 for a fix.",
      escalated: false,
    });
    expect(ctx.state.get("kb.articles")).toEqual(["KB-E42"]);
  });

  it("sends everything else to the general desk without escalation", async () => {
    const result = await createTriageWorkflow().execute(general, createContext({ workflowId: "t-general" }));
    expect(result).toMatchObject({ category: "general", urgency: "low", queue: "general", escalated: false });
  });

  it("never mutates the ticket", async () => {
    const ticket = Object.freeze({ ...billing });
    await createTriageWorkflow().execute(ticket);
    expect(ticket).toEqual(billing);
  });

  it("produces one span per primitive, nested as the workflow is composed", async () => {
    recorder = new SpanRecorder().install();
    await createTriageWorkflow().execute(technical, createContext({ workflowId: "t-spans" }));
    expect(recorder.tree()).toBe(
      [
        "tta.sequential",
        "  tta.lambda",
        "  tta.parallel",
        "    tta.lambda",
        "    tta.lambda",
        "    tta.lambda",
        "  tta.router",
        "    tta.sequential",
        "      tta.lambda",
        "      tta.lambda",
        "  tta.conditional",
      ].join("\n"),
    );
    const byName = (name: string) => recorder?.spans.find((s) => s.attributes["tta.primitive.name"] === name);
    expect(byName("route-to-desk")?.attributes["tta.router.route"]).toBe("technical");
    expect(byName("escalate-if-urgent")?.attributes["tta.conditional.branch"]).toBe("passthrough");
    expect(byName("support-triage")?.attributes["tta.workflow.id"]).toBe("t-spans");
    expect(recorder.spans.every((s) => s.ended && s.status.code === SpanStatusCode.UNSET)).toBe(true);
  });
});
