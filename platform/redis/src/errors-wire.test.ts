import {
  BudgetExceededError,
  BulkheadRejectedError,
  CircuitOpenError,
  CompensationError,
  FallbackError,
  InvalidOptionsError,
  ProviderError,
  RateLimitedError,
  RouteNotFoundError,
  StreamInterruptedError,
  StructuredOutputError,
  TimeoutError,
  TtaError,
  isTtaError,
} from "@tta/primitives/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deserializeError, isWireError, serializeError } from "./errors-wire.js";
import { RedisUnavailableError } from "./queue/connection.js";
import { errorFromReason, wireReason } from "./queue/job-data.js";

/** Through JSON, as on the queue. */
const roundTrip = (error: unknown, exposeStacks = false): Error =>
  deserializeError(JSON.parse(JSON.stringify(serializeError(error, { exposeStacks }))) as never);

const makers: Record<string, (message: string, n: number) => Error> = {
  timeout: (m, n) => new TimeoutError(m, { timeoutMs: n }),
  circuit: (m, n) => new CircuitOpenError(m, n % 2 === 0 ? n : Infinity),
  rate: (m, n) => new RateLimitedError(m, n),
  budget: (m, n) => new BudgetExceededError(m, { resource: "costUsd", limit: n, spent: n / 2, requested: 1 }),
  provider: (m, n) => new ProviderError(m, { provider: "p", model: "m", status: 400 + (n % 200), retryAfterMs: n }),
  options: (m) => new InvalidOptionsError("timeoutMs", m),
  bulkhead: (m) => new BulkheadRejectedError(m),
  route: (m) => new RouteNotFoundError("x", ["a", "b"], m),
  stream: (m) => new StreamInterruptedError(m, { provider: "p", model: "m", text: "partial" }),
  structured: (m) => new StructuredOutputError(m, [{ message: "bad", path: ["a", 0] }]),
  base: (m) => new TtaError("NON_ERROR_THROWN", m),
  redis: (m) => new RedisUnavailableError(m),
};

const FIELDS = ["name", "code", "message", "retryable", "retryAfterMs", "timeoutMs", "status", "provider", "model"];
const fieldsOf = (e: Error): Record<string, unknown> =>
  Object.fromEntries(FIELDS.map((k) => [k, (e as unknown as Record<string, unknown>)[k]]));

describe("error wire format", () => {
  it("rebuilds every TTA error as the same class with the same fields (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(makers)),
        fc.string({ maxLength: 50 }),
        fc.nat({ max: 1e9 }),
        (kind, message, n) => {
          const original = (makers[kind] as (m: string, n: number) => Error)(message, n);
          const rebuilt = roundTrip(original);
          expect(rebuilt.constructor).toBe(original.constructor);
          expect(isTtaError(rebuilt)).toBe(true);
          expect(fieldsOf(rebuilt)).toEqual(fieldsOf(original));
        },
      ),
    );
  });

  it("keeps class-specific details", () => {
    expect(roundTrip(makers.budget?.("b", 10))).toMatchObject({
      resource: "costUsd",
      limit: 10,
      spent: 5,
      requested: 1,
    });
    expect(roundTrip(makers.route?.("r", 0))).toMatchObject({ route: "x", routes: ["a", "b"] });
    expect(roundTrip(makers.stream?.("s", 0))).toMatchObject({ text: "partial" });
    expect(roundTrip(makers.structured?.("s", 0))).toMatchObject({ issues: [{ message: "bad", path: ["a", 0] }] });
    expect(roundTrip(makers.options?.("o", 0))).toMatchObject({ option: "timeoutMs" });
  });

  it("rebuilds nested fallback and compensation errors", () => {
    const fallback = roundTrip(new FallbackError("all failed", [new TimeoutError("t"), new TypeError("x")]));
    expect(fallback).toBeInstanceOf(FallbackError);
    const [first, second] = (fallback as FallbackError).errors;
    expect(first).toBeInstanceOf(TimeoutError);
    expect(second).toMatchObject({ name: "TypeError", message: "x" });
    const compensation = roundTrip(
      new CompensationError("undo failed", new RateLimitedError("r", 5), [new Error("u")]),
    );
    expect((compensation as CompensationError).originalError).toBeInstanceOf(RateLimitedError);
    expect((compensation as CompensationError).compensationErrors).toHaveLength(1);
  });

  it("turns other errors into plain errors with the same name and message, without the remote stack", () => {
    const original = new RangeError("out of range");
    const rebuilt = roundTrip(original);
    expect(rebuilt).toBeInstanceOf(Error);
    expect(isTtaError(rebuilt)).toBe(false);
    expect(rebuilt).toMatchObject({ name: "RangeError", message: "out of range" });
    expect(rebuilt.stack).not.toBe(original.stack);
    expect(roundTrip(original, true).stack).toBe(original.stack);
    expect(roundTrip("a string").message).toBe("A non-Error value was thrown (string)");
  });

  it("redacts secrets from messages", () => {
    const wire = serializeError(new Error("failed with Authorization: Bearer sk-abcdefghijklmnopqrstuvwxyz123456"));
    expect(wire.message).not.toContain("sk-abcdefghijklmnopqrstuvwxyz123456");
  });

  it("carries errors through a job's failedReason, and names BullMQ's own failures", () => {
    const error = errorFromReason(wireReason(serializeError(new CircuitOpenError("open", 10))));
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(errorFromReason("job stalled more than allowable limit")).toMatchObject({
      name: "RemoteJobFailedError",
      message: "job stalled more than allowable limit",
    });
    expect(errorFromReason("tta-error:{not json")).toMatchObject({ name: "RemoteJobFailedError" });
    expect(isWireError({ v: 2, name: "x", message: "y" })).toBe(false);
  });
});
