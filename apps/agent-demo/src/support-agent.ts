/**
 * The support agent: classify the ticket (cached rules), pick its lane's desk, and let that agent work
 * through a `modelRouter` over the two providers (a circuit breaker each, retries that honour
 * `Retry-After`, failover to the backup), under a per-ticket deadline and budget. Built only from the
 * public `@tta/primitives` and `@tta/agent-context` APIs.
 *
 * @packageDocumentation
 */
import { type AgentBudget, type AgentResult, createBudget } from "@tta/agent-context";
import {
  BUDGET_KEY,
  type Clock,
  type TtaEvent,
  type WorkflowContext,
  WorkflowPrimitive,
  createContext,
  isTtaError,
  subscribe,
} from "@tta/primitives";
import {
  type CandidateStatus,
  type Catalog,
  type LanguageModel,
  type ModelRouterPrimitive,
  modelRouter,
} from "@tta/primitives/orchestration";
import type { CacheStats } from "@tta/primitives/performance";
import { type Lane, createClassifier, createDesks, laneOf } from "./desks.js";
import type { OrderRecord, Ticket } from "./tickets.js";

/** Options of {@link createSupportAgent}. */
export interface SupportAgentOptions {
  /** The first choice of the router. */
  readonly primary: LanguageModel;
  /** The router's second candidate. */
  readonly backup: LanguageModel;
  /** Catalogue listing both models. */
  readonly catalog: Catalog;
  /** Deadline of one ticket, ms. @defaultValue 15000 */
  readonly deadlineMs?: number;
  /** The order system behind `lookup_order`. @defaultValue the demo's orders */
  readonly orders?: ReadonlyMap<string, OrderRecord>;
  /** How long one order-system read takes, ms. @defaultValue 25 */
  readonly orderLatencyMs?: number;
  /** Every n-th order-system read fails once, transiently (0: never). @defaultValue 4 */
  readonly orderFailureEvery?: number;
  /** Time source of deadlines, backoffs and budgets (a `TestClock` in tests). @defaultValue `systemClock` */
  readonly clock?: Clock;
}

/** How one ticket went. */
export interface TicketOutcome {
  readonly ticketId: string;
  /** The run's workflow id (`ticket-<seq>-<ticket id>`): one trace per ticket carries it. */
  readonly workflowId: string;
  readonly ok: boolean;
  /** The lane the classifier chose (undefined when the ticket failed before). */
  readonly lane: Lane | undefined;
  /** The agent's result, when it answered. */
  readonly result: AgentResult | undefined;
  /** Error code or name, when it failed. */
  readonly errorType: string | undefined;
  /** Wall-clock duration, ms. */
  readonly durationMs: number;
  /** Candidates that failed before one answered, summed over the ticket's model calls. */
  readonly failovers: number;
  /** Provider calls made for the ticket (retries and failovers included). */
  readonly attempts: number;
  /** What the ticket's budget was charged. */
  readonly spent: { readonly tokens: number; readonly costUsd: number; readonly launches: number };
}

/** A running support agent. */
export interface SupportAgent {
  /** Works on one ticket; `seq` numbers the ticket in the stream. Never rejects: failures are outcomes. */
  handle(ticket: Ticket, seq: number, signal?: AbortSignal): Promise<TicketOutcome>;
  /** The router's view of each candidate: breaker state, cool-down, latency. */
  status(): CandidateStatus[];
  /** Hit rates of the classification cache and of the order cache. */
  cacheStats(): { readonly classification: CacheStats; readonly orders: CacheStats };
  /** Stops listening to route events. */
  close(): void;
}

/** What the flow returns (the lane is also put in `ctx.state`, so a failed run still says it). */
interface FlowResult {
  readonly lane: Lane;
  readonly result: AgentResult;
}

/** One ticket as one primitive, so that each ticket is one trace whose root span is `tta.support-ticket`. */
class SupportTicketFlow extends WorkflowPrimitive<Ticket, FlowResult> {
  readonly #classifier: ReturnType<typeof createClassifier>;
  readonly #desks: ReturnType<typeof createDesks>["agents"];

