/**
 * Reading metric values back from a setup's Prometheus registry, for tests.
 */
import type { ObservabilityHandle } from "../setup.js";

/** The `_sum` and `_count` of one histogram series (every label in `labels` must match). */
export async function histogram(
  handle: ObservabilityHandle,
  name: string,
  labels: Record<string, string>,
): Promise<{ sum: number; count: number }> {
  const metric = await handle.registry.getSingleMetric(name)?.get();
  const pick = (suffix: string): number =>
    metric?.values.find(
      (v) =>
        (v as { metricName?: string }).metricName === `${name}${suffix}` &&
        Object.entries(labels).every(([k, x]) => v.labels[k] === x),
    )?.value ?? 0;
  return { sum: pick("_sum"), count: pick("_count") };
}
