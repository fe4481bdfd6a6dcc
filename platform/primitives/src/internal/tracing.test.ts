/**
 * How failures are recorded on spans (issue 10, item 7): the exception once, on the span where the error
 * arose, with its message and stack redacted; ancestors get status ERROR and `error.type` only.
 */
import type { Span } from "@opentelemetry/api";
import { SpanStatusCode, context, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lambda, sequential } from "../core/index.js";
import { retry, timeout } from "../recovery/index.js";
import { recordSpanFailure } from "./tracing.js";

const SK = "sk-live-4f9Qz7XbT2mN8pLk3vR6wY1c";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu";
const AWS = "AKIAIOSFODNN7EXAMPLE";
const SECRETS = [SK, BEARER, AWS];
const leakyMessage = () =>
  `provider said 401: {"error":"bad key ${SK}","request":{"headers":{"Authorization":"Bearer ${BEARER}"}},"aws":"${AWS}"}`;

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;

beforeEach(() => {
  trace.disable();
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
});

afterEach(async () => {
  trace.disable();
  await provider.shutdown();
});

const nameOf = (span: ReadableSpan) => String(span.attributes["tta.primitive.name"]);
const exceptionsOf = (span: ReadableSpan) => span.events.filter((event) => event.name === "exception");
/** Everything about a span that an exporter would send. */
const exported = (spans: readonly ReadableSpan[]) =>
  JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status, s.events, s.links]));

/** sequential → retry → timeout → a lambda that fails with a message carrying secrets. */
function nestedFailingFlow(maxRetries: number) {
  const failing = lambda((_: string): string => {
    throw new Error(leakyMessage());
  }, "call-provider");
  return sequential(
    [
      lambda((text: string) => text.trim(), "clean"),
      retry(timeout(failing, { timeoutMs: 60_000, name: "provider-timeout" }), {
        maxRetries,
        initialDelayMs: 0,
        name: "provider-retry",
      }),
    ],
    { name: "summarize" },
  );
}

describe("a failure in a nested workflow", () => {
  it("records exactly one exception event in the whole trace, on the innermost span", async () => {
    await expect(nestedFailingFlow(0).execute(" hi ")).rejects.toThrow(/provider said 401/);
    const spans = exporter.getFinishedSpans();
    expect(spans.map(nameOf).sort()).toEqual([
      "call-provider",
      "clean",
      "provider-retry",
      "provider-timeout",
      "summarize",
    ]);

    const withException = spans.filter((span) => exceptionsOf(span).length > 0);
    expect(withException.map(nameOf)).toEqual(["call-provider"]);
    expect(exceptionsOf(withException[0] as ReadableSpan)).toHaveLength(1);

    for (const name of ["provider-timeout", "provider-retry", "summarize"]) {
      const ancestor = spans.find((span) => nameOf(span) === name);
      expect(ancestor?.status, name).toEqual({ code: SpanStatusCode.ERROR });
      expect(ancestor?.attributes["error.type"], name).toBe("Error");
    }
  });

  it("records one exception per distinct error (one per failed attempt), never on the ancestors", async () => {
    await expect(nestedFailingFlow(2).execute(" hi ")).rejects.toThrow(/provider said 401/);
    const spans = exporter.getFinishedSpans();
    const failedAttempts = spans.filter((span) => nameOf(span) === "call-provider");
    expect(failedAttempts).toHaveLength(3);
    for (const span of failedAttempts) expect(exceptionsOf(span)).toHaveLength(1);
    expect(spans.flatMap(exceptionsOf)).toHaveLength(3);
  });

  it("exports no secret anywhere: status message, exception message and stack trace are redacted", async () => {
    await expect(nestedFailingFlow(1).execute(" hi ")).rejects.toThrow(SK); // the error itself is unchanged
    const spans = exporter.getFinishedSpans();
    const text = exported(spans);
    for (const secret of SECRETS) expect(text).not.toContain(secret);

    const failing = spans.find((span) => nameOf(span) === "call-provider" && exceptionsOf(span).length > 0);
    expect(failing?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failing?.status.message).toContain("provider said 401");
    expect(failing?.status.message).toContain("[REDACTED]");
    const attributes = exceptionsOf(failing as ReadableSpan)[0]?.attributes ?? {};
    expect(attributes["exception.type"]).toBe("Error");
    expect(attributes["exception.message"]).toBe(failing?.status.message);
    expect(String(attributes["exception.stacktrace"])).toMatch(/^Error: provider said 401.*\[REDACTED\]/);
    expect(String(attributes["exception.stacktrace"])).toContain("tracing.test.ts"); // the frames are kept
  });
});

describe("recordSpanFailure", () => {
  const span = (parent?: Span) =>
    trace.getTracer("t").startSpan("s", {}, parent === undefined ? undefined : trace.setSpan(context.active(), parent));

  it("records the same error once per trace: the second span that sees it gets ERROR and error.type only", () => {
    const error = new TypeError(`boom ${SK}`);
    const outer = span();
    const inner = span(outer);
    recordSpanFailure(inner, error);
    recordSpanFailure(outer, error);
    inner.end();
    outer.end();
    const [first, second] = exporter.getFinishedSpans();
    expect(exceptionsOf(first as ReadableSpan)).toHaveLength(1);
    expect(first?.status).toEqual({ code: SpanStatusCode.ERROR, message: "boom [REDACTED]" });
    expect(exceptionsOf(second as ReadableSpan)).toHaveLength(0);
    expect(second?.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(second?.attributes["error.type"]).toBe("TypeError");
  });

  it("records the same error object again in another trace (a shared or cached error)", () => {
    const error = new Error("shared failure");
    const a = span();
    const b = span();
    recordSpanFailure(a, error);
    recordSpanFailure(b, error);
    a.end();
    b.end();
    expect(exporter.getFinishedSpans().map((s) => exceptionsOf(s).length)).toEqual([1, 1]);
  });

  it("keeps a string or number `code` as the exception type, as the SDK does for the error itself", () => {
    const s = span();
    recordSpanFailure(s, Object.assign(new Error(`connect ECONNREFUSED ${SK}`), { code: "ECONNREFUSED" }));
    s.end();
    const [event] = exceptionsOf(exporter.getFinishedSpans()[0] as ReadableSpan);
    expect(event?.attributes?.["exception.type"]).toBe("ECONNREFUSED");
    expect(event?.attributes?.["exception.message"]).toBe("connect ECONNREFUSED [REDACTED]");
  });

  it("records a non-Error failure by its type, without a message or an exception event", () => {
    const s = span();
    recordSpanFailure(s, `token ${SK}`);
    s.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(finished?.attributes["error.type"]).toBe("string");
    expect(exported([finished as ReadableSpan])).not.toContain(SK);
  });
});
