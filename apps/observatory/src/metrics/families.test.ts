import { describe, expect, it } from "vitest";
import { parseScrape } from "./families.js";

const TEXT = `# HELP tta_primitive_executions_total Executions.
# TYPE tta_primitive_executions_total counter
tta_primitive_executions_total{kind="retry",name="model-retry",status="ok"} 2
tta_primitive_executions_total{kind="retry",name="<script>alert(1)</script>",status="error"} 1
# HELP tta_circuit_breaker_state State.
# TYPE tta_circuit_breaker_state gauge
tta_circuit_breaker_state{name="primary"} 2
tta_circuit_breaker_state{name="broken"} NaN
# HELP gen_ai_client_operation_duration_seconds Duration.
# TYPE gen_ai_client_operation_duration_seconds histogram
gen_ai_client_operation_duration_seconds_bucket{le="0.5",gen_ai_request_model="m"} 1
gen_ai_client_operation_duration_seconds_bucket{le="+Inf",gen_ai_request_model="m"} 3
gen_ai_client_operation_duration_seconds_sum{gen_ai_request_model="m"} 2.25
gen_ai_client_operation_duration_seconds_count{gen_ai_request_model="m"} 3
# HELP process_cpu_seconds_total Not TTA's.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.5
`;

describe("parseScrape", () => {
  it("keeps the tta_* and gen_ai_* families with their labels, values, counts and sums", () => {
    const parsed = parseScrape(TEXT, 100);
    expect(parsed.families.map((f) => [f.name, f.type])).toEqual([
      ["tta_primitive_executions_total", "counter"],
      ["tta_circuit_breaker_state", "gauge"],
      ["gen_ai_client_operation_duration_seconds", "histogram"],
    ]);
    expect(parsed.families[0]?.samples).toEqual([
      { labels: { kind: "retry", name: "model-retry", status: "ok" }, value: 2 },
      { labels: { kind: "retry", name: "<script>alert(1)</script>", status: "error" }, value: 1 },
    ]);
    expect(parsed.families[1]?.samples[1]).toEqual({ labels: { name: "broken" }, value: null });
    expect(parsed.families[2]?.samples).toEqual([{ labels: { gen_ai_request_model: "m" }, count: 3, sum: 2.25 }]);
    expect(parsed.families[0]?.help).toBe("Executions.");
    expect(parsed).toMatchObject({ series: 5, skipped: 0 });
  });

  it("keeps at most maxSeries series and counts the rest", () => {
    const parsed = parseScrape(TEXT, 3);
    expect(parsed.series).toBe(3);
    expect(parsed.skipped).toBe(2);
    expect(parsed.families.flatMap((f) => f.samples)).toHaveLength(3);
  });

  it("skips lines it cannot read, and refuses text that holds no metrics at all", () => {
    const parsed = parseScrape('tta_x{a="1"} twelve\ntta_x{a="2"} 1e3\ntta_y -0.5\n', 10);
    expect(parsed.families).toEqual([
      { name: "tta_x", type: "untyped", help: "", samples: [{ labels: { a: "2" }, value: 1000 }] },
      { name: "tta_y", type: "untyped", help: "", samples: [{ labels: {}, value: -0.5 }] },
    ]);
    expect(parsed.skipped).toBe(1);
    expect(() => parseScrape("<html><body>not metrics</body></html>", 10)).toThrow("not Prometheus text format");
    expect(parseScrape("", 10)).toEqual({ families: [], series: 0, skipped: 0 });
    expect(parseScrape("# only a comment\n", 10)).toEqual({ families: [], series: 0, skipped: 0 });
  });
});
