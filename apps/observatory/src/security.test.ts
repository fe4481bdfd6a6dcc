import type * as Crypto from "node:crypto";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { accessControl } from "./security.js";

// Spy on timingSafeEqual to check that every token comparison goes through it, over equal lengths.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});
const { timingSafeEqual } = await import("node:crypto");

function app(token: string | undefined): Hono {
  const hono = new Hono();
  hono.use("*", accessControl({ token }));
  hono.get("/", (c) => c.text("ok"));
  return hono;
}

describe("accessControl", () => {
  it("compares tokens of any length in constant time over equal-length digests", async () => {
    const server = app("a-sufficiently-long-token");
    vi.mocked(timingSafeEqual).mockClear();
    for (const given of ["x", "a-sufficiently-long-token-plus-more", "a-sufficiently-long-tokem"]) {
      const response = await server.request("/", { headers: { authorization: `Bearer ${given}`, host: "127.0.0.1" } });
      expect(response.status).toBe(401);
    }
    expect((await server.request("/", { headers: { authorization: "Bearer a-sufficiently-long-token" } })).status).toBe(
      200,
    );
    const calls = vi.mocked(timingSafeEqual).mock.calls;
    expect(calls).toHaveLength(4);
    for (const [a, b] of calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it("accepts a lower-case scheme and refuses a malformed Authorization header", async () => {
    const server = app("a-sufficiently-long-token");
    expect((await server.request("/", { headers: { authorization: "bearer a-sufficiently-long-token" } })).status).toBe(
      200,
    );
    expect((await server.request("/", { headers: { authorization: "Basic YTpi" } })).status).toBe(401);
    expect((await server.request("/", { headers: { authorization: "Bearer" } })).status).toBe(401);
  });

  it("without a token, refuses requests without a loopback Host header", async () => {
    const server = app(undefined);
    const get = (host?: string) => server.request("/", { headers: host === undefined ? {} : { host } });
    expect((await get("127.0.0.1:4318")).status).toBe(200);
    expect((await get("localhost")).status).toBe(200);
    expect((await get()).status).toBe(403);
    expect((await get("evil.example")).status).toBe(403);
    expect(await (await get("evil.example:4318")).json()).toEqual({ error: "forbidden: not a loopback Host" });
  });
});
