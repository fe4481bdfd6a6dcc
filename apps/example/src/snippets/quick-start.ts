import { createContext, parallel, sequential } from "@tta/primitives";

const classify = (text: string) => (text.includes("refund") ? "billing" : "general");
const triage = sequential([
  (ticket: string) => ticket.trim().toLowerCase(),
  parallel({ desk: classify, words: (text: string) => text.split(/\s+/).length }),
]);

const result = await triage.execute("  I want a REFUND ", createContext({ workflowId: "quick-start" }));
console.log(result); // → { desk: 'billing', words: 4 }
