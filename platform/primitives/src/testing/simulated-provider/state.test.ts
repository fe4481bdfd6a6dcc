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
