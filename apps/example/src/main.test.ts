/**
 * Runs the example's entry point (as `npm start` does) and checks what it prints, including that the
 * output quoted in docs/getting-started.md (blocks marked `<!-- output: apps/example/src/main.ts -->`)
 * is what the program really prints.
 */
import { readFileSync } from "node:fs";
import { format } from "node:util";
import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

const printed: string[] = [];

beforeAll(async () => {
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    printed.push(...format(...args).split("\n"));
  });
  try {
    await import("./main.js");
  } finally {
    spy.mockRestore();
  }
});

afterAll(() => {
  trace.disable();
});

it("prints a result and a span tree per ticket, then the totals", () => {
  expect(printed.filter((line) => line.startsWith("=== T-"))).toHaveLength(3);
  expect(printed.filter((line) => line.startsWith("tta.sequential  support-triage"))).toHaveLength(3);
  expect(printed).toContain("Total: 3 runs, 30 spans");
  expect(printed).toContain("Events: 30 start, 30 end, 0 failed");
});

it("matches the output quoted in docs/getting-started.md", () => {
  const doc = readFileSync(new URL("../../../docs/getting-started.md", import.meta.url), "utf8");
  const quoted = [...doc.matchAll(/<!-- output: apps\/example\/src\/main\.ts -->\s*```text\n([\s\S]*?)\n```/g)];
  expect(quoted.length).toBeGreaterThan(0);
  const output = printed.join("\n");
  for (const [, body] of quoted) {
    // "…" on a line of its own marks an omission; every other run of lines appears as is, in order.
    let from = 0;
    for (const chunk of (body ?? "").split(/\n?^…$\n?/m)) {
      const at = output.indexOf(chunk, from);
      expect(at, `not in the program's output (after offset ${from}):\n${chunk}`).toBeGreaterThanOrEqual(0);
      from = at + chunk.length;
    }
  }
});
