/**
 * The summary of one stored trace (what the trace list shows), and the text its free-text filter
 * searches.
 *
 * @packageDocumentation
 */
import type { SpanRecord, TraceSummary } from "./types.js";

/** A trace's summary plus the lower-case text `q=` searches. */
export interface SummaryEntry {
  readonly summary: TraceSummary;
  readonly search: string;
}

function stringAttribute(span: SpanRecord, key: string): string | undefined {
  const value = span.attributes[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The root of a trace: the earliest span without a parent; else (its root not received yet) the
 * earliest span whose parent is not stored; else the earliest span.
 */
export function findRoot(spans: ReadonlyMap<string, SpanRecord>): SpanRecord | undefined {
  let root: SpanRecord | undefined;
  let orphan: SpanRecord | undefined;
  let earliest: SpanRecord | undefined;
  for (const span of spans.values()) {
    if (earliest === undefined || span.startMs < earliest.startMs) earliest = span;
    if (span.parentSpanId === undefined) {
      if (root === undefined || span.startMs < root.startMs) root = span;
    } else if (!spans.has(span.parentSpanId) && (orphan === undefined || span.startMs < orphan.startMs)) {
      orphan = span;
    }
  }
  return root ?? orphan ?? earliest;
}

/** Summarizes a non-empty trace. */
export function summarize(traceId: string, spans: ReadonlyMap<string, SpanRecord>): SummaryEntry {
  const root = findRoot(spans) as SpanRecord;
  let startMs = Infinity;
  let endMs = -Infinity;
  let errorCount = 0;
  let workflowId = stringAttribute(root, "tta.workflow.id");
  const models = new Set<string>();
  const agents = new Set<string>();
  const words = new Set<string>([traceId, root.service]);
  for (const span of spans.values()) {
    if (span.startMs < startMs) startMs = span.startMs;
    if (span.endMs > endMs) endMs = span.endMs;
    if (span.status.code === "error") errorCount++;
    workflowId ??= stringAttribute(span, "tta.workflow.id");
    const model = stringAttribute(span, "gen_ai.request.model");
    if (model !== undefined) models.add(model);
    const agent = stringAttribute(span, "gen_ai.agent.name") ?? stringAttribute(span, "tta.agent.name");
    if (agent !== undefined) agents.add(agent);
    words.add(span.name);
    const primitive = stringAttribute(span, "tta.primitive.name");
    if (primitive !== undefined) words.add(primitive);
    const errorType = stringAttribute(span, "error.type");
    if (errorType !== undefined) words.add(errorType);
  }
  for (const word of models) words.add(word);
  for (const word of agents) words.add(word);
  if (workflowId !== undefined) words.add(workflowId);
  const summary: TraceSummary = {
    traceId,
    rootName: root.name,
    service: root.service,
    ...(workflowId === undefined ? {} : { workflowId }),
    startMs,
    durationMs: endMs - startMs,
    spanCount: spans.size,
    errorCount,
    status: root.status.code === "error" ? "error" : "ok",
    models: [...models].sort(),
    agents: [...agents].sort(),
  };
  return { summary, search: [...words].join("\n").toLowerCase() };
}
