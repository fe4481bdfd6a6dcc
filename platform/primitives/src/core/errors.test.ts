import { describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  BulkheadRejectedError,
  CircuitOpenError,
  CompensationError,
  FallbackError,
  InvalidOptionsError,
  RateLimitedError,
  RouteNotFoundError,
  TimeoutError,
  TtaError,
  TtaErrorCode,
  isTtaError,
  toError,
} from "./index.js";

const ALL_CODES = [
  "INVALID_OPTIONS",
  "TIMEOUT",
  "CIRCUIT_OPEN",
  "FALLBACK_EXHAUSTED",
  "COMPENSATION_FAILED",
  "ROUTE_NOT_FOUND",
  "BULKHEAD_REJECTED",
  "RATE_LIMITED",
  "BUDGET_EXCEEDED",
  "NON_ERROR_THROWN",
  "UNSERIALIZABLE_KEY",
  "PROVIDER_ERROR",
  "STREAM_INTERRUPTED",
  "STRUCTURED_OUTPUT",
  "UNSERIALIZABLE_VALUE",
  "REDIS_UNAVAILABLE",
] as const;

const NOT_RETRYABLE = new Set<string>([
  "INVALID_OPTIONS",
  "CIRCUIT_OPEN",
  "BULKHEAD_REJECTED",
  "ROUTE_NOT_FOUND",
  "FALLBACK_EXHAUSTED",
  "COMPENSATION_FAILED",
  "BUDGET_EXCEEDED",
  "UNSERIALIZABLE_KEY",
  "STREAM_INTERRUPTED",
  "UNSERIALIZABLE_VALUE",
]);

/** One instance of every subclass, with the class it was made from and the code it must carry. */
const SUBCLASSES = [
  { cls: InvalidOptionsError, make: () => new InvalidOptionsError("x", "bad x"), code: "INVALID_OPTIONS" },
  { cls: TimeoutError, make: () => new TimeoutError(), code: "TIMEOUT" },
  { cls: CircuitOpenError, make: () => new CircuitOpenError("open", 10), code: "CIRCUIT_OPEN" },
  { cls: FallbackError, make: () => new FallbackError("all failed", [new Error("a")]), code: "FALLBACK_EXHAUSTED" },
  {
    cls: CompensationError,
    make: () => new CompensationError("undo failed", new Error("o"), []),
    code: "COMPENSATION_FAILED",
  },
  { cls: RouteNotFoundError, make: () => new RouteNotFoundError("k", ["a"]), code: "ROUTE_NOT_FOUND" },
  { cls: BulkheadRejectedError, make: () => new BulkheadRejectedError(), code: "BULKHEAD_REJECTED" },
  { cls: RateLimitedError, make: () => new RateLimitedError("slow down", 5), code: "RATE_LIMITED" },
  { cls: BudgetExceededError, make: () => new BudgetExceededError("over"), code: "BUDGET_EXCEEDED" },
] as const;

describe("error codes", () => {
  it("TtaErrorCode lists exactly the codes of the contract, each mapped to itself", () => {
    expect(Object.keys(TtaErrorCode).sort()).toEqual([...ALL_CODES].sort());
    for (const code of ALL_CODES) expect(TtaErrorCode[code]).toBe(code);
  });

  it.each(SUBCLASSES)("$cls.name carries code $code and is a TtaError and an Error", ({ cls, make, code }) => {
    const error = make();
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(TtaError);
    expect(error).toBeInstanceOf(Error);
    expect(isTtaError(error, code)).toBe(true);
  });
});

describe("error names", () => {
  it.each(SUBCLASSES)("$cls.name has name equal to its class name", ({ cls, make }) => {
    expect(make().name).toBe(cls.name);
  });

  it("TtaError itself is named TtaError", () => {
    expect(new TtaError("TIMEOUT", "x").name).toBe("TtaError");
  });

  it("a user subclass of TtaError is named after the subclass", () => {
    class QuotaError extends TtaError {}
    expect(new QuotaError("BUDGET_EXCEEDED", "quota").name).toBe("QuotaError");
  });

  it("the name shows up in the error's string form", () => {
    expect(String(new TimeoutError("too slow"))).toBe("TimeoutError: too slow");
  });
});

describe("retryable defaults", () => {
  it.each(ALL_CODES)("a TtaError with code %s has the contract's retryable default", (code) => {
    expect(new TtaError(code, "m").retryable).toBe(!NOT_RETRYABLE.has(code));
  });

  it.each(SUBCLASSES)("$cls.name is retryable unless its code is in the non-retryable list", ({ make, code }) => {
    expect(make().retryable).toBe(!NOT_RETRYABLE.has(code));
  });

  it("TimeoutError is retryable; CircuitOpen, InvalidOptions and BulkheadRejected are not", () => {
    expect(new TimeoutError().retryable).toBe(true);
    expect(new CircuitOpenError("open", 1).retryable).toBe(false);
    expect(new InvalidOptionsError("x", "bad").retryable).toBe(false);
    expect(new BulkheadRejectedError().retryable).toBe(false);
  });

  it("an explicit retryable option overrides the default either way", () => {
    expect(new TtaError("TIMEOUT", "m", { retryable: false }).retryable).toBe(false);
    expect(new TtaError("INVALID_OPTIONS", "m", { retryable: true }).retryable).toBe(true);
    expect(new TimeoutError("m", { retryable: false }).retryable).toBe(false);
  });
});

