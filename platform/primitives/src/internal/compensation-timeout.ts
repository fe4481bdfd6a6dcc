/**
 * The `compensationTimeoutMs` option shared by `saga` and `compensation`. (Undo steps themselves run
 * with `createDetachedContext`: the same run, a never-aborting signal and no deadline, so an abort or
 * a passed deadline cannot skip an undo.)
 */
import { durationOption } from "./options.js";

/** Default bound on how long a top-level saga or compensation waits for its undo steps after an abort. */
export const DEFAULT_COMPENSATION_TIMEOUT_MS = 30_000;

/** `compensationTimeoutMs`: a duration > 0 and ≤ 2^31 − 1 ms, or the default when omitted. */
export function compensationTimeoutOption(value: unknown): number {
  return durationOption("compensationTimeoutMs", value, DEFAULT_COMPENSATION_TIMEOUT_MS);
}
