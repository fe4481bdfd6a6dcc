/**
 * The agent: a support agent with one tool (`lookup_order`) whose model is a `modelRouter` over one
 * or more candidates. The router sends each call to the cheapest healthy candidate and fails over
 * when one errors, throttles or hangs.
 *
 * The models come from `connectModels`: a simulated OpenAI-compatible server on 127.0.0.1 by
 * default (no key, no network), or a real provider when `OPENAI_BASE_URL` is set.
 */
import { type AgentPrimitive, type AgentResult, agent, createBudget, tool, withAgent } from "@tta/agent-context";
import { createContext } from "@tta/primitives";
import {
  type Catalog,
  type LanguageModel,
  defaultCatalog,
  modelRouter,
  openAICompatible,
} from "@tta/primitives/orchestration";
import type { SimulatedReply, SimulatedRequest } from "@tta/primitives/testing";
import { z } from "zod";

/** Stand-in for your order system. */
const ORDERS: Readonly<Record<string, { readonly status: string; readonly eta: string }>> = {
  "A-1001": { status: "shipped", eta: "Thursday" },
  "A-1002": { status: "being packed", eta: "next Monday" },
};

const OrderArgs = z.object({ orderId: z.string().regex(/^A-\d+$/) });

/** The agent's one tool: the model calls it with an order id, the agent runs it and sends the result back. */
export const lookupOrder = tool({
  name: "lookup_order",
  description: "Looks up an order's status and expected delivery by its id (A-1234)",
  parameters: OrderArgs, // checked before execute runs; the model gets the issues back if it errs
  jsonSchema: z.toJSONSchema(OrderArgs, { io: "input" }), // what the model is shown
  execute: ({ orderId }) => ({ orderId, ...(ORDERS[orderId] ?? { status: "unknown order", eta: "none" }) }),
});

/** The models the agent may use, and how to let them go. */
export interface Models {
  /** Candidates of the router, every one of them in `catalog`. */
  readonly candidates: readonly LanguageModel[];
  /** Context windows, capabilities and prices of the candidates. */
  readonly catalog: Catalog;
  /** One line saying where the models are (no secrets). */
  readonly description: string;
  /** Stops the simulated server (nothing to do for a real provider). */
  close(): Promise<void>;
}

/** The workflow: a support agent answering through a router over `models.candidates`. */
export function createSupportAgent(models: Pick<Models, "candidates" | "catalog">): AgentPrimitive {
  const router = modelRouter({ candidates: models.candidates, catalog: models.catalog });
  return agent({
    name: "support",
    instructions: "You answer questions about orders. Look an order up before you say anything about it.",
    model: router,
    tools: [lookupOrder],
    maxSteps: 4,
  });
}

/** Runs `support` on one question with a 30 s deadline and a 20 000-token budget. */
export async function ask(support: AgentPrimitive, question: string): Promise<AgentResult> {
  const budget = createBudget({ name: "question", tokens: 20_000 });
  const ctx = withAgent(createContext({ workflowId: "basic-agent", timeoutMs: 30_000 }), { name: "user", budget });
  return support.execute(question, ctx);
}

/**
 * The models to use. With `OPENAI_BASE_URL` set: `MODEL` (default `gpt-4o-mini`; several ids separated
 * by commas become several router candidates) at that OpenAI-compatible endpoint, with `OPENAI_API_KEY`
 * when set. Without it: a simulated provider on 127.0.0.1 serving `sim-small` and `sim-large`.
 */
export async function connectModels(env: Readonly<Record<string, string | undefined>>): Promise<Models> {
  const baseURL = env["OPENAI_BASE_URL"]?.trim();
  if (baseURL === undefined || baseURL === "") return simulatedModels();

  const ids = (env["MODEL"] ?? "gpt-4o-mini").split(",").map((id) => id.trim());
  if (ids.some((id) => id === "")) throw new Error(`MODEL must name one or more models, got ${JSON.stringify(ids)}`);
  const apiKey = env["OPENAI_API_KEY"];
  // Models the default catalogue does not know are added unpriced, able to call tools.
  const unknown = ids.filter((id) => !defaultCatalog.has(id));
  const catalog = defaultCatalog.extend(
    unknown.map((id) => ({
      id,
      provider: "openai",
      contextWindow: 128_000,
      pricing: { inputPerMillion: 0, outputPerMillion: 0 },
      capabilities: ["tools", "json"],
    })),
  );
  return {
    candidates: ids.map((id) =>
      openAICompatible({ baseURL, model: id, ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }) }),
    ),
    catalog,
    description: `models: ${ids.join(", ")} at ${new URL(baseURL).origin} (real calls; they may cost money)`,
    close: () => Promise.resolve(),
  };
}

/** A simulated OpenAI-compatible server (from the testing kit, which needs the `vitest` dev dependency). */
async function simulatedModels(): Promise<Models> {
  const { simulatedCatalog, startSimulatedProvider } = await import("@tta/primitives/testing");
  const server = await startSimulatedProvider({ reply: simulatedReply });
  return {
    candidates: [
      openAICompatible({ baseURL: server.baseURL, model: "sim-small" }),
      openAICompatible({ baseURL: server.baseURL, model: "sim-large" }),
    ],
    catalog: simulatedCatalog,
    description: `models: sim-small, sim-large, simulated at ${server.baseURL} (set OPENAI_BASE_URL for a real one)`,
    close: () => server.close(),
  };
}

/** What the simulated model says: it calls `lookup_order` for an order id, then reports what came back. */
function simulatedReply(request: SimulatedRequest): SimulatedReply | string {
  const messages: unknown[] = Array.isArray(request.body["messages"]) ? request.body["messages"] : [];
  const last = messages.at(-1) as { role?: unknown; content?: unknown } | undefined;
  const content = typeof last?.content === "string" ? last.content : "";
  if (last?.role === "tool") {
    const order = JSON.parse(content) as { orderId: string; status: string; eta: string };
    return `Order ${order.orderId}: ${order.status} (expected: ${order.eta}).`;
  }
  const orderId = /A-\d+/.exec(content)?.[0];
  if (orderId === undefined) return "Which order? Give me its id, such as A-1001.";
  return { toolCalls: [{ name: "lookup_order", arguments: { orderId } }] };
}
