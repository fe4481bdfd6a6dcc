/**
 * The span tree primitives produce with the real OpenTelemetry SDK (DESIGN §8, ADR 0001).
 */
import { SpanStatusCode, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SpanRecorder, createTestContext } from "../testing/index.js";
import { SPAN_ATTRIBUTES_KEY, TimeoutError, lambda, parallel, sequential } from "./index.js";

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider | undefined;
/** Span ids in the order the spans started (start timestamps can tie at clock resolution). */
let startOrder: string[] = [];
const startOrderProcessor: SpanProcessor = {
  onStart: (span) => void startOrder.push(span.spanContext().spanId),
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

function registerSdk(): BasicTracerProvider {
  trace.disable();
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [startOrderProcessor, new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  return provider;
}

function useAsyncLocalStorage(): void {
  context.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

beforeEach(() => {
  trace.disable();
  context.disable();
  exporter = new InMemorySpanExporter();
  startOrder = [];
});

afterEach(async () => {
  trace.disable();
  context.disable();
  await provider?.shutdown();
  provider = undefined;
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const idOf = (s: ReadableSpan) => s.spanContext().spanId;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const started = (s: ReadableSpan) => startOrder.indexOf(idOf(s));

interface Node {
  readonly name: string;
  readonly children: Node[];
}

/** The span forest: roots are spans whose parent is not among `all`; children in start order. */
function tree(all: readonly ReadableSpan[]): Node[] {
  const ids = new Set(all.map(idOf));
  const build = (parent: string | undefined): Node[] =>
    all
      .filter((s) => (parent === undefined ? !ids.has(parentOf(s) ?? "") : parentOf(s) === parent))
      .sort((a, b) => started(a) - started(b))
      .map((s) => ({ name: s.name, children: build(idOf(s)) }));
  return build(undefined);
}

const leaf = (name: string): Node => ({ name, children: [] });
const EXPECTED: Node[] = [
  {
    name: "tta.sequential",
    children: [
      leaf("tta.lambda"),
      { name: "tta.parallel", children: [leaf("tta.lambda"), leaf("tta.lambda")] },
      leaf("tta.lambda"),
    ],
  },
];

function flow() {
  return sequential([
    lambda((n: number) => n + 1, "a"),
    parallel([lambda((n: number) => n * 2, "b"), lambda(async (n: number) => n * 3, "c")]),
    lambda(([x, y]: [number, number]) => x + y, "d"),
  ]);
}

describe("the span tree of sequential([a, parallel([b, c]), d])", () => {
  it("is exactly sequential → (lambda, parallel → (lambda, lambda), lambda) without a context manager", async () => {
    registerSdk();
    await expect(flow().execute(1)).resolves.toBe(10);
    expect(spans()).toHaveLength(6);
    expect(tree(spans())).toEqual(EXPECTED);
  });

  it("is the same with an AsyncLocalStorage context manager registered", async () => {
    registerSdk();
    useAsyncLocalStorage();
    await expect(flow().execute(1)).resolves.toBe(10);
    expect(tree(spans())).toEqual(EXPECTED);
  });

  it("stays correct when two runs interleave", async () => {
    registerSdk();
    const ctx1 = createTestContext();
    const ctx2 = createTestContext();
    const slow = sequential([
      lambda(async (n: number, c) => {
        await c.clock.sleep(10, c.signal);
        return n;
      }),
      lambda((n: number) => n),
    ]);
    const r1 = slow.execute(1, ctx1);
    const r2 = slow.execute(2, ctx2);
    await ctx1.clock.advance(10);
    await ctx2.clock.advance(10);
    await Promise.all([r1, r2]);
    const seqTree = { name: "tta.sequential", children: [leaf("tta.lambda"), leaf("tta.lambda")] };
    expect(tree(spans())).toEqual([seqTree, seqTree]);
    const traceIds = new Set(spans().map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(2);
  });

  it("shares one trace id and carries kind, name, workflow id and correlation id on every span", async () => {
    registerSdk();
    const ctx = createTestContext({ workflowId: "wf-spans" });
    await flow().execute(1, ctx);
    const all = spans();
    expect(new Set(all.map((s) => s.spanContext().traceId)).size).toBe(1);
    for (const span of all) {
      expect(span.attributes["tta.primitive.kind"]).toBe(span.name.slice("tta.".length));
      expect(span.attributes["tta.workflow.id"]).toBe("wf-spans");
      expect(span.attributes["tta.correlation.id"]).toBe(ctx.correlationId);
      expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    }
    const names = all.sort((a, b) => started(a) - started(b)).map((s) => s.attributes["tta.primitive.name"]);
    expect(names).toEqual(["SequentialPrimitive", "a", "ParallelPrimitive", "b", "c", "d"]);
  });

  it("adds SPAN_ATTRIBUTES_KEY's attributes to every span under the labelled context, never over the tta.* ones", async () => {
    registerSdk();
    const labels = { "tta.agent.id": "agent-7", "app.tenant": "acme", "tta.primitive.kind": "forged" };
    const ctx = createTestContext().withValue(SPAN_ATTRIBUTES_KEY, labels);
    await flow().execute(1, ctx);
    await flow().execute(1, createTestContext());
    const all = spans();
    const labelled = all.filter((s) => s.attributes["tta.agent.id"] === "agent-7");
    expect(labelled).toHaveLength(all.length / 2);
    for (const span of labelled) {
      expect(span.attributes["app.tenant"]).toBe("acme");
      expect(span.attributes["tta.primitive.kind"]).toBe(span.name.slice("tta.".length));
    }
  });

  it("has exactly one root span", async () => {
    registerSdk();
    await flow().execute(1);
    expect(spans().filter((s) => s.parentSpanContext === undefined)).toHaveLength(1);
  });
});

describe("failures", () => {
  it("mark the failing span and every ancestor ERROR with error.type, and record the exception on the failing span", async () => {
    registerSdk();
    const error = new TimeoutError("slow model");
    const failing = sequential([
      lambda((n: number) => n, "a"),
      parallel([lambda((n: number) => n, "b"), lambda(() => Promise.reject(error), "c")]),
      lambda((x: unknown) => x, "d"),
    ]);
    await expect(failing.execute(1)).rejects.toBe(error);
    const byName = (name: string) => spans().find((s) => s.attributes["tta.primitive.name"] === name);
    const c = byName("c");
    expect(c?.status.code).toBe(SpanStatusCode.ERROR);
    expect(c?.attributes["error.type"]).toBe("TIMEOUT");
    expect(c?.events.map((e) => e.name)).toContain("exception");
    const exception = c?.events.find((e) => e.name === "exception");
    expect(exception?.attributes?.["exception.message"]).toBe("slow model");
    for (const ancestor of ["ParallelPrimitive", "SequentialPrimitive"]) {
      expect(byName(ancestor)?.status.code).toBe(SpanStatusCode.ERROR);
      expect(byName(ancestor)?.attributes["error.type"]).toBe("TIMEOUT");
    }
    expect(byName("a")?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(byName("b")?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(byName("d")).toBeUndefined();
  });

  it("use the error's name as error.type for a plain Error", async () => {
    registerSdk();
    await lambda(() => {
      throw new RangeError("bad");
    })
      .execute(1)
      .catch(() => undefined);
    expect(spans()[0]?.attributes["error.type"]).toBe("RangeError");
    expect(spans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe("parenting under a user span", () => {
  it("a user's span made active around execute parents the root tta span when a context manager is registered", async () => {
    registerSdk();
    useAsyncLocalStorage();
    const tracer = trace.getTracer("user-app");
    let userSpanId = "";
    let userTraceId = "";
    await tracer.startActiveSpan("user.request", async (span) => {
      userSpanId = span.spanContext().spanId;
      userTraceId = span.spanContext().traceId;
      await flow().execute(1);
      span.end();
    });
    const root = spans().find((s) => s.name === "tta.sequential");
    expect(parentOf(root as ReadableSpan)).toBe(userSpanId);
    expect(new Set(spans().map((s) => s.spanContext().traceId))).toEqual(new Set([userTraceId]));
    expect(tree(spans())).toEqual([{ name: "user.request", children: EXPECTED }]);
  });

  it("without a context manager the root tta span has no parent (and the tree below it is still intact)", async () => {
    registerSdk();
    const tracer = trace.getTracer("user-app");
    await tracer.startActiveSpan("user.request", async (span) => {
      await flow().execute(1);
      span.end();
    });
    const root = spans().find((s) => s.name === "tta.sequential");
    expect(root?.parentSpanContext).toBeUndefined();
    expect(tree(spans().filter((s) => s.name !== "user.request"))).toEqual(EXPECTED);
  });
});

describe("no tracer provider", () => {
  it("produces no span at all", async () => {
    const unregistered = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    await flow().execute(1);
    await flow()
      .pipe(() => Promise.reject(new Error("x")))
      .execute(1)
      .catch(() => undefined);
    expect(spans()).toHaveLength(0);
    await unregistered.shutdown();
  });

  it("a SpanRecorder created but not installed sees nothing", async () => {
    const recorder = new SpanRecorder();
    await flow().execute(1);
    expect(recorder.spans).toHaveLength(0);
  });

  it("registering a provider later takes effect on the next execution", async () => {
    await flow().execute(1);
    registerSdk();
    await flow().execute(1);
    expect(tree(spans())).toEqual(EXPECTED);
    trace.disable();
    exporter.reset();
    await flow().execute(1);
    expect(spans()).toHaveLength(0);
  });
});
