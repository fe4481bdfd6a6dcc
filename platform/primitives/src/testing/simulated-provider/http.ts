/**
 * Small `node:http` helpers of the simulated provider: bounded body reading, abortable sleeps and
 * writes, and header flattening with credential redaction.
 *
 * @packageDocumentation
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { REDACTED } from "../../internal/redact.js";

/** Request headers whose values are credentials. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
]);

/** The outcome of reading a request body. */
export type BodyResult =
  { readonly kind: "ok"; readonly body: Buffer } | { readonly kind: "too-large" } | { readonly kind: "aborted" };

/**
 * Reads the whole body, keeping at most `maxBytes` (a larger body is drained and discarded, so the
 * client can still read the 413). Settles with `aborted` when `signal` aborts or the request errors.
 */
export function readBody(req: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: BodyResult): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    };
    const onEnd = (): void =>
      settle(size > maxBytes ? { kind: "too-large" } : { kind: "ok", body: Buffer.concat(chunks) });
    const onAbort = (): void => settle({ kind: "aborted" });
    if (signal.aborted) return onAbort();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Waits `ms` on a timer that `signal` clears; `true` when the time passed, `false` when aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Writes `data` and waits until it is flushed; `false` when the response is gone or `signal` aborts. */
export function write(res: ServerResponse, data: string | Buffer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    res.write(data, (error) => {
      signal.removeEventListener("abort", onAbort);
      resolve(error === null || error === undefined);
    });
  });
}

/** Lower-case headers as single strings (repeated headers joined with `", "`). */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** `headers` with every credential header's value replaced by `"[REDACTED]"`. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = CREDENTIAL_HEADERS.has(name) ? REDACTED : value;
  return out;
}
