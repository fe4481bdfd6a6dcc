import {
  BudgetExceededError,
  type Executable,
  type PrimitiveLike,
  type WorkflowContext,
  WorkflowPrimitive,
  toExecutable,
} from "@tta/primitives";

/** Lets at most `maxCalls` executions of `inner` through, then fails fast with BUDGET_EXCEEDED. */
export class CallBudget<I, O> extends WorkflowPrimitive<I, O> {
  readonly #inner: Executable<I, O>;
  readonly #maxCalls: number;
  #calls = 0;

  constructor(inner: PrimitiveLike<I, O>, maxCalls: number) {
    super({ kind: "call-budget" }); // span name "tta.call-budget"; `name` defaults to "CallBudget"
    this.#inner = toExecutable(inner, "inner"); // accepts primitives, executables and plain functions
    this.#maxCalls = maxCalls;
  }

  protected async run(input: I, ctx: WorkflowContext): Promise<O> {
    const calls = ++this.#calls;
    this.currentSpan(ctx)?.setAttribute("tta.call_budget.calls", calls); // undefined when tracing is off
    if (calls > this.#maxCalls) throw new BudgetExceededError(`more than ${this.#maxCalls} calls`);
    return await this.#inner.execute(input, ctx); // pass ctx on: cancellation, state and span nesting follow it
  }
}
