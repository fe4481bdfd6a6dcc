/**
 * The budget contract (DESIGN §9): what a budget must offer so that model calls and agents can
 * honour it without importing `@tta/agent-context`, and the context key it travels under.
 *
 * @packageDocumentation
 */
import type { WorkflowContext } from "./context.js";
import type { ContextKey } from "./context-key.js";
import { contextKey } from "./context-key.js";

/**
 * An amount of spend: tokens, USD and agent launches. Every field is optional (absent means 0).
 * @since 0.1.0
 */
export interface Spend {
  /** Prompt tokens. */
  readonly inputTokens?: number | undefined;
  /** Completion tokens. */
  readonly outputTokens?: number | undefined;
  /** Cost in US dollars. */
  readonly costUsd?: number | undefined;
  /** Agent launches. */
  readonly launches?: number | undefined;
}

/**
 * An estimate held against a budget while a call is in flight. Call exactly one of `commit` (with
 * what was really spent) or `release` (the call failed and spent nothing that counts); later calls
 * are ignored.
 * @since 0.1.0
 */
export interface Reservation {
  /** Replaces the estimate with the actual spend. */
  commit(actual: Spend): void;
  /** Drops the estimate. */
  release(): void;
}

/**
 * A budget the orchestration primitives honour. `reserve` throws `BudgetExceededError` when the
 * estimate does not fit what is left after the other in-flight reservations, so a parallel fan-out
 * overshoots by at most the difference between estimates and actuals.
 *
 * @remarks `@tta/agent-context`'s `createBudget` implements it; any object with this shape works.
 * @since 0.1.0
 */
export interface Budget {
  /**
   * Holds `estimate` against the budget.
   * @param ctx - the context of the call that reserves (the model primitive passes its own), so a budget
   * can report its events with the run's ids and clock; optional for callers outside a run.
   * @throws `BudgetExceededError` when it does not fit.
   */
  reserve(estimate: Spend, ctx?: WorkflowContext): Reservation;
}

/**
 * The context key of the run's {@link Budget}: `ctx.withValue(BUDGET_KEY, budget)` makes every model
 * call under `ctx` reserve before it runs and commit its actual usage after.
 *
 * @example
 * ```ts
 * const ctx = createContext().withValue(BUDGET_KEY, myBudget);
 * await model(llm).execute(request, ctx); // reserves, then commits the usage
 * ```
 * @since 0.1.0
 */
export const BUDGET_KEY: ContextKey<Budget> = contextKey<Budget>("tta.budget");
