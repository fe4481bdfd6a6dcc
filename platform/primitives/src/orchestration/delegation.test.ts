import { SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { WorkflowContext } from "../core/context.js";
import { RouteNotFoundError, isTtaError } from "../core/errors.js";
import {
  MockLanguageModel,
  MockPrimitive,
  SpanRecorder,
  createTestContext,
  describePrimitiveContract,
} from "../testing/index.js";
import { invalidOption } from "../test-support/index.js";
import { classifyTask } from "./classifier.js";
import { DelegationPrimitive, delegate } from "./delegation.js";
import type { DelegationOptions } from "./delegation.js";
import type { ModelRequest, ModelResponse } from "./language-model.js";
import { model } from "./model.js";

describePrimitiveContract("delegate", (inner) => delegate({ executors: { only: inner }, select: () => "only" }));
describePrimitiveContract("delegate with a Map", (inner) =>
  delegate({ executors: new Map([["only", inner]]), select: async () => "only" }),
);

function executors() {
  return {
    "gpt-4o-mini": new MockPrimitive<string, string>({ returns: "small" }),
    "o4-mini": new MockPrimitive<string, string>({ returns: "reasoner" }),
  };
}

describe("delegating", () => {
  it("runs the executor of the id select returns, with the input and context, and no other", async () => {
    const e = executors();
    const ctx = createTestContext();
    const flow = delegate({ executors: e, select: (q) => (q.startsWith("prove") ? "o4-mini" : "gpt-4o-mini") });
    await expect(flow.execute("prove it", ctx)).resolves.toBe("reasoner");
    expect(e["o4-mini"].calls[0]?.input).toBe("prove it");
    expect(e["o4-mini"].calls[0]?.context.correlationId).toBe(ctx.correlationId);
    expect(e["gpt-4o-mini"].callCount).toBe(0);
  });

  it("awaits an async select on the context's clock", async () => {
    const e = executors();
    const ctx = createTestContext();
    const select = async (_: string, c: WorkflowContext) => {
      await c.clock.sleep(25, c.signal);
      return "gpt-4o-mini";
    };
    const run = delegate({ executors: e, select }).execute("hi", ctx);
    await ctx.clock.advance(25);
    await expect(run).resolves.toBe("small");
  });

  it("takes a Map of executors, and plain functions as executors", async () => {
    const flow = delegate({
      executors: new Map<string, (n: number) => number>([
        ["double", (n) => n * 2],
        ["square", (n) => n * n],
      ]),
      select: (n) => (n > 3 ? "square" : "double"),
    });
    await expect(flow.execute(2)).resolves.toBe(4);
    await expect(flow.execute(5)).resolves.toBe(25);
    expect(flow.executorIds).toEqual(["double", "square"]);
  });

  it("composes with the classifier: the model is picked from the task's complexity", async () => {
    const classify = classifyTask();
    const small = new MockLanguageModel({ modelId: "gpt-4o-mini", responses: ["small answer"] });
    const large = new MockLanguageModel({ modelId: "o4-mini", responses: ["careful answer"] });
    const answer = delegate({
      executors: { "gpt-4o-mini": model(small), "o4-mini": model(large) },
      select: async (request: ModelRequest, ctx) =>
        (await classify.execute(request, ctx)).complexity === "complex" ? "o4-mini" : "gpt-4o-mini",
    });
    const ask = (content: string) => answer.execute({ messages: [{ role: "user", content }] });
    await expect(ask("Prove that √2 is irrational")).resolves.toMatchObject({ text: "careful answer" });
    await expect(ask("Hello!")).resolves.toMatchObject({ text: "small answer" });
    expectTypeOf(answer).toEqualTypeOf<DelegationPrimitive<ModelRequest, ModelResponse>>();
  });

  it("an executor's error and a select error pass through unchanged", async () => {
    const error = new Error("executor broke");
    const failing = delegate({
      executors: { a: new MockPrimitive<number, number>({ failTimes: 1, error }) },
      select: () => "a",
    });
    await expect(failing.execute(1)).rejects.toBe(error);
    const selectError = new Error("select broke");
    const e = executors();
    const broken = delegate({
      executors: e,
      select: () => {
        throw selectError;
      },
    });
    await expect(broken.execute("x")).rejects.toBe(selectError);
    expect(e["gpt-4o-mini"].callCount + e["o4-mini"].callCount).toBe(0);
  });
});

describe("unknown ids", () => {
  it("reject with RouteNotFoundError naming the id and listing the registered ids", async () => {
    const e = executors();
    const error = await delegate({ executors: e, select: () => "claude-opus-4-1" })
      .execute("x", createTestContext())
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RouteNotFoundError);
    expect(isTtaError(error, "ROUTE_NOT_FOUND")).toBe(true);
    expect(error).toMatchObject({ route: "claude-opus-4-1", routes: ["gpt-4o-mini", "o4-mini"], retryable: false });
    expect((error as Error).message).toBe('No route for key "claude-opus-4-1"; known routes: "gpt-4o-mini", "o4-mini"');
    expect(e["gpt-4o-mini"].callCount + e["o4-mini"].callCount).toBe(0);
  });

  it.each(["constructor", "__proto__", "toString", "gpt-4o"])(
    "%j is not a registered id (no prototype or prefix match)",
    async (id) => {
      const error = await delegate({ executors: executors(), select: () => id })
        .execute("x")
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(RouteNotFoundError);
    },
  );

  it("a non-string id from an untyped select is reported as a string", async () => {
    const error = await delegate({ executors: executors(), select: () => 42 as unknown as string })
      .execute("x")
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ route: "42" });
  });
});

