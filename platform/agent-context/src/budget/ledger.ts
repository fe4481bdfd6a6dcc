/**
 * `Ledger`: the books of one budget (its five resource accounts, its deadline, its children) and the
 * rules of `reserve`, `commit`/`release`, `child` and `close`. Internal to the budget: `createBudget`
 * wraps it.
 *
 * @packageDocumentation
 */
import type { Clock, Spend, WorkflowContext } from "@tta/primitives";
import type { BudgetAmounts, BudgetSnapshot } from "../types.js";
import { Account } from "./account.js";
import { LedgerReservation } from "./reservation.js";
import { carveOutRefusal, closedRefusal, crossSoftTime, limitRefusal, timeRefusal } from "./report.js";
import type { Limits } from "./validate.js";
import { NO_LIMITS, checkSpendObject, spendAmount } from "./validate.js";

/** A frozen {@link BudgetAmounts}. */
function amounts(
  tokens: number,
  inputTokens: number,
  outputTokens: number,
  costUsd: number,
  timeMs: number,
  launches: number,
): BudgetAmounts {
  return Object.freeze({ tokens, inputTokens, outputTokens, costUsd, timeMs, launches });
}

/** The books of one budget. */
export class Ledger {
  readonly name: string;
  readonly clock: Clock;
  /** Clock time of creation (epoch ms). */
  readonly createdAt: number;
  /** When the time limit runs out (the parent's deadline at the latest); `Infinity` without one. */
  readonly deadline: number;
  /** When the soft time limit passes; `Infinity` without one. */
  readonly softDeadline: number;
  softTimeReported = false;
  readonly parent: Ledger | undefined;
  closed = false;
  readonly tokens: Account;
  readonly inputTokens: Account;
  readonly outputTokens: Account;
  readonly costUsd: Account;
  readonly launches: Account;
  /** Children not yet closed (closing this budget closes them). */
  #children: Set<Ledger> | undefined;

  /** Opens the books; for a child, holds its carve-out in the parent (already checked by `child`). */
  constructor(name: string, clock: Clock, limits: Limits, soft: Limits, parent: Ledger | undefined) {
    this.name = name;
    this.clock = clock;
    this.parent = parent;
    const now = clock.now();
    this.createdAt = now;
    const own = limits.timeMs === undefined ? Infinity : now + limits.timeMs;
    this.deadline = parent === undefined ? own : Math.min(parent.deadline, own);
    this.softDeadline = soft.timeMs === undefined ? Infinity : now + soft.timeMs;
    this.tokens = new Account(this, "tokens", limits.tokens, soft.tokens, parent?.tokens);
    this.inputTokens = new Account(this, "inputTokens", limits.inputTokens, soft.inputTokens, parent?.inputTokens);
    this.outputTokens = new Account(this, "outputTokens", limits.outputTokens, soft.outputTokens, parent?.outputTokens);
    this.costUsd = new Account(this, "costUsd", limits.costUsd, soft.costUsd, parent?.costUsd);
    this.launches = new Account(this, "launches", limits.launches, soft.launches, parent?.launches);
  }

  /**
   * Checks every resource, then holds the estimate in each: either all of it is held or none.
   * @throws `InvalidOptionsError` for a bad estimate; `BudgetExceededError` when closed, out of time
   * or over a limit (see `AgentBudget.reserve`).
   */
  reserve(estimate: Spend, ctx: WorkflowContext | undefined): LedgerReservation {
    checkSpendObject("estimate", estimate);
    const inputTokens = spendAmount("estimate.inputTokens", estimate.inputTokens);
    const outputTokens = spendAmount("estimate.outputTokens", estimate.outputTokens);
    const costUsd = spendAmount("estimate.costUsd", estimate.costUsd);
    const launches = spendAmount("estimate.launches", estimate.launches);
    if (this.closed) throw closedRefusal(this);
    if (this.deadline !== Infinity || this.softDeadline !== Infinity) this.#checkTime(ctx);
    const launching = launches > 0;
    const tokens = inputTokens + outputTokens;
    let refused = this.tokens.blocking(tokens, launching);
    if (refused !== undefined) throw limitRefusal(refused, tokens, ctx);
    refused = this.inputTokens.blocking(inputTokens, launching);
    if (refused !== undefined) throw limitRefusal(refused, inputTokens, ctx);
    refused = this.outputTokens.blocking(outputTokens, launching);
    if (refused !== undefined) throw limitRefusal(refused, outputTokens, ctx);
    refused = this.costUsd.blocking(costUsd, launching);
    if (refused !== undefined) throw limitRefusal(refused, costUsd, ctx);
    refused = this.launches.blocking(launches, launching);
    if (refused !== undefined) throw limitRefusal(refused, launches, ctx);
    this.tokens.hold(tokens);
    this.inputTokens.hold(inputTokens);
    this.outputTokens.hold(outputTokens);
    this.costUsd.hold(costUsd);
    this.launches.hold(launches);
    return new LedgerReservation(this, inputTokens, outputTokens, costUsd, launches, ctx);
  }

