/**
 * A support-ticket triage workflow built from @tta/primitives core: `sequential`, `parallel` (record
 * form), `router` and `when`. The "models" are deterministic functions (no network, no real LLM),
 * so the example runs anywhere and its output and spans can be asserted exactly.
 */
import { type WorkflowContext, lambda, parallel, router, sequential, when } from "@tta/primitives";

/** An incoming support ticket. */
export interface Ticket {
  readonly id: string;
  readonly customer: string;
  readonly tier: "free" | "pro" | "enterprise";
  readonly subject: string;
  readonly body: string;
}

/** The desks a ticket can be routed to. */
export type Category = "billing" | "technical" | "general";
export type Urgency = "low" | "normal" | "high";

/** A ticket with its text normalised for the models. */
export interface NormalizedTicket extends Ticket {
  readonly text: string;
}

/** What the parallel analysis step produces. */
export interface Analysis {
  readonly ticket: NormalizedTicket;
  readonly category: Category;
  readonly urgency: Urgency;
}

/** The workflow's output. */
export interface Resolution {
  readonly ticketId: string;
  readonly category: Category;
  readonly urgency: Urgency;
  readonly queue: string;
  readonly reply: string;
  readonly escalated: boolean;
}

/** Three sample tickets: one per desk. */
export const SAMPLE_TICKETS: readonly Ticket[] = [
  {
    id: "T-1001",
    customer: "ada@example.com",
    tier: "enterprise",
    subject: "Charged twice!!",
    body: "I was charged twice for my subscription this month. I need a refund URGENTLY.",
  },
  {
    id: "T-1002",
    customer: "linus@example.com",
    tier: "pro",
    subject: "App crashes on export",
    body: "The desktop app crashes with error E42 every time I export a report as PDF.",
  },
  {
    id: "T-1003",
    customer: "grace@example.com",
    tier: "free",
    subject: "Dark mode?",
    body: "Hi! Is there a dark mode? Thanks.",
  },
];

// ---- Fake "models": deterministic keyword scorers standing in for LLM calls. ----------------

const CATEGORY_KEYWORDS: Readonly<Record<Exclude<Category, "general">, readonly string[]>> = {
  billing: ["charged", "refund", "invoice", "subscription", "payment"],
  technical: ["crash", "error", "bug", "export", "login"],
};

/** A fake classification model: the category whose keywords occur most, else "general". */
export async function categoryModel(ticket: NormalizedTicket): Promise<Category> {
  await Promise.resolve(); // a real model call would be awaited here
  let best: Category = "general";
  let bestScore = 0;
  for (const [category, words] of Object.entries(CATEGORY_KEYWORDS) as [Category, readonly string[]][]) {
    const score = words.filter((w) => ticket.text.includes(w)).length;
    if (score > bestScore) [best, bestScore] = [category, score];
  }
  return best;
}

/** A fake urgency model: exclamation marks, "urgent" and the customer tier raise the score. */
export async function urgencyModel(ticket: NormalizedTicket): Promise<Urgency> {
  await Promise.resolve();
  const score =
    (ticket.text.includes("urgent") ? 2 : 0) +
    (ticket.text.includes("!!") ? 1 : 0) +
    (ticket.tier === "enterprise" ? 1 : 0);
  return score >= 3 ? "high" : score >= 1 ? "normal" : "low";
}

// ---- The desks (route targets). -------------------------------------------------------------

const billingDesk = lambda(
  (a: Analysis): Resolution => ({
    ticketId: a.ticket.id,
    category: a.category,
    urgency: a.urgency,
    queue: "billing",
    reply: `Hi ${a.ticket.customer}, we are reviewing the charges on your account.`,
    escalated: false,
  }),
  "billing-desk",
);

/** The technical desk is itself a *named* sequential, so it keeps its own span inside the router. */
const technicalDesk = sequential(
  [
    lambda((a: Analysis, ctx: WorkflowContext) => {
      const code = /\be\d+\b/.exec(a.ticket.text)?.[0]?.toUpperCase();
      const articles = code === undefined ? [] : [`KB-${code}`];
      ctx.state.set("kb.articles", articles); // the per-run blackboard, visible to later steps
      return { analysis: a, articles };
    }, "search-knowledge-base"),
    lambda(
      ({ analysis: a, articles }: { analysis: Analysis; articles: string[] }): Resolution => ({
        ticketId: a.ticket.id,
        category: a.category,
        urgency: a.urgency,
        queue: "technical",
        reply:
          articles.length > 0
            ? `Hi ${a.ticket.customer}, see ${articles.join(", ")} for a fix.`
            : `Hi ${a.ticket.customer}, an engineer will look into it.`,
        escalated: false,
      }),
      "draft-reply",
    ),
  ],
  { name: "technical-desk" },
);

const generalDesk = lambda(
  (a: Analysis): Resolution => ({
    ticketId: a.ticket.id,
    category: a.category,
    urgency: a.urgency,
    queue: "general",
    reply: `Hi ${a.ticket.customer}, thanks for reaching out! We will get back to you soon.`,
    escalated: false,
  }),
  "general-desk",
);

/**
 * Builds the triage workflow: normalise → analyse in parallel (category and urgency models) →
 * route to a desk → escalate when urgent.
 */
export function createTriageWorkflow() {
  return sequential(
    [
      lambda((t: Ticket): NormalizedTicket => ({ ...t, text: `${t.subject} ${t.body}`.toLowerCase() }), "normalize"),
      parallel(
        {
          ticket: lambda((t: NormalizedTicket) => t, "pass-ticket"),
          category: lambda(categoryModel, "category-model"),
          urgency: lambda(urgencyModel, "urgency-model"),
        },
        { name: "analyze" },
      ),
      router({
        name: "route-to-desk",
        routes: { billing: billingDesk, technical: technicalDesk, general: generalDesk },
        select: (a: Analysis) => a.category,
        default: "general",
      }),
      when(
        (r: Resolution) => r.urgency === "high",
        lambda((r: Resolution): Resolution => ({ ...r, queue: `${r.queue}-priority`, escalated: true }), "escalate"),
        undefined,
        { name: "escalate-if-urgent" },
      ),
    ],
    { name: "support-triage" },
  );
}
