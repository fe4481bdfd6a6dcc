/**
 * `createBudget`: an enforced token, cost, time and launch budget implementing core's `Budget`
 * contract, with soft limits, child budgets carved out of a parent, and snapshots.
 *
 * @packageDocumentation
 */
import type { Reservation, Spend, WorkflowContext } from "@tta/primitives";
import { systemClock } from "@tta/primitives";
import { nameOption, readOptions } from "@tta/primitives/options";
import { Ledger } from "./budget/ledger.js";
import {
  CHILD_OPTION_KEYS,
  LIMIT_KEYS,
  OPTION_KEYS,
  clockOption,
  limitsFrom,
  softLimitsFrom,
} from "./budget/validate.js";
import type { AgentBudget, BudgetLimits, BudgetOptions, BudgetSnapshot } from "./types.js";

/** The {@link AgentBudget} handed out by {@link createBudget}: a thin face over its books. */
class LedgerBudget implements AgentBudget {
  readonly #ledger: Ledger;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  get name(): string {
    return this.#ledger.name;
  }

  get deadline(): number | undefined {
    const deadline = this.#ledger.deadline;
    return deadline === Infinity ? undefined : deadline;
  }

  reserve(estimate: Spend, ctx?: WorkflowContext): Reservation {
    return this.#ledger.reserve(estimate, ctx);
  }

  child(limits: BudgetLimits, options?: { readonly name?: string | undefined }): AgentBudget {
    // Errors name the argument's fields as `limits.tokens`, like its unknown keys (`limits.soft`).
    const checked = limitsFrom(readOptions("child", limits, LIMIT_KEYS, "limits"), "limits.");
    const name = nameOption(readOptions("child", options, CHILD_OPTION_KEYS).name, `${this.#ledger.name}.child`);
    return new LedgerBudget(this.#ledger.child(checked, name));
  }

  close(): void {
    this.#ledger.close();
  }

  snapshot(): BudgetSnapshot {
    return this.#ledger.snapshot();
  }
}

/**
 * Creates a budget that model calls and agents draw on: put it on a context with
 * `ctx.withValue(BUDGET_KEY, budget)` (or give it to an agent) and every model call under that context
 * reserves its estimate before it runs and commits its actual usage after.
 *
 * @remarks
 * - **Limits** (each optional, absent = unlimited): `tokens` (input + output), `inputTokens`,
 *   `outputTokens`, `costUsd`, `launches` (agent runs), and `timeMs` (wall time on `clock` from
 *   creation: the {@link AgentBudget.deadline}).
 * - **Reserve.** `reserve(estimate)` refuses, with `BudgetExceededError` (`resource`, `limit`,
 *   `spent` = committed + reserved, `requested`), when committed + reserved + requested would pass a
 *   limit, or once `clock.now() ≥ deadline`. Reservations in flight count, so N parallel calls cannot
 *   all pass on the same headroom. A reservation that launches (`launches > 0`) is also refused when
 *   any limited resource has nothing left, so a fan-out stops launching agents once the budget is
 *   spent. Checks are all-or-nothing: a refused estimate holds nothing. Amounts are compared up to
 *   float rounding (a relative 1e-12), so $0.1 and $0.2 fit a $0.3 limit and leave nothing held once settled.
 * - **Commit / release.** `commit(actual)` replaces the estimate with the actual spend (absent fields
 *   are 0); `release()` drops it. The first call takes effect, later ones are ignored. An actual above
 *   its estimate is accepted: committed spend can exceed a limit by at most the sum over commits of
 *   `max(0, actual - estimate)`, and never when every actual is within its estimate.
 * - **Soft limits** (`soft`, each ≤ its hard limit): when committed spend reaches one (for `timeMs`:
 *   at the first reservation after it), one `budget` event with `level: "soft"` is reported; nothing
 *   is refused. Once per resource per budget.
 * - **Children.** `child(limits)` carves a budget out of what is left here: each limit must fit
 *   `limit - committed - reserved` of this budget, and is held here until the child is closed. A
 *   resource the child does not limit passes through: its reservations count here directly. The
 *   child's commits count at once as spent here (and consume the carve-out). `close()` returns the
 *   unused carve-out (closing open grandchildren first) and refuses later reservations; reservations
 *   in flight still commit. A child's deadline is the earlier of the parent's and its own `timeMs`.
 * - **Events.** With a subscriber (`subscribe` from `@tta/primitives`), each refusal reports a `budget`
 *   event with `level: "hard"`, and each soft limit crossed one with `level: "soft"`; `workflowId` and
 *   `correlationId` come from the `ctx` given to `reserve`. Names and amounts only, never content.
 * - **Cost.** `reserve` + `commit` allocate only the reservation object; amounts are plain numbers.
 *
 * @param options - limits, `soft` limits, `name` and `clock`; see {@link BudgetOptions}.
 * @throws `InvalidOptionsError` naming the option: a limit that is not a finite number ≥ 0
 * (``Expected `costUsd` to be a finite number ≥ 0, got -1``), a soft limit above its hard limit
 * (`soft.tokens`), an empty `name`, a `clock` without `now()`, an unknown key.
 * @example
 * ```ts
 * const budget = createBudget({ name: "run", tokens: 50_000, costUsd: 2, timeMs: 60_000, soft: { costUsd: 1.5 } });
 * const ctx = createContext().withValue(BUDGET_KEY, budget);
 * const research = budget.child({ tokens: 10_000 }, { name: "research" });
 * // … run agents …
 * research.close();
 * budget.snapshot().remaining.tokens;
 * ```
 * @since 0.1.0
 */
export function createBudget(options?: BudgetOptions): AgentBudget {
  const o = readOptions("createBudget", options, OPTION_KEYS);
  const limits = limitsFrom(o, "");
  const soft = softLimitsFrom(o.soft, limits);
  const name = nameOption(o.name, "budget");
  const clock = clockOption(o.clock, systemClock);
  return new LedgerBudget(new Ledger(name, clock, limits, soft, undefined));
}
