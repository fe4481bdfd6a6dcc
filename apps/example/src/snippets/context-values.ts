import { contextKey, createContext, lambda, sequential } from "@tta/primitives";

// A typed slot on the context: keys compare by identity, values travel to every step of the run.
const TENANT = contextKey<string>("tenant");
const ctx = createContext({ workflowId: "billing" }).withValue(TENANT, "acme");

const flow = sequential([lambda((n: number, c) => `${c.getValue(TENANT) ?? "nobody"}: ${n * 2}`)]);
console.log(await flow.execute(21, ctx)); // → acme: 42
console.log(ctx.workflowId, createContext().getValue(TENANT)); // → billing undefined
