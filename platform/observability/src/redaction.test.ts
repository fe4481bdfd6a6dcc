/**
 * Secrets never leave the process in spans (issue 10, item 7): one redaction step rewrites every exported
 * span, whoever made it, and a failure is recorded once, on the span where it arose.
 */
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { InvalidOptionsError, lambda, sequential } from "@tta/primitives";
import { retry, timeout } from "@tta/primitives/recovery";
import { afterEach, describe, expect, it } from "vitest";
import { withModelCallSpan } from "./gen-ai.js";
import type { ObservabilityHandle } from "./setup.js";
import { setupObservability } from "./setup.js";
import type { TracingOptions } from "./options.js";
import type { HttpReceiver } from "./test-support/receivers.js";
import { captureDiag, startHttpReceiver } from "./test-support/receivers.js";

const SK = "sk-live-4f9Qz7XbT2mN8pLk3vR6wY1c";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu";
const AWS = "AKIAIOSFODNN7EXAMPLE";
const SECRETS = [SK, BEARER, AWS];
const leakyMessage = () =>
  `provider said 401: {"error":"bad key ${SK}","request":{"headers":{"Authorization":"Bearer ${BEARER}"}},"aws":"${AWS}"}`;

let obs: ObservabilityHandle | undefined;
let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await obs?.shutdown();
  await receiver?.close();
  obs = receiver = undefined;
});

function memorySetup(redact?: TracingOptions["redact"]): ObservabilityHandle {
  obs = setupObservability({
    serviceName: "redaction",
    tracing: { exporter: "memory", ...(redact === undefined ? {} : { redact }) },
    metrics: false,
    logging: false,
  });
  return obs;
}

/** sequential → retry → timeout → a lambda that fails with secrets in its message. */
function nestedFailingFlow(maxRetries = 0) {
  return sequential(
    [
      lambda((text: string) => text.trim(), "clean"),
      retry(
        timeout(
          lambda((_: string): string => {
            throw new Error(leakyMessage());
          }, "call-provider"),
          { timeoutMs: 60_000, name: "provider-timeout" },
        ),
        { maxRetries, initialDelayMs: 0, name: "provider-retry" },
      ),
    ],
    { name: "summarize" },
  );
}

/** A span made by user code (not by a TTA primitive): a status message, an exception and an attribute with secrets. */
function leakyUserSpan(): void {
  const span = trace.getTracer("user-app").startSpan("user.call");
  span.setAttribute("http.request.header.authorization", `Bearer ${BEARER}`);
  span.setAttribute("user.note", ["ok", `key=${SK}`]);
  span.recordException(new Error(leakyMessage()));
  span.setStatus({ code: SpanStatusCode.ERROR, message: leakyMessage() });
  span.end();
}

const nameOf = (span: ReadableSpan) => String(span.attributes["tta.primitive.name"] ?? span.name);
const exceptionsOf = (span: ReadableSpan) => span.events.filter((event) => event.name === "exception");
const exported = (spans: readonly ReadableSpan[]) =>
  JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status, s.events, s.links]));

describe("the default redaction step", () => {
  it("OTLP: the body of a failing nested workflow has no secret and one exception event", async () => {
    receiver = await startHttpReceiver();
    obs = setupObservability({
      serviceName: "redaction-otlp",
      tracing: { exporter: "otlp-json", endpoint: `${receiver.url}/v1/traces` },
      metrics: false,
      logging: false,
    });
    await expect(nestedFailingFlow().execute(" hi ")).rejects.toThrow(SK); // the caller's error is untouched
    leakyUserSpan();
    await obs.shutdown(); // flushes the batch processor

    const body = receiver.requests.map((request) => request.body.toString("utf8")).join("\n");
    expect(body).toContain("call-provider");
    for (const secret of SECRETS) expect(body).not.toContain(secret);
    expect(body).toContain("[REDACTED]");
    // One exception event for the TTA failure (on the innermost span), one on the user's span.
    expect(body.match(/"name":"exception"/g)).toHaveLength(2);
  });

  it("memory: ancestors carry ERROR and error.type only; spans made outside TTA are redacted too", async () => {
    const { memoryExporter } = memorySetup();
    await expect(nestedFailingFlow(1).execute(" hi ")).rejects.toThrow(/provider said 401/);
    leakyUserSpan();
    const spans = memoryExporter?.getFinishedSpans() ?? [];
    const text = exported(spans);
    for (const secret of SECRETS) expect(text).not.toContain(secret);

    for (const name of ["provider-timeout", "provider-retry", "summarize"])
      for (const span of spans.filter((s) => nameOf(s) === name)) {
        expect(exceptionsOf(span), name).toEqual([]);
        expect(span.status, name).toEqual({ code: SpanStatusCode.ERROR });
        expect(span.attributes["error.type"], name).toBe("Error");
      }
    for (const span of spans.filter((s) => nameOf(s) === "call-provider")) expect(exceptionsOf(span)).toHaveLength(1);

    const user = spans.find((s) => s.name === "user.call");
    expect(user?.attributes["http.request.header.authorization"]).toBe("Bearer [REDACTED]");
    expect(user?.attributes["user.note"]).toEqual(["ok", "key=[REDACTED]"]);
    expect(user?.status.message).toMatch(/^provider said 401: .*\[REDACTED\]/);
    expect(String(exceptionsOf(user as ReadableSpan)[0]?.attributes?.["exception.stacktrace"])).toContain(
      "redaction.test.ts",
    );
  });

  it("a failing withModelCallSpan records the exception on the model-call span only", async () => {
    const { memoryExporter } = memorySetup();
    const ask = lambda(
      () =>
        withModelCallSpan({ model: "gpt-4o-mini" }, () => {
          throw new Error(leakyMessage());
        }),
      "ask",
    );
    await expect(ask.execute(undefined)).rejects.toThrow(SK);
    const spans = memoryExporter?.getFinishedSpans() ?? [];
    expect(spans.filter((s) => exceptionsOf(s).length > 0).map((s) => s.name)).toEqual(["chat gpt-4o-mini"]);
    expect(spans.find((s) => s.name === "tta.lambda")?.status).toEqual({ code: SpanStatusCode.ERROR });
    for (const secret of SECRETS) expect(exported(spans)).not.toContain(secret);
  });
});

