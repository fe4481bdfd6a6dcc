/**
 * The observatory page in a real browser: Debian's Chromium driven by playwright-core against a real
 * observatory fed by real OTLP exports (`@tta/observability` running a `@tta/primitives` workflow).
 * Screenshots go to `reports/screenshots/` (a CI artifact). Without Chromium the suite is skipped,
 * unless `TTA_REQUIRE_CHROMIUM=1` (CI), which makes it fail.
 */
import type { Server } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResilienceView } from "./resilience.js";
import { startObservatory } from "./server.js";
import type { ObservatoryHandle } from "./server.js";
import {
  CHROMIUM_MISSING,
  CHROMIUM_REQUIRED,
  PAGE_URL_ATTRIBUTES,
  activeContent,
  allProblems,
  attributeValues,
  launchChromium,
  openPage,
  screenshotPath,
  screenshotRegion,
  waitForCount,
} from "./test-support/browser.js";
import {
  BREAKER_NAME,
  RECOVERED_RUN,
  WORKFLOW_PREFIX,
  XSS_PAYLOADS,
  XSS_WORKFLOW,
  exportXssTrace,
  runSupportWorkflow,
  xssMetricsText,
} from "./test-support/browser-workflows.js";
import type { Dom, OpenedPage, TestBrowser } from "./test-support/browser.js";
import { closeMetricsEndpoint, startMetricsEndpoint } from "./test-support/metrics-endpoint.js";
import type { MetricsEndpoint } from "./test-support/metrics-endpoint.js";
import { exportSpans } from "./test-support/otel.js";
import type { TraceDetail, TraceList } from "./types.js";

const SKIP = CHROMIUM_MISSING !== undefined;
const TITLE = SKIP
  ? `the observatory page in Chromium (skipped: ${CHROMIUM_MISSING})`
  : "the observatory page in Chromium";
const TOKEN = "browser-test-token-0123456789abcdef";

