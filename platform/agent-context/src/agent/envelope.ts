/**
 * Handoff envelopes: building one (trace parent, budget left, bounded history), recognising one as an
 * agent's input, and what travels beside it in the process (the conversation, the hop count).
 *
 * @packageDocumentation
 * @internal
 */
import type { Span } from "@opentelemetry/api";
import { isSpanContextValid } from "@opentelemetry/api";
import type { Message, StructuredOutputIssue, WorkflowContext } from "@tta/primitives";
import { BUDGET_KEY, StructuredOutputError } from "@tta/primitives";
import { InvalidOptionsError, formatIssuePath, isPlainObject } from "@tta/primitives/options";
import { MAX_HANDOFF_HISTORY } from "../agent-context.js";
import type { AgentBudget, BudgetAmounts, HandoffEnvelope, HandoffRecord } from "../types.js";

/** What travels beside an envelope made in this process: the sender's conversation and the hop count. @internal */
export interface Carried {
  /** The conversation so far (no system messages), the transfer call answered; none for a code-driven handoff. */
  readonly conversation: readonly Message[] | undefined;
  /** Handoffs in the chain so far, this one included (not bounded like the history). */
  readonly hops: number;
}

/** Keyed by the (frozen) envelope object, so a copied or serialised envelope carries nothing. */
const CARRIED = new WeakMap<object, Carried>();

/** What travels beside `envelope`, if it was made by a handoff in this process. @internal */
export function carriedOf(envelope: object): Carried | undefined {
  return CARRIED.get(envelope);
}

/** Whether `value` has the shape of a {@link HandoffEnvelope} (`from`, `to`, `task` strings, `history` array). @internal */
export function isEnvelope(value: unknown): value is HandoffEnvelope {
  return (
    isPlainObject(value) &&
    typeof value.from === "string" &&
    typeof value.to === "string" &&
    typeof value.task === "string" &&
    Array.isArray(value.history)
  );
}

/** The W3C `traceparent` of `span`, or `undefined` without a valid span. @internal */
function traceparentOf(span: Span | undefined): string | undefined {
  if (span === undefined) return undefined;
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return undefined;
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** What the context's budget has left, when it is an {@link AgentBudget} (has `snapshot`). @internal */
export function budgetRemaining(ctx: WorkflowContext): BudgetAmounts | undefined {
  const budget = ctx.getValue(BUDGET_KEY) as Partial<AgentBudget> | undefined;
  if (budget === undefined || typeof budget.snapshot !== "function") return undefined;
  try {
    return budget.snapshot().remaining;
  } catch {
    return undefined;
  }
}

/** What {@link createEnvelope} needs. @internal */
export interface EnvelopeInit {
  readonly from: string;
  readonly to: string;
  readonly task: string;
  readonly payload: unknown;
  /** The handoffs that led to the sender (its `agentOf(ctx).handoffs`). */
  readonly previous: readonly HandoffRecord[];
  /** The sender's span (for `traceparent`). */
  readonly span: Span | undefined;
  /** The sender's context (clock, budget). */
  readonly ctx: WorkflowContext;
  readonly carried: Carried;
}

/** A frozen envelope and the record of its handoff; what travels beside it is registered. @internal */
export function createEnvelope(init: EnvelopeInit): { envelope: HandoffEnvelope; record: HandoffRecord } {
  const record: HandoffRecord = Object.freeze({ from: init.from, to: init.to, at: init.ctx.clock.now() });
  const previous = init.previous;
  const history =
    previous.length >= MAX_HANDOFF_HISTORY
      ? [...previous.slice(previous.length - MAX_HANDOFF_HISTORY + 1), record]
      : [...previous, record];
  const envelope: HandoffEnvelope = Object.freeze({
    from: init.from,
    to: init.to,
    task: init.task,
    payload: init.payload,
    traceparent: traceparentOf(init.span),
    budgetRemaining: budgetRemaining(init.ctx),
    history: Object.freeze(history),
  });
  CARRIED.set(envelope, init.carried);
  return { envelope, record };
}

/** `payload` and a path (`payload.amount`, `payload[0]`). */
function payloadPath(path: readonly (string | number)[] | undefined): string {
  const where = formatIssuePath(path);
  return where === "" ? "payload" : where.startsWith("[") ? `payload${where}` : `payload.${where}`;
}

/**
 * The error of a payload that fails agent `agent`'s payload schema: an `InvalidOptionsError` naming
 * the first failing field (`payload.amount`), listing the failing paths (never values), with a
 * `StructuredOutputError` carrying every issue as its `cause`. @internal
 */
export function payloadError(agent: string, issues: readonly StructuredOutputIssue[]): InvalidOptionsError {
  const paths = [...new Set(issues.map((issue) => payloadPath(issue.path)))];
  const listed =
    paths
      .slice(0, 10)
      .map((p) => `\`${p}\``)
      .join(", ") + (paths.length > 10 ? ", …" : "");
  const noun = issues.length === 1 ? "issue" : "issues";
  const message = `Expected \`payload\` to match the payload schema of agent "${agent}": ${issues.length} ${noun} at ${listed}`;
  return new InvalidOptionsError(paths[0] ?? "payload", message, {
    cause: new StructuredOutputError(message, issues),
  });
}
