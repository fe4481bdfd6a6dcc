import { describe, expect, it } from "vitest";
import { type ProgressSnapshot, ProgressTracker, createProgressLine, formatProgress, quantile } from "./progress.js";

const snapshot = (over: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  done: 12,
  failed: 1,
  failovers: 3,
  p99Ms: 1_843.6,
  costUsd: 0.004_21,
  ...over,
});

/** A fake stream that records what is written. */
const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, write: (text: string) => chunks.push(text) } };
};

describe("formatProgress", () => {
  it("shows done, failed, failovers, p99 and cost on one line", () => {
    expect(formatProgress(snapshot())).toBe("done 12 · failed 1 · failovers 3 · p99 1844 ms · cost $0.0042");
  });

  it("shows a dash before the first ticket, and breakers that are not closed", () => {
    const line = formatProgress(
      snapshot({
        done: 0,
        failed: 0,
        failovers: 0,
        p99Ms: undefined,
        costUsd: 0,
        breakers: [
          { model: "sim-primary", breaker: "open" },
          { model: "sim-backup", breaker: "closed" },
        ],
      }),
    );
    expect(line).toBe("done 0 · failed 0 · failovers 0 · p99 – · cost $0.0000 · sim-primary breaker open");
  });
});

describe("quantile and the tracker", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.99)).toBeUndefined();
  });

  it("counts tickets and keeps only the last `window` durations", () => {
    const tracker = new ProgressTracker(3);
    for (const durationMs of [5_000, 10, 20, 30])
      tracker.record({ ok: durationMs !== 20, durationMs, failovers: durationMs === 10 ? 1 : 0, costUsd: 0.001 });
    expect(tracker.finished).toBe(4);
    expect(tracker.snapshot()).toEqual({ done: 3, failed: 1, failovers: 1, p99Ms: 30, costUsd: 0.004 });
  });

  it("rejects a window that is not a positive integer", () => {
    expect(() => new ProgressTracker(0)).toThrow(RangeError);
  });
});

describe("createProgressLine", () => {
  it("rewrites one line in place on a terminal", () => {
    const { chunks, out } = sink(true);
    const line = createProgressLine(out);
    line.update(snapshot({ done: 1 }));
    line.update(snapshot({ done: 1 })); // unchanged: nothing written
    line.update(snapshot({ done: 2 }));
    line.log("stopping…");
    line.finish(snapshot({ done: 3 }));
    expect(chunks).toEqual([
      "\rdone 1 · failed 1 · failovers 3 · p99 1844 ms · cost $0.0042\x1b[K",
      "\rdone 2 · failed 1 · failovers 3 · p99 1844 ms · cost $0.0042\x1b[K",
      "\r\x1b[Kstopping…\ndone 2 · failed 1 · failovers 3 · p99 1844 ms · cost $0.0042",
      "\rdone 3 · failed 1 · failovers 3 · p99 1844 ms · cost $0.0042\x1b[K\n",
    ]);
  });

  it("prints a plain line every N tickets when not on a terminal", () => {
    const { chunks, out } = sink(false);
    const line = createProgressLine(out, 5);
    for (let done = 1; done <= 11; done++) line.update(snapshot({ done, failed: 0 }));
    line.log("stopping…");
    line.finish(snapshot({ done: 12, failed: 0 }));
    expect(chunks.map((c) => c.split(" · ")[0])).toEqual(["done 5", "done 10", "stopping…\n", "done 12"]);
    expect(chunks.every((c) => c.endsWith("\n") && !c.includes("\r"))).toBe(true);
  });

  it("does not repeat the last line at the end when nothing changed", () => {
    const { chunks, out } = sink(false);
    const line = createProgressLine(out, 2);
    line.update(snapshot({ done: 2, failed: 0 }));
    line.finish(snapshot({ done: 2, failed: 0 }));
    expect(chunks).toHaveLength(1);
  });
});
