import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { ObservatoryError } from "./errors.js";
import { CONTENT_SECURITY_POLICY, TOKEN_COOKIE } from "./security.js";
import { startObservatory } from "./server.js";
import { getJson, postJson, startTestObservatory } from "./test-support/observatory.js";
import { hexId, jsonRequest, jsonSpan } from "./test-support/spans.js";
import type { TraceDetail, TraceList } from "./types.js";

const TOKEN = "correct-horse-battery-staple";

/** A raw GET with exactly these headers and path (no URL normalization by the client). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: "GET", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("binding", () => {
  it("refuses a non-loopback host without a token, before listening", async () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com"]) {
      const failure = startObservatory({ host, port: 0 });
      await expect(failure).rejects.toBeInstanceOf(ObservatoryError);
      await expect(failure).rejects.toMatchObject({ code: "TOKEN_REQUIRED" });
    }
  });

  it("validates its options", async () => {
    await expect(startObservatory({ port: 70_000 })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
      message: expect.stringContaining("port"),
    });
    await expect(startObservatory({ token: "short" })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
      message: expect.stringContaining("token"),
    });
    await expect(startObservatory({ maxTraces: 0 })).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
    await expect(startObservatory({ colour: "blue" } as never)).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
  });

  it("gives no warning on loopback, and reports the port it got", async () => {
    const observatory = await startTestObservatory();
    expect(observatory.warnings).toEqual([]);
    expect(observatory.url).toBe(`http://127.0.0.1:${observatory.port}`);
    expect(observatory.port).toBeGreaterThan(0);
  });

  it("fails with the listen error when the port is taken", async () => {
    const first = await startTestObservatory();
    await expect(startObservatory({ port: first.port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});

describe("access token (bound to 127.0.0.1)", () => {
  it("answers 401 without the token or with a wrong one, on every route", async () => {
    const observatory = await startTestObservatory({ token: TOKEN });
    for (const path of ["/", "/api/traces", "/api/stats", "/api/resilience", "/api/events", "/assets/app.js"]) {
      for (const headers of [
        {},
        { authorization: "Bearer wrong" },
        { authorization: `Bearer ${TOKEN}x` },
        { authorization: TOKEN },
      ]) {
        const response = await fetch(`${observatory.url}${path}`, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe('Bearer realm="tta-observatory"');
        expect(await response.json()).toEqual({ error: "unauthorized: missing or wrong access token" });
      }
    }
    const post = await postJson(observatory, jsonRequest([jsonSpan({ traceId: hexId(16) })]));
    expect(post.status).toBe(401);
    expect(observatory.store.stats().spans).toBe(0);
  });

  it("lets the Bearer token through everywhere, and ?token= on GETs only", async () => {
    const observatory = await startTestObservatory({ token: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await postJson(observatory, jsonRequest([jsonSpan({ traceId: hexId(16) })]), auth)).status).toBe(200);
    expect((await getJson<TraceList>(observatory, "/api/traces", auth)).total).toBe(1);
    expect((await fetch(`${observatory.url}/api/stats?token=${TOKEN}`)).status).toBe(200);
    const postWithQuery = await fetch(`${observatory.url}/v1/traces?token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(postWithQuery.status).toBe(401);
    // A wrong header is not rescued by a right query parameter.
    expect(
      (await fetch(`${observatory.url}/api/stats?token=${TOKEN}`, { headers: { authorization: "Bearer nope" } }))
        .status,
    ).toBe(401);
  });

  it("opening the page with ?token= sets an HTTP-only same-site cookie that lets its assets through", async () => {
    const observatory = await startTestObservatory({ token: TOKEN });
    const page = await fetch(`${observatory.url}/?token=${encodeURIComponent(TOKEN)}`);
    expect(page.status).toBe(200);
    const cookie = page.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`^${TOKEN_COOKIE}=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict$`));
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(";")[0] ?? "";
    expect((await fetch(`${observatory.url}/assets/app.js`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${observatory.url}/api/traces`, { headers: { cookie: session } })).status).toBe(200);
    expect(
      (await fetch(`${observatory.url}/api/traces`, { headers: { cookie: `${TOKEN_COOKIE}=${"0".repeat(64)}` } }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${observatory.url}/api/traces`, { headers: { cookie: `${TOKEN_COOKIE}=${TOKEN}` } })).status,
    ).toBe(401);
  });

  it("gives no warning on 127.0.0.1 with a token", async () => {
    const warnings: string[] = [];
    const observatory = await startTestObservatory({ token: TOKEN, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]); // 127.0.0.1 with a token: no warning
    expect(observatory.warnings).toEqual([]);
  });
});

describe("without a token", () => {
  it("serves loopback Host headers only (DNS rebinding)", async () => {
    const observatory = await startTestObservatory();
    const port = observatory.port;
    expect((await rawGet(observatory.url, "/api/stats", { host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await rawGet(observatory.url, "/api/stats", { host: `localhost:${port}` })).status).toBe(200);
    expect((await rawGet(observatory.url, "/api/stats", { host: `[::1]:${port}` })).status).toBe(200);
    expect((await rawGet(observatory.url, "/api/stats", { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await rawGet(observatory.url, "/api/stats", { host: "127.0.0.1.attacker.example" })).status).toBe(403);
  });
});

describe("headers", () => {
  it("sends the CSP and nosniff on the page and never a CORS header", async () => {
    const observatory = await startTestObservatory();
    const page = await fetch(`${observatory.url}/`, { headers: { origin: "https://evil.example" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const requests: [string, RequestInit][] = [
      ["/", {}],
      ["/api/traces", {}],
      ["/api/traces/0123", {}],
      ["/api/stats", {}],
      ["/api/resilience", {}],
      ["/assets/app.js", {}],
      ["/assets/uplot.min.js", {}],
      ["/nowhere", {}],
      ["/v1/traces", { method: "OPTIONS", headers: { "access-control-request-method": "POST" } }],
      ["/v1/traces", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
      ["/v1/traces", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${observatory.url}${path}`, {
        ...init,
        headers: { origin: "https://evil.example", ...(init.headers as Record<string, string> | undefined) },
      });
      await response.arrayBuffer();
      for (const name of response.headers.keys())
        expect(name.startsWith("access-control-"), `${path}: ${name}`).toBe(false);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });
});

describe("static files", () => {
  it("serves the page, its assets and uPlot from node_modules; nothing else", async () => {
    const observatory = await startTestObservatory();
    const app = await fetch(`${observatory.url}/assets/app.js`);
    expect(app.status).toBe(200);
    expect(app.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await app.text()).toContain("app");
    expect((await fetch(`${observatory.url}/assets/style.css`)).headers.get("content-type")).toBe(
      "text/css; charset=utf-8",
    );
    const uplot = await fetch(`${observatory.url}/assets/uplot.min.js`);
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain("uPlot");
    expect((await fetch(`${observatory.url}/assets/uplot.min.css`)).status).toBe(200);
    expect((await fetch(`${observatory.url}/assets/uplot.esm.js`)).status).toBe(200);
    for (const path of [
      "/assets/.secret",
      "/assets/notes.txt",
      "/assets/missing.js",
      "/assets/..%2Fpackage.json",
      "/assets/%2e%2e/%2e%2e/package.json",
      "/assets/sub/../../package.json",
      "/package.json",
      "/src/index.ts",
    ]) {
      expect((await rawGet(observatory.url, path, { host: `127.0.0.1:${observatory.port}` })).status, path).toBe(404);
    }
  });
});

describe("untrusted span content", () => {
  it("stores hostile names and attribute values and returns them verbatim as JSON data", async () => {
    const observatory = await startTestObservatory();
    const traceId = hexId(16);
    const hostile = {
      script: "<script>alert(1)</script>",
      url: "javascript:alert(1)",
      img: '<img src=x onerror="alert(1)">',
      quote: "\"'`</title>${alert(1)}",
    };
    const response = await postJson(
      observatory,
      jsonRequest(
        [
          jsonSpan({
            traceId,
            name: hostile.script,
            attributes: {
              [hostile.img]: { stringValue: hostile.url },
              "tta.workflow.id": { stringValue: hostile.quote },
              list: { arrayValue: { values: [{ stringValue: hostile.script }] } },
            },
            events: [
              {
                name: hostile.url,
                timeMs: 1_700_000_000_000,
                attributes: { "exception.message": { stringValue: hostile.script } },
              },
            ],
            status: { code: 2, message: hostile.img },
          }),
        ],
        hostile.script,
      ),
    );
    expect(response.status).toBe(200);
    const raw = await fetch(`${observatory.url}/api/traces/${traceId}`);
    expect(raw.headers.get("content-type")).toMatch(/^application\/json/);
    expect(raw.headers.get("x-content-type-options")).toBe("nosniff");
    const detail = (await raw.json()) as TraceDetail;
    const [span] = detail.spans;
    expect(span?.name).toBe(hostile.script);
    expect(span?.service).toBe(hostile.script);
    expect(span?.attributes[hostile.img]).toBe(hostile.url);
    expect(span?.attributes.list).toEqual([hostile.script]);
    expect(span?.status).toEqual({ code: "error", message: hostile.img });
    expect(span?.events[0]).toMatchObject({ name: hostile.url, attributes: { "exception.message": hostile.script } });
    const list = await getJson<TraceList>(observatory, `/api/traces?q=${encodeURIComponent("<script>")}`);
    expect(list.traces[0]).toMatchObject({ traceId, rootName: hostile.script, workflowId: hostile.quote });
  });

  it("answers 404 to unknown or malformed trace ids and 400 to bad filters", async () => {
    const observatory = await startTestObservatory();
    expect((await fetch(`${observatory.url}/api/traces/${hexId(16)}`)).status).toBe(404);
    expect((await fetch(`${observatory.url}/api/traces/not-an-id`)).status).toBe(404);
    const bad = await fetch(`${observatory.url}/api/traces?status=maybe`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "status: expected ok or error" });
    expect((await fetch(`${observatory.url}/api/traces?minDurationMs=-1`)).status).toBe(400);
    expect((await fetch(`${observatory.url}/api/resilience?sinceMs=soon`)).status).toBe(400);
    expect((await fetch(`${observatory.url}/api/resilience?bucketMs=0`)).status).toBe(400);
  });
});
