import { lambda, sequential, when } from "@tta/primitives";
import { SpanRecorder, formatSpanTree } from "@tta/primitives/testing";
import { afterEach, expect, it } from "vitest";

const recorder = new SpanRecorder();
afterEach(() => {
  recorder.uninstall();
  recorder.clear();
});

it("records the span tree of a run", async () => {
  recorder.install(); // becomes the global tracer provider; no OpenTelemetry SDK needed
  const flow = sequential([
    lambda((s: string) => s.trim(), "trim"),
    when(
      (s: string) => s === "",
      () => "(empty)",
    ),
  ]);
  await flow.execute("   ");

  expect(recorder.tree()).toBe(["tta.sequential", "  tta.lambda", "  tta.conditional", "    tta.lambda"].join("\n"));

  const label = (span: { name: string; attributes?: Readonly<Record<string, unknown>> }) =>
    `${span.name} ${String(span.attributes?.["tta.primitive.name"])}`;
  expect(formatSpanTree(recorder.spans, label)).toBe(
    [
      "tta.sequential SequentialPrimitive",
      "  tta.lambda trim",
      "  tta.conditional ConditionalPrimitive",
      "    tta.lambda LambdaPrimitive",
    ].join("\n"),
  );
  expect(recorder.spans.find((s) => s.name === "tta.conditional")?.attributes["tta.conditional.branch"]).toBe("then");
});
