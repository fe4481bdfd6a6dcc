/**
 * `LedgerReservation`: the `Reservation` a budget hands out. Internal to the budget.
 *
 * @packageDocumentation
 */
import type { Reservation, Spend, WorkflowContext } from "@tta/primitives";
import type { Ledger } from "./ledger.js";
import { checkSpendObject, spendAmount } from "./validate.js";

/**
 * An estimate held in a budget: plain fields, no closures. The first `commit` or `release` takes
 * effect; later calls (of either) are ignored.
 */
export class LedgerReservation implements Reservation {
  readonly #ledger: Ledger;
  readonly #inputTokens: number;
  readonly #outputTokens: number;
  readonly #costUsd: number;
  readonly #launches: number;
  readonly #ctx: WorkflowContext | undefined;
  #open = true;

  constructor(
    ledger: Ledger,
    inputTokens: number,
    outputTokens: number,
    costUsd: number,
    launches: number,
    ctx: WorkflowContext | undefined,
  ) {
    this.#ledger = ledger;
    this.#inputTokens = inputTokens;
    this.#outputTokens = outputTokens;
    this.#costUsd = costUsd;
    this.#launches = launches;
    this.#ctx = ctx;
  }

  /**
   * Replaces the estimate with `actual` (absent fields are 0), which may exceed the estimate.
   * @throws `InvalidOptionsError` naming `actual.<field>` for a bad amount; the reservation then stays open.
   */
  commit(actual: Spend): void {
    if (!this.#open) return;
    checkSpendObject("actual", actual);
    const inputTokens = spendAmount("actual.inputTokens", actual.inputTokens);
    const outputTokens = spendAmount("actual.outputTokens", actual.outputTokens);
    const costUsd = spendAmount("actual.costUsd", actual.costUsd);
    const launches = spendAmount("actual.launches", actual.launches);
    this.#open = false;
    this.#ledger.settle(
      this.#inputTokens,
      this.#outputTokens,
      this.#costUsd,
      this.#launches,
      inputTokens,
      outputTokens,
      costUsd,
      launches,
      this.#ctx,
    );
  }

  /** Drops the estimate. */
  release(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#ledger.settle(this.#inputTokens, this.#outputTokens, this.#costUsd, this.#launches, 0, 0, 0, 0, this.#ctx);
  }
}
