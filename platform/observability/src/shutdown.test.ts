import { InvalidOptionsError, lambda, sequential } from "@tta/primitives";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exportTarget } from "./exporters.js";
import type { TracingOptions } from "./options.js";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, resolveObservabilityOptions } from "./options.js";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import { LineSink, closedPort } from "./test-support/receivers.js";

let obs: ObservabilityHandle | undefined;
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await obs?.shutdown();
  obs = undefined;
});

const flow = () => sequential([lambda((n: number) => n + 1, "inc")], { name: "shutdown-flow" });

/** The lines of `sink` that mention `text`. */
const mentioning = (sink: LineSink, text: string) =>
  sink.lines.filter((line) => typeof line.msg === "string" && line.msg.includes(text));

describe("shutdownTimeoutMs", () => {
  it("defaults to at most 2 s and is validated", () => {
    expect(DEFAULT_SHUTDOWN_TIMEOUT_MS).toBeLessThanOrEqual(2000);
    expect(resolveObservabilityOptions({ serviceName: "a" }).shutdownTimeoutMs).toBe(DEFAULT_SHUTDOWN_TIMEOUT_MS);
    expect(resolveObservabilityOptions({ serviceName: "a", shutdownTimeoutMs: 0 }).shutdownTimeoutMs).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN, "2000", 2 ** 31]) {
      let thrown: unknown;
      try {
        setupObservability({ serviceName: "a", shutdownTimeoutMs: bad as number });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidOptionsError);
      expect((thrown as InvalidOptionsError).option).toBe("shutdownTimeoutMs");
      expect((thrown as InvalidOptionsError).message).toMatch(/an integer ≥ 0 and ≤ 2147483647/);
    }
  });
});

describe("the endpoint a notice names", () => {
  const target = (tracing: TracingOptions) => {
    const resolved = resolveObservabilityOptions({ serviceName: "a", tracing }).tracing;
    return resolved === undefined ? undefined : exportTarget(resolved)?.endpoint;
  };

  it("is the configured one, then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT, then the default", () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "");
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "");
    expect(target({})).toBe("http://localhost:4318/v1/traces");
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318/");
    expect(target({ exporter: "otlp-json" })).toBe("http://base:4318/v1/traces");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318/custom");
    expect(target({})).toBe("http://traces:4318/custom");
    expect(target({ endpoint: "http://configured:4318/v1/traces" })).toBe("http://configured:4318/v1/traces");
    expect(target({ exporter: "jaeger" })).toBe("udp://localhost:6832");
    expect(target({ exporter: "memory" })).toBeUndefined();
  });

  it("carries no credentials and no query (either may hold a secret)", () => {
    expect(target({ endpoint: "https://user:s3cret@collector:4318/v1/traces?api_key=k" })).toBe(
      "https://collector:4318/v1/traces?…",
    );
  });
});

describe("shutdown() with the default OTLP exporter and no collector", () => {
  it("settles within shutdownTimeoutMs (fake time) and says so once on the setup's logger, naming the endpoint", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/traces`;
    vi.useFakeTimers();
    const sink = new LineSink();
    obs = setupObservability({
      serviceName: "no-collector",
      tracing: { endpoint: url }, // the default exporter, "otlp"
      metrics: false,
      logging: { level: "info", destination: sink },
    });
    await expect(flow().execute(1)).resolves.toBe(2);

    let settled = false;
    const first = obs.shutdown().then(() => {
      settled = true;
    });
    // Before the fix, shutdown() waited for exportTimeoutMs + 1 s (11 s) here.
    await vi.advanceTimersByTimeAsync(DEFAULT_SHUTDOWN_TIMEOUT_MS);
    expect(settled).toBe(true);
    await first;
    await obs.shutdown(); // idempotent: nothing more is said

    const notices = mentioning(sink, url);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.level).toBe("warn");
    expect(notices[0]?.msg).toContain("tracing.endpoint");
    expect(notices[0]?.msg).toContain("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    expect(notices[0]?.msg).toContain(`shutdownTimeoutMs: ${DEFAULT_SHUTDOWN_TIMEOUT_MS}`);
  });

  it("follows shutdownTimeoutMs and names the endpoint that came from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/traces`;
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", url);
    vi.useFakeTimers();
    const sink = new LineSink();
    obs = setupObservability({
      serviceName: "no-collector-env",
      metrics: false,
      logging: { destination: sink },
      shutdownTimeoutMs: 500,
    });
    await flow().execute(1);
    let settled = false;
    void obs.shutdown().then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(false); // it does wait for the exporter…
    await vi.advanceTimersByTimeAsync(400);
    expect(settled).toBe(true); // …but no longer than shutdownTimeoutMs
    expect(mentioning(sink, url)).toHaveLength(1);
  });

  it("reports a failing exporter once on standard error when logging is off (real time, closed loopback port)", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/traces`;
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    obs = setupObservability({
      serviceName: "no-collector-stderr",
      // 300 ms: the OTLP exporter gives up on its first refused connection (its next retry would be later).
      tracing: { endpoint: url, exportTimeoutMs: 300 },
      metrics: false,
      logging: false,
    });
    for (let i = 0; i < 3; i++) {
      await expect(flow().execute(i)).resolves.toBe(i + 1);
      await obs.forceFlush(); // each export fails
    }
    await obs.shutdown();
    const ours = written.filter((line) => line.includes(url));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^@tta\/observability: could not export spans to /);
    expect(ours[0]).toContain("ECONNREFUSED");
    expect(ours[0]).toContain("tracing.endpoint");
  }, 15_000);
});
