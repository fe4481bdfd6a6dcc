import { type WorkflowContext, createContext, sequential } from "@tta/primitives";
import { type MemoryEntry, MemoryStore, recall, remember } from "@tta/primitives/performance";

// One store, many namespaces (users, agents, sessions): LRU-bounded, entries live one day.
const memory = new MemoryStore({ maxEntries: 500, ttlMs: 24 * 3_600_000 });
memory.add("user-42", { text: "Prefers metric units" });
memory.add("user-42", { text: "Lives in Lyon, France", metadata: { source: "profile" } });
memory.add("user-7", { text: "Prefers imperial units" });

// search ranks by shared words, then recency, and never looks outside its namespace.
console.log(memory.search("user-42", "Which UNITS?").map((e) => e.text)); // → [ 'Prefers metric units' ]
console.log(memory.search("user-99", "units")); // → []

// A scope is a handle bound to one namespace.
const agentA = memory.scope("agent-a");
const note = agentA.add({ id: "plan", text: "Draft the reply in French" });
console.log(agentA.get("plan") === note, memory.scope("agent-b").get("plan")); // → true undefined

// Inside a workflow: remember each message under the session, then recall related notes.
const bySession = (_message: string, ctx: WorkflowContext) => ctx.sessionId ?? "anonymous";
const withNotes = sequential([
  remember({ store: memory, namespace: bySession }), // stores the message, passes it on
  recall({ store: memory, namespace: bySession, limit: 2 }), // the message → matching entries
  (notes: MemoryEntry[]) => notes.map((n) => n.text),
]);
console.log(await withNotes.execute("what units do I like?", createContext({ sessionId: "user-42" })));
// → [ 'what units do I like?', 'Prefers metric units' ]
