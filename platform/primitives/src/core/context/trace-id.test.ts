/**
 * `ctx.traceId` (issue 11 item 13): the run's W3C trace id — the span's when tracing is on, else the
 * active span's, else the run's own (its correlation id in W3C form) — lazy, and shared by the run.
 */
import { ROOT_CONTEXT, TraceFlags, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestContext } from "../../testing/index.js";
import { registerSdk, spans } from "../../test-support/model-fixtures.js";
import { recordEvents } from "../../test-support/index.js";
import { timeout } from "../../recovery/timeout.js";
import { contextKey, createContext, lambda, parallel, sequential } from "../index.js";
import type { WorkflowContext } from "../index.js";
import { randomTraceId, spanTraceId, traceIdFromCorrelationId } from "./trace-id.js";

// Spies that call through, to see whether anything computes a trace id.
vi.mock(import("./trace-id.js"), async (importOriginal) => {
  const actual = await importOriginal();
  return {
    ...actual,
    traceIdFromCorrelationId: vi.fn(actual.traceIdFromCorrelationId),
    spanTraceId: vi.fn(actual.spanTraceId),
    randomTraceId: vi.fn(actual.randomTraceId),
  };
});

const W3C_TRACE_ID = /^[0-9a-f]{32}$/;
const ZEROS = "0".repeat(32);

beforeEach(() => {
  vi.clearAllMocks();
  trace.disable();
  context.disable();
});
afterEach(() => {
  trace.disable();
  context.disable();
});

function useAsyncLocalStorage(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** A step that records the `traceId` of the context it runs with. */
function recorder(seen: string[]) {
  return lambda((n: number, ctx: WorkflowContext) => {
    seen.push(ctx.traceId);
    return n + 1;
  }, "record-trace-id");
}

describe("ctx.traceId without tracing", () => {
  it("is a W3C trace id: 32 lowercase hex digits, not all zeros, different per run", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const id = createContext().traceId;
      expect(id).toMatch(W3C_TRACE_ID);
      expect(id).not.toBe(ZEROS);
      ids.add(id);
    }
    expect(ids.size).toBe(50);
  });

  it("is the same on every read, and shared by the root, its children and contexts carrying values", () => {
    const root = createContext({ workflowId: "wf-trace" });
    const child = root.child({ timeoutMs: 1_000 });
    const first = child.traceId; // read on a child first: the root reports the same one later
    expect(child.traceId).toBe(first);
    expect(root.traceId).toBe(first);
    expect(child.child({ metadata: { step: 2 } }).traceId).toBe(first);
    expect(root.withValue(contextKey<number>("n"), 1).traceId).toBe(first);
    child.dispose();
  });

  it("is the run's correlation id in W3C form", () => {
    const ctx = createContext();
    expect(ctx.traceId).toBe(ctx.correlationId.replaceAll("-", ""));
    expect(traceIdFromCorrelationId(ctx.correlationId)).toBe(ctx.traceId);
  });

  it("steps, parallel branches and a timeout's inner run see the root's trace id", async () => {
    const seen: string[] = [];
    const ctx = createTestContext();
    const flow = sequential([
      recorder(seen),
      parallel([recorder(seen), timeout(recorder(seen), { timeoutMs: 1_000 })]),
    ]);
    await flow.execute(0, ctx);
    expect(seen).toHaveLength(3);
    expect(new Set(seen)).toEqual(new Set([ctx.traceId]));
  });

  it("an execute without a context gives each call's steps one trace id of their own", async () => {
    const seen: string[] = [];
    const flow = sequential([recorder(seen), recorder(seen)]);
    await flow.execute(0);
    await flow.execute(0);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).toBe(seen[3]);
    expect(seen[0]).not.toBe(seen[2]);
  });

  it("is not computed when nobody reads it (contexts made, derived, executed, events observed)", async () => {
    const events = recordEvents();
    const root = createContext({ timeoutMs: 5_000 });
    const child = root.child({ metadata: { a: 1 } }).withValue(contextKey<string>("k"), "v");
    const flow = sequential([lambda((n: number) => n + 1), parallel([(n: number) => n, (n: number) => n * 2])]);
    await flow.execute(1, child);
    await flow.execute(1);
    expect(events.length).toBeGreaterThan(0);
    expect(traceIdFromCorrelationId).not.toHaveBeenCalled();
    expect(randomTraceId).not.toHaveBeenCalled();
    expect(spanTraceId).not.toHaveBeenCalled();

    const id = child.traceId;
    expect(root.traceId).toBe(id);
    expect(child.traceId).toBe(id);
    expect(traceIdFromCorrelationId).toHaveBeenCalledTimes(1); // derived once per run, then kept
    root.dispose();
  });
});

describe("traceIdFromCorrelationId", () => {
  it("maps every UUID to its 32 hex digits, lowercase; anything else to undefined", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), (uuid, upper) => {
        const id = traceIdFromCorrelationId(upper ? uuid.toUpperCase() : uuid);
        if (/^[0-]+$/.test(uuid)) return id === undefined;
        return id === uuid.replaceAll("-", "").toLowerCase() && W3C_TRACE_ID.test(id);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text));
        return traceIdFromCorrelationId(text) === undefined;
      }),
    );
    expect(traceIdFromCorrelationId("00000000-0000-0000-0000-000000000000")).toBeUndefined();
    expect(traceIdFromCorrelationId("0af76519-16cd-43dd-8448-eb211c80319c")).toBe("0af7651916cd43dd8448eb211c80319c");
  });
});

describe("ctx.traceId with tracing", () => {
  it("in a step, is the trace id of the execution's span (a real SDK, no context manager)", async () => {
    registerSdk();
    const seen: string[] = [];
    const ctx = createContext();
    await sequential([recorder(seen), recorder(seen)]).execute(0, ctx);
    const steps = spans().filter((s) => s.name === "tta.lambda");
    expect(steps).toHaveLength(2);
    expect(seen).toEqual(steps.map((s) => s.spanContext().traceId));
    expect(new Set(spans().map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  it("outside an execution, is the active span's trace id (a span of the caller's around the call)", async () => {
    registerSdk();
    useAsyncLocalStorage();
    const seen: string[] = [];
    await trace.getTracer("test").startActiveSpan("http-request", async (span) => {
      const ctx = createContext();
      expect(ctx.traceId).toBe(span.spanContext().traceId);
      await recorder(seen).execute(0, ctx);
      span.end();
    });
    const outer = spans().find((s) => s.name === "http-request");
    expect(seen).toEqual([outer?.spanContext().traceId]);
  });

  it("without an SDK, follows a parent extracted from incoming headers (a remote span context)", () => {
    useAsyncLocalStorage();
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const ctx = createContext();
    expect(context.with(remote, () => ctx.traceId)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });
});
