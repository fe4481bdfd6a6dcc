/**
 * The page and its assets: `web/index.html` at `/`, files of `web/` under `/assets/`, and uPlot's
 * script and stylesheet from the installed `uplot` package (no CDN).
 *
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";

/** The package's `web/` folder (beside `src/` and `dist/`). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** Asset names served from the `uplot` package's `dist/` folder. */
const UPLOT_FILES: Readonly<Record<string, string>> = {
  "uplot.min.js": "uPlot.iife.min.js",
  "uplot.esm.js": "uPlot.esm.js",
  "uplot.min.css": "uPlot.min.css",
};

/** One path segment of an asset: no dot files, no `..`, no separators. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function uplotDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("uplot/package.json")), "dist");
}

async function readOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

/** The handlers of `/` and `/assets/*`. */
export interface StaticRoutes {
  page(c: Context): Promise<Response>;
  asset(c: Context): Promise<Response>;
}

/**
 * Serves the page from `webDir` (files are read on each request, so a changed page shows on reload).
 * Asset paths are checked segment by segment and must stay inside `webDir`; only known file types are
 * served. Unknown or missing files are 404.
 */
export function staticRoutes(webDir: string = DEFAULT_WEB_DIR): StaticRoutes {
  const root = resolve(webDir);
  let uplot: string | undefined;
  const notFound = (c: Context): Response => c.json({ error: "not found" }, 404);
  const send = (c: Context, body: Buffer, type: string): Response =>
    c.body(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength), 200, {
      "Content-Type": type,
      "Cache-Control": "no-cache",
    });

  return {
    async page(c) {
      const body = await readOrUndefined(join(root, "index.html"));
      return body === undefined ? notFound(c) : send(c, body, CONTENT_TYPES[".html"] as string);
    },
    async asset(c) {
      const name = c.req.path.slice("/assets/".length);
      const fromUplot = UPLOT_FILES[name];
      let file: string;
      if (fromUplot !== undefined) {
        uplot ??= uplotDir();
        file = join(uplot, fromUplot);
      } else {
        const segments = name.split("/");
        if (!segments.every((segment) => SEGMENT.test(segment))) return notFound(c);
        file = resolve(root, ...segments);
        if (!file.startsWith(root + sep)) return notFound(c);
      }
      const type = CONTENT_TYPES[extname(file).toLowerCase()];
      if (type === undefined) return notFound(c);
      const body = await readOrUndefined(file);
      return body === undefined ? notFound(c) : send(c, body, type);
    },
  };
}
