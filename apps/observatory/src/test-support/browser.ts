/**
 * Test helpers for the browser test: Chromium through `playwright-core`, a page watcher (console
 * errors, page errors, CSP violations, dialogs, added `<script>` elements), in-page queries and
 * screenshots. The workflows whose traces the page shows are in `browser-workflows.ts`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromium } from "playwright-core";

// ---- Chromium ------------------------------------------------------------------------------------

/** Debian's Chromium, or `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Whether a missing Chromium fails the test (CI) rather than skipping it. */
export const CHROMIUM_REQUIRED = process.env.TTA_REQUIRE_CHROMIUM === "1";

/** Why the browser test cannot run here (`undefined` when Chromium is installed). */
export const CHROMIUM_MISSING: string | undefined = existsSync(CHROMIUM_PATH)
  ? undefined
  : `Chromium not found at ${CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH)`;

/** Flags for a quiet, offline, headless Chromium in a container. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** A headless Chromium with its own fresh profile folder, removed on `close()`. */
export interface TestBrowser {
  readonly browser: Browser;
  /** A new isolated context (own cookies) with a 1400×900 light-theme viewport. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launches Chromium (headless). Fails with a clear message when it is missing.
 */
export async function launchChromium(): Promise<TestBrowser> {
  if (CHROMIUM_MISSING !== undefined) throw new Error(`${CHROMIUM_MISSING}; TTA_REQUIRE_CHROMIUM=1 makes this fatal`);
  // A fresh profile: nothing from ~/.config/chromium, no first-run state. Chromium writes its temporary files here.
  const profile = mkdtempSync(join(tmpdir(), "observatory-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    timeout: 60_000,
  });
  return {
    browser,
    async newContext() {
      const context = await browser.newContext({
        viewport: { width: 1400, height: 900 },
        deviceScaleFactor: 1,
        colorScheme: "light",
        reducedMotion: "reduce",
      });
      context.setDefaultTimeout(30_000);
      return context;
    },
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// ---- the DOM, as the in-page callbacks see it --------------------------------------------------

/** A DOM list: iterable, with a length. */
export interface DomList<T> extends Iterable<T> {
  readonly length: number;
}

/** The part of a DOM element the in-page callbacks use. */
export interface DomElement {
  readonly tagName: string;
  readonly attributes: DomList<{ readonly name: string; readonly value: string }>;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): DomList<DomElement>;
  getBoundingClientRect(): {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
}

/**
 * The browser globals the in-page callbacks use (`page.evaluate`, `waitForFunction`, init scripts).
 * This project is type-checked without the DOM library, so they read `globalThis as unknown as Dom`.
 */
export interface Dom {
  readonly document: {
    readonly documentElement: DomElement & { readonly scrollWidth: number; readonly scrollHeight: number };
    readonly body: DomElement;
    readonly images: DomList<DomElement>;
    querySelector(selector: string): DomElement | null;
    querySelectorAll(selector: string): DomList<DomElement>;
    addEventListener(
      type: "securitypolicyviolation",
      listener: (event: { readonly effectiveDirective: string; readonly blockedURI: string }) => void,
    ): void;
  };
  readonly scrollX: number;
  readonly scrollY: number;
  readonly Element: abstract new () => DomElement;
  readonly MutationObserver: new (
    callback: (records: readonly { readonly addedNodes: Iterable<unknown> }[]) => void,
  ) => {
    observe(target: unknown, options: { readonly childList: boolean; readonly subtree: boolean }): void;
  };
  /** Set only if an injected payload ran. */
  __xss?: unknown;
  /** Filled by {@link watchPage}'s init script. */
  __cspViolations: string[];
  /** Filled by {@link watchPage}'s init script. */
  __scriptsAdded: string[];
}

/** The values of attribute `name` on every element matching `selector`, in document order. */
export function attributeValues(page: Page, selector: string, name: string): Promise<(string | null)[]> {
  return page.evaluate(
    ({ selector, name }) => {
      const { document } = globalThis as unknown as Dom;
      return [...document.querySelectorAll(selector)].map((el) => el.getAttribute(name));
    },
    { selector, name },
  );
}

/** Waits until exactly `count` elements match `selector`. */
export async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  await page.waitForFunction(
    ({ selector, count }) => (globalThis as unknown as Dom).document.querySelectorAll(selector).length === count,
    { selector, count },
  );
}

// ---- page watching -------------------------------------------------------------------------------

/** What went wrong on a page: console errors, uncaught errors, CSP violations and dialogs. */
export interface PageProblems {
  readonly console: string[];
  readonly errors: string[];
  readonly dialogs: string[];
}

/**
 * Records console errors, page errors and dialogs (dismissed), and installs (before any page script)
 * listeners that collect CSP violations in `window.__cspViolations` and every `<script>` added to the
 * document in `window.__scriptsAdded` (parser-inserted ones included).
 */
export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { console: [], errors: [], dialogs: [] };
  page.on("console", (message) => {
    if (message.type() === "error") problems.console.push(message.text());
  });
  page.on("pageerror", (error) => problems.errors.push(error.message));
  page.on("dialog", (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    const w = globalThis as unknown as Dom;
    w.__cspViolations = [];
    w.__scriptsAdded = [];
    w.document.addEventListener("securitypolicyviolation", (event) => {
      w.__cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`);
    });
    const seen = new WeakSet<DomElement>();
    new w.MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (node instanceof w.Element)
            for (const el of [node, ...node.querySelectorAll("script")])
              if (el.tagName === "SCRIPT" && !seen.has(el)) {
                seen.add(el);
                w.__scriptsAdded.push(el.getAttribute("src") ?? "(inline)");
              }
    }).observe(w.document, { childList: true, subtree: true });
  });
  return problems;
}

/** A watched page in a fresh context. */
export interface OpenedPage {
  readonly page: Page;
  readonly problems: PageProblems;
  /** The answer to the navigation (`null` only for same-document navigations). */
  readonly status: number | undefined;
  close(): Promise<void>;
}

/** Opens `url` in a new isolated context of `browser`, watched by {@link watchPage}. */
export async function openPage(browser: TestBrowser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = await watchPage(page);
  const response = await page.goto(url, { waitUntil: "load" });
  return { page, problems, status: response?.status(), close: () => context.close() };
}

/** Console errors, page errors, dialogs and CSP violations, in one list (empty when all is well). */
export async function allProblems(opened: OpenedPage): Promise<string[]> {
  const { console: consoleErrors, errors, dialogs } = opened.problems;
  return [
    ...consoleErrors.map((m) => `console.error: ${m}`),
    ...errors.map((m) => `page error: ${m}`),
    ...dialogs.map((m) => `dialog: ${m}`),
    ...(await cspViolations(opened.page)).map((m) => `CSP violation: ${m}`),
  ];
}

/** The CSP violations seen by the page so far. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(globalThis as unknown as Dom).__cspViolations]);
}

/** What the page holds that could run code or load a URL. */
export interface ActiveContent {
  /** `window.__xss` (stays `undefined` unless an injected payload ran). */
  readonly xss: unknown;
  /** Every `<script>` ever added to the document (`src`, or `(inline)`). */
  readonly scriptsAdded: string[];
  /** Every `href`, `src`, `srcset`, `action`, `formaction`, `xlink:href` and `on*` attribute (`tag attr=value`). */
  readonly urlAttributes: string[];
  readonly images: number;
  readonly frames: number;
}

/** Inspects the whole document for active content. */
export function activeContent(page: Page): Promise<ActiveContent> {
  return page.evaluate(() => {
    const w = globalThis as unknown as Dom;
    const document = w.document;
    const urlAttributes: string[] = [];
    for (const el of document.querySelectorAll("*"))
      for (const attr of el.attributes)
        if (/^(on|href$|src$|srcset$|action$|formaction$|xlink:)/i.test(attr.name))
          urlAttributes.push(`${el.tagName.toLowerCase()} ${attr.name}=${attr.value}`);
    return {
      xss: w.__xss,
      scriptsAdded: [...w.__scriptsAdded],
      urlAttributes,
      images: document.images.length,
      frames: document.querySelectorAll("iframe, frame, object, embed").length,
    };
  });
}

/** The URL-bearing attributes of `web/index.html` itself: nothing else may appear. */
export const PAGE_URL_ATTRIBUTES = [
  "link href=data:,",
  "link href=/assets/uplot.min.css",
  "link href=/assets/style.css",
  "script src=/assets/uplot.min.js",
  "script src=/assets/app.js",
];

// ---- screenshots ---------------------------------------------------------------------------------

/** `reports/screenshots/` at the repository root (git-ignored; CI keeps it as an artifact). */
export const SCREENSHOT_DIR = fileURLToPath(new URL("../../../../reports/screenshots/", import.meta.url));

/** The path of screenshot `name` (`name.png`), creating the folder. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * Saves a screenshot of the smallest region holding every element matched by `selectors`, plus
 * `padding` pixels of page around it (clipped to the page), as `reports/screenshots/<name>.png`.
 */
export async function screenshotRegion(
  page: Page,
  name: string,
  selectors: readonly string[],
  padding: { readonly x: number; readonly top: number; readonly bottom: number } = { x: 16, top: 16, bottom: 16 },
): Promise<void> {
  const clip = await page.evaluate(
    ({ selectors, padding }) => {
      const window = globalThis as unknown as Dom;
      const document = window.document;
      const rects = selectors.flatMap((selector) =>
        [...document.querySelectorAll(selector)].map((el) => el.getBoundingClientRect()),
      );
      if (rects.length === 0) throw new Error(`nothing matches ${selectors.join(", ")}`);
      const doc = document.documentElement;
      const left = Math.max(0, Math.min(...rects.map((r) => r.left + window.scrollX)) - padding.x);
      const top = Math.max(0, Math.min(...rects.map((r) => r.top + window.scrollY)) - padding.top);
      const right = Math.min(doc.scrollWidth, Math.max(...rects.map((r) => r.right + window.scrollX)) + padding.x);
      const bottom = Math.min(
        doc.scrollHeight,
        Math.max(...rects.map((r) => r.bottom + window.scrollY)) + padding.bottom,
      );
      return { x: left, y: top, width: right - left, height: bottom - top };
    },
    { selectors, padding },
  );
  await page.screenshot({ path: screenshotPath(name), fullPage: true, clip });
}