  /** A reservation settles: its estimate (the first four) is replaced by the actual (the next four; zeros for a release). */
  settle(
    estimatedInput: number,
    estimatedOutput: number,
    estimatedCost: number,
    estimatedLaunches: number,
    inputTokens: number,
    outputTokens: number,
    costUsd: number,
    launches: number,
    ctx: WorkflowContext | undefined,
  ): void {
    this.tokens.settle(estimatedInput + estimatedOutput, inputTokens + outputTokens, ctx);
    this.inputTokens.settle(estimatedInput, inputTokens, ctx);
    this.outputTokens.settle(estimatedOutput, outputTokens, ctx);
    this.costUsd.settle(estimatedCost, costUsd, ctx);
    this.launches.settle(estimatedLaunches, launches, ctx);
  }

  /**
   * Carves a child out of what is left (every given limit checked before anything is held).
   * @throws `BudgetExceededError` when closed, out of time, or a limit exceeds what is left.
   */
  child(limits: Limits, name: string): Ledger {
    if (this.closed) throw closedRefusal(this);
    if (this.deadline !== Infinity) {
      const now = this.clock.now();
      if (now >= this.deadline) throw timeRefusal(this, now, undefined);
    }
    this.#checkCarveOut(this.tokens, limits.tokens, name);
    this.#checkCarveOut(this.inputTokens, limits.inputTokens, name);
    this.#checkCarveOut(this.outputTokens, limits.outputTokens, name);
    this.#checkCarveOut(this.costUsd, limits.costUsd, name);
    this.#checkCarveOut(this.launches, limits.launches, name);
    const child = new Ledger(name, this.clock, limits, NO_LIMITS, this);
    (this.#children ??= new Set()).add(child);
    return child;
  }

  /** Closes open children, then this budget: its parent keeps holding only its in-flight estimates. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#children !== undefined) for (const child of this.#children) child.close();
    this.tokens.close();
    this.inputTokens.close();
    this.outputTokens.close();
    this.costUsd.close();
    this.launches.close();
    const parent = this.parent;
    if (parent !== undefined) parent.#children?.delete(this);
  }

  /** A frozen point-in-time view. */
  snapshot(): BudgetSnapshot {
    const now = this.clock.now();
    const { tokens, inputTokens, outputTokens, costUsd, launches } = this;
    const remainingTime = Math.max(0, this.deadline - now);
    return Object.freeze({
      name: this.name,
      limits: amounts(
        tokens.limit,
        inputTokens.limit,
        outputTokens.limit,
        costUsd.limit,
        this.deadline - this.createdAt,
        launches.limit,
      ),
      spent: amounts(
        tokens.committed,
        inputTokens.committed,
        outputTokens.committed,
        costUsd.committed,
        now - this.createdAt,
        launches.committed,
      ),
      reserved: amounts(
        tokens.reserved,
        inputTokens.reserved,
        outputTokens.reserved,
        costUsd.reserved,
        0,
        launches.reserved,
      ),
      remaining: this.closed
        ? amounts(0, 0, 0, 0, 0, 0)
        : amounts(
            tokens.remaining(),
            inputTokens.remaining(),
            outputTokens.remaining(),
            costUsd.remaining(),
            remainingTime,
            launches.remaining(),
          ),
    });
  }

  #checkTime(ctx: WorkflowContext | undefined): void {
    const now = this.clock.now();
    if (now >= this.deadline) throw timeRefusal(this, now, ctx);
    if (!this.softTimeReported && now >= this.softDeadline) crossSoftTime(this, now, ctx);
  }

  #checkCarveOut(account: Account, limit: number | undefined, name: string): void {
    if (limit === undefined) return;
    const refused = account.blocking(limit, false);
    if (refused !== undefined) throw carveOutRefusal(name, this, refused, limit);
  }
}
