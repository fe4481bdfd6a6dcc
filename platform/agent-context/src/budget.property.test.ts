/**
 * Model-based property tests of `createBudget`: random interleavings of many concurrent reservations
 * (reserve with random estimates; later commit with random actuals, release, or a repeated call),
 * checked step by step against a plain reference model of the books; and random trees of child
 * budgets, checked against the invariants a parent relies on (its limits hold up to the overshoot of
 * actuals over estimates, every commit below it counts in it, nothing stays held once all is settled).
 */
import type { AgentBudget, BudgetLimits } from "./types.js";
import type { Reservation, Spend } from "@tta/primitives";
import { BudgetExceededError } from "@tta/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBudget } from "./budget.js";

const RESOURCES = ["tokens", "inputTokens", "outputTokens", "costUsd", "launches"] as const;
type Resource = (typeof RESOURCES)[number];
type Amounts = Record<Resource, number>;

const zero = (): Amounts => ({ tokens: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, launches: 0 });

/** A spend as amounts per resource (absent fields are 0; `tokens` is input + output). */
function amountsOf(spend: Spend): Amounts {
  const input = spend.inputTokens ?? 0;
  const output = spend.outputTokens ?? 0;
  return {
    tokens: input + output,
    inputTokens: input,
    outputTokens: output,
    costUsd: spend.costUsd ?? 0,
    launches: spend.launches ?? 0,
  };
}

/** Limits: each absent or a small integer (costs in quarters of a dollar, exact in binary). */
const limitsArb: fc.Arbitrary<BudgetLimits> = fc.record(
  {
    tokens: fc.integer({ min: 0, max: 150 }),
    inputTokens: fc.integer({ min: 0, max: 100 }),
    outputTokens: fc.integer({ min: 0, max: 100 }),
    costUsd: fc.integer({ min: 0, max: 40 }).map((q) => q / 4),
    launches: fc.integer({ min: 0, max: 6 }),
  },
  { requiredKeys: [] },
);

const spendArb: fc.Arbitrary<Spend> = fc.record(
  {
    inputTokens: fc.integer({ min: 0, max: 40 }),
    outputTokens: fc.integer({ min: 0, max: 40 }),
    costUsd: fc.integer({ min: 0, max: 12 }).map((q) => q / 4),
    launches: fc.integer({ min: 0, max: 2 }),
  },
  { requiredKeys: [] },
);

/** The actual spend of a commit: `raw`, clamped to the estimate field by field when `within`. */
function actualOf(estimate: Spend, raw: Spend, within: boolean): Spend {
  if (!within) return raw;
  const clamp = (a: number | undefined, e: number | undefined): number => Math.min(a ?? 0, e ?? 0);
  return {
    inputTokens: clamp(raw.inputTokens, estimate.inputTokens),
    outputTokens: clamp(raw.outputTokens, estimate.outputTokens),
    costUsd: clamp(raw.costUsd, estimate.costUsd),
    launches: clamp(raw.launches, estimate.launches),
  };
}

type Op =
  | { readonly op: "reserve"; readonly node: number; readonly estimate: Spend }
  | { readonly op: "commit"; readonly pick: number; readonly actual: Spend }
  | { readonly op: "release"; readonly pick: number }
  /** Commit or release a reservation already settled (must change nothing). */
  | { readonly op: "again"; readonly pick: number; readonly commit: boolean }
  | { readonly op: "close"; readonly node: number };

const opArb = (nodes: number, withClose: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant("reserve" as const),
        node: fc.nat({ max: nodes - 1 }),
        estimate: spendArb,
      }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("commit" as const), pick: fc.nat(), actual: spendArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("release" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("again" as const), pick: fc.nat(), commit: fc.boolean() }) },
    {
      weight: withClose ? 1 : 0,
      arbitrary: fc.record({
        op: fc.constant("close" as const),
        node: fc.nat({ max: Math.max(0, nodes - 2) }).map((n) => n + 1),
      }),
    },
  );

/** The reference: one budget's rules, written as plainly as possible. */
class Model {
  readonly limits: Amounts;
  readonly committed: Amounts = zero();
  readonly reserved: Amounts = zero();
  /** Σ max(0, actual − estimate) over commits, per resource. */
  readonly overshoot: Amounts = zero();

  constructor(limits: BudgetLimits) {
    this.limits = zero();
    for (const r of RESOURCES) this.limits[r] = limits[r] ?? Infinity;
  }

