/**
 * What a `remote()` job carries and what its worker answers (wire version 1).
 *
 * @packageDocumentation
 */
import type { WireError } from "../errors-wire.js";
import { deserializeError, isWireError } from "../errors-wire.js";
import type { TraceCarrier } from "../trace-wire.js";

/** Version of the job payload. */
export const JOB_VERSION = 1;

/** Prefix of a failed job's `failedReason` that holds a serialised {@link WireError}. */
export const WIRE_REASON_PREFIX = "tta-error:";

/** The data of a `remote()` job. */
export interface RemoteJobData {
  readonly v: typeof JOB_VERSION;
  /** The primitive's input (JSON). */
  readonly input: unknown;
  /** Absolute deadline, epoch ms (wall clock); the worker's context deadline. */
  readonly deadline: number;
  /** The caller's trace context, when tracing is on. */
  readonly trace?: TraceCarrier;
  readonly workflowId?: string;
  readonly sessionId?: string;
}

/** A completed job's return value: `value` absent means `undefined`. */
export interface RemoteResult {
  readonly value?: unknown;
}

/** Whether `data` is a job of this version. */
export function isRemoteJobData(data: unknown): data is RemoteJobData {
  if (typeof data !== "object" || data === null) return false;
  const d = data as Partial<RemoteJobData>;
  return d.v === JOB_VERSION && typeof d.deadline === "number" && "input" in d;
}

/** The value a completed job's return value holds. */
export function resultValue(result: unknown): unknown {
  return typeof result === "object" && result !== null ? (result as RemoteResult).value : undefined;
}

/** The `failedReason` that carries `wire`. */
export function wireReason(wire: WireError): string {
  return WIRE_REASON_PREFIX + JSON.stringify(wire);
}

/**
 * The error a failed job's `failedReason` describes: the worker's error rebuilt, or, for a failure
 * BullMQ itself recorded (a job that stalled too often), an `Error` named `RemoteJobFailedError`.
 */
export function errorFromReason(reason: unknown): Error {
  const text = typeof reason === "string" ? reason : "remote job failed";
  if (text.startsWith(WIRE_REASON_PREFIX)) {
    try {
      const wire: unknown = JSON.parse(text.slice(WIRE_REASON_PREFIX.length));
      if (isWireError(wire)) return deserializeError(wire);
    } catch {
      // fall through to the plain error
    }
  }
  const error = new Error(text.startsWith(WIRE_REASON_PREFIX) ? "remote job failed" : text);
  Object.defineProperty(error, "name", { value: "RemoteJobFailedError", configurable: true, writable: true });
  return error;
}
