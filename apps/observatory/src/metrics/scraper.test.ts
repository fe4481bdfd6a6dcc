import type { RequestListener, Server } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ObservatoryError } from "../errors.js";
import { closeMetricsEndpoint, startMetricsEndpoint } from "../test-support/metrics-endpoint.js";
import { getJson, startTestObservatory } from "../test-support/observatory.js";
import type { StoreStats } from "../types.js";
import { MAX_SCRAPE_TARGETS, MetricsScraper } from "./scraper.js";
import type { MetricsView } from "./scraper.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeMetricsEndpoint));
});

/** A metrics endpoint answering every request with `handler`, closed after the test; resolves with its URL. */
async function serve(handler: RequestListener): Promise<string> {
  const { server, url } = await startMetricsEndpoint(handler);
  servers.push(server);
  return url;
}

const METRICS = '# TYPE tta_timeouts_total counter\ntta_timeouts_total{name="deadline"} 4\n';

/** A URL on which nothing listens (a server that was started and closed). */
async function deadUrl(): Promise<string> {
  const url = await serve(() => undefined);
  await closeMetricsEndpoint(servers.pop()!);
  return url;
}

describe("the metrics scraper", () => {
  it("serves what its targets answered on /api/metrics, with the target of each family", async () => {
    const url = await serve((_req, res) => res.end(METRICS));
    const observatory = await startTestObservatory({ scrape: [url] });
    await observatory.scrapeNow();
    const view = await getJson<MetricsView>(observatory, "/api/metrics");
    expect(view.intervalMs).toBe(5000);
    expect(view.targets).toEqual([{ url, up: true, scrapedAtMs: expect.any(Number), series: 1, skipped: 0 }]);
    expect(view.families).toEqual([
      {
        target: url,
        name: "tta_timeouts_total",
        type: "counter",
        help: "",
        samples: [{ labels: { name: "deadline" }, value: 4 }],
      },
    ]);
    expect(observatory.metrics()).toEqual(view);
  });

  it("shows each failing target as down with the reason, and keeps serving", async () => {
    const observatory = await startTestObservatory({
      scrapeIntervalMs: 1000, // also the scrape timeout: long enough for a loaded machine's loopback
      maxBodyBytes: 1024,
      scrape: [
        await serve((_req, res) => {
          res.statusCode = 500;
          res.end("secret stack trace");
        }),
        await serve((_req, res) => res.end(`${METRICS}${"#".repeat(4096)}\n`)),
        await serve(() => undefined), // never answers
        await deadUrl(),
      ],
    });
    await observatory.scrapeNow();
    const { targets } = observatory.metrics();
    expect(targets.map((t) => [t.up, t.error])).toEqual([
      [false, "HTTP 500"],
      [false, "body over 1024 bytes"],
      [false, "no answer within 1000 ms"],
      [false, "cannot connect (ECONNREFUSED)"],
    ]);
    expect(JSON.stringify(targets)).not.toContain("secret");
    expect(observatory.metrics().families).toEqual([]);
    expect((await getJson<StoreStats>(observatory, "/api/stats")).traces).toBe(0);
  });

  it("scrapes again every interval, takes targets added later, and stops when closed", async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests++;
      res.end(METRICS);
    });
    const observatory = await startTestObservatory({ scrapeIntervalMs: 100 });
    expect(observatory.metrics().targets).toEqual([]);
    observatory.addScrapeTarget(url);
    observatory.addScrapeTarget(url); // the same target once
    expect(observatory.metrics().targets).toEqual([{ url, up: undefined, series: 0, skipped: 0 }]);
    await vi.waitFor(() => expect(requests).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    expect(observatory.metrics().targets).toHaveLength(1);
    await observatory.close();
    const after = requests;
    await observatory.scrapeNow(); // closed: does nothing
    expect(requests).toBe(after);
  });

  it("scrapeNow() after a round in progress runs a fresh round, so it sees the target's latest values", async () => {
    let value = 1;
    const held: (() => void)[] = [];
    const url = await serve((_req, res) => {
      const answer = `tta_timeouts_total ${value}\n`; // what the target holds when asked
      held.push(() => res.end(answer));
    });
    const observatory = await startTestObservatory();
    observatory.addScrapeTarget(url); // a round starts at once and waits for its answer
    await vi.waitFor(() => expect(held).toHaveLength(1));
    value = 2;
    const fresh = observatory.scrapeNow();
    held.shift()?.(); // the old round gets the old value
    await vi.waitFor(() => expect(held).toHaveLength(1));
    held.shift()?.();
    await fresh;
    expect(observatory.metrics().families[0]?.samples).toEqual([{ labels: {}, value: 2 }]);
  });

  it("rejects bad targets and intervals with an ObservatoryError naming the option", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ scrape: "http://127.0.0.1:9464/metrics" }, "scrape must be an array of URLs"],
      [{ scrape: ["ftp://127.0.0.1/metrics"] }, "scrape[0] must be an http:// or https:// URL"],
      [{ scrape: ["http://127.0.0.1/ok", "not a url"] }, "scrape[1] must be an http:// or https:// URL"],
      [{ scrape: ["http://user:pw@127.0.0.1/metrics"] }, "scrape[0] must not contain credentials"],
      [{ scrape: Array.from({ length: 17 }, (_, i) => `http://127.0.0.1:${9000 + i}/metrics`) }, "at most 16 URLs"],
      [{ scrapeIntervalMs: 50 }, "scrapeIntervalMs must be an integer from 100 to 3600000"],
    ];
    for (const [options, message] of cases) {
      const error = await startTestObservatory(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObservatoryError);
      expect((error as ObservatoryError).code).toBe("INVALID_OPTIONS");
      expect((error as Error).message).toContain(message);
    }
    const scraper = new MetricsScraper({ intervalMs: 1000 });
    expect(() => scraper.add("javascript:alert(1)")).toThrow(ObservatoryError);
    for (let i = 0; i < MAX_SCRAPE_TARGETS; i++) scraper.add(`http://127.0.0.1:${9000 + i}/metrics`);
    expect(() => scraper.add("http://127.0.0.1:1/metrics")).toThrow(/at most 16 scrape targets/);
    await scraper.close();
  });
});
