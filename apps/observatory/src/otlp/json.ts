/**
 * OTLP/HTTP JSON bodies: parsed leniently (ids as hex or base64, int64 as a string or a number, enums
 * as numbers or names), then validated by {@link normalizeExport}.
 *
 * @packageDocumentation
 */
import { OtlpDecodeError } from "../errors.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses an OTLP JSON body (UTF-8, optionally with a byte-order mark) into plain data.
 *
 * @throws {@link OtlpDecodeError} when the body is not UTF-8 or not JSON; the message gives the
 * position of the syntax error when known, never the body's text.
 */
export function parseOtlpJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new OtlpDecodeError("malformed JSON body: not valid UTF-8");
  }
  if (text.trim() === "") throw new OtlpDecodeError("malformed JSON body: empty");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8's messages quote the text around the error: keep only the position.
    const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    const where = position === undefined ? "" : ` at position ${position}`;
    throw new OtlpDecodeError(`malformed JSON body: syntax error${where}`);
  }
}
