/**
 * Type-level tests: input and output types flow through `circuitBreaker` (DESIGN §1.2).
 */
import { describe, expectTypeOf, it } from "vitest";
import { lambda } from "../core/index.js";
import type { CircuitState, SequentialPrimitive } from "../core/index.js";
import { MockPrimitive } from "../testing/index.js";
import { circuitBreaker } from "./circuit-breaker.js";
import type { CircuitBreakerPrimitive, CircuitStateChange } from "./circuit-breaker.js";

describe("circuitBreaker types", () => {
  it("infers input and output from a function, a primitive or an executable", () => {
    expectTypeOf(circuitBreaker((s: string) => s.length)).toEqualTypeOf<CircuitBreakerPrimitive<string, number>>();
    expectTypeOf(circuitBreaker(async (n: number) => `${n}`)).toEqualTypeOf<CircuitBreakerPrimitive<number, string>>();
    expectTypeOf(circuitBreaker(new MockPrimitive<{ q: string }, boolean>())).toEqualTypeOf<
      CircuitBreakerPrimitive<{ q: string }, boolean>
    >();
    expectTypeOf(circuitBreaker({ execute: async (n: number) => n > 1 })).toEqualTypeOf<
      CircuitBreakerPrimitive<number, boolean>
    >();
  });

  it("composes with pipe and exposes a typed state", () => {
    const guarded = circuitBreaker(lambda((s: string) => s.length));
    expectTypeOf(guarded.pipe((n) => n > 2)).toEqualTypeOf<SequentialPrimitive<string, boolean>>();
    expectTypeOf(guarded.state).toEqualTypeOf<CircuitState>();
    expectTypeOf(guarded.onStateChange).parameter(0).parameter(0).toEqualTypeOf<CircuitStateChange>();
    expectTypeOf(guarded.execute).returns.toEqualTypeOf<Promise<number>>();
  });

  it("rejects a wrong option type and a window of an unknown kind", () => {
    // @ts-expect-error: failureThreshold is a number
    circuitBreaker((n: number) => n, { failureThreshold: "5" });
    // @ts-expect-error: window.kind is "count" | "time"
    circuitBreaker((n: number) => n, { window: { kind: "sliding", size: 5 } });
  });
});
