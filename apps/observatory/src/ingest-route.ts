/**
 * `POST /v1/traces`: OTLP/HTTP ingestion (protobuf or JSON, optionally gzipped).
 *
 * @packageDocumentation
 */
import type { Context } from "hono";
import { BodyTooLargeError, gunzipLimited, readLimited } from "./body.js";
import { OtlpDecodeError } from "./errors.js";
import { decodeOtlp } from "./otlp/decode.js";
import type { OtlpEncoding } from "./otlp/decode.js";
import type { TraceStore } from "./store.js";

/** The media types accepted, by encoding. */
const MEDIA_TYPES: Readonly<Record<string, OtlpEncoding>> = {
  "application/x-protobuf": "protobuf",
  "application/protobuf": "protobuf",
  "application/json": "json",
};

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
}

/** The error answer, counted as a rejected request. */
function reject(c: Context, store: TraceStore, status: 400 | 413 | 415, error: string): Response {
  store.recordRejectedRequest();
  if (status === 413) c.header("Connection", "close");
  return c.json({ error }, status);
}

/**
 * Creates the handler of `POST /v1/traces`. It answers 200 with `{}` (JSON) or an empty protobuf
 * `ExportTraceServiceResponse`; 415 for another content type or content encoding; 413 for a body over
 * `maxBodyBytes` (as sent, announced by Content-Length, or once gunzipped); 400 with the reason for a
 * malformed body.
 */
export function ingestHandler(store: TraceStore, maxBodyBytes: number): (c: Context) => Promise<Response> {
  return async (c) => {
    const encoding = MEDIA_TYPES[mediaType(c.req.header("content-type"))];
    if (encoding === undefined)
      return reject(c, store, 415, "unsupported content type: send application/x-protobuf or application/json");
    const contentEncoding = (c.req.header("content-encoding") ?? "identity").trim().toLowerCase();
    if (contentEncoding !== "gzip" && contentEncoding !== "identity")
      return reject(c, store, 415, "unsupported content encoding: send gzip or identity");
    const declared = Number(c.req.header("content-length"));
    if (Number.isFinite(declared) && declared > maxBodyBytes)
      return reject(c, store, 413, `request body exceeds the ${maxBodyBytes}-byte limit`);
    let spans;
    try {
      let body = await readLimited(c.req.raw.body, maxBodyBytes);
      if (contentEncoding === "gzip") body = await gunzipLimited(body, maxBodyBytes);
      spans = decodeOtlp(body, encoding);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return reject(c, store, 413, error.message);
      if (error instanceof OtlpDecodeError) return reject(c, store, 400, error.message);
      throw error;
    }
    store.ingest(spans);
    if (encoding === "json") return c.json({});
    return c.body(new Uint8Array(0), 200, { "Content-Type": "application/x-protobuf" });
  };
}
