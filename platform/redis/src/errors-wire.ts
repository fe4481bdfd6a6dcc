/**
 * The wire form of an error that crosses a process boundary (a worker's failure sent back to the
 * caller of `remote()`), and its rebuilding as the same TTA error class on the other side.
 *
 * @packageDocumentation
 */
import {
  BudgetExceededError,
  BulkheadRejectedError,
  CircuitOpenError,
  CompensationError,
  FallbackError,
  InvalidOptionsError,
  ProviderError,
  RateLimitedError,
  RouteNotFoundError,
  StreamInterruptedError,
  StructuredOutputError,
  TimeoutError,
  TtaError,
  isTtaError,
  redactSecrets,
} from "@tta/primitives/core";
import type { BudgetResource, StructuredOutputIssue, TtaErrorCode } from "@tta/primitives/core";
import { RedisUnavailableError } from "./queue/connection.js";

/** Wire format version, checked on read. @since 0.1.0 */
export const ERROR_WIRE_VERSION = 1;

/** A number on the wire: JSON has no `Infinity`, so it travels as the string `"Infinity"`. @since 0.1.0 */
export type WireNumber = number | "Infinity";

/**
 * The JSON form of an error (version {@link ERROR_WIRE_VERSION}).
 *
 * @remarks
 * `name`, `message`, and for TTA errors `code` and `retryable`, plus the class's own fields
 * (`retryAfterMs`, `timeoutMs`, `status`, `provider`, `model`, `body`, budget details, `issues`,
 * `option`, `route`/`routes`, `text`, nested `errors`). `stack` only when the sender opted in
 * (`exposeStacks`). Messages are run through `redactSecrets`.
 * @since 0.1.0
 */
export interface WireError {
  readonly v: typeof ERROR_WIRE_VERSION;
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly retryable?: boolean;
  readonly retryAfterMs?: WireNumber;
  readonly timeoutMs?: WireNumber;
  readonly status?: number;
  readonly provider?: string;
  readonly model?: string;
  readonly body?: string;
  readonly resource?: string;
  readonly limit?: WireNumber;
  readonly spent?: WireNumber;
  readonly requested?: WireNumber;
  readonly issues?: readonly StructuredOutputIssue[];
  readonly option?: string;
  readonly route?: string;
  readonly routes?: readonly string[];
  readonly text?: string;
  /** `FallbackError.errors`, or `[originalError, ...compensationErrors]` of a `CompensationError`. */
  readonly errors?: readonly WireError[];
  readonly stack?: string;
}

/** Options of {@link serializeError}. @since 0.1.0 */
export interface SerializeErrorOptions {
  /** Include the error's stack trace (redacted). @defaultValue false */
  readonly exposeStacks?: boolean;
}

/** Nested errors (fallback, compensation) are kept to this depth and this many per level. */
const MAX_DEPTH = 3;
const MAX_NESTED = 16;

function wireNumber(value: unknown): WireNumber | undefined {
  if (typeof value !== "number" || Number.isNaN(value)) return undefined;
  return value === Infinity ? "Infinity" : value;
}

function readNumber(value: unknown): number | undefined {
  if (value === "Infinity") return Infinity;
  return typeof value === "number" ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * The JSON-safe wire form of `error` (any thrown value).
 *
 * @example
 * ```ts
 * const wire = serializeError(new TimeoutError("slow", { timeoutMs: 50 }));
 * deserializeError(JSON.parse(JSON.stringify(wire))) instanceof TimeoutError; // true
 * ```
 * @since 0.1.0
 */
export function serializeError(error: unknown, options: SerializeErrorOptions = {}): WireError {
  return toWire(error, options.exposeStacks === true, 0);
}

function toWire(error: unknown, stacks: boolean, depth: number): WireError {
  if (!(error instanceof Error)) {
    const kind = error === null ? "null" : typeof error;
    return { v: ERROR_WIRE_VERSION, name: "NonErrorThrown", message: `A non-Error value was thrown (${kind})` };
  }
  const wire: Mutable<WireError> = { name: error.name, message: redactSecrets(error.message) };
  const e = error as unknown as Record<string, unknown>;
  if (isTtaError(error)) {
    wire.code = error.code;
    wire.retryable = error.retryable;
  }
  for (const key of ["retryAfterMs", "timeoutMs", "limit", "spent", "requested"] as const) {
    const n = wireNumber(e[key]);
    if (n !== undefined) wire[key] = n;
  }
  for (const key of ["provider", "model", "body", "resource", "option", "route", "text"] as const) {
    const s = str(e[key]);
    if (s !== undefined) wire[key] = key === "body" || key === "text" ? redactSecrets(s) : s;
  }
  if (typeof e.status === "number") wire.status = e.status;
  if (Array.isArray(e.routes)) wire.routes = e.routes.filter((r): r is string => typeof r === "string");
  if (Array.isArray(e.issues)) wire.issues = (e.issues as StructuredOutputIssue[]).slice(0, 100).map(issueOf);
  const nested = nestedErrors(error);
  if (nested !== undefined && depth < MAX_DEPTH)
    wire.errors = nested.slice(0, MAX_NESTED).map((inner) => toWire(inner, stacks, depth + 1));
  if (stacks && typeof error.stack === "string") wire.stack = redactSecrets(error.stack);
  return { v: ERROR_WIRE_VERSION, ...wire } as WireError;
}

function issueOf(issue: StructuredOutputIssue): StructuredOutputIssue {
  const message = typeof issue?.message === "string" ? issue.message : "invalid";
  const path = Array.isArray(issue?.path)
    ? issue.path.filter((p): p is string | number => typeof p === "string" || typeof p === "number")
    : undefined;
  return path === undefined ? { message } : { message, path };
}

function nestedErrors(error: Error): readonly unknown[] | undefined {
  if (error instanceof FallbackError) return error.errors;
  if (error instanceof CompensationError) return [error.originalError, ...error.compensationErrors];
  return undefined;
}

/**
 * Tells whether `value` looks like a {@link WireError} of this version.
 * @since 0.1.0
 */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== "object" || value === null) return false;
  const w = value as Partial<WireError>;
  return w.v === ERROR_WIRE_VERSION && typeof w.name === "string" && typeof w.message === "string";
}

