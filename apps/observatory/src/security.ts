/**
 * Security middleware: response headers (CSP, nosniff, no framing, no caching of data), the loopback
 * Host check and the access token.
 *
 * @packageDocumentation
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { isLoopbackHost } from "./options.js";

/** The Content-Security-Policy of every response: same-origin scripts, styles and connections only. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The cookie that lets the page's own requests through once it was opened with `?token=`. */
export const TOKEN_COOKIE = "tta_observatory_session";

/**
 * Sets the security headers on every response (after the handler ran): CSP, `nosniff`, no framing, no
 * referrer, same-origin resource policy, and `Cache-Control: no-store` unless the handler chose one.
 * No CORS header is ever set.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cross-Origin-Resource-Policy", "same-origin");
    if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Whether `given` equals the secret whose SHA-256 is `expected`, in time independent of where they differ. */
function sameSecret(given: string, expected: Buffer): boolean {
  // Equal-length digests: timingSafeEqual never throws, and the length of `given` leaks nothing useful.
  return timingSafeEqual(digest(given), expected);
}

function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match === null ? "" : match[1];
}

/** Options of {@link accessControl}. */
export interface AccessControlOptions {
  /** The access token; without it only loopback Host headers are served. */
  readonly token: string | undefined;
}

/**
 * Without a token: answers 403 to any request whose `Host` header is not a loopback name (a DNS
 * rebinding page cannot read the API). With a token: answers 401 unless the request carries it as
 * `Authorization: Bearer <token>` (which, when present, decides), `?token=` on a GET or HEAD, or the
 * session cookie set when the page was opened with `?token=`. Comparisons are constant-time.
 */
export function accessControl(options: AccessControlOptions): MiddlewareHandler {
  const token = options.token;
  if (token === undefined) {
    return async (c, next) => {
      const host = c.req.header("host");
      const name = host === undefined ? undefined : host.replace(/:\d+$/, "");
      if (name === undefined || !isLoopbackHost(name)) return c.json({ error: "forbidden: not a loopback Host" }, 403);
      await next();
    };
  }
  const tokenDigest = digest(token);
  const session = digest(`tta-observatory-session\u0000${token}`).toString("hex");
  const sessionDigest = digest(session);
  return async (c, next) => {
    const method = c.req.method;
    const fromHeader = bearer(c.req.header("authorization"));
    const fromQuery = method === "GET" || method === "HEAD" ? (c.req.query("token") ?? undefined) : undefined;
    let allowed: boolean;
    if (fromHeader !== undefined) allowed = sameSecret(fromHeader, tokenDigest);
    else if (fromQuery !== undefined) allowed = sameSecret(fromQuery, tokenDigest);
    else {
      const cookie = getCookie(c, TOKEN_COOKIE);
      allowed = cookie !== undefined && sameSecret(cookie, sessionDigest);
    }
    if (!allowed) {
      c.header("WWW-Authenticate", 'Bearer realm="tta-observatory"');
      return c.json({ error: "unauthorized: missing or wrong access token" }, 401);
    }
    if (fromQuery !== undefined && fromHeader === undefined && c.req.path === "/")
      setCookie(c, TOKEN_COOKIE, session, { httpOnly: true, sameSite: "Strict", path: "/" });
    await next();
  };
}
