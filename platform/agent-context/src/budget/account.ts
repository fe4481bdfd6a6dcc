/**
 * `Account`: one resource (tokens, input tokens, output tokens, USD, launches) of one budget, with
 * plain numeric fields, linked to the same resource of the parent budget. Internal to the budget.
 *
 * @packageDocumentation
 */
import type { BudgetResource, WorkflowContext } from "@tta/primitives";
import type { Ledger } from "./ledger.js";
import { crossSoft } from "./report.js";

/**
 * The relative tolerance of comparisons with a limit, and of what counts as nothing left held: amounts are
 * floats (USD), so `0.1 + 0.2` must fit a limit of `0.3`, and holding then dropping them must leave 0, not
 * `2.8e-17`. Token and launch counts are integers far below 10¹², so the tolerance never changes them.
 */
const TOLERANCE = 1e-12;

/** `from - amount`, or 0 when what is left is only the rounding error of `from` (or below 0). */
function less(from: number, amount: number): number {
  const left = from - amount;
  return left > from * TOLERANCE ? left : 0;
}

/** Whether `amount` passes `limit` by more than rounding. */
function passes(amount: number, limit: number): boolean {
  return amount - limit > limit * TOLERANCE;
}

/**
 * The books of one resource of one budget.
 *
 * @remarks
 * - `committed`: commits here and in every descendant. `reserved`: estimates in flight here, plus
 *   what each child holds here (`held`).
 * - A child with its own limit (`limited`) holds `max(reserved, limit - committed)` in its parent
 *   while open (the unused carve-out, and never less than its in-flight estimates), and only
 *   `reserved` once closed. A child without its own limit holds its `reserved` (pass-through), so its
 *   reservations count against the nearest ancestor that has a limit.
 * - Every change moves up the chain at once, so `committed + reserved` of each budget is exact after
 *   each call (no recomputation at read time).
 */
export class Account {
  /** The budget this account belongs to. */
  readonly ledger: Ledger;
  readonly resource: BudgetResource;
  /** Whether this budget has its own limit on the resource. */
  readonly limited: boolean;
  /** The hard limit (`Infinity` without one). */
  readonly limit: number;
  /** The soft limit (`Infinity` without one). */
  readonly soft: number;
  /** The same resource of the parent budget. */
  readonly up: Account | undefined;
  committed = 0;
  reserved = 0;
  /** What the parent's `reserved` currently holds for this account. */
  held = 0;
  /** False once the budget is closed. */
  open = true;
  softReported = false;

  constructor(
    ledger: Ledger,
    resource: BudgetResource,
    limit: number | undefined,
    soft: number | undefined,
    up: Account | undefined,
  ) {
    this.ledger = ledger;
    this.resource = resource;
    this.limited = limit !== undefined;
    this.limit = limit ?? Infinity;
    this.soft = soft ?? Infinity;
    this.up = up;
    // A carve-out: the parent holds the whole limit from now on.
    if (up !== undefined && this.limited) propagate(this, 0, undefined);
  }

  /**
   * The account that refuses `requested` more, or `undefined` when it fits: the nearest account up
   * the chain with a limit (a carve-out already holds its limit in the ancestors). With `requested`
   * 0, nothing is refused unless `launching` and that account has nothing left.
   */
  blocking(requested: number, launching: boolean): Account | undefined {
    const account = limiting(this);
    if (account === undefined) return undefined;
    const spent = account.committed + account.reserved;
    return (requested > 0 ? passes(spent + requested, account.limit) : launching && !passes(account.limit, spent))
      ? account
      : undefined;
  }

  /** Holds `amount` for a reservation that fits (see {@link Account.blocking}). */
  hold(amount: number): void {
    if (amount === 0) return;
    this.reserved += amount;
    if (this.up !== undefined) propagate(this, 0, undefined);
  }

  /** A reservation of `estimate` settles: `actual` is committed (0 for a release). */
  settle(estimate: number, actual: number, ctx: WorkflowContext | undefined): void {
    if (estimate === 0 && actual === 0) return;
    this.reserved = less(this.reserved, estimate);
    if (actual !== 0) {
      this.committed += actual;
      if (!this.softReported && this.committed >= this.soft) crossSoft(this, ctx);
    }
    if (this.up !== undefined) propagate(this, actual, ctx);
  }

  /** Closes the account: from now on its parent holds only its in-flight estimates. */
  close(): void {
    this.open = false;
    if (this.up !== undefined) propagate(this, 0, undefined);
  }

  /**
   * What can still be reserved here: `limit - committed - reserved` of the nearest account with a
   * limit, never below 0 (`Infinity` when no budget up the chain limits the resource).
   */
  remaining(): number {
    const account = limiting(this);
    if (account === undefined) return Infinity;
    const left = account.limit - account.committed - account.reserved;
    return left > account.limit * TOLERANCE ? left : 0;
  }
}

/** The nearest account from `start` up the chain that has a limit. */
function limiting(start: Account): Account | undefined {
  let account: Account | undefined = start;
  do {
    if (account.limited) return account;
    account = account.up;
  } while (account !== undefined);
  return undefined;
}

/** Moves `committed` spend from `start`, and the change of each `held`, up the chain. */
function propagate(start: Account, committed: number, ctx: WorkflowContext | undefined): void {
  let account = start;
  let up = account.up;
  while (up !== undefined) {
    const held =
      account.open && account.limited
        ? Math.max(account.reserved, account.limit - account.committed)
        : account.reserved;
    const change = held - account.held;
    if (change === 0 && committed === 0) return;
    account.held = held;
    up.reserved = change < 0 ? less(up.reserved, -change) : up.reserved + change;
    if (committed !== 0) {
      up.committed += committed;
      if (!up.softReported && up.committed >= up.soft) crossSoft(up, ctx);
    }
    account = up;
    up = account.up;
  }
}