describe("tracing.redact", () => {
  it("patterns and a function add to the default patterns, everywhere a string is exported", async () => {
    const { memoryExporter } = memorySetup({
      patterns: [/cust-\d{6}/, /\bsecret-word\b/gi],
      redact: (text) => text.replaceAll("alice@example.com", "<email>"),
    });
    const span = trace.getTracer("user-app").startSpan("user.call");
    span.setAttribute("customer", "cust-123456");
    span.setStatus({ code: SpanStatusCode.ERROR, message: `Secret-Word for alice@example.com, key ${SK}` });
    span.end();
    const [finished] = memoryExporter?.getFinishedSpans() ?? [];
    expect(finished?.attributes.customer).toBe("[REDACTED]");
    expect(finished?.status.message).toBe("[REDACTED] for <email>, key [REDACTED]");
  });

  it("dropMessages: no status message, no exception message or stack trace; types stay", async () => {
    const { memoryExporter } = memorySetup({ dropMessages: true });
    await expect(nestedFailingFlow().execute(" hi ")).rejects.toThrow(/provider said 401/);
    const spans = memoryExporter?.getFinishedSpans() ?? [];
    const failing = spans.find((s) => nameOf(s) === "call-provider");
    expect(failing?.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(failing?.attributes["error.type"]).toBe("Error");
    expect(exceptionsOf(failing as ReadableSpan)[0]?.attributes).toEqual({ "exception.type": "Error" });
    expect(exported(spans)).not.toContain("provider said");
  });

  it("a redact function that throws or returns a non-string drops the text and is reported once", async () => {
    const diag = captureDiag();
    try {
      const { memoryExporter } = memorySetup({
        redact: (text) => {
          if (text.includes("boom")) throw new Error("redactor failed");
          return text.includes("odd") ? (42 as unknown as string) : text;
        },
      });
      const tracer = trace.getTracer("user-app");
      for (const message of ["boom one", "boom two", "odd one"]) {
        const span = tracer.startSpan("s");
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        span.end();
      }
      const spans = memoryExporter?.getFinishedSpans() ?? [];
      expect(spans.map((s) => s.status.message)).toEqual(["[REDACTED]", "[REDACTED]", "[REDACTED]"]);
      expect(diag.messages.filter((m) => m.message.includes("tracing.redact.redact"))).toHaveLength(1);
    } finally {
      diag.restore();
    }
  });

  it.each([
    ["a string", "yes", "tracing.redact"],
    ["an unknown key", { pattern: /x/ }, "tracing.redact.pattern"],
    ["patterns that is not an array", { patterns: /x/ }, "tracing.redact.patterns"],
    ["a pattern that is not a RegExp", { patterns: [/x/, "token"] }, "tracing.redact.patterns[1]"],
    ["a pattern that matches the empty string", { patterns: [/x*/] }, "tracing.redact.patterns[0]"],
    ["redact that is not a function", { redact: "***" }, "tracing.redact.redact"],
    ["dropMessages that is not a boolean", { dropMessages: "yes" }, "tracing.redact.dropMessages"],
  ])("rejects %s with InvalidOptionsError naming the option", (_, redact, option) => {
    const attempt = () =>
      setupObservability({
        serviceName: "x",
        tracing: { exporter: "memory", redact: redact as TracingOptions["redact"] },
        metrics: false,
        logging: false,
      });
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(expect.objectContaining({ option }));
  });
});

describe("InvalidOptionsError messages", () => {
  it("never quote a long string, so a key pasted into the wrong option is not echoed", () => {
    for (const [tracing, option] of [
      [{ exporter: SK }, "tracing.exporter"],
      [{ endpoint: `not a url ${BEARER}` }, "tracing.endpoint"],
    ] as const) {
      const attempt = () =>
        setupObservability({ serviceName: "x", tracing: tracing as TracingOptions, metrics: false, logging: false });
      expect(attempt).toThrow(expect.objectContaining({ option }));
      expect(attempt).toThrow(/got a string of \d+ characters starting "/);
      expect(attempt).not.toThrow(SK);
      expect(attempt).not.toThrow(BEARER);
    }
  });
});