describe("spans", () => {
  it("record the chosen id as tta.delegate.target, with the executor nested under tta.delegation", async () => {
    const recorder = new SpanRecorder().install();
    try {
      await delegate({ executors: executors(), select: () => "o4-mini", name: "by-model" }).execute("x");
      expect(recorder.tree()).toBe("tta.delegation\n  tta.mock");
      const span = recorder.spans.find((s) => s.name === "tta.delegation");
      expect(span?.attributes).toMatchObject({ "tta.primitive.name": "by-model", "tta.delegate.target": "o4-mini" });
    } finally {
      recorder.uninstall();
    }
  });

  it("do not record an unknown id", async () => {
    const recorder = new SpanRecorder().install();
    try {
      await delegate({ executors: executors(), select: () => "user-supplied" })
        .execute("x")
        .catch(() => undefined);
      const span = recorder.spans.find((s) => s.name === "tta.delegation");
      expect(span?.attributes["tta.delegate.target"]).toBeUndefined();
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    } finally {
      recorder.uninstall();
    }
  });
});

describe("construction", () => {
  const id = (n: number): number => n;
  const pick = (key: string) => (): string => key;

  it.each([
    ["no executors", { select: pick("a") }, "executors"],
    ["an empty record", { executors: {}, select: pick("a") }, "executors"],
    ["an empty Map", { executors: new Map(), select: pick("a") }, "executors"],
    ["an array", { executors: [id], select: pick("0") }, "executors"],
    ["a Map with a non-string key", { executors: new Map([[1, id]]), select: pick("1") }, "executors"],
    ["an executor that is not a primitive", { executors: { a: id, b: 42 }, select: pick("a") }, "executors.b"],
    ["a Map executor that is not a primitive", { executors: new Map([["m", "x"]]), select: pick("m") }, "executors.m"],
    ["no select", { executors: { a: id } }, "select"],
    ["select not a function", { executors: { a: id }, select: "a" }, "select"],
    ["an unknown option", { executors: { a: id }, select: pick("a"), default: "a" }, "default"],
    ["an empty name", { executors: { a: id }, select: pick("a"), name: "" }, "name"],
  ])("%s throws InvalidOptionsError naming %j", (_, options, option) => {
    expect(
      invalidOption(() => new DelegationPrimitive(options as unknown as DelegationOptions<number, number>)).option,
    ).toBe(option);
  });

  it("has kind delegation and a default name", () => {
    const flow = delegate({ executors: { a: id }, select: pick("a") });
    expect(flow.kind).toBe("delegation");
    expect(flow.name).toBe("DelegationPrimitive");
    expectTypeOf(flow).toEqualTypeOf<DelegationPrimitive<number, number>>();
  });
});