async function api<T>(handle: ObservatoryHandle, path: string): Promise<T> {
  const response = await fetch(`${handle.url}${path}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** A metrics endpoint answering `text` as a Prometheus `/metrics` page. */
function serveMetrics(text: string): Promise<MetricsEndpoint> {
  return startMetricsEndpoint((_req, res) => {
    res.setHeader("content-type", "text/plain; version=0.0.4");
    res.end(text);
  });
}

const ROWS = '[data-testid="trace-list"] [data-testid="trace-row"]';
const BARS = '[data-testid="waterfall"] [data-testid="span-bar"]';

/** Waits until the waterfall shows exactly the spans `spanIds` (in any order). */
async function waitForWaterfall(page: Page, spanIds: readonly string[]): Promise<void> {
  await page.waitForFunction(
    ({ bars, ids }) => {
      const shown = [...(globalThis as unknown as Dom).document.querySelectorAll(bars)].map((el) =>
        el.getAttribute("data-span-id"),
      );
      return shown.length === ids.length && ids.every((id) => shown.includes(id));
    },
    { bars: BARS, ids: spanIds },
  );
}

/** The waterfall's span names, in display order. */
async function spanNames(page: Page): Promise<string[]> {
  return (await attributeValues(page, BARS, "data-span-name")).map((name) => name ?? "");
}

/** Clicks the waterfall row of the first span named `name` and waits for the detail pane to show it. */
async function selectSpan(page: Page, name: string): Promise<void> {
  const names = await spanNames(page);
  const ids = await attributeValues(page, BARS, "data-span-id");
  const spanId = ids[names.indexOf(name)] ?? "";
  expect(spanId, `a span row named ${JSON.stringify(name)}`).not.toBe("");
  await page.click(`[data-testid="span-bar"][data-span-id="${spanId}"]`);
  await page.waitForSelector(`[data-testid="span-detail"][data-span-id="${spanId}"]`);
}

if (SKIP && CHROMIUM_REQUIRED) {
  it("has Chromium to run in (TTA_REQUIRE_CHROMIUM=1)", () => {
    throw new Error(`${CHROMIUM_MISSING}; TTA_REQUIRE_CHROMIUM=1 makes the browser test required`);
  });
} else if (SKIP) {
  console.warn(`[browser.test] skipped: ${CHROMIUM_MISSING}`);
}

describe.skipIf(SKIP)(TITLE, () => {
  let browser: TestBrowser | undefined;
  let observatory: ObservatoryHandle;
  let xssObservatory: ObservatoryHandle;
  let tokenObservatory: ObservatoryHandle;
  const pages: OpenedPage[] = [];
  const metricsServers: Server[] = [];

  async function open(url: string): Promise<OpenedPage> {
    if (browser === undefined) throw new Error("Chromium did not start");
    const opened = await openPage(browser, url);
    pages.push(opened);
    return opened;
  }

  beforeAll(async () => {
    observatory = await startObservatory({ port: 0 });
    xssObservatory = await startObservatory({ port: 0 });
    tokenObservatory = await startObservatory({ host: "127.0.0.1", port: 0, token: TOKEN });
    const metrics = await serveMetrics(await runSupportWorkflow(`${observatory.url}/v1/traces`));
    const xssMetrics = await serveMetrics(await xssMetricsText());
    metricsServers.push(metrics.server, xssMetrics.server);
    observatory.addScrapeTarget(metrics.url);
    xssObservatory.addScrapeTarget(xssMetrics.url);
    await Promise.all([observatory.scrapeNow(), xssObservatory.scrapeNow()]);
    await exportXssTrace(`${xssObservatory.url}/v1/traces`);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(pages.map((opened) => opened.close()));
    await browser?.close();
    await Promise.all([observatory, xssObservatory, tokenObservatory].map((handle) => handle?.close()));
    await Promise.all(metricsServers.map(closeMetricsEndpoint));
  }, 60_000);

  it("lists the workflow runs; clicking the failed-over run shows its retry and fallback in the waterfall", async () => {
    const list = await api<TraceList>(observatory, "/api/traces");
    expect(list.total).toBe(8);
    const run = list.traces.find((t) => t.workflowId === RECOVERED_RUN);
    if (run === undefined) throw new Error(`no trace for ${RECOVERED_RUN}`);
    const detail = await api<TraceDetail>(observatory, `/api/traces/${run.traceId}`);

    const opened = await open(`${observatory.url}/`);
    const { page } = opened;
    expect(opened.status).toBe(200);
    await waitForCount(page, ROWS, 8);
    const ids = await attributeValues(page, ROWS, "data-trace-id");
    expect(ids).toEqual(list.traces.map((t) => t.traceId));
    // The primary failed (retries exhausted) yet the run succeeded: the fallback answered.
    expect((await attributeValues(page, ROWS, "data-status"))[ids.indexOf(run.traceId)]).toBe("ok");
    expect(run.errorCount).toBeGreaterThan(0);

    await page.click(`[data-testid="trace-row"][data-trace-id="${run.traceId}"]`);
    await waitForWaterfall(
      page,
      detail.spans.map((s) => s.spanId),
    );
    const names = await spanNames(page);
    expect(names).toEqual(expect.arrayContaining(["tta.retry", "tta.fallback", "tta.circuit-breaker"]));
    expect(names.filter((n) => n === "chat primary-model")).toHaveLength(3);
    expect(names).toContain("chat backup-model");
    await expect
      .poll(() => page.getAttribute('[data-testid="span-bar"][data-span-name="tta.fallback"]', "class"))
      .toContain("is-fallback-used");

    await selectSpan(page, "tta.retry");
    const retryDetail = page.locator('[data-testid="span-detail"]');
    expect(await retryDetail.locator("[data-event=retry]").count()).toBe(2);
    expect(await retryDetail.textContent()).toContain("primary-retry");
    await screenshotRegion(page, "observatory-waterfall", ["header.topbar", "main.layout"], {
      x: 0,
      top: 0,
      bottom: 0,
    });

    // The filters narrow the list through the API.
    await page.fill('[data-testid="filter-workflow"]', `${WORKFLOW_PREFIX}-1`);
    await waitForCount(page, ROWS, 1);
    await page.selectOption('[data-testid="filter-status"]', "error");
    await waitForCount(page, ROWS, 0);
    expect(await allProblems(opened)).toEqual([]);
  }, 120_000);

  it("shows the breaker opening during the outage, the retries, the fallbacks and the cache in the resilience panel", async () => {
    const view = await api<ResilienceView>(observatory, "/api/resilience");
    const breaker = view.breakers.find((b) => b.name === BREAKER_NAME);
    expect(breaker?.transitions.map((t) => t.state)).toEqual(["closed", "open", "half-open", "closed"]);

    const opened = await open(`${observatory.url}/`);
    const { page } = opened;
    const panel = page.locator('[data-testid="resilience-panel"]');
    const timelineSelector = `[data-testid="breaker-timeline"][data-breaker="${BREAKER_NAME}"]`;
    await page.waitForFunction(
      (selector) =>
        Number((globalThis as unknown as Dom).document.querySelector(selector)?.getAttribute("data-opened-count")) > 0,
      timelineSelector,
    );
    expect(await attributeValues(page, `${timelineSelector} [data-testid="breaker-segment"]`, "data-state")).toEqual([
      "closed",
      "open",
      "half-open",
      "closed",
    ]);
    expect(
      await panel.locator(`[data-testid="breaker-state"][data-breaker="${BREAKER_NAME}"]`).getAttribute("data-state"),
    ).toBe("closed");
    const value = async (testid: string): Promise<number> =>
      Number(await panel.locator(`[data-testid="${testid}"]`).getAttribute("data-value"));
    await expect.poll(() => value("stat-retries")).toBe(view.retries.total);
    expect(view.retries.total).toBeGreaterThan(0);
    expect(await value("stat-fallbacks")).toBe(view.fallbacks.total);
    expect(view.fallbacks.total).toBeGreaterThan(0);
    expect(await value("stat-cache-hit-rate")).toBeCloseTo(view.cache.hitRate, 6);
    await page.waitForSelector('[data-testid="resilience-panel"] table.models tbody tr[data-model="backup-model"]');
    await page.waitForSelector("#timeline-chart canvas");
    // The run's own tta_* metrics, scraped from its /metrics: the breaker's four transitions.
    await page.waitForSelector('[data-testid="scrape-target"][data-state="up"]');
    const transitions = page.locator(
      '[data-testid="metrics-table"] tr[data-metric="tta_circuit_breaker_transitions_total"]',
    );
    await expect.poll(() => transitions.count()).toBe(3);
    expect(await transitions.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining(`name=${BREAKER_NAME}, from=closed, to=open`)]),
    );
    await screenshotRegion(page, "observatory-resilience", ['[data-testid="resilience-panel"]'], {
      x: 16,
      top: 8,
      bottom: 16,
    });
    expect(await allProblems(opened)).toEqual([]);
  }, 120_000);

  it("renders script-like span names, attribute keys and values as text and never runs them", async () => {
    const opened = await open(`${xssObservatory.url}/`);
    const { page } = opened;
    await waitForCount(page, ROWS, 1);
    await page.fill('[data-testid="filter-workflow"]', XSS_WORKFLOW);
    await waitForCount(page, ROWS, 1);
    await page.click('[data-testid="trace-row"]');
    await waitForCount(page, BARS, 3);
    expect([...(await spanNames(page))].sort()).toEqual([...XSS_PAYLOADS].sort());

    const [script, img, url] = XSS_PAYLOADS;
    await selectSpan(page, script);
    const detail = page.locator('[data-testid="span-detail"]');
    const rootText = (await detail.textContent()) ?? "";
    for (const payload of XSS_PAYLOADS) expect(rootText).toContain(payload);
    const keys = await attributeValues(page, '[data-testid="span-detail"] tr[data-key]', "data-key");
    expect(keys).toEqual(expect.arrayContaining([script, img, url]));
    await page.screenshot({ path: screenshotPath("observatory-xss") });
    for (const name of [img, url]) {
      await selectSpan(page, name);
      expect(await detail.textContent()).toContain(name);
    }
    // The literal text is on screen, in the list (service name) and the waterfall (span names).
    for (const payload of XSS_PAYLOADS)
      await expect.poll(() => page.getByText(payload, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByText(script, { exact: true }).first().isVisible()).toBe(true);

    // The same strings as metric label values and help text, scraped from a /metrics page.
    const metricRows = page.locator('[data-testid="metrics-table"] tr[data-metric="tta_xss_total"]');
    await expect.poll(() => metricRows.count()).toBe(XSS_PAYLOADS.length);
    const metricsText = (await metricRows.allTextContents()).join("\n");
    for (const payload of XSS_PAYLOADS) expect(metricsText).toContain(`v=${payload}`);

    const active = await activeContent(page);
    expect(active.xss).toBeUndefined();
    expect(active.scriptsAdded.sort()).toEqual(["/assets/app.js", "/assets/uplot.min.js"]);
    expect(active.urlAttributes.sort()).toEqual([...PAGE_URL_ATTRIBUTES].sort());
    expect(active.images).toBe(0);
    expect(active.frames).toBe(0);
    expect(await allProblems(opened)).toEqual([]);
  }, 120_000);

  it("with a token: nothing without it (page or data), everything with ?token=", async () => {
    const run = await exportSpans(
      `${tokenObservatory.url}/v1/traces`,
      { encoding: "protobuf", serviceName: "token-check", headers: { authorization: `Bearer ${TOKEN}` } },
      (tracer) => tracer.startSpan("token-protected-span").end(),
    );
    expect(run.results).toEqual([0]);

    for (const url of [`${tokenObservatory.url}/`, `${tokenObservatory.url}/?token=wrong-token-0123456789`]) {
      const denied = await open(url);
      if (denied.status === 401) {
        // The page itself is behind the token: the browser shows the server's refusal, no page, no data.
        await denied.page.waitForFunction(
          () => (globalThis as unknown as Dom).document.body.textContent?.includes("unauthorized") === true,
        );
        expect(await denied.page.locator('[data-testid="trace-list"]').count()).toBe(0);
      } else {
        // A page served without the token: its API calls are refused and it says so.
        await denied.page.waitForSelector("#banner:not([hidden])");
        expect(await denied.page.textContent("#banner")).toContain("Not authorized");
        expect(await denied.page.locator('[data-testid="trace-row"]').count()).toBe(0);
      }
      expect(await denied.page.content()).not.toContain("token-protected-span");
    }

    const allowed = await open(`${tokenObservatory.url}/?token=${TOKEN}`);
    expect(allowed.status).toBe(200);
    await waitForCount(allowed.page, ROWS, 1);
    await allowed.page.waitForSelector('[data-testid="span-bar"][data-span-name="token-protected-span"]');
    await allowed.page.waitForSelector('#connection[data-state="live"]');
    expect(await allowed.page.isHidden("#banner")).toBe(true);
    expect(await allProblems(allowed)).toEqual([]);
  }, 120_000);
});
