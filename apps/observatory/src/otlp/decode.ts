/**
 * One entry point from an OTLP/HTTP body to {@link SpanRecord}s, shared by the HTTP route and by
 * anything that ingests without HTTP (benchmarks, tests).
 *
 * @packageDocumentation
 */
import type { SpanRecord } from "../types.js";
import { parseOtlpJson } from "./json.js";
import { normalizeExport } from "./normalize.js";
import { decodeOtlpProtobuf } from "./protobuf.js";

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = "protobuf" | "json";

/**
 * Decodes and validates an (uncompressed) OTLP/HTTP `ExportTraceServiceRequest` body.
 *
 * @throws {@link OtlpDecodeError} when the body is malformed or a span is invalid (see
 * {@link normalizeExport}).
 * @example
 * ```ts
 * const spans = decodeOtlp(body, "protobuf");
 * store.ingest(spans);
 * ```
 */
export function decodeOtlp(body: Uint8Array, encoding: OtlpEncoding): SpanRecord[] {
  return normalizeExport(encoding === "protobuf" ? decodeOtlpProtobuf(body) : parseOtlpJson(body));
}
