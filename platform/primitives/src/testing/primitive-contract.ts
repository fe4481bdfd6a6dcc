/**
 * `describePrimitiveContract`: the conformance suite every primitive runs (third-party ones too).
 *
 * @packageDocumentation
 */
import type * as VitestApi from "vitest";
import { isTtaError } from "../core/errors.js";
import type { Executable } from "../core/workflow-primitive.js";
import { MockPrimitive } from "./mock-primitive.js";
import type { MockPrimitiveOptions } from "./mock-primitive.js";
import { SpanRecorder } from "./span-recorder.js";
import { createTestContext } from "./test-context.js";

/**
 * Builds the primitive under test around `inner`, the work it must run (a {@link MockPrimitive}).
 * @since 0.1.0
 */
export type ContractFactory = (inner: MockPrimitive<unknown, unknown>) => Executable<unknown, unknown>;

/** Options of {@link describePrimitiveContract}. @since 0.1.0 */
export interface ContractOptions {
  /**
   * Whether an error thrown by `inner` must reach the caller unchanged (same object). Set `false`
   * for primitives that by design replace errors (e.g. a fallback that always recovers).
   * @defaultValue true
   */
  readonly errorsPassThrough?: boolean;
  /** The input used by the suite. @defaultValue a nested, deep-frozen object */
  readonly input?: unknown;
  /**
   * The exact name of the span the primitive under test opens, for a primitive that follows another
   * naming convention (a model call's GenAI span is `chat {model}`). @defaultValue any `tta.<kind>`
   */
  readonly spanName?: string;
}

// vitest is an optional peer: load it here so the rest of the testing kit works without it.
let vitestApi: typeof VitestApi | undefined;
try {
  vitestApi = await import("vitest");
} catch {
  vitestApi = undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/**
 * Registers a vitest `describe` block that checks the contract every primitive must meet.
 *
 * @remarks
 * The checks: the input is passed on and never mutated; an already-aborted signal rejects with the
 * signal's reason before any work; an abort during the work is honoured (top-level and nested);
 * errors pass through unchanged and non-`Error` throws are wrapped as `NON_ERROR_THROWN`; a span
 * `tta.<kind>` (or `options.spanName`) is produced with the inner work's span nested under it.
 * Requires `vitest`.
 *
 * @example
 * ```ts
 * describePrimitiveContract("sequential", (inner) => sequential([inner]));
 * ```
 * @since 0.1.0
 */
export function describePrimitiveContract(name: string, factory: ContractFactory, options: ContractOptions = {}): void {
  if (vitestApi === undefined)
    throw new Error("describePrimitiveContract needs `vitest` (an optional peer dependency of @tta/primitives)");
  const { describe, expect, it } = vitestApi;
  const errorsPassThrough = options.errorsPassThrough ?? true;
  const makeInput = (): unknown =>
    deepFreeze(
      options.input === undefined ? { query: "hello", nested: { list: [1, 2, 3] } } : structuredClone(options.input),
    );
  const build = (
    mock: MockPrimitiveOptions<unknown, unknown>,
  ): { inner: MockPrimitive; subject: Executable<unknown, unknown> } => {
    const inner = new MockPrimitive<unknown, unknown>(mock);
    return { inner, subject: factory(inner) };
  };

  describe(`${name} satisfies the primitive contract`, () => {
    it("passes the input on and never mutates it", async () => {
      const input = makeInput();
      const snapshot = structuredClone(input);
      const { inner, subject } = build({ returns: "ok" });
      await subject.execute(input, createTestContext());
      expect(inner.callCount).toBeGreaterThan(0);
      expect(inner.calls[0]?.input).toEqual(snapshot);
      expect(input).toEqual(snapshot);
    });

    it("rejects with the signal's reason before any work when already aborted", async () => {
      const controller = new AbortController();
      const reason = new Error("cancelled before start");
      controller.abort(reason);
      const { inner, subject } = build({ returns: "ok" });
      await expect(subject.execute(makeInput(), createTestContext({ signal: controller.signal }))).rejects.toBe(reason);
      expect(inner.callCount).toBe(0);
    });

    it("honours an abort during the work with the signal's reason", async () => {
      const controller = new AbortController();
      const reason = new Error("cancelled mid-flight");
      const ctx = createTestContext({ signal: controller.signal });
      const { inner, subject } = build({ latencyMs: 60_000, returns: "late" });
      const run = subject.execute(makeInput(), ctx);
      run.catch(() => undefined);
      await ctx.clock.advance(1);
      expect(inner.callCount).toBeGreaterThan(0);
      controller.abort(reason);
      await expect(run).rejects.toBe(reason);
    });

    it("honours an abort during the work when executed inside another primitive (cooperative)", async () => {
      const controller = new AbortController();
      const reason = new Error("cancelled while nested");
      const ctx = createTestContext({ signal: controller.signal });
      const { inner, subject } = build({ latencyMs: 60_000, returns: "late" });
      let nested: Promise<unknown> | undefined;
      const outer = new MockPrimitive<unknown, unknown>({ impl: (input, c) => (nested = subject.execute(input, c)) });
      const run = outer.execute(makeInput(), ctx);
      run.catch(() => undefined);
      await ctx.clock.advance(1);
      expect(inner.callCount).toBeGreaterThan(0);
      controller.abort(reason);
      // The nested run gets no race from a top-level call: it must settle because the work observed the abort.
      const settled = await Promise.race([
        (nested as Promise<unknown>).then(
          () => "resolved",
          (e: unknown) => e,
        ),
        ctx.clock.advance(0).then(() => "still pending"),
      ]);
      expect(settled).toBe(reason);
    });

    if (errorsPassThrough) {
      it("passes the inner error through unchanged (same object)", async () => {
        const error = new Error("inner failure");
        const { subject } = build({ failTimes: Infinity, error });
        await expect(subject.execute(makeInput(), createTestContext())).rejects.toBe(error);
      });

      it("wraps a non-Error throw as NON_ERROR_THROWN with the value as cause", async () => {
        const { subject } = build({ failTimes: Infinity, error: "plain string" });
        const error: unknown = await subject.execute(makeInput(), createTestContext()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isTtaError(error, "NON_ERROR_THROWN")).toBe(true);
        expect((error as Error).cause).toBe("plain string");
      });
    }

    it("produces a tta.<kind> span with the inner work nested under it", async () => {
      const recorder = new SpanRecorder().install();
      try {
        const { subject } = build({ returns: "ok" });
        await subject.execute(makeInput(), createTestContext());
        const root = recorder.spans.find((s) => s.parentSpanId === undefined);
        if (options.spanName === undefined) expect(root?.name).toMatch(/^tta\.[a-z][a-z0-9-]*$/);
        else expect(root?.name).toBe(options.spanName);
        expect(root?.name, "the primitive under test must open its own span").not.toBe("tta.mock");
        expect(root?.ended).toBe(true);
        const mock = recorder.spans.find((s) => s.name === "tta.mock");
        expect(mock).toBeDefined();
        expect(mock?.traceId).toBe(root?.traceId);
        let cursor = mock;
        while (cursor?.parentSpanId !== undefined)
          cursor = recorder.spans.find((s) => s.spanId === cursor?.parentSpanId);
        expect(cursor).toBe(root);
        if (options.spanName === undefined) expect(root?.attributes["tta.primitive.kind"]).toBe(root?.name.slice(4));
        else expect(root?.attributes["tta.primitive.kind"]).toMatch(/^[a-z][a-z0-9-]*$/);
      } finally {
        recorder.uninstall();
      }
    });
  });
}
