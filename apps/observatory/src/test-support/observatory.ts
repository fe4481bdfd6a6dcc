/**
 * Test helpers: an observatory on a free loopback port, with a fixture page, and request shortcuts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { ObservatoryOptions } from "../options.js";
import { startObservatory } from "../server.js";
import type { ObservatoryHandle } from "../server.js";

/** A folder holding a minimal page (`index.html`, `app.js`, `style.css`). */
export function fixtureWebDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "observatory-web-"));
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><html><head><link rel="stylesheet" href="/assets/style.css"></head>' +
      '<body><div data-testid="trace-list"></div><script type="module" src="/assets/app.js"></script></body></html>',
  );
  writeFileSync(join(dir, "app.js"), 'console.log("app");\n');
  writeFileSync(join(dir, "style.css"), "body { margin: 0; }\n");
  writeFileSync(join(dir, ".secret"), "hidden\n");
  writeFileSync(join(dir, "notes.txt"), "not served\n");
  return dir;
}

const open: ObservatoryHandle[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((handle) => handle.close()));
});

/** Starts an observatory on 127.0.0.1 and a free port, closed after the test. */
export async function startTestObservatory(options: ObservatoryOptions = {}): Promise<ObservatoryHandle> {
  const handle = await startObservatory({ port: 0, webDir: fixtureWebDir(), onWarning: () => {}, ...options });
  open.push(handle);
  return handle;
}

/** POSTs an OTLP JSON body (an object is serialized). */
export function postJson(
  handle: ObservatoryHandle,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${handle.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** GETs a JSON document from the API. */
export async function getJson<T = unknown>(
  handle: ObservatoryHandle,
  path: string,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(`${handle.url}${path}`, { headers });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
