import { TtaError, TtaErrorCode, isTtaError, lambda, sequential } from "@tta/primitives";

// Errors thrown by your own steps reach the caller unchanged (same object).
const quotaError = new Error("quota exceeded");
const flow = sequential([
  (text: string) => text.trim(),
  () => {
    throw quotaError;
  },
]);
console.log((await flow.execute(" hi ").catch((error: unknown) => error)) === quotaError); // → true

// TTA's own errors are TtaErrors with a `code` and `retryable`; branch on the code with isTtaError.
const budget = new TtaError(TtaErrorCode.BUDGET_EXCEEDED, "token budget of 1000 exceeded");
console.log(budget.name, budget.code, budget.retryable, isTtaError(budget, "BUDGET_EXCEEDED")); // → TtaError BUDGET_EXCEEDED false true

// Throwing something that is not an Error: it is wrapped (NON_ERROR_THROWN), the value kept as `cause`.
const notAnError: unknown = "boom";
const wrapped = await lambda(() => {
  throw notAnError;
})
  .execute(undefined)
  .catch((error: unknown) => error);
console.log(isTtaError(wrapped, "NON_ERROR_THROWN"), (wrapped as Error).cause); // → true boom
