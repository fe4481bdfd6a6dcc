/**
 * What a budget says when it refuses or crosses a soft limit: `BudgetExceededError`s (names and
 * numbers only, never content) and core `budget` events. Internal to the budget.
 *
 * @packageDocumentation
 */
import type { BudgetResource, WorkflowContext } from "@tta/primitives";
import { BudgetExceededError, emit, isObserved } from "@tta/primitives";
import type { Account } from "./account.js";
import type { Ledger } from "./ledger.js";

/** A number for a message: integers as they are, fractions (USD) to 10 significant digits. */
function formatAmount(n: number): string {
  return Number.isInteger(n) || !Number.isFinite(n) ? String(n) : String(Number(n.toPrecision(10)));
}

/** Emits one `budget` event (the caller checked `isObserved()`). */
function report(
  ledger: Ledger,
  ctx: WorkflowContext | undefined,
  resource: BudgetResource,
  level: "soft" | "hard",
  limit: number,
  spent: number,
  requested: number,
): void {
  emit({
    type: "budget",
    kind: "budget",
    name: ledger.name,
    workflowId: ctx === undefined ? "" : ctx.workflowId,
    correlationId: ctx === undefined ? "" : ctx.correlationId,
    at: ledger.clock.now(),
    resource,
    level,
    limit,
    spent,
    requested,
  });
}

/** Committed spend on `account` reached its soft limit: remember it, and report it when observed. */
export function crossSoft(account: Account, ctx: WorkflowContext | undefined): void {
  account.softReported = true;
  if (isObserved())
    report(account.ledger, ctx, account.resource, "soft", account.soft, account.committed + account.reserved, 0);
}

/** The soft time limit of `ledger` has passed: remember it, and report it when observed. */
export function crossSoftTime(ledger: Ledger, now: number, ctx: WorkflowContext | undefined): void {
  ledger.softTimeReported = true;
  if (isObserved())
    report(ledger, ctx, "timeMs", "soft", ledger.softDeadline - ledger.createdAt, now - ledger.createdAt, 0);
}

/** The error (and `hard` event) of a refusal by the limit of `account`. */
function exceeded(
  account: Account,
  requested: number,
  message: string,
  ctx: WorkflowContext | undefined,
): BudgetExceededError {
  const spent = account.committed + account.reserved;
  if (isObserved()) report(account.ledger, ctx, account.resource, "hard", account.limit, spent, requested);
  return new BudgetExceededError(message, { resource: account.resource, limit: account.limit, spent, requested });
}

/** A reservation of `requested` (0 for a launch refused because `account` has nothing left) does not fit. */
export function limitRefusal(
  account: Account,
  requested: number,
  ctx: WorkflowContext | undefined,
): BudgetExceededError {
  const { ledger, resource, limit } = account;
  const spent = formatAmount(account.committed + account.reserved);
  const message =
    requested > 0
      ? `Budget '${ledger.name}' refused ${formatAmount(requested)} ${resource}: ${spent} of ${formatAmount(limit)} already spent or reserved`
      : `Budget '${ledger.name}' refused a launch: no ${resource} left (${spent} of ${formatAmount(limit)} spent or reserved)`;
  return exceeded(account, requested, message, ctx);
}

/** A child's limit on `account`'s resource exceeds what `account` has left. */
export function carveOutRefusal(
  childName: string,
  parent: Ledger,
  account: Account,
  requested: number,
): BudgetExceededError {
  const left = Math.max(0, account.limit - account.committed - account.reserved);
  const who = account.ledger === parent ? "parent" : "ancestor";
  const message = `Child budget '${childName}' asks for ${formatAmount(requested)} ${account.resource}, ${who} '${account.ledger.name}' has ${formatAmount(left)} left`;
  return exceeded(account, requested, message, undefined);
}

/** `ledger`'s time limit has run out (`now` ≥ its deadline). */
export function timeRefusal(ledger: Ledger, now: number, ctx: WorkflowContext | undefined): BudgetExceededError {
  const limit = ledger.deadline - ledger.createdAt;
  const spent = now - ledger.createdAt;
  if (isObserved()) report(ledger, ctx, "timeMs", "hard", limit, spent, 0);
  return new BudgetExceededError(
    `Budget '${ledger.name}' is out of time: ${formatAmount(spent)} ms elapsed of ${formatAmount(limit)}`,
    { resource: "timeMs", limit, spent, requested: 0 },
  );
}

/** `ledger` (or an ancestor) was closed. */
export function closedRefusal(ledger: Ledger): BudgetExceededError {
  return new BudgetExceededError(`Budget '${ledger.name}' is closed`);
}
