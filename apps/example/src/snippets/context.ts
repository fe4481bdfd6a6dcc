import { createContext } from "@tta/primitives";

const ctx = createContext({ workflowId: "triage", timeoutMs: 30_000, metadata: { user: "u1" }, tags: { env: "dev" } });
console.log(ctx.workflowId, ctx.causationId, ctx.remainingMs() <= 30_000); // → triage undefined true

// A child shares the run's ids and state; its deadline is the earlier one, records are merged.
const child = ctx.child({ timeoutMs: 5_000, metadata: { step: "classify" } });
console.log(child.correlationId === ctx.correlationId, child.causationId === ctx.correlationId); // → true true
console.log(child.metadata, child.remainingMs() <= 5_000); // → { user: 'u1', step: 'classify' } true

// `state` is one Map for the whole run: what a child (or a parallel branch) writes, everyone sees.
child.state.set("ticket.category", "billing");
console.log(ctx.state.get("ticket.category")); // → billing

// Ids you do not give are generated on first read.
console.log(createContext().workflowId.startsWith("wf-")); // → true

// A context with a deadline owns a timer: dispose it when you are done (or declare it with `using`).
child.dispose();
ctx.dispose();