describe("error payloads", () => {
  it("TtaError keeps an ES2022 cause", () => {
    const cause = new Error("root");
    expect(new TtaError("TIMEOUT", "m", { cause }).cause).toBe(cause);
  });

  it("subclasses expose the data callers branch on", () => {
    expect(new InvalidOptionsError("maxRetries", "bad").option).toBe("maxRetries");
    expect(new CircuitOpenError("open", 1234).retryAfterMs).toBe(1234);
    expect(new RateLimitedError("slow", 77).retryAfterMs).toBe(77);
    expect(new TimeoutError("t", { timeoutMs: 500 }).timeoutMs).toBe(500);
    const errors = [new Error("a"), "b"];
    expect(new FallbackError("all failed", errors).errors).toEqual(errors);
    const original = new Error("forward failed");
    const undo = [new Error("undo 1")];
    const compensation = new CompensationError("undo failed", original, undo);
    expect(compensation.originalError).toBe(original);
    expect(compensation.cause).toBe(original);
    expect(compensation.compensationErrors).toEqual(undo);
  });
});

describe("isTtaError", () => {
  it("recognises TTA errors without a code and checks the code when given", () => {
    const error = new TimeoutError();
    expect(isTtaError(error)).toBe(true);
    expect(isTtaError(error, "TIMEOUT")).toBe(true);
    expect(isTtaError(error, "CIRCUIT_OPEN")).toBe(false);
  });

  it("rejects plain errors and non-objects", () => {
    for (const value of [new Error("x"), null, undefined, "TIMEOUT", 42, { code: "TIMEOUT" }])
      expect(isTtaError(value)).toBe(false);
  });

  it("recognises an error from another copy of the package by its Symbol.for brand", () => {
    const foreign = Object.create(Error.prototype, {
      [Symbol.for("tta.error")]: { value: true },
      code: { value: "TIMEOUT" },
      message: { value: "from another copy" },
    }) as unknown;
    expect(foreign instanceof TtaError).toBe(false);
    expect(isTtaError(foreign)).toBe(true);
    expect(isTtaError(foreign, "TIMEOUT")).toBe(true);
    expect(isTtaError(foreign, "RATE_LIMITED")).toBe(false);
  });

  it("does not accept a brand that is merely truthy", () => {
    const fake = { [Symbol.for("tta.error")]: "yes", code: "TIMEOUT" };
    expect(isTtaError(fake)).toBe(false);
  });
});

describe("toError", () => {
  it("returns an Error unchanged (same object), subclasses included", () => {
    const plain = new Error("x");
    const typeError = new TypeError("y");
    const tta = new TimeoutError();
    expect(toError(plain)).toBe(plain);
    expect(toError(typeError)).toBe(typeError);
    expect(toError(tta)).toBe(tta);
  });

  it.each([
    ["a string", "boom"],
    ["a number", 42],
    ["an object", { reason: "x" }],
    ["null", null],
    ["undefined", undefined],
  ])("wraps %s in a NON_ERROR_THROWN TtaError with the value as cause", (_label, value) => {
    const error = toError(value);
    expect(error).toBeInstanceOf(TtaError);
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect(error.cause).toBe(value);
  });

  it("keeps the wrapper's message short for a huge thrown string", () => {
    const error = toError("x".repeat(100_000));
    expect(error.message.length).toBeLessThan(400);
    expect((error.cause as string).length).toBe(100_000);
  });
});

describe("RouteNotFoundError", () => {
  it("names the missing key and lists the known routes", () => {
    const error = new RouteNotFoundError("nope", ["code", "chat"]);
    expect(error.message).toContain('"nope"');
    expect(error.message).toContain('"code"');
    expect(error.message).toContain('"chat"');
    expect(error.route).toBe("nope");
    expect(error.routes).toEqual(["code", "chat"]);
  });

  it("truncates a hostile long key in its message but keeps the full key on the error", () => {
    const key = "A".repeat(50_000);
    const error = new RouteNotFoundError(key, ["a", "b"]);
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).toContain('"a"');
    expect(error.route).toBe(key);
  });

  it("escapes quotes and newlines of the key in its message", () => {
    const error = new RouteNotFoundError('x"\ny', ["a"]);
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain(JSON.stringify('x"\ny'));
  });
});
