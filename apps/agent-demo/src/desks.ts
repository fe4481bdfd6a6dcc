/**
 * The support desks: how a ticket is classified into a lane (rules, cached), the `lookup_order` tool
 * (its order-system read cached too), and one agent per lane.
 *
 * @packageDocumentation
 */
import { type AgentPrimitive, type AnyTool, agent, tool } from "@tta/agent-context";
import { type WorkflowContext, type WorkflowPrimitive, lambda } from "@tta/primitives";
import {
  type ClassifierRule,
  type ModelRequest,
  type ModelResponse,
  type TaskClassification,
  classifyTask,
} from "@tta/primitives/orchestration";
import { type CachePrimitive, cache } from "@tta/primitives/performance";
import { fallback, retry } from "@tta/primitives/recovery";
import { z } from "zod";
import { ORDERS, type OrderRecord } from "./tickets.js";

/** Where a ticket goes: the order desk (with the order tool), engineering triage, or the help desk. */
export type Lane = "orders" | "technical" | "general";

/** The lanes, in the order their rules are checked. */
export const LANES: readonly Lane[] = Object.freeze(["orders", "technical", "general"]);

/**
 * Words that route a ticket, replacing `classifyTask`'s default rules (those are tuned for coding
 * tasks: their "code" rule would send "payment methods" to engineering): order questions need the
 * `tools` capability, product defects `code`.
 */
export const SUPPORT_RULES: readonly ClassifierRule[] = Object.freeze([
  {
    words: ["order", "orders", "parcel", "shipping", "tracking", "delivered", "refund", "returned", "charged"],
    need: "tools",
    reason: "order question",
  },
  {
    words: ["bug", "bugs", "crash", "crashes", "error", "blank screen", "broken"],
    need: "code",
    reason: "product defect",
  },
]);

/** The lane of a classification: `tools` → orders, else `code` → technical, else general. */
export function laneOf(classification: TaskClassification): Lane {
  if (classification.needs.includes("tools")) return "orders";
  if (classification.needs.includes("code")) return "technical";
  return "general";
}

/**
 * The ticket classifier: `classifyTask` with {@link SUPPORT_RULES} only, behind a cache (tickets repeat, so
 * after the first round every classification is a hit).
 */
export function createClassifier(): CachePrimitive<string, TaskClassification> {
  const rules = classifyTask({ rules: SUPPORT_RULES, name: "ticket-classifier" });
  // An executable object (not a function, which would become a lambda with a span of its own).
  const classify = { execute: (text: string, ctx?: WorkflowContext) => rules.execute(text, ctx) };
  return cache(classify, {
    ttlMs: 10 * 60_000,
    maxEntries: 500,
    name: "classification-cache",
  });
}

const OrderArgs = z.object({ orderId: z.string().regex(/^A-\d{4}$/, "an order id looks like A-1234") });

/** Options of {@link createDesks}. */
export interface DesksOptions {
  /** The model every desk calls (the router). */
  readonly model: WorkflowPrimitive<ModelRequest, ModelResponse>;
  /** The order system. @defaultValue {@link ORDERS} */
  readonly orders?: ReadonlyMap<string, OrderRecord>;
  /** How long one order-system read takes, ms on the context's clock. @defaultValue 25 */
  readonly orderLatencyMs?: number;
  /** Every n-th order-system read fails once with a transient error (0: never). @defaultValue 4 */
  readonly orderFailureEvery?: number;
}

/** A transient failure of the order system (retried). */
export class OrderSystemBusyError extends Error {
  constructor() {
    super("the order system is busy (simulated)");
    this.name = "OrderSystemBusyError";
  }
}

/** The three desks, the tool they share and the order cache behind it. */
export interface Desks {
  readonly agents: Readonly<Record<Lane, AgentPrimitive>>;
  readonly lookupOrder: AnyTool;
  readonly orderCache: CachePrimitive<string, OrderRecord>;
}

/**
 * Builds the `lookup_order` tool and one agent per lane. The tool reads the order system through a
 * cache; the cache fills through a `retry` (the order system fails now and then) and, when the order
 * system stays busy, a `fallback` to a slower read-only replica.
 */
export function createDesks(options: DesksOptions): Desks {
  const orders = options.orders ?? ORDERS;
  const latencyMs = options.orderLatencyMs ?? 25;
  const failureEvery = options.orderFailureEvery ?? 4;
  let reads = 0;
  let busy = 0;
  const find = (orderId: string): OrderRecord => {
    const order = orders.get(orderId);
    // The id itself stays out of the message (spans and logs record it); no retry can find it.
    if (order === undefined) throw Object.assign(new Error("unknown order id"), { retryable: false });
    return order;
  };
  const orderDb = lambda(async (orderId: string, ctx: WorkflowContext) => {
    await ctx.clock.sleep(latencyMs, ctx.signal);
    // Every `failureEvery`-th read fails; every third such failure lasts three reads, longer than the
    // retry's patience, so the replica below answers (the panel shows both retries and fallbacks).
    if (busy > 0) {
      busy--;
      throw new OrderSystemBusyError();
    }
    if (failureEvery > 0 && ++reads % failureEvery === 0) {
      if ((reads / failureEvery) % 3 === 0) busy = 2;
      throw new OrderSystemBusyError();
    }
    return find(orderId);
  }, "order-db");
  // A read-only replica: slower, always up; used only when the order system stays busy.
  const replica = lambda(async (orderId: string, ctx: WorkflowContext) => {
    await ctx.clock.sleep(latencyMs * 3, ctx.signal);
    return find(orderId);
  }, "order-replica");
  const reliable = fallback(retry(orderDb, { maxRetries: 2, initialDelayMs: 20, name: "order-db-retry" }), {
    fallbacks: replica,
    when: (error) => error instanceof OrderSystemBusyError,
    name: "order-db-fallback",
  });
  const orderCache = cache(reliable, { ttlMs: 30_000, maxEntries: 1_000, name: "order-cache" });
  const lookupOrder = tool({
    name: "lookup_order",
    description: "Finds an order by id (A-1234): status, total, carrier, expected delivery, notes.",
    parameters: OrderArgs,
    jsonSchema: z.toJSONSchema(OrderArgs, { io: "input" }),
    execute: ({ orderId }, ctx) => orderCache.execute(orderId, ctx),
  });
  const common = { model: options.model, maxTokens: 200, temperature: 0 };
  const agents: Record<Lane, AgentPrimitive> = {
    orders: agent({
      ...common,
      name: "order-desk",
      instructions:
        "You are the order desk of an online shop. Look the order up with lookup_order before you answer, " +
        "then answer in one or two sentences.",
      tools: [lookupOrder],
      maxSteps: 4,
    }),
    technical: agent({
      ...common,
      name: "tech-desk",
      instructions:
        "You triage bug reports for the engineering team: acknowledge the problem in one sentence " +
        "and say it has been filed.",
      maxSteps: 2,
    }),
    general: agent({
      ...common,
      name: "help-desk",
      instructions: "You answer account and billing questions of an online shop in one or two sentences.",
      maxSteps: 2,
    }),
  };
  return { agents, lookupOrder, orderCache };
}
