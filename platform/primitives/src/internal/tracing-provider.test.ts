/**
 * How a primitive finds out whether a tracer provider is registered (issue 11, item 4; ADR 0016): through
 * the public `@opentelemetry/api` only, re-checked on every top-level execution (and every nested one of a
 * traced run; a run started untraced stays so, ADR 0006), working whichever copy of the API registered
 * the provider.
 */
import { createRequire } from "node:module";
import type * as OtelApiModule from "@opentelemetry/api";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createContext, lambda, sequential } from "../core/index.js";
import { activeTracer } from "./tracing.js";

type OtelApi = typeof OtelApiModule;
/** The public `ProxyTracerProvider` methods detection relies on. */
interface ProxyLike {
  getDelegate(): unknown;
  getDelegateTracer(name: string): unknown;
}

/**
 * A second, independent copy of `@opentelemetry/api` (its own classes and no-op singletons), as a second
 * install or the other of its CommonJS/ESM builds gives in a real process. It shares the one global slot.
 */
function secondApiCopy(): OtelApi {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@opentelemetry/api");
  const root = entry.slice(0, entry.lastIndexOf("build"));
  const saved = Object.entries(require.cache).filter(([file]) => file.startsWith(root));
  for (const [file] of saved) delete require.cache[file];
  try {
    return require("@opentelemetry/api") as OtelApi;
  } finally {
    for (const [file, module] of saved) require.cache[file] = module;
  }
}

function sdk(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  return { exporter, provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) };
}

const flow = sequential([lambda((n: number) => n + 1, "add"), lambda((n: number) => n * 2, "double")], {
  name: "flow",
});
const spanNames = (exporter: InMemorySpanExporter): string[] =>
  exporter
    .getFinishedSpans()
    .map((span) => span.name)
    .sort();

beforeEach(() => {
  trace.disable();
  context.disable();
});

afterEach(() => {
  trace.disable();
  context.disable();
});

describe("tracer provider detection", () => {
  it("finds no tracer when nothing is registered with the OpenTelemetry API", async () => {
    expect(activeTracer()).toBeUndefined();
    await expect(flow.execute(1)).resolves.toBe(4);
  });

  it("finds no tracer when only a context manager is registered (the global slot exists, no provider)", () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    expect(activeTracer()).toBeUndefined();
  });

  it("sees a provider registered after the first execution, and stops when it is unregistered", async () => {
    await flow.execute(1);
    const { provider, exporter } = sdk();
    trace.setGlobalTracerProvider(provider);
    expect(activeTracer()).toBeDefined();
    await flow.execute(1);
    expect(spanNames(exporter)).toEqual(["tta.lambda", "tta.lambda", "tta.sequential"]);

    trace.disable();
    expect(activeTracer()).toBeUndefined();
    await flow.execute(1);
    expect(exporter.getFinishedSpans()).toHaveLength(3);
    await provider.shutdown();
  });

  it("a run started with no provider stays untraced if one is registered while it runs; the next run is traced", async () => {
    const { provider, exporter } = sdk();
    let registered = false;
    const registers = lambda((n: number) => {
      if (!registered) registered = trace.setGlobalTracerProvider(provider);
      return n;
    }, "registers");
    const mid = sequential([registers, lambda((n: number) => n + 1, "add")], { name: "mid" });
    await expect(mid.execute(1)).resolves.toBe(2);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await mid.execute(1);
    expect(spanNames(exporter)).toEqual(["tta.lambda", "tta.lambda", "tta.sequential"]);
    await provider.shutdown();
  });

  it("repeated calls on one context follow the provider's registration (its cached view is not stale)", async () => {
    const ctx = createContext();
    await flow.execute(1, ctx);
    const { provider, exporter } = sdk();
    trace.setGlobalTracerProvider(provider);
    await flow.execute(1, ctx);
    expect(spanNames(exporter)).toEqual(["tta.lambda", "tta.lambda", "tta.sequential"]);
    trace.disable();
    await flow.execute(1, ctx);
    expect(exporter.getFinishedSpans()).toHaveLength(3);
    await provider.shutdown();
  });

  it("switches to a newly registered provider at once", async () => {
    const first = sdk();
    trace.setGlobalTracerProvider(first.provider);
    await flow.execute(1);
    trace.disable();
    const second = sdk();
    trace.setGlobalTracerProvider(second.provider);
    await flow.execute(1);
    expect(first.exporter.getFinishedSpans()).toHaveLength(3);
    expect(second.exporter.getFinishedSpans()).toHaveLength(3);
    await Promise.all([first.provider.shutdown(), second.provider.shutdown()]);
  });

  it("sees a provider registered through another copy of the API (whose classes `instanceof` cannot see)", async () => {
    const other = secondApiCopy();
    expect(other.ProxyTracerProvider).not.toBe((await import("@opentelemetry/api")).ProxyTracerProvider);
    const { provider, exporter } = sdk();
    expect(other.trace.setGlobalTracerProvider(provider)).toBe(true);
    expect(activeTracer()).toBeDefined();
    await flow.execute(1);
    expect(spanNames(exporter)).toEqual(["tta.lambda", "tta.lambda", "tta.sequential"]);

    other.trace.disable();
    expect(activeTracer()).toBeUndefined();
    await provider.shutdown();
  });

  it("relies on API that @opentelemetry/api 1.x still has (fails loudly if a release drops it)", () => {
    // Detection uses `getDelegate()` and `getDelegateTracer()` of the provider `trace.getTracerProvider()`
    // returns (`ProxyTracerProvider`, public but marked for removal in API 2.0). If they go, this fails
    // instead of tracing silently turning off or on.
    const unregistered = trace.getTracerProvider() as Partial<ProxyLike>;
    expect(typeof unregistered.getDelegate).toBe("function");
    expect(typeof unregistered.getDelegateTracer).toBe("function");
    expect(unregistered.getDelegateTracer?.("probe")).toBeUndefined();

    const { provider } = sdk();
    trace.setGlobalTracerProvider(provider);
    const registered = trace.getTracerProvider() as Partial<ProxyLike>;
    expect(registered.getDelegate?.()).toBe(provider);
    expect(registered.getDelegateTracer?.("probe")).toBeDefined();
  });
});
