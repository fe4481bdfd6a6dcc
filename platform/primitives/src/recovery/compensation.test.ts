import { describe, expect, it } from "vitest";
import { CompensationError, isTtaError, lambda } from "../core/index.js";
import type { WorkflowContext } from "../core/index.js";
import { MockPrimitive, SpanRecorder, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { CompensationPrimitive, DEFAULT_COMPENSATION_OPTIONS, compensation } from "./compensation.js";
import type { CompensationInput } from "./compensation.js";
import { invalidOption, track } from "../test-support/index.js";

describePrimitiveContract("compensation (no-op undo)", (inner) => compensation(inner, () => undefined));

describe("compensation", () => {
  it("returns the forward result and runs no undo on success", async () => {
    const undo = new MockPrimitive<CompensationInput<number>, void>();
    await expect(compensation((n: number) => n * 2, undo).execute(21)).resolves.toBe(42);
    expect(undo.callCount).toBe(0);
  });

  it("on failure runs compensate({ input, error }) with the original input, then rethrows the same error", async () => {
    const boom = new Error("upload failed");
    const input = { key: "k1" };
    const undo = new MockPrimitive<CompensationInput<{ key: string }>, void>();
    const flow = new CompensationPrimitive((_: { key: string }) => Promise.reject(boom), undo);
    await expect(flow.execute(input)).rejects.toBe(boom);
    expect(undo.callCount).toBe(1);
    expect(undo.calls[0]?.input.input).toBe(input);
    expect(undo.calls[0]?.input.error).toBe(boom);
  });

  it("a failing undo yields CompensationError with the forward error and the undo error", async () => {
    const boom = new Error("forward");
    const undoError = new Error("undo");
    const flow = compensation(
      () => Promise.reject(boom),
      () => Promise.reject(undoError),
    );
    const error = (await flow.execute(1).catch((e: unknown) => e)) as CompensationError;
    expect(error).toBeInstanceOf(CompensationError);
    expect(isTtaError(error, "COMPENSATION_FAILED")).toBe(true);
    expect(error.originalError).toBe(boom);
    expect(error.cause).toBe(boom);
    expect(error.compensationErrors).toEqual([undoError]);
  });

  it("passes a wrapped non-Error forward throw to the undo and rethrows it", async () => {
    let seen: unknown;
    const flow = compensation(
      () => Promise.reject("plain"),
      ({ error }) => {
        seen = error;
      },
    );
    const error: unknown = await flow.execute(1).catch((e: unknown) => e);
    expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
    expect(seen).toBe(error);
  });

  it("accepts a primitive as the undo (e.g. a wrapped one) and runs it under the compensation span", async () => {
    const recorder = new SpanRecorder().install();
    try {
      const boom = new Error("x");
      const flow = compensation(
        lambda(() => Promise.reject(boom), "forward"),
        lambda(() => undefined, "undo"),
        { name: "upload" },
      );
      await expect(flow.execute(1, createTestContext())).rejects.toBe(boom);
      expect(recorder.tree()).toBe("tta.compensation\n  tta.lambda\n  tta.lambda");
      expect(recorder.spans[0]?.attributes["tta.primitive.name"]).toBe("upload");
      expect(recorder.spans[0]?.attributes["tta.compensation.compensated"]).toBe(true);
      expect(recorder.spans.map((s) => s.attributes["tta.primitive.name"])).toEqual(["upload", "forward", "undo"]);
    } finally {
      recorder.uninstall();
    }
  });

  it("the undo runs after an abort, with a signal that is not aborted, and gets the reason as error", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    let undoSignalAborted: boolean | undefined;
    let undoError: unknown;
    const flow = compensation(
      (_: number, c: WorkflowContext) => c.clock.sleep(1_000, c.signal),
      ({ error }, c) => {
        undoSignalAborted = c.signal.aborted;
        undoError = error;
      },
    );
    const run = flow.execute(1, ctx);
    run.catch(() => undefined);
    await ctx.clock.advance(10);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(undoSignalAborted).toBe(false);
    expect(undoError).toBe(reason);
  });

  it("a forward that completes after the abort is undone and the call rejects with the reason", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const undo = new MockPrimitive<CompensationInput<number>, void>();
    const flow = compensation(async (n: number, c: WorkflowContext) => {
      await c.clock.sleep(100); // ignores the signal
      return n;
    }, undo);
    const run = track(flow.execute(1, ctx));
    const reason = new Error("stop");
    controller.abort(reason);
    await ctx.clock.advance(99);
    expect(run.state).toBe("pending");
    await ctx.clock.advance(1);
    expect(run.state).toBe("rejected");
    expect(run.error).toBe(reason);
    expect(undo.calls[0]?.input).toEqual({ input: 1, error: reason });
  });

  it("top-level: a hung undo holds the caller for compensationTimeoutMs at most", async () => {
    const controller = new AbortController();
    const ctx = createTestContext({ signal: controller.signal });
    const flow = compensation(
      (_: number, c: WorkflowContext) => c.clock.sleep(1_000, c.signal),
      () => new Promise<never>(() => undefined),
      { compensationTimeoutMs: 2_000 },
    );
    const run = track(flow.execute(1, ctx));
    const reason = new Error("stop");
    controller.abort(reason);
    await ctx.clock.advance(1_999);
    expect(run.state).toBe("pending");
    await ctx.clock.advance(1);
    expect(run.state).toBe("rejected");
    expect(run.error).toBe(reason);
  });
});

describe("compensation: bad input", () => {
  it("validates forward, compensate and options", () => {
    expect(invalidOption(() => compensation(null as never, () => undefined)).option).toBe("forward");
    expect(invalidOption(() => compensation((x: number) => x, {} as never)).option).toBe("compensate");
    expect(
      invalidOption(() =>
        compensation(
          (x: number) => x,
          () => undefined,
          { retries: 1 } as never,
        ),
      ).option,
    ).toBe("retries");
    for (const bad of [0, -5, NaN, Infinity, "1"])
      expect(
        invalidOption(() =>
          compensation(
            (x: number) => x,
            () => undefined,
            { compensationTimeoutMs: bad as never },
          ),
        ).option,
      ).toBe("compensationTimeoutMs");
    expect(
      invalidOption(() =>
        compensation(
          (x: number) => x,
          () => undefined,
          { name: "" },
        ),
      ).option,
    ).toBe("name");
    for (const bad of [null, [], new Map(), "x"])
      invalidOption(() =>
        compensation(
          (x: number) => x,
          () => undefined,
          bad as never,
        ),
      );
  });

  it("treats null option values as defaults", () => {
    const c = compensation(
      (x: number) => x,
      () => undefined,
      { compensationTimeoutMs: null, name: null } as never,
    );
    expect(c.options).toEqual(DEFAULT_COMPENSATION_OPTIONS);
    expect(c.name).toBe("CompensationPrimitive");
  });
});

describe("compensation: foreign executables", () => {
  it("compensates a forward object whose execute throws synchronously", async () => {
    const boom = new Error("sync");
    const undo = new MockPrimitive<CompensationInput<number>, void>();
    const forward = {
      execute: (): Promise<number> => {
        throw boom;
      },
    };
    await expect(compensation(forward, undo).execute(1)).rejects.toBe(boom);
    expect(undo.calls[0]?.input).toEqual({ input: 1, error: boom });
  });
});