  constructor(classifier: ReturnType<typeof createClassifier>, desks: ReturnType<typeof createDesks>["agents"]) {
    super({ kind: "support-ticket", name: "support-agent" });
    this.#classifier = classifier;
    this.#desks = desks;
  }

  protected async run(ticket: Ticket, ctx: WorkflowContext): Promise<FlowResult> {
    const lane = laneOf(await this.#classifier.execute(ticket.text, ctx));
    const span = this.currentSpan(ctx);
    span?.setAttribute("tta.support.ticket_id", ticket.id);
    span?.setAttribute("tta.support.lane", lane);
    ctx.state.set("lane", lane);
    return { lane, result: await this.#desks[lane].execute(ticket.text, ctx) };
  }
}

/**
 * Builds the support agent.
 *
 * @example
 * ```ts
 * const support = createSupportAgent({ primary, backup, catalog });
 * const outcome = await support.handle(ticketAt(0), 1);
 * support.close();
 * ```
 */
export function createSupportAgent(options: SupportAgentOptions): SupportAgent {
  const deadlineMs = options.deadlineMs ?? 15_000;
  const router: ModelRouterPrimitive = modelRouter({
    candidates: [{ model: options.primary }, { model: options.backup }],
    catalog: options.catalog,
    strategy: "ordered", // the primary first while it is healthy, whatever the prices
    breaker: { failureThreshold: 3, recoveryTimeoutMs: 4_000 },
    retry: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 2_000 },
    attemptTimeout: { maxMs: 5_000 },
    name: "support-router",
  });
  const classifier = createClassifier();
  const desks = createDesks({
    model: router,
    ...(options.orders === undefined ? {} : { orders: options.orders }),
    ...(options.orderLatencyMs === undefined ? {} : { orderLatencyMs: options.orderLatencyMs }),
    ...(options.orderFailureEvery === undefined ? {} : { orderFailureEvery: options.orderFailureEvery }),
  });
  const flow = new SupportTicketFlow(classifier, desks.agents);

  // Route events (one per model call) say how many candidates failed before one answered.
  const routing = new Map<string, { failovers: number; attempts: number }>();
  const unsubscribe = subscribe((event: TtaEvent) => {
    if (event.type !== "route") return;
    const tally = routing.get(event.workflowId);
    if (tally === undefined) return;
    tally.failovers += event.failovers;
    tally.attempts += event.attempts;
  });

  async function handle(ticket: Ticket, seq: number, signal?: AbortSignal): Promise<TicketOutcome> {
    const workflowId = `ticket-${seq}-${ticket.id}`;
    const clock = options.clock === undefined ? {} : { clock: options.clock };
    const budget: AgentBudget = createBudget({ name: "ticket", tokens: 6_000, costUsd: 0.05, launches: 2, ...clock });
    const tally = { failovers: 0, attempts: 0 };
    routing.set(workflowId, tally);
    const root = createContext({
      workflowId,
      timeoutMs: deadlineMs,
      ...clock,
      ...(signal === undefined ? {} : { signal }),
    });
    const ctx = root.withValue(BUDGET_KEY, budget);
    const began = performance.now();
    let ok = true;
    let result: AgentResult | undefined;
    let errorType: string | undefined;
    try {
      result = (await flow.execute(ticket, ctx)).result;
    } catch (error) {
      ok = false;
      errorType = isTtaError(error) ? error.code : error instanceof Error ? error.name : "Error";
    } finally {
      routing.delete(workflowId);
    }
    const lane = ctx.state.get("lane") as Lane | undefined;
    root.dispose(); // clears the deadline's timer now rather than when it would have fired
    const { tokens, costUsd, launches } = budget.snapshot().spent;
    return {
      ticketId: ticket.id,
      workflowId,
      ok,
      lane,
      result,
      errorType,
      durationMs: performance.now() - began,
      failovers: tally.failovers,
      attempts: tally.attempts,
      spent: { tokens, costUsd, launches },
    };
  }

  return {
    handle,
    status: () => router.status(),
    cacheStats: () => ({ classification: classifier.stats(), orders: desks.orderCache.stats() }),
    close: unsubscribe,
  };
}
