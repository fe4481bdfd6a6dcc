import { describe, expect, it } from "vitest";
import { resolveOptions } from "./options.js";
import { REQUEST_LOG_LIMIT, ProviderState } from "./state.js";

const request = (n: number) => ({ model: "sim-small", stream: false, body: { n }, headers: {} });

describe("provider state", () => {
  it("keeps only the last 1000 requests, oldest first, and hands out snapshots", () => {
    const state = new ProviderState(resolveOptions({}));
    for (let n = 0; n < REQUEST_LOG_LIMIT + 5; n++) state.record(request(n));
    const log = state.requestLog();
    expect(log).toHaveLength(1_000);
    expect(log[0]!.body.n).toBe(5);
    expect(log.at(-1)!.body.n).toBe(1_004);
    state.record(request(9_999));
    expect(log.at(-1)!.body.n).toBe(1_004);
  });

  it("takes the script first, then random faults; configure({ script }) restarts the script", () => {
    const state = new ProviderState(
      resolveOptions({ script: [{ kind: "500" }, { kind: "hang" }], errors: { rate429: 1 } }),
    );
    const kinds = () => state.nextDecision().fault.kind;
    expect([kinds(), kinds(), kinds()]).toEqual(["500", "hang", "429"]);
    state.configure({ script: [{ kind: "malformed" }] });
    expect([kinds(), kinds()]).toEqual(["malformed", "429"]);
    state.configure({ errors: undefined });
    expect(kinds()).toBe("ok");
  });

  it("gives request i the same latency whatever the script, for the same seed", () => {
    const latency = { distribution: "uniform", minMs: 0, maxMs: 1_000 } as const;
    const a = new ProviderState(resolveOptions({ seed: 3, latency }));
    const b = new ProviderState(resolveOptions({ seed: 3, latency, script: [{ kind: "500" }, { kind: "ok" }] }));
    const latencies = (state: ProviderState) => Array.from({ length: 10 }, () => state.nextDecision().latencyMs);
    expect(latencies(a)).toEqual(latencies(b));
  });

  it("gives error faults (429, 500, status ≥ 400) the errorLatency and every other request the latency", () => {
    const state = new ProviderState(
      resolveOptions({
        latency: { distribution: "fixed", ms: 450 },
        errorLatency: { distribution: "fixed", ms: 20 },
        script: [
          { kind: "429" },
          { kind: "500" },
          { kind: "status", status: 503 },
          { kind: "status", status: 404 },
          { kind: "status", status: 200 },
          { kind: "ok" },
          { kind: "malformed" },
          { kind: "stream-cut" },
        ],
      }),
    );
    const latencies = Array.from({ length: 8 }, () => state.nextDecision().latencyMs);
    expect(latencies).toEqual([20, 20, 20, 20, 450, 450, 450, 450]);
  });

  it("without errorLatency, error faults wait the latency (the behaviour before the option)", () => {
    const latency = { distribution: "lognormal", medianMs: 450, p99Ms: 1_500 } as const;
    const errors = { rate429: 0.3, rate500: 0.2 };
    const withErrors = new ProviderState(resolveOptions({ seed: 5, latency, errors }));
    const healthy = new ProviderState(resolveOptions({ seed: 5, latency }));
    const decisions = Array.from({ length: 50 }, () => withErrors.nextDecision());
    expect(decisions.filter((d) => d.fault.kind !== "ok").length).toBeGreaterThan(10);
    expect(decisions.map((d) => d.latencyMs)).toEqual(
      Array.from({ length: 50 }, () => healthy.nextDecision().latencyMs),
    );
  });

  it("errorLatency leaves the latency of answered requests unchanged, and is the same for the same seed", () => {
    const latency = { distribution: "lognormal", medianMs: 450, p99Ms: 1_500 } as const;
    const errorLatency = { distribution: "lognormal", medianMs: 20, p99Ms: 80 } as const;
    const errors = { rate429: 0.15, rate500: 0.05 };
    const run = (options: Parameters<typeof resolveOptions>[0]) => {
      const state = new ProviderState(resolveOptions(options));
      return Array.from({ length: 200 }, () => state.nextDecision());
    };
    const plain = run({ seed: 9, latency, errors });
    const fast = run({ seed: 9, latency, errors, errorLatency });
    expect(fast.map((d) => d.fault)).toEqual(plain.map((d) => d.fault));
    fast.forEach((d, i) => {
      if (d.fault.kind === "ok") expect(d.latencyMs).toBe(plain[i]!.latencyMs);
    });
    const errorMs = fast.filter((d) => d.fault.kind !== "ok").map((d) => d.latencyMs);
    expect(errorMs.length).toBeGreaterThan(20);
    expect(Math.max(...errorMs)).toBeLessThan(Math.min(...plain.map((d) => d.latencyMs)));
    expect(run({ seed: 9, latency, errors, errorLatency })).toEqual(fast);
  });

  it("configure sets errorLatency and undefined restores the latency", () => {
    const state = new ProviderState(
      resolveOptions({ latency: { distribution: "fixed", ms: 300 }, errors: { rate500: 1 } }),
    );
    expect(state.nextDecision().latencyMs).toBe(300);
    state.configure({ errorLatency: { distribution: "fixed", ms: 5 } });
    expect(state.nextDecision().latencyMs).toBe(5);
    state.configure({ errorLatency: undefined });
    expect(state.nextDecision().latencyMs).toBe(300);
  });

  it("idle() resolves once nothing is in flight", async () => {
    const state = new ProviderState(resolveOptions({}));
    await expect(state.idle()).resolves.toBeUndefined();
    state.requestStarted();
    state.requestStarted();
    let idle = false;
    const waiting = state.idle().then(() => (idle = true));
    state.requestEnded();
    await Promise.resolve();
    expect(idle).toBe(false);
    state.requestEnded();
    await waiting;
    expect(state.stats()).toMatchObject({ requests: 2, inFlight: 0 });
  });
});
