import { type FallbackError, isTtaError } from "@tta/primitives";
import { fallback } from "@tta/primitives/recovery";

const bigModel = (question: string): Promise<string> => Promise.reject(new Error(`big model: 503 for "${question}"`));
const otherProvider = (): Promise<string> => Promise.reject(new Error("other provider: 529 overloaded"));
const localModel = (question: string) => Promise.resolve(`local answer to "${question}"`);

// Tried in order with the same input; the first success wins.
console.log(await fallback(bigModel, { fallbacks: [otherProvider, localModel] }).execute("hi")); // → local answer to "hi"

// All fail: a FallbackError with every error, in order (and the last one as `cause`).
const exhausted = (await fallback(bigModel, { fallbacks: otherProvider })
  .execute("hi")
  .catch((error: unknown) => error)) as FallbackError;
const messages = exhausted.errors.map((error) => (error as Error).message);
console.log(exhausted.code, messages);
// → FALLBACK_EXHAUSTED [ 'big model: 503 for "hi"', 'other provider: 529 overloaded' ]

// `when` filters: only timeouts fall back here, anything else is rethrown at once, unchanged.
const onTimeoutOnly = fallback(bigModel, { fallbacks: localModel, when: (error) => isTtaError(error, "TIMEOUT") });
console.log(await onTimeoutOnly.execute("hi").catch((error: Error) => error.message)); // → big model: 503 for "hi"
