/**
 * The demo end to end, in process: a real observatory, two simulated providers on 127.0.0.1 (faster
 * than in the demo), the support agent, OTLP export and the `--once` check.
 */
import { describe, expect, it } from "vitest";
import { formatLogLine, runDemo } from "./main.js";

/** A non-TTY output that records every line. */
function capture() {
  const chunks: string[] = [];
  return {
    out: { isTTY: false, write: (text: string) => chunks.push(text) },
    text: () => chunks.join(""),
  };
}

describe("runDemo", () => {
  it("--once: one batch, one trace per ticket in the observatory, exit code 0", async () => {
    const { out, text } = capture();
    const code = await runDemo({ once: true, port: 0, out, speedup: 20 });
    const output = text();
    expect(code, output).toBe(0);
    expect(output).toMatch(/observatory {2}http:\/\/127\.0\.0\.1:\d+ {3}← open it in a browser/);
    expect(output).toContain("primary  sim-primary at http://127.0.0.1:");
    // Tickets 8–11 of the batch meet the primary's outage: the backup answers them, so none fails.
    expect(output).toMatch(/^done 12 · failed 0 · failovers [1-9]\d* · p99 \d+ ms · cost \$0\.\d{4}/m);
    expect(output).toMatch(/^observatory holds 12 traces for 12 tickets: ok \(\d+ spans stored, 0 traces dropped\)$/m);
    expect(output).toMatch(/^ {2}metrics {6}http:\/\/127\.0\.0\.1:\d+\/metrics {3}\(scraped by the observatory\)$/m);
    expect(output).toMatch(
      /^observatory scraped \d+ tta_\*\/gen_ai_\* series from http:\/\/127\.0\.0\.1:\d+\/metrics: ok$/m,
    );
    expect(output).toContain("cache hit rate: classification 0 %");
    expect(output.trimEnd().split("\n").at(-1)).toBe("telemetry flushed; providers and observatory closed");
  }, 30_000);

  it("runs until stopped, then finishes the tickets in flight and exits 0", async () => {
    const { out, text } = capture();
    const stop = new AbortController();
    const demo = runDemo({ port: 0, out, speedup: 20, paceMs: 0, stop: stop.signal });
    // The progress line is printed every 12 tickets when not on a terminal: wait for the second one.
    while ((text().match(/^done \d+/gm) ?? []).length < 2) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    expect(await demo).toBe(0);
    const output = text();
    expect(output).toContain("stopping: finishing the tickets in flight (at most 10 s)…");
    expect(output).toMatch(/cache hit rate: classification [1-9]\d* %/); // the tickets came round again
    expect(output).not.toContain("observatory holds"); // the check is --once's
  }, 30_000);

  it("reports a start-up failure with exit code 1", async () => {
    const { out, text } = capture();
    expect(await runDemo({ once: true, port: 70_000, out })).toBe(1);
    expect(text()).toBe(
      "agent-demo could not start: the observatory port must be an integer from 0 to 65535, got 70000\n",
    );
    expect(await runDemo({ once: true, port: 0, out, concurrency: 0 })).toBe(1);
    expect(text()).toContain("agent-demo could not start: concurrency must be an integer ≥ 1, got 0\n");
  });

  it("uses real providers only when OPENAI_BASE_URL is set, and checks TTA_DEMO_MODELS first", async () => {
    const { out, text } = capture();
    const env = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", TTA_DEMO_MODELS: "only-one" };
    expect(await runDemo({ once: true, port: 0, out, env })).toBe(1);
    expect(text()).toContain('TTA_DEMO_MODELS must name two models, "primary,backup"; got ["only-one"]');
  });
});

describe("formatLogLine", () => {
  it("shortens a JSON log line to its level, name and message, and leaves retries out", () => {
    const line = JSON.stringify({ level: "warn", name: "breaker sim-primary", msg: "circuit opened", event: "x" });
    expect(formatLogLine(line)).toBe("warn [breaker sim-primary]: circuit opened");
    expect(formatLogLine("not json\n")).toBe("not json");
    expect(formatLogLine(JSON.stringify({ level: "warn", event: "retry", msg: "attempt 1 failed" }))).toBeUndefined();
  });
});
