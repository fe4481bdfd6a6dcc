/**
 * The observatory's typed errors.
 *
 * @packageDocumentation
 */

/** Codes of {@link ObservatoryError}. */
export type ObservatoryErrorCode = "INVALID_OPTIONS" | "TOKEN_REQUIRED" | "INVALID_DB_FILE";

/**
 * Thrown (or rejected) by `startObservatory` before anything listens: `INVALID_OPTIONS` names the
 * option and what it expects; `TOKEN_REQUIRED` says that a non-loopback `host` needs a `token`;
 * `INVALID_DB_FILE` says that `dbFile` exists but is not an observatory SQLite file of this version
 * (it is left untouched).
 *
 * @example
 * ```ts
 * try { await startObservatory({ host: "0.0.0.0" }); } catch (e) { if (e instanceof ObservatoryError) console.error(e.code); }
 * ```
 */
export class ObservatoryError extends Error {
  /** What went wrong. */
  readonly code: ObservatoryErrorCode;

  constructor(code: ObservatoryErrorCode, message: string) {
    super(message);
    this.name = "ObservatoryError";
    this.code = code;
  }
}

/**
 * An OTLP request body that cannot be decoded or fails validation. Its message says what is wrong and
 * where (`resourceSpans[0].scopeSpans[0].spans[3].traceId: …`), never quoting the body.
 */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}
