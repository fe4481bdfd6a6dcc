import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { AggregatedHistogram, BufferedCounter } from "./fast-metrics.js";

describe("fast metrics", () => {
  it("AggregatedHistogram exports exactly what a prom-client Histogram with the same data does", async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({
      name: "h_seconds",
      help: "h",
      labelNames: ["kind", "name"],
      buckets,
      registers: [theirs],
    });
    const fast = new AggregatedHistogram({
      name: "h_seconds",
      help: "h",
      labelNames: ["kind", "name"],
      buckets,
      registers: [ours],
    });
    const a = fast.series({ kind: "lambda", name: "a" });
    for (const v of [0, 0.001, 0.0015, 0.5, 7, 0.01]) {
      reference.observe({ kind: "lambda", name: "a" }, v);
      fast.record(a, v);
    }
    reference.observe({ kind: "retry", name: "b" }, 0.2);
    fast.observe({ kind: "retry", name: "b" }, 0.2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // Same JSON too, apart from prom-client's `exemplar: null` on each bucket (exemplars are off).
    const withoutExemplars = (json: unknown): unknown =>
      JSON.parse(JSON.stringify(json, (k, v: unknown) => (k === "exemplar" ? undefined : v)));
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()));
    ours.resetMetrics();
    expect(await ours.metrics()).toBe("# HELP h_seconds h\n# TYPE h_seconds histogram\n");
  });

  it("BufferedCounter adds pending increments when the registry is collected", async () => {
    const registry = new Registry();
    const counter = new BufferedCounter({ name: "c_total", help: "c", labelNames: ["outcome"], registers: [registry] });
    const ok = counter.cell({ outcome: "ok" });
    ok.pending += 3;
    expect(await registry.metrics()).toContain('c_total{outcome="ok"} 3');
    ok.pending += 2;
    expect(await registry.metrics()).toContain('c_total{outcome="ok"} 5');
  });
});
