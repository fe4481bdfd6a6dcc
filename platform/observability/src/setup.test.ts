import { ProxyTracerProvider, trace } from "@opentelemetry/api";
import { InvalidOptionsError, defaultCatalog, isObserved, lambda, sequential } from "@tta/primitives";
import { retry } from "@tta/primitives/recovery";
import { MockPrimitive } from "@tta/primitives/testing";
import { describe, expect, it, vi } from "vitest";
import { resolveObservabilityOptions } from "./options.js";
import { setupObservability } from "./setup.js";
import { captureDiag } from "./test-support/receivers.js";

function invalid(options: unknown): InvalidOptionsError {
  try {
    setupObservability(options as Parameters<typeof setupObservability>[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error("expected InvalidOptionsError");
}

/** No tracer provider registered: the global proxy hands out no delegate tracer (public API, ADR 0016). */
const delegateIsNoop = (): boolean => {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegateTracer("probe") === undefined;
};

describe("setupObservability options", () => {
  it.each([
    [{ serviceName: "a", tracing: { exporter: "zipkin" } }, "tracing.exporter", /one of "otlp"/],
    [{ serviceName: "a", tracing: { endpoint: "not a url" } }, "tracing.endpoint", /valid URL/],
    [{ serviceName: "a", tracing: { endpoint: "ftp://host/x" } }, "tracing.endpoint", /http\/https URL/],
    [{ serviceName: "a", tracing: { exporter: "jaeger", endpoint: "udp://host" } }, "tracing.endpoint", /port/],
    [{ serviceName: "a", tracing: { exporter: "memory", endpoint: "http://x" } }, "tracing.endpoint", /not used/],
    [{ serviceName: "a", tracing: { sampleRatio: 1.5 } }, "tracing.sampleRatio", /a number ≥ 0 and ≤ 1/],
    [{ serviceName: "a", tracing: { sampleRatio: -0.1 } }, "tracing.sampleRatio", /a number ≥ 0 and ≤ 1/],
    [{ serviceName: "a", tracing: { sampleRatio: Number.NaN } }, "tracing.sampleRatio", /a number ≥ 0 and ≤ 1/],
    [{ serviceName: "a", tracing: { exporter: "jaeger", headers: { a: "b" } } }, "tracing.headers", /OTLP/],
    [{ serviceName: "a", tracing: { sampleRate: 0.5 } }, "tracing.sampleRate", /Unknown option/],
    [{ serviceName: "a", metrics: { port: 70_000 } }, "metrics.port", /an integer ≥ 0 and ≤ 65535/],
    [{ serviceName: "a", metrics: { port: -1 } }, "metrics.port", /an integer ≥ 0 and ≤ 65535/],
    [{ serviceName: "a", metrics: { port: 80.5 } }, "metrics.port", /integer/],
    [{ serviceName: "a", metrics: { prot: 9464 } }, "metrics.prot", /Unknown option/],
    [
      { serviceName: "a", metrics: { modelPrices: { m: { inputPerMillion: 1, outputPerMillion: 1 } } } },
      "metrics.modelPrices",
      /removed: pass `metrics\.catalog` instead, a `Catalog` from `createCatalog` or `loadCatalog`/,
    ],
    [{ serviceName: "a", metrics: { modelPrices: undefined } }, "metrics.modelPrices", /metrics\.catalog/],
    [{ serviceName: "a", metrics: { catalog: { "gpt-4o": { inputPerMillion: 1 } } } }, "metrics.catalog", /cost/],
    [{ serviceName: "a", metrics: { catalog: "catalog.json" } }, "metrics.catalog", /Catalog/],
    [{ serviceName: "a", logging: { level: "verbose" } }, "logging.level", /one of/],
    [{ serviceName: "a", logging: { destination: {} } }, "logging.destination", /write/],
    [
      { serviceName: "a", logging: { pretty: true, destination: { write: () => undefined } } },
      "logging.destination",
      /pretty/,
    ],
    [{ serviceName: "" }, "serviceName", /non-empty/],
    [{ serviceName: "a", servicename: "b" }, "servicename", /Unknown option/],
    [{ serviceName: "a", tracing: [] }, "tracing", /plain object/],
  ])("%j → InvalidOptionsError naming %s", (options, option, message) => {
    const error = invalid(options);
    expect(error.option).toBe(option);
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.message).toMatch(message);
  });

  it("words every message in the house style of @tta/primitives (one implementation, @tta/primitives/options)", () => {
    expect(invalid({ serviceName: "a", metrics: { port: 70_000 } }).message).toBe(
      "Expected `metrics.port` to be an integer ≥ 0 and ≤ 65535, got 70000",
    );
    expect(invalid({ serviceName: "a", logging: { level: "verbose" } }).message).toBe(
      'Expected `logging.level` to be one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "verbose"',
    );
    expect(invalid({ serviceName: "a", tracing: { contextManager: "yes" } }).message).toBe(
      'Expected `tracing.contextManager` to be a boolean, got "yes"',
    );
    expect(invalid({ serviceName: "a", tracing: { sampleRate: 0.5 } }).message).toBe(
      "Unknown option `tracing.sampleRate` for setupObservability; expected one of: `exporter`, `endpoint`, " +
        "`headers`, `sampleRatio`, `contextManager`, `exportTimeoutMs`, `redact`",
    );
    expect(invalid({ serviceName: "a", tracing: "otlp" }).message).toBe(
      'Expected `tracing` to be a plain object, `false` or omitted, got "otlp"',
    );
  });

  it("rejects before registering anything", () => {
    invalid({ serviceName: "a", metrics: { port: 99_999 } });
    expect(delegateIsNoop()).toBe(true);
    expect(isObserved()).toBe(false);
  });

  it("fills in documented defaults; null means default; false disables a section", () => {
    const resolved = resolveObservabilityOptions({ serviceName: "svc", tracing: null, metrics: false, logging: {} });
    expect(resolved.tracing).toMatchObject({
      exporter: "otlp",
      sampleRatio: 1,
      contextManager: true,
      exportTimeoutMs: 10_000,
    });
    expect(resolved.metrics).toBeUndefined();
    expect(resolveObservabilityOptions({ serviceName: "svc", metrics: { catalog: null } }).metrics?.catalog).toBe(
      defaultCatalog,
    );
    expect(resolved.logging).toMatchObject({ level: "info", pretty: false });
    const jaeger = resolveObservabilityOptions({
      serviceName: "s",
      tracing: { exporter: "jaeger", endpoint: "udp://127.0.0.1:6832" },
    });
    expect(jaeger.tracing?.endpoint?.port).toBe("6832");
  });
});

describe("telemetry off", () => {
  it("with no SDK registered, primitives work, make no spans and have no subscriber", async () => {
    expect(delegateIsNoop()).toBe(true);
    expect(isObserved()).toBe(false);
    const flaky = new MockPrimitive<number, number>({ failTimes: 1, returns: 5 });
    await expect(
      sequential([lambda((n: number) => n + 1), retry(flaky, { initialDelayMs: 0 })]).execute(1),
    ).resolves.toBe(5);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it("tracing: false registers no tracer provider while metrics still count", async () => {
    const obs = setupObservability({ serviceName: "metrics-only", tracing: false, logging: false });
    try {
      expect(obs.tracerProvider).toBeUndefined();
      expect(delegateIsNoop()).toBe(true);
      await lambda((n: number) => n, "counted").execute(1);
      expect(await obs.registry.metrics()).toContain('name="counted"');
    } finally {
      await obs.shutdown();
    }
  });

  it("shutdown unregisters the globals it registered, so a second setup works", async () => {
    const first = setupObservability({ serviceName: "one", tracing: { exporter: "memory" }, logging: false });
    expect(delegateIsNoop()).toBe(false);
    await first.shutdown();
    expect(delegateIsNoop()).toBe(true);
    expect(isObserved()).toBe(false);
    const second = setupObservability({ serviceName: "two", tracing: { exporter: "memory" }, logging: false });
    await lambda((n: number) => n).execute(1);
    expect(second.memoryExporter?.getFinishedSpans()).toHaveLength(1);
    await second.shutdown();
  });

  it("a second setup while the first is active is reported through diag, not thrown", async () => {
    const diag = captureDiag();
    const first = setupObservability({ serviceName: "one", tracing: { exporter: "memory" }, logging: false });
    try {
      const second = setupObservability({ serviceName: "two", tracing: { exporter: "memory" }, logging: false });
      await second.shutdown();
      expect(diag.messages.some((m) => m.message.includes("another OpenTelemetry tracer provider"))).toBe(true);
      // The first setup is untouched by the second's shutdown.
      await lambda((n: number) => n).execute(1);
      expect(first.memoryExporter?.getFinishedSpans()).toHaveLength(1);
    } finally {
      await first.shutdown();
      diag.restore();
    }
  });

  it("the jaeger exporter without an endpoint starts (UDP agent default) and shuts down without throwing", async () => {
    const obs = setupObservability({
      serviceName: "j",
      tracing: { exporter: "jaeger" },
      metrics: false,
      logging: false,
    });
    expect(obs.tracerProvider).toBeDefined();
    await obs.shutdown(); // no span was ended, so nothing is sent anywhere
  });

  it("the console exporter prints finished spans", async () => {
    const printed = vi.spyOn(globalThis.console, "dir").mockImplementation(() => undefined);
    try {
      const obs = setupObservability({
        serviceName: "c",
        tracing: { exporter: "console" },
        metrics: false,
        logging: false,
      });
      await lambda((n: number) => n, "printed").execute(1);
      await obs.shutdown();
      expect(printed.mock.calls.map((call) => call[0])).toContainEqual(expect.objectContaining({ name: "tta.lambda" }));
    } finally {
      printed.mockRestore();
    }
  });
});