/**
 * Rebuilds the error a {@link WireError} describes: a TTA error as the same class (`TimeoutError`,
 * `CircuitOpenError`, `RateLimitedError`, `BudgetExceededError`, `ProviderError`, …) with its
 * fields, any other TTA code as a `TtaError` with that code, anything else as a plain `Error` with
 * the same `name` and `message`.
 *
 * @remarks The stack is the receiver's, unless the wire carries one (the sender's `exposeStacks`):
 * then it is the sender's, redacted.
 * @example
 * ```ts
 * const error = deserializeError(wire);
 * if (error instanceof RateLimitedError) await sleep(error.retryAfterMs);
 * ```
 * @since 0.1.0
 */
export function deserializeError(wire: WireError): Error {
  const error = rebuild(wire, 0);
  if (typeof wire.stack === "string") error.stack = wire.stack;
  return error;
}

function rebuild(w: WireError, depth: number): Error {
  const nested = depth < MAX_DEPTH && Array.isArray(w.errors) ? w.errors.filter(isWireError) : [];
  const inner = nested.map((n) => rebuild(n, depth + 1));
  const retryAfterMs = readNumber(w.retryAfterMs);
  const opts = typeof w.retryable === "boolean" ? { retryable: w.retryable } : {};
  switch (w.code) {
    case undefined:
      return plain(w);
    case "TIMEOUT": {
      const timeoutMs = readNumber(w.timeoutMs);
      return new TimeoutError(w.message, timeoutMs === undefined ? opts : { ...opts, timeoutMs });
    }
    case "CIRCUIT_OPEN":
      return new CircuitOpenError(w.message, retryAfterMs ?? 0);
    case "RATE_LIMITED":
      return new RateLimitedError(w.message, retryAfterMs ?? 0);
    case "BUDGET_EXCEEDED":
      return new BudgetExceededError(w.message, {
        resource: str(w.resource) as BudgetResource | undefined,
        limit: readNumber(w.limit),
        spent: readNumber(w.spent),
        requested: readNumber(w.requested),
      });
    case "PROVIDER_ERROR":
      return new ProviderError(w.message, {
        provider: w.provider ?? "unknown",
        model: w.model ?? "unknown",
        status: w.status,
        retryable: w.retryable,
        retryAfterMs,
        body: w.body,
      });
    case "INVALID_OPTIONS":
      return new InvalidOptionsError(w.option ?? "unknown", w.message);
    case "BULKHEAD_REJECTED":
      return new BulkheadRejectedError(w.message);
    case "ROUTE_NOT_FOUND":
      return new RouteNotFoundError(w.route ?? "", w.routes ?? [], w.message);
    case "STREAM_INTERRUPTED":
      return new StreamInterruptedError(w.message, {
        provider: w.provider ?? "unknown",
        model: w.model ?? "unknown",
        text: w.text ?? "",
      });
    case "STRUCTURED_OUTPUT":
      return new StructuredOutputError(w.message, w.issues ?? []);
    case "FALLBACK_EXHAUSTED":
      return new FallbackError(w.message, inner);
    case "COMPENSATION_FAILED":
      return new CompensationError(w.message, inner[0], inner.slice(1));
    case "REDIS_UNAVAILABLE":
      return new RedisUnavailableError(w.message);
    default:
      // NON_ERROR_THROWN, UNSERIALIZABLE_KEY, UNSERIALIZABLE_VALUE, or a code from a newer version: same code, base class.
      return new TtaError(w.code as TtaErrorCode, w.message, opts);
  }
}

function plain(w: WireError): Error {
  const error = new Error(w.message);
  if (w.name !== "Error") Object.defineProperty(error, "name", { value: w.name, configurable: true, writable: true });
  return error;
}
