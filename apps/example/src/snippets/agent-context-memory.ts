import { agentOf, memoryNamespace, scopedMemory, withAgent } from "@tta/agent-context";
import { createContext } from "@tta/primitives";
import { MemoryStore } from "@tta/primitives/performance";

const store = new MemoryStore({ maxEntries: 5_000 });
// Every agent gets its private scope; "workflow" and "session" are shared, "global" is not granted.
const memory = scopedMemory(store, { shared: ["workflow", "session"] });

const run = createContext({ workflowId: "ticket-42", sessionId: "s-7" });
const researcher = withAgent(run, { name: "researcher", memory: memory.forAgent("researcher", run) });
const writer = withAgent(run, { name: "writer", memory: memory.forAgent("writer", run) });

// Inside a tool, the agent's scopes come from its context.
const mine = agentOf(researcher)?.memory;
await mine?.agent.add({ text: "the user prefers metric units" });
await mine?.workflow?.add({ text: "ticket 42 is a billing issue" });

const theirs = agentOf(writer)?.memory;
console.log((await theirs?.agent.search("metric units"))?.length); // → 0
console.log((await theirs?.workflow?.search("billing issue"))?.map((e) => e.text)); // → [ 'ticket 42 is a billing issue' ]
console.log(theirs?.global); // → undefined
console.log(memoryNamespace("session", "s-7")); // → tta:session:s-7
