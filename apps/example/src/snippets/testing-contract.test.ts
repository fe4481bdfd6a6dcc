import { describePrimitiveContract } from "@tta/primitives/testing";
import { CallBudget } from "./custom-primitive.js";

// Registers a vitest `describe` block: input passed on and never mutated, aborts honoured (top-level
// and nested), errors passed through unchanged, a tta.<kind> span with the inner work nested under it.
describePrimitiveContract("CallBudget", (inner) => new CallBudget(inner, 1_000));
