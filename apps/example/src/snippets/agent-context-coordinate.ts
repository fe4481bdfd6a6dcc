import { coordinate } from "@tta/agent-context";
import { lambda } from "@tta/primitives";
import { createTestContext } from "@tta/primitives/testing";

/** A stand-in agent that answers after `ms` on the context's clock, and stops when its signal aborts. */
const reviewer = (name: string, ms: number) =>
  lambda(async (draft: string, ctx) => {
    await ctx.clock.sleep(ms, ctx.signal);
    return `${name}: ok (${draft.length} chars)`;
  }, name);
const reviewers = { legal: reviewer("legal", 50), tone: reviewer("tone", 20), facts: reviewer("facts", 900) };

// The first two approvals are enough; the third reviewer is aborted as soon as they are in.
const ctx = createTestContext();
const quorum = coordinate(reviewers, { strategy: { quorum: 2 } }).execute("draft v1", ctx);
await ctx.clock.advance(50);
const voted = await quorum;
console.log(voted.values, voted.partial); // → [ 'legal: ok (8 chars)', 'tone: ok (8 chars)' ] false
console.log(voted.outcomes.map((o) => `${o.key}=${o.status}`).join(" ")); // → legal=fulfilled tone=fulfilled facts=aborted

// On timeout the finished answers come back, marked partial, instead of being dropped.
const late = createTestContext();
const all = coordinate(reviewers, { timeoutMs: 100 }).execute("draft v2", late);
await late.clock.advance(100);
const cut = await all;
console.log(cut.partial, cut.values.length, cut.outcomes.find((o) => o.key === "facts")?.status); // → true 2 aborted
