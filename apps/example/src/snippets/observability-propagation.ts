import { context } from "@opentelemetry/api";
import { extract, inject, setupObservability } from "@tta/observability";
import { createContext, lambda, sequential } from "@tta/primitives";

const obs = setupObservability({
  serviceName: "queue-demo",
  tracing: { exporter: "memory" },
  metrics: false,
  logging: false,
});

// Producer: publish a message from inside a step; its headers carry the step's span and the baggage.
const queue: { headers: Record<string, string>; body: string }[] = [];
const publish = sequential([
  lambda((body: string, ctx) => {
    queue.push({ headers: inject(context.active(), {}, { baggage: ctx.baggage }), body });
    return body;
  }, "publish"),
]);
await publish.execute("refund #42", createContext({ baggage: { tenant: "acme" } }));

// Consumer (another process in real life): continue the same trace.
const message = queue[0] ?? { headers: {}, body: "" };
console.log(Object.keys(message.headers).sort().join(", ")); // → baggage, traceparent
const remote = extract(message.headers);
const handle = sequential([lambda((body: string, ctx) => `${ctx.baggage.tenant}: ${body}`, "handle")], {
  name: "consume",
});
const result = await context.with(remote.context, () =>
  handle.execute(message.body, createContext({ baggage: remote.baggage })),
);
console.log(result); // → acme: refund #42

const spans = obs.memoryExporter?.getFinishedSpans() ?? [];
const producerStep = spans.find((span) => span.attributes["tta.primitive.name"] === "publish");
const consumerRoot = spans.find((span) => span.attributes["tta.primitive.name"] === "consume");
console.log(consumerRoot?.spanContext().traceId === producerStep?.spanContext().traceId); // → true
console.log(consumerRoot?.parentSpanContext?.spanId === producerStep?.spanContext().spanId); // → true

await obs.shutdown();
