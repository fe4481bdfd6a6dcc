import { describe, expect, it } from "vitest";
import { runTickets } from "./runner.js";

/** A promise with its resolve function, to finish tickets by hand. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("runTickets", () => {
  it("works through `limit` tickets with at most `concurrency` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const started = await runTickets({
      concurrency: 3,
      limit: 10,
      stop: new AbortController().signal,
      work: async (n) => {
        seen.push(n);
        most = Math.max(most, ++inFlight);
        await Promise.resolve();
        inFlight--;
      },
    });
    expect(started).toBe(10);
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  it("stops taking tickets when told to, and waits for the ones in flight", async () => {
    const stop = new AbortController();
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const finished: number[] = [];
    const run = runTickets({
      concurrency: 2,
      stop: stop.signal,
      work: async (n) => {
        const gate = deferred();
        gates.set(n, gate);
        await gate.promise;
        finished.push(n);
      },
    });
    await Promise.resolve();
    expect([...gates.keys()]).toEqual([0, 1]);
    gates.get(0)?.resolve(); // ticket 2 starts in its place
    await new Promise((r) => setImmediate(r));
    stop.abort();
    let settled = false;
    void run.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false); // 1 and 2 are still in flight
    gates.get(1)?.resolve();
    gates.get(2)?.resolve();
    expect(await run).toBe(3);
    expect(finished.sort()).toEqual([0, 1, 2]);
  });

  it("rejects a bad concurrency or limit", async () => {
    const base = { stop: new AbortController().signal, work: () => Promise.resolve() };
    await expect(runTickets({ ...base, concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(runTickets({ ...base, concurrency: 1, limit: -1 })).rejects.toThrow(/limit/);
  });
});
