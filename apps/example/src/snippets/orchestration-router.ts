import { createContext } from "@tta/primitives";
import { ProviderError, createCatalog, modelRouter } from "@tta/primitives/orchestration";
import { MockLanguageModel, TestClock } from "@tta/primitives/testing";

// Every candidate must be in the router's catalogue: capabilities, context window and prices.
const catalog = createCatalog([
  {
    id: "cheap",
    provider: "acme",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    capabilities: ["tools", "json"],
  },
  {
    id: "steady",
    provider: "other",
    contextWindow: 200_000,
    pricing: { inputPerMillion: 0.75, outputPerMillion: 3 },
    capabilities: ["tools", "json"],
  },
]);
const clock = new TestClock(); // fake time, so the waits below take no real time
const throttled = (retryAfterMs: number) =>
  new ProviderError("rate limited", { provider: "acme", model: "cheap", status: 429, retryAfterMs });
const cheap = new MockLanguageModel({
  modelId: "cheap",
  responses: [throttled(5_000), throttled(1_000), "cheap answer"],
  clock,
});
const steady = new MockLanguageModel({ modelId: "steady", responses: ["steady answer"], latencyMs: 300, clock });
const router = modelRouter({ candidates: [steady, cheap], catalog }); // "cheapest" first by default
const ask = { messages: [{ role: "user" as const, content: "Where is my parcel?" }] };

// A 429 asks for 5 s but only 2 s are left: the router fails over at once instead of waiting.
const hurried = router.executeWithRoute(ask, createContext({ clock, timeoutMs: 2_000 }));
await clock.advance(300);
const { response, route } = await hurried;
console.log(
  response.text,
  route.attempts,
  route.log.map((a) => `${a.model}:${a.outcome}@${a.startMs}`),
); // → steady answer 2 [ 'cheap:error@0', 'steady:success@0' ]
console.log(route.skipped); // → [ { model: 'cheap', reason: 'cooling-down' } ]

// A 1 s Retry-After fits the deadline and `maxWaitMs` (1 s): waiting for the cheaper model beats paying more.
const patient = router.executeWithRoute(ask, createContext({ clock, timeoutMs: 10_000 }));
await clock.advance(1_000);
console.log((await patient).route.log.map((a) => `${a.model}:${a.outcome}@${a.startMs}`)); // → [ 'cheap:error@0', 'cheap:success@1000' ]

// Hedging: when the first choice has not answered after 200 ms, the next one starts too; the first
// answer wins and the other request is aborted.
const slow = new MockLanguageModel({ modelId: "cheap", responses: ["slow answer"], latencyMs: 2_000, clock });
const hedged = modelRouter({ candidates: [slow, steady], catalog, hedge: { afterMs: 200 } });
const raced = hedged.executeWithRoute(ask, createContext({ clock }));
await clock.advance(500);
const won = await raced;
console.log(
  won.response.text,
  won.route.hedged,
  won.route.log.map((a) => `${a.model}:${a.outcome}`),
); // → steady answer true [ 'steady:success', 'cheap:lost-hedge' ]
