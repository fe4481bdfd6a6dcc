/**
 * The filters of `GET /api/traces`: parsing them from the query string, and matching a trace.
 *
 * @packageDocumentation
 */
import type { SummaryEntry } from "./summary.js";

/** Default and largest `limit` of `GET /api/traces`. */
export const TRACE_LIST_LIMIT = Object.freeze({ default: 100, max: 1000 });

/** Filters of {@link TraceStore.list}. Text filters are case-insensitive substrings. */
export interface TraceQuery {
  /** Matches the trace's `workflowId` or root span name. */
  readonly workflow?: string;
  /** Matches the trace's {@link TraceSummary.status}. */
  readonly status?: "ok" | "error";
  readonly minDurationMs?: number;
  readonly maxDurationMs?: number;
  /** Matches one of the trace's models. */
  readonly model?: string;
  /** Matches the trace id, a span name, service, primitive name, `error.type`, model, agent or workflow id. */
  readonly q?: string;
  /** Most traces returned. @defaultValue 100 (at most 1000) */
  readonly limit?: number;
}

/** A query parameter that cannot be used. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}

function text(params: URLSearchParams, key: string): string | undefined {
  const value = params.get(key);
  if (value === null) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed.slice(0, 256);
}

function number(params: URLSearchParams, key: string, integer: boolean): number | undefined {
  const value = text(params, key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || (integer && !Number.isInteger(parsed)))
    throw new QueryError(`${key}: expected a ${integer ? "non-negative integer" : "non-negative number"}`);
  return parsed;
}

/**
 * Reads a {@link TraceQuery} from `workflow`, `status`, `minDurationMs`, `maxDurationMs`, `model`,
 * `q` and `limit`; empty parameters are ignored.
 *
 * @throws {@link QueryError} for a status other than `ok`/`error`, or a negative or non-numeric number.
 */
export function parseTraceQuery(params: URLSearchParams): TraceQuery {
  const status = text(params, "status");
  if (status !== undefined && status !== "ok" && status !== "error")
    throw new QueryError("status: expected ok or error");
  const query: { -readonly [K in keyof TraceQuery]: TraceQuery[K] } = {};
  const workflow = text(params, "workflow");
  if (workflow !== undefined) query.workflow = workflow;
  if (status !== undefined) query.status = status;
  const minDurationMs = number(params, "minDurationMs", false);
  if (minDurationMs !== undefined) query.minDurationMs = minDurationMs;
  const maxDurationMs = number(params, "maxDurationMs", false);
  if (maxDurationMs !== undefined) query.maxDurationMs = maxDurationMs;
  const model = text(params, "model");
  if (model !== undefined) query.model = model;
  const q = text(params, "q");
  if (q !== undefined) query.q = q;
  const limit = number(params, "limit", true);
  if (limit !== undefined) query.limit = limit;
  return query;
}

/** Whether a trace matches every filter of `query` (except `limit`). */
export function matchesQuery(entry: SummaryEntry, query: TraceQuery): boolean {
  const { summary } = entry;
  if (query.status !== undefined && summary.status !== query.status) return false;
  if (query.minDurationMs !== undefined && summary.durationMs < query.minDurationMs) return false;
  if (query.maxDurationMs !== undefined && summary.durationMs > query.maxDurationMs) return false;
  if (query.workflow !== undefined) {
    const wanted = query.workflow.toLowerCase();
    const workflowMatch = summary.workflowId?.toLowerCase().includes(wanted) ?? false;
    if (!workflowMatch && !summary.rootName.toLowerCase().includes(wanted)) return false;
  }
  if (query.model !== undefined) {
    const wanted = query.model.toLowerCase();
    if (!summary.models.some((model) => model.toLowerCase().includes(wanted))) return false;
  }
  if (query.q !== undefined && !entry.search.includes(query.q.toLowerCase())) return false;
  return true;
}

/** `limit` of a query, defaulted and capped. */
export function queryLimit(query: TraceQuery): number {
  return Math.min(query.limit ?? TRACE_LIST_LIMIT.default, TRACE_LIST_LIMIT.max);
}
