import { describe, expect, it, onTestFinished } from "vitest";
import { CONTENT_SECURITY_POLICY } from "./security.js";
import { startObservatory } from "./server.js";

describe("the packaged page (web/)", () => {
  it("is served at / with every asset it references, module imports included", async () => {
    const observatory = await startObservatory({ port: 0 }); // the package's own web/ folder
    onTestFinished(() => observatory.close());
    const page = await fetch(`${observatory.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    const html = await page.text();
    const referenced = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] as string);
    const pending = [...referenced];
    expect(referenced).toEqual(
      expect.arrayContaining(["/assets/app.js", "/assets/uplot.min.js", "/assets/uplot.min.css"]),
    );
    const seen = new Set<string>();
    while (pending.length > 0) {
      const path = pending.pop() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const response = await fetch(`${observatory.url}${path}`);
      expect(response.status, path).toBe(200);
      const text = await response.text();
      if (!path.endsWith(".js") || path.includes("uplot")) continue;
      for (const match of text.matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g))
        pending.push(new URL(match[1] as string, `http://x${path}`).pathname);
    }
    // app.js imports other modules: they were followed too.
    expect([...seen].filter((path) => !referenced.includes(path)).length).toBeGreaterThan(0);
  });
});
