/**
 * Reading a request body within a size limit, as it streams in and again after gunzip.
 *
 * @packageDocumentation
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { OtlpDecodeError } from "./errors.js";

const gunzipAsync = promisify(gunzip);

/** A body larger than the limit (413). */
export class BodyTooLargeError extends Error {
  /** The limit, bytes. */
  readonly limit: number;

  constructor(limit: number, what: string) {
    super(`${what} exceeds the ${limit}-byte limit`);
    this.name = "BodyTooLargeError";
    this.limit = limit;
  }
}

/**
 * Reads `body` into one buffer, stopping as soon as more than `maxBytes` arrived.
 *
 * @throws {@link BodyTooLargeError} past `maxBytes` (the rest is not read).
 */
export async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new BodyTooLargeError(maxBytes, "request body");
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, total);
}

/**
 * Gunzips `body`, producing at most `maxBytes` (zlib stops there: a small gzip bomb never expands in
 * memory beyond the limit).
 *
 * @throws {@link BodyTooLargeError} when the output would exceed `maxBytes`;
 * {@link OtlpDecodeError} when the body is not valid gzip.
 */
export async function gunzipLimited(body: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE")
      throw new BodyTooLargeError(maxBytes, "decompressed request body");
    throw new OtlpDecodeError("malformed gzip body");
  }
}
