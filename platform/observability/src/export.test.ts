import { trace } from "@opentelemetry/api";
import { lambda, sequential } from "@tta/primitives";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import type { HttpReceiver, UdpReceiver } from "./test-support/receivers.js";
import { captureDiag, closedPort, startHttpReceiver, startUdpReceiver, until } from "./test-support/receivers.js";

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: number } }[];
}
interface OtlpBody {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

let obs: ObservabilityHandle | undefined;
let receiver: HttpReceiver | undefined;
let udp: UdpReceiver | undefined;
afterEach(async () => {
  await obs?.shutdown();
  await receiver?.close();
  await udp?.close();
  obs = receiver = udp = undefined;
});

const flow = () =>
  sequential([lambda((n: number) => n + 1, "inc"), lambda((n: number) => n * 2, "double")], { name: "export-flow" });

describe("OTLP/HTTP export to a loopback receiver", () => {
  it("JSON: spans arrive with names, parent ids and resource attributes", async () => {
    receiver = await startHttpReceiver();
    obs = setupObservability({
      serviceName: "otlp-json-test",
      serviceVersion: "9.9.9",
      tracing: { exporter: "otlp-json", endpoint: `${receiver.url}/v1/traces`, headers: { "x-tenant": "tta" } },
      metrics: false,
      logging: false,
    });
    await expect(flow().execute(1)).resolves.toBe(4);
    await obs.shutdown(); // flushes the batch processor

    expect(receiver.requests.length).toBeGreaterThan(0);
    const request = receiver.requests[0];
    expect(request?.path).toBe("/v1/traces");
    expect(request?.headers["content-type"]).toContain("application/json");
    expect(request?.headers["x-tenant"]).toBe("tta");
    const bodies = receiver.requests.map((r) => JSON.parse(r.body.toString("utf8")) as OtlpBody);
    const resourceSpans = bodies.flatMap((b) => b.resourceSpans);
    const resource = Object.fromEntries(
      resourceSpans[0]?.resource.attributes.map((a) => [a.key, a.value.stringValue]) ?? [],
    );
    expect(resource).toMatchObject({ "service.name": "otlp-json-test", "service.version": "9.9.9" });
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.map((s) => s.name).sort()).toEqual(["tta.lambda", "tta.lambda", "tta.sequential"]);
    const root = spans.find((s) => s.name === "tta.sequential");
    expect(root?.parentSpanId ?? "").toBe("");
    for (const child of spans.filter((s) => s.name === "tta.lambda")) {
      expect(child.parentSpanId).toBe(root?.spanId);
      expect(child.traceId).toBe(root?.traceId);
    }
    const names = spans.map((s) => s.attributes.find((a) => a.key === "tta.primitive.name")?.value.stringValue);
    expect(names.sort()).toEqual(["double", "export-flow", "inc"]);
  });

  it('protobuf (the default "otlp"): spans arrive as application/x-protobuf with the span names in the body', async () => {
    receiver = await startHttpReceiver();
    obs = setupObservability({
      serviceName: "otlp-proto-test",
      tracing: { endpoint: `${receiver.url}/v1/traces` },
      metrics: false,
      logging: false,
    });
    await flow().execute(1);
    await obs.shutdown();
    const body = Buffer.concat(receiver.requests.map((r) => r.body));
    expect(receiver.requests[0]?.headers["content-type"]).toBe("application/x-protobuf");
    expect(body.includes("tta.sequential")).toBe(true);
    expect(body.includes("tta.lambda")).toBe(true);
    expect(body.includes("otlp-proto-test")).toBe(true);
  });

  it("shutdown() exports a span ended right before it (batch processor, 5 s schedule never reached)", async () => {
    receiver = await startHttpReceiver();
    obs = setupObservability({
      serviceName: "flush-test",
      tracing: { exporter: "otlp-json", endpoint: `${receiver.url}/v1/traces` },
      metrics: false,
      logging: false,
    });
    trace.getTracer("test").startSpan("ended-just-before-shutdown").end();
    expect(receiver.requests).toHaveLength(0); // still batched
    const first = obs.shutdown();
    expect(obs.shutdown()).toBe(first); // idempotent
    await first;
    const text = receiver.requests.map((r) => r.body.toString("utf8")).join("");
    expect(text).toContain("ended-just-before-shutdown");
  });

  it("an unreachable collector never reaches business code and is reported once through diag", async () => {
    const diag = captureDiag();
    // With logging off, the one user-facing notice goes to standard error (shutdown.test.ts covers it).
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const port = await closedPort();
      obs = setupObservability({
        serviceName: "unreachable",
        tracing: { exporter: "otlp-json", endpoint: `http://127.0.0.1:${port}/v1/traces`, exportTimeoutMs: 1000 },
        metrics: false,
        logging: false,
      });
      for (let i = 0; i < 3; i++) {
        await expect(flow().execute(i)).resolves.toBe((i + 1) * 2);
        await obs.forceFlush();
      }
      await obs.shutdown();
      const ours = diag.messages.filter((m) => m.message.includes("@tta/observability"));
      expect(ours).toHaveLength(1);
      expect(ours[0]?.message).toContain("otlp-json span exporter failed");
      expect(stderr.mock.calls.filter(([chunk]) => String(chunk).includes("could not export spans"))).toHaveLength(1);
    } finally {
      stderr.mockRestore();
      diag.restore();
    }
  });
});

describe("Jaeger exporter (legacy thrift) against loopback receivers", () => {
  it("UDP agent (udp://host:port): the compact-thrift datagrams carry the span names and service name", async () => {
    udp = await startUdpReceiver();
    obs = setupObservability({
      serviceName: "jaeger-udp-test",
      tracing: { exporter: "jaeger", endpoint: `udp://127.0.0.1:${udp.port}` },
      metrics: false,
      logging: false,
    });
    await flow().execute(1);
    await obs.shutdown();
    // UDP: the datagram is handed to the kernel at flush and read by the receiver a moment later.
    const received = udp;
    await until(() => Buffer.concat(received.packets).includes("tta.lambda"), 5000, "the Jaeger datagram");
    const bytes = Buffer.concat(udp.packets);
    expect(bytes.includes("tta.sequential")).toBe(true);
    expect(bytes.includes("tta.lambda")).toBe(true);
    expect(bytes.includes("jaeger-udp-test")).toBe(true);
  });

  it("HTTP collector (http://…/api/traces): a binary-thrift POST carries the span names", async () => {
    receiver = await startHttpReceiver();
    obs = setupObservability({
      serviceName: "jaeger-http-test",
      tracing: { exporter: "jaeger", endpoint: `${receiver.url}/api/traces` },
      metrics: false,
      logging: false,
    });
    await flow().execute(1);
    await obs.shutdown();
    expect(receiver.requests[0]?.path).toBe("/api/traces");
    expect(receiver.requests[0]?.headers["content-type"]).toBe("application/x-thrift");
    const bytes = Buffer.concat(receiver.requests.map((r) => r.body));
    expect(bytes.includes("tta.sequential")).toBe(true);
    expect(bytes.includes("jaeger-http-test")).toBe(true);
  });
});
