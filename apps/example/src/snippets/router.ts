import { RouteNotFoundError, router } from "@tta/primitives";

// Route keys are a typed union: `select` must return "code" | "chat".
const answer = router({
  routes: {
    code: (question: string) => `code model: ${question}`,
    chat: (question: string) => `chat model: ${question}`,
  },
  select: (question) => (question.includes("function") ? "code" : "chat"),
});
console.log(await answer.execute("write a function")); // → code model: write a function

// A model's label is an untrusted string: cast it, and let `default` catch unknown keys.
const label = (question: string): string => (question.startsWith("$") ? "billing" : "sales");
const routes = { billing: (q: string) => `billing desk: ${q}`, support: (q: string) => `support desk: ${q}` };
const desk = router({ routes, select: (q) => label(q) as "billing" | "support", default: "support" });
console.log(await desk.execute("buy more seats")); // → support desk: buy more seats

// Without a default, an unknown key rejects with RouteNotFoundError (code ROUTE_NOT_FOUND).
const strict = router({ routes, select: (q) => label(q) as "billing" | "support" });
await strict.execute("buy more seats").catch((error: unknown) => {
  if (error instanceof RouteNotFoundError) console.log(error.code, error.route, error.routes, error.retryable);
}); // → ROUTE_NOT_FOUND sales [ 'billing', 'support' ] false
