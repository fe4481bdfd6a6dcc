import fc from "fast-check";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "./prometheus-text.js";

describe("parsePrometheusText", () => {
  it("groups each labelled histogram series into one sample with its count and sum", () => {
    const text = [
      "# HELP h Latency\\nin seconds.",
      "# TYPE h histogram",
      'h_bucket{m="a",le="0.5"} 1',
      'h_bucket{m="a",le="+Inf"} 3',
      'h_sum{m="a"} 2.25',
      'h_count{m="a"} 3',
      'h_bucket{le="0.5",m="b"} 0',
      'h_bucket{le="+Inf",m="b"} 1',
      'h_sum{m="b"} 9',
      'h_count{m="b"} 1',
      "# TYPE s summary",
      's{quantile="0.5"} 4',
      "s_sum 8",
      "s_count 2",
      "",
    ].join("\n");
    expect(parsePrometheusText(text)).toEqual({
      families: [
        {
          name: "h",
          type: "histogram",
          help: "Latency\nin seconds.",
          samples: [
            { labels: { m: "a" }, count: 3, sum: 2.25 },
            { labels: { m: "b" }, count: 1, sum: 9 },
          ],
        },
        { name: "s", type: "summary", help: "", samples: [{ labels: {}, count: 2, sum: 8 }] },
      ],
      sampleLines: 11,
      invalidLines: 0,
    });
  });

  it("reads NaN and ±Inf as null, ignores timestamps and comments, and counts unreadable lines", () => {
    const text = [
      "# a comment",
      "g NaN",
      "i +Inf 1700000000000",
      'bad{a="unterminated} 1',
      "no_value",
      "x 1 2 3",
      "y twelve",
      '{a="1"} 1',
    ].join("\n");
    expect(parsePrometheusText(text)).toEqual({
      families: [
        { name: "g", type: "untyped", help: "", samples: [{ labels: {}, value: null }] },
        { name: "i", type: "untyped", help: "", samples: [{ labels: {}, value: null }] },
      ],
      sampleLines: 2,
      invalidLines: 5,
    });
  });

  it("reads back exactly what prom-client writes, whatever the label values (property)", async () => {
    const labelValue = fc.string({ unit: "binary", maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(labelValue, fc.integer({ min: 0, max: 1000 })), {
          minLength: 1,
          maxLength: 5,
          selector: ([value]) => value,
        }),
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.double({ noDefaultInfinity: false, noNaN: false }),
        async (counts, observations, gaugeValue) => {
          const registry = new Registry();
          const counter = new Counter({
            name: "tta_c_total",
            help: 'a "help" \\ text',
            labelNames: ["v"],
            registers: [registry],
          });
          for (const [v, n] of counts) counter.inc({ v }, n);
          const gauge = new Gauge({ name: "tta_g", help: "g", registers: [registry] });
          gauge.set(gaugeValue);
          const histogram = new Histogram({
            name: "tta_h",
            help: "h",
            labelNames: ["v"],
            buckets: [1, 10],
            registers: [registry],
          });
          for (const x of observations) for (const [v] of counts) histogram.observe({ v }, x);

          const read = parsePrometheusText(await registry.metrics());
          expect(read.invalidLines).toBe(0);
          const [c, g, h] = read.families;
          expect(c).toMatchObject({ name: "tta_c_total", type: "counter", help: 'a "help" \\ text' });
          expect(c?.samples).toEqual(counts.map(([v, n]) => ({ labels: { v }, value: n })));
          // prom-client writes -0 as 0.
          expect(g?.samples).toEqual([{ labels: {}, value: Number.isFinite(gaugeValue) ? gaugeValue + 0 : null }]);
          const sum = observations.reduce((a, b) => a + b, 0);
          expect(h?.samples).toHaveLength(counts.length);
          for (const [i, [v]] of counts.entries()) {
            expect(h?.samples[i]).toMatchObject({ labels: { v }, count: observations.length });
            expect(h?.samples[i]?.sum).toBeCloseTo(sum, 6);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
