import { startObservatory } from "@tta/observatory";
import { describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ObservatoryHandle,
  type StartObservatory,
  checkMetrics,
  checkTraces,
  startObservatoryNear,
} from "./observatory.js";

const inUse = () => Object.assign(new Error("listen EADDRINUSE: address already in use"), { code: "EADDRINUSE" });

/** A fake `startObservatory` whose listed ports are taken. */
function fakeStart(taken: readonly number[]) {
  const tried: number[] = [];
  const start: StartObservatory = ({ port }) => {
    tried.push(port);
    if (taken.includes(port)) return Promise.reject(inUse());
    const handle: ObservatoryHandle = {
      url: `http://127.0.0.1:${port}`,
      port,
      addScrapeTarget: () => undefined,
      scrapeNow: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    return Promise.resolve(handle);
  };
  return { start, tried };
}

describe("startObservatoryNear", () => {
  it("takes the port asked for when it is free", async () => {
    const { start, tried } = fakeStart([]);
    const { observatory, note } = await startObservatoryNear(start, 4318);
    expect([observatory.port, note, tried]).toEqual([4318, undefined, [4318]]);
  });

  it("moves to the next free port and says so", async () => {
    const { start, tried } = fakeStart([4318, 4319]);
    const { observatory, note } = await startObservatoryNear(start, 4318);
    expect(observatory.port).toBe(4320);
    expect(note).toBe("port 4318 is in use; the observatory took port 4320");
    expect(tried).toEqual([4318, 4319, 4320]);
  });

  it("gives up after `tries` ports, naming the variable to set", async () => {
    const { start } = fakeStart([5000, 5001, 5002]);
    await expect(startObservatoryNear(start, 5000, 3)).rejects.toThrow(
      "ports 5000–5002 are all in use; set OBSERVATORY_PORT to a free one",
    );
  });

  it("passes any other error through, and rejects a bad port", async () => {
    const failing: StartObservatory = () => Promise.reject(new Error("boom"));
    await expect(startObservatoryNear(failing, 4318)).rejects.toThrow("boom");
    await expect(startObservatoryNear(fakeStart([]).start, 70_000)).rejects.toThrow(RangeError);
  });

  it("really moves on when a real observatory holds the port", async () => {
    const first = await startObservatory({ host: "127.0.0.1", port: 0 });
    try {
      const { observatory, note } = await startObservatoryNear(startObservatory, first.port);
      await observatory.close();
      expect(observatory.port).toBeGreaterThan(first.port);
      expect(note).toMatch(new RegExp(`^port ${first.port} is in use; the observatory took port \\d+$`));
    } finally {
      await first.close();
    }
  });
});

describe("checkTraces", () => {
  it("fails, saying what is missing, when the observatory holds no trace of the batch", async () => {
    const observatory = await startObservatory({ host: "127.0.0.1", port: 0 });
    try {
      const check = await checkTraces(observatory.url, ["ticket-1-T-1001", "ticket-2-T-1002"], 0);
      expect(check.ok).toBe(false);
      expect(check.message).toMatch(/^observatory holds 0 traces for 2 tickets: FAILED .*no trace for ticket-1-T-1001/);
    } finally {
      await observatory.close();
    }
  });

  it("fails with the reason when nothing answers", async () => {
    const check = await checkTraces("http://127.0.0.1:9", ["ticket-1-T-1001"], 0);
    expect(check).toMatchObject({ ok: false, message: expect.stringMatching(/^observatory check: FAILED/) as string });
  });
});

describe("checkMetrics", () => {
  it("passes when the target is up with TTA's executions, and says why not otherwise", async () => {
    let body = '# TYPE tta_primitive_executions_total counter\ntta_primitive_executions_total{kind="retry"} 3\n';
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const observatory = await startObservatory({ host: "127.0.0.1", port: 0 });
    try {
      expect(await checkMetrics(observatory, target)).toEqual({
        ok: false,
        message: `observatory scraped 0 tta_*/gen_ai_* series from ${target}: FAILED (not a target)`,
      });
      observatory.addScrapeTarget(target);
      expect(await checkMetrics(observatory, target)).toEqual({
        ok: true,
        message: `observatory scraped 1 tta_*/gen_ai_* series from ${target}: ok`,
      });
      body = "tta_other_total 1\n";
      expect((await checkMetrics(observatory, target)).message).toMatch(
        /FAILED \(no tta_primitive_executions_total\)$/,
      );
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      expect((await checkMetrics(observatory, target)).message).toMatch(
        /FAILED \((cannot connect|network error) \([A-Z_]+\)\)$/,
      );
    } finally {
      await observatory.close();
      server.close();
    }
  });
});