  /** The resource that refuses `estimate` (first in order), or `undefined` when it fits. */
  refuses(estimate: Amounts): Resource | undefined {
    const launching = estimate.launches > 0;
    for (const r of RESOURCES) {
      const spent = this.committed[r] + this.reserved[r];
      if (estimate[r] > 0 ? spent + estimate[r] > this.limits[r] : launching && spent >= this.limits[r]) return r;
    }
    return undefined;
  }

  hold(estimate: Amounts): void {
    for (const r of RESOURCES) this.reserved[r] += estimate[r];
  }

  settle(estimate: Amounts, actual: Amounts): void {
    for (const r of RESOURCES) {
      this.reserved[r] -= estimate[r];
      this.committed[r] += actual[r];
      this.overshoot[r] += Math.max(0, actual[r] - estimate[r]);
    }
  }
}

interface Held {
  readonly reservation: Reservation;
  readonly spend: Spend;
  readonly estimate: Amounts;
  /** Index of the budget it was made on. */
  readonly node: number;
}

describe("createBudget (property)", () => {
  it("matches the reference model under random interleavings of concurrent reservations", () => {
    fc.assert(
      fc.property(limitsArb, fc.boolean(), fc.array(opArb(1, false), { maxLength: 80 }), (limits, within, ops) => {
        const budget = createBudget({ ...limits, name: "p" });
        const model = new Model(limits);
        const open: Held[] = [];
        const settled: Reservation[] = [];
        for (const op of ops) {
          if (op.op === "reserve") {
            const estimate = amountsOf(op.estimate);
            const expected = model.refuses(estimate);
            let reservation: Reservation | undefined;
            try {
              reservation = budget.reserve(op.estimate);
            } catch (error) {
              expect(error).toBeInstanceOf(BudgetExceededError);
              const e = error as BudgetExceededError;
              expect(e.resource).toBe(expected);
              if (expected === undefined) throw error;
              expect([e.limit, e.spent, e.requested]).toEqual([
                model.limits[expected],
                model.committed[expected] + model.reserved[expected],
                estimate[expected],
              ]);
            }
            if (reservation !== undefined) {
              expect(expected).toBeUndefined();
              model.hold(estimate);
              open.push({ reservation, spend: op.estimate, estimate, node: 0 });
            }
          } else if (op.op === "commit" || op.op === "release") {
            if (open.length === 0) continue;
            const [held] = open.splice(op.pick % open.length, 1);
            if (held === undefined) continue;
            if (op.op === "commit") {
              const actual = actualOf(held.spend, op.actual, within);
              held.reservation.commit(actual);
              model.settle(held.estimate, amountsOf(actual));
            } else {
              held.reservation.release();
              model.settle(held.estimate, zero());
            }
            settled.push(held.reservation);
          } else if (op.op === "again" && settled.length > 0) {
            const reservation = settled[op.pick % settled.length];
            if (op.commit) reservation?.commit({ inputTokens: 7, costUsd: 1 });
            else reservation?.release();
          }
          const snapshot = budget.snapshot();
          for (const r of RESOURCES) {
            expect(snapshot.spent[r]).toBe(model.committed[r]);
            // (3) what is reserved is exactly the sum of the open reservations' estimates.
            expect(snapshot.reserved[r]).toBe(open.reduce((sum, h) => sum + h.estimate[r], 0));
            expect(snapshot.remaining[r]).toBe(Math.max(0, model.limits[r] - model.committed[r] - model.reserved[r]));
            // (1) committed spend stays within the limit plus the overshoot of actuals over estimates…
            expect(snapshot.spent[r]).toBeLessThanOrEqual(model.limits[r] + model.overshoot[r]);
            // (2) …so within it when every actual is within its estimate.
            if (within) expect(snapshot.spent[r]).toBeLessThanOrEqual(model.limits[r]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every parent's limits, up to the overshoot, across random trees of child budgets", () => {
    const childArb = fc.record({ parent: fc.nat(), limits: limitsArb });
    fc.assert(
      fc.property(
        limitsArb,
        fc.array(childArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(opArb(5, true), { maxLength: 80 }),
        (rootLimits, children, within, ops) => {
          // Node 0 is the root; node i > 0 is a child of an earlier node (absent when its carve-out was refused).
          const nodes: (AgentBudget | undefined)[] = [createBudget({ ...rootLimits, name: "root" })];
          const parents: number[] = [-1];
          const limits: BudgetLimits[] = [rootLimits];
          const closed: boolean[] = [false];
          for (const [i, c] of children.entries()) {
            const parent = c.parent % (i + 1);
            const budget = nodes[parent];
            let child: AgentBudget | undefined;
            try {
              child = budget?.child(c.limits, { name: `n${i + 1}` });
            } catch (error) {
              expect(error).toBeInstanceOf(BudgetExceededError);
              const e = error as BudgetExceededError;
              expect((e.spent ?? 0) + (e.requested ?? 0)).toBeGreaterThan(e.limit ?? Infinity);
            }
            nodes.push(child);
            parents.push(parent);
            limits.push(c.limits);
            closed.push(false);
          }
          /** `node` and its ancestors. */
          const chain = (node: number): number[] => {
            const out: number[] = [];
            for (let n = node; n >= 0; n = parents[n] ?? -1) out.push(n);
            return out;
          };
          const committed = nodes.map(zero);
          const overshoot = nodes.map(zero);
          const open: Held[] = [];
          const settled: Reservation[] = [];
          let total = 0;

          const check = (): void => {
            for (const [n, budget] of nodes.entries()) {
              if (budget === undefined) continue;
              const snapshot = budget.snapshot();
              for (const r of RESOURCES) {
                // (4) a budget's spend is its own commits plus every descendant's.
                expect(snapshot.spent[r]).toBe(committed[n]?.[r]);
                const inFlight = open
                  .filter((h) => chain(h.node).includes(n))
                  .reduce((sum, h) => sum + h.estimate[r], 0);
                expect(snapshot.reserved[r]).toBeGreaterThanOrEqual(inFlight);
                const limit = limits[n]?.[r];
                if (limit === undefined) continue;
                // (4) committed + reserved stays within the limit plus the overshoot below it…
                expect(snapshot.spent[r] + snapshot.reserved[r]).toBeLessThanOrEqual(limit + (overshoot[n]?.[r] ?? 0));
                // …and within the limit when no actual passed its estimate.
                if (within) expect(snapshot.spent[r] + snapshot.reserved[r]).toBeLessThanOrEqual(limit);
              }
            }
          };

          for (const op of ops) {
            if (op.op === "reserve") {
              const budget = nodes[op.node];
              if (budget === undefined) continue;
              try {
                const reservation = budget.reserve(op.estimate);
                expect(closed[op.node]).toBe(false);
                open.push({ reservation, spend: op.estimate, estimate: amountsOf(op.estimate), node: op.node });
              } catch (error) {
                expect(error).toBeInstanceOf(BudgetExceededError);
                const e = error as BudgetExceededError;
                if (e.resource === undefined) expect(closed[op.node]).toBe(true);
                else if ((e.requested ?? 0) > 0)
                  expect((e.spent ?? 0) + (e.requested ?? 0)).toBeGreaterThan(e.limit ?? 0);
                else expect(e.spent).toBeGreaterThanOrEqual(e.limit ?? 0);
              }
            } else if (op.op === "commit" || op.op === "release") {
              if (open.length === 0) continue;
              const [held] = open.splice(op.pick % open.length, 1);
              if (held === undefined) continue;
              const actual = op.op === "commit" ? actualOf(held.spend, op.actual, within) : {};
              if (op.op === "commit") held.reservation.commit(actual);
              else held.reservation.release();
              const amounts = amountsOf(actual);
              total += amounts.tokens;
              for (const n of chain(held.node))
                for (const r of RESOURCES) {
                  (committed[n] as Amounts)[r] += amounts[r];
                  (overshoot[n] as Amounts)[r] += Math.max(0, amounts[r] - held.estimate[r]);
                }
              settled.push(held.reservation);
            } else if (op.op === "again") {
              if (settled.length === 0) continue;
              const reservation = settled[op.pick % settled.length];
              if (op.commit) reservation?.commit({ outputTokens: 5, launches: 1 });
              else reservation?.release();
            } else {
              nodes[op.node]?.close();
              for (const [n] of nodes.entries()) if (chain(n).includes(op.node)) closed[n] = true;
            }
            check();
          }

          // Once everything has settled and every child is closed, the root holds nothing.
          for (const held of open.splice(0)) held.reservation.release();
          for (const budget of nodes.slice(1)) budget?.close();
          check();
          const root = (nodes[0] as AgentBudget).snapshot();
          expect(Object.values(root.reserved)).toEqual([0, 0, 0, 0, 0, 0]);
          expect(root.spent.tokens).toBe(total);
        },
      ),
      { numRuns: 300 },
    );
  });
});
