/**
 * The budget of one agent run: its launch charged to the context's budget, and the run's own budget
 * when the agent has `budget` limits.
 *
 * @packageDocumentation
 * @internal
 */
import type { Budget, Reservation, Spend, WorkflowContext } from "@tta/primitives";
import { BUDGET_KEY } from "@tta/primitives";
import { createBudget } from "../budget.js";
import type { AgentBudget, BudgetLimits } from "../types.js";

/** What a run draws on, when it has its own budget. @internal */
export interface RunBudget {
  /** The budget put on the run's context (the run's own, chained to the context's when that cannot carve). */
  readonly budget: Budget;
  /** The run's own budget: closed when the run ends, or as soon as its context is cancelled. */
  readonly own: AgentBudget;
  /** Closes `own` and stops watching the context; call it when the run ends, however it ends. */
  close(): void;
}

const LAUNCH: Spend = Object.freeze({ launches: 1 });

/** Both budgets charged, `inner` first; all-or-nothing. */
function chained(inner: Budget, outer: Budget): Budget {
  return {
    reserve(estimate: Spend, ctx?: WorkflowContext): Reservation {
      const first = inner.reserve(estimate, ctx);
      let second: Reservation;
      try {
        second = outer.reserve(estimate, ctx);
      } catch (error) {
        first.release();
        throw error;
      }
      return {
        commit(actual: Spend): void {
          first.commit(actual);
          second.commit(actual);
        },
        release(): void {
          first.release();
          second.release();
        },
      };
    },
  };
}

/**
 * Charges one launch to the context's budget (reserved, then committed once the run's own budget is
 * open: a spent budget stops the launch with its `BudgetExceededError`), and opens the run's own budget
 * for `limits`: a child carved from the context's budget when it can (`child`), else a new budget (its
 * reservations also charged to the context's plain budget, if any), closed when `ctx` is cancelled or
 * when the caller calls `close()`. @internal
 * @throws `BudgetExceededError` when the launch or the carve-out does not fit.
 */
export function openRunBudget(
  ctx: WorkflowContext,
  name: string,
  limits: BudgetLimits | undefined,
): RunBudget | undefined {
  const outer = ctx.getValue(BUDGET_KEY);
  const launch = outer?.reserve(LAUNCH, ctx);
  if (limits === undefined) {
    launch?.commit(LAUNCH);
    return undefined;
  }
  let own: AgentBudget | undefined;
  let budget: Budget;
  try {
    const parent = outer as Partial<AgentBudget> | undefined;
    if (parent !== undefined && typeof parent.child === "function") {
      own = parent.child(limits, { name });
      budget = own;
    } else {
      own = createBudget({ ...limits, name, clock: ctx.clock });
      budget = outer === undefined ? own : chained(own, outer);
    }
    launch?.commit(LAUNCH);
  } catch (error) {
    // Whatever failed (the carve-out, or a budget's own commit), nothing stays held.
    own?.close();
    launch?.release();
    throw error;
  }
  return { budget, own, close: closeOnAbort(ctx, own) };
}

/**
 * Closes `own` as soon as `ctx` is cancelled: the caller sees its rejection at once, while the run's work
 * may take a while to unwind (or never settle, a tool ignoring its signal); the carve-out must not stay
 * held in the parent meanwhile. Estimates in flight stay held until they settle. Returns the function
 * that stops watching and closes `own`.
 */
function closeOnAbort(ctx: WorkflowContext, own: AgentBudget): () => void {
  const signal = ctx.signal;
  const close = (): void => own.close();
  signal.addEventListener("abort", close, { once: true });
  return () => {
    signal.removeEventListener("abort", close);
    own.close();
  };
}
