/**
 * Type-level tests: types flow through saga steps, compensations, bulkhead and rate limit.
 */
import { describe, expectTypeOf, it } from "vitest";
import { lambda } from "../core/lambda.js";
import { bulkhead } from "./bulkhead.js";
import type { BulkheadPrimitive } from "./bulkhead.js";
import { compensation } from "./compensation.js";
import type { CompensationPrimitive } from "./compensation.js";
import { rateLimit } from "./rate-limit.js";
import type { RateLimitPrimitive } from "./rate-limit.js";
import { saga } from "./saga.js";
import type { SagaPrimitive } from "./saga.js";

interface Order {
  readonly id: string;
  readonly amount: number;
}

describe("saga", () => {
  it("flows the output type through .step and types each undo's input and output", () => {
    const flow = saga<Order>()
      .step(
        (order) => {
          expectTypeOf(order).toEqualTypeOf<Order>();
          return { order, reservation: 7 };
        },
        ({ input, output }) => {
          expectTypeOf(input).toEqualTypeOf<Order>();
          expectTypeOf(output).toEqualTypeOf<{ order: Order; reservation: number }>();
        },
      )
      .step(
        async (r) => `charge-${r.reservation}`,
        ({ output }) => {
          expectTypeOf(output).toEqualTypeOf<string>();
        },
      );
    expectTypeOf(flow).toEqualTypeOf<SagaPrimitive<Order, string>>();
    expectTypeOf(saga<number>()).toEqualTypeOf<SagaPrimitive<number, number>>();
  });

  it("rejects a step whose input does not match the previous output", () => {
    const numbers = saga<number>();
    const length = lambda((s: string) => s.length);
    const noop = (): undefined => undefined;
    // @ts-expect-error -- the first step receives a number, not a string
    numbers.step(length, noop);
  });
});

describe("compensation, bulkhead, rateLimit", () => {
  it("keep the inner primitive's types", () => {
    const charge = lambda((o: Order) => o.amount);
    expectTypeOf(
      compensation(charge, ({ input, error }) => {
        expectTypeOf(input).toEqualTypeOf<Order>();
        expectTypeOf(error).toEqualTypeOf<unknown>();
      }),
    ).toEqualTypeOf<CompensationPrimitive<Order, number>>();
    expectTypeOf(bulkhead(charge, { maxConcurrent: 2 })).toEqualTypeOf<BulkheadPrimitive<Order, number>>();
    const limited = rateLimit(charge, {
      tokensPerInterval: 10,
      intervalMs: 1_000,
      cost: (o) => {
        expectTypeOf(o).toEqualTypeOf<Order>();
        return o.amount;
      },
    });
    expectTypeOf(limited).toEqualTypeOf<RateLimitPrimitive<Order, number>>();
  });
});
