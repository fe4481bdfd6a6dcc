/**
 * Test helpers for the browser test: the workflows whose traces the page shows — a support-ticket
 * workflow with a retry, a circuit breaker and a fallback, exported by `@tta/observability`; and a trace
 * whose span names, attributes and service name are script-like strings.
 */
import { SpanStatusCode, context, trace } from "@opentelemetry/api";
import { setupObservability } from "@tta/observability";
import { createContext, lambda, sequential } from "@tta/primitives";
import { ProviderError, createCatalog, model } from "@tta/primitives/orchestration";
import type { ModelRequest } from "@tta/primitives/orchestration";
import { cache } from "@tta/primitives/performance";
import { circuitBreaker, fallback, retry } from "@tta/primitives/recovery";
import { MockLanguageModel, TestClock } from "@tta/primitives/testing";
import { exportSpans } from "./otel.js";
import { Counter, Registry } from "prom-client";

/** The workflow id prefix of the support-ticket runs (`support-ticket-1` …). */
export const WORKFLOW_PREFIX = "support-ticket";

/** The run whose primary fails (retries exhausted) and whose fallback answers. */
export const RECOVERED_RUN = `${WORKFLOW_PREFIX}-3`;

/** The primary model's breaker. */
export const BREAKER_NAME = "primary-breaker";

const RECOVERY_TIMEOUT_MS = 30_000;

const catalog = createCatalog([
  {
    id: "primary-model",
    provider: "sim-primary",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 0.3, outputPerMillion: 1.2 },
    capabilities: [],
  },
  {
    id: "backup-model",
    provider: "sim-backup",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
    capabilities: [],
  },
]);

const TICKETS = [
  "Where is my order A-1001?",
  "I was charged twice for order A-1002.",
  "My parcel A-1003 arrived damaged.",
  "Can I change the address of order A-1004?",
  "Where is my order A-1001?",
  "How do I return order A-1005?",
  "I was charged twice for order A-1002.",
  "Where is my order A-1001?",
];

/** How the primary provider behaves for the next ticket. */
type Phase = { readonly kind: "flaky"; failures: number } | { readonly kind: "outage" } | { readonly kind: "healthy" };

/**
 * Runs eight support tickets, one trace each, exported with `@tta/observability`'s OTLP (protobuf)
 * exporter to `endpoint`. Each ticket: a cached classification, then `fallback(circuitBreaker(retry(
 * primary)), backup)`. Ticket 1: the primary answers 429 twice, the retry recovers. Tickets 3–6: the
 * primary is down (503): the retry gives up, the fallback answers from the backup, the breaker (2
 * failures) opens after ticket 4 and refuses tickets 5–6 (CIRCUIT_OPEN). Then the breaker's fake clock
 * passes its recovery timeout: ticket 7 is a half-open probe that succeeds and closes it; ticket 8
 * finds it closed. Three classifications are cache hits. Resolves with the run's Prometheus metrics
 * (the text its `/metrics` served at the end), for a test server to serve while the page is open.
 */
export async function runSupportWorkflow(endpoint: string): Promise<string> {
  const obs = setupObservability({
    serviceName: "support-agent",
    tracing: { exporter: "otlp", endpoint },
    metrics: {},
    logging: false,
  });
  try {
    // The breaker's recovery timeout runs on a fake clock (no waiting); span times stay real.
    const clock = new TestClock(Date.now());
    let phase: Phase = { kind: "healthy" };
    const primary = new MockLanguageModel({
      modelId: "primary-model",
      provider: "sim-primary",
      latencyMs: 25,
      reply: (request) => {
        const fail = (status: number, message: string): ProviderError =>
          new ProviderError(message, { provider: "sim-primary", model: "primary-model", status, retryable: true });
        if (phase.kind === "outage") return fail(503, "503 Service Unavailable");
        if (phase.kind === "flaky" && phase.failures > 0) {
          phase.failures--;
          return fail(429, "429 Too Many Requests");
        }
        return {
          text: `Answer to: ${String(request.messages.at(-1)?.content)}`,
          usage: { inputTokens: 420, outputTokens: 96 },
        };
      },
    });
    const backup = new MockLanguageModel({
      modelId: "backup-model",
      provider: "sim-backup",
      latencyMs: 60,
      responses: [{ text: "Answer from the backup model.", usage: { inputTokens: 430, outputTokens: 120 } }],
    });
    const classify = cache(
      lambda((text: string) => ({ text, topic: /charged|refund/i.test(text) ? "billing" : "orders" }), "classify"),
      { ttlMs: 600_000, name: "classification-cache" },
    );
    const prompt = lambda(
      (ticket: { text: string; topic: string }): ModelRequest => ({
        messages: [
          { role: "system", content: `You answer ${ticket.topic} questions.` },
          { role: "user", content: ticket.text },
        ],
      }),
      "prompt",
    );
    const guarded = circuitBreaker(
      retry(model(primary, { catalog }), { maxRetries: 2, initialDelayMs: 0, jitter: "none", name: "primary-retry" }),
      { failureThreshold: 2, successThreshold: 1, recoveryTimeoutMs: RECOVERY_TIMEOUT_MS, name: BREAKER_NAME },
    );
    const answer = fallback(guarded, { fallbacks: [model(backup, { catalog })], name: "answer" });
    const ticketFlow = sequential([classify, prompt, answer], { name: "support-ticket" });

    for (const [i, text] of TICKETS.entries()) {
      const n = i + 1;
      phase = n === 1 ? { kind: "flaky", failures: 2 } : n >= 3 && n <= 6 ? { kind: "outage" } : { kind: "healthy" };
      if (n === 7) await clock.advance(RECOVERY_TIMEOUT_MS);
      await ticketFlow.execute(text, createContext({ workflowId: `${WORKFLOW_PREFIX}-${n}`, clock }));
    }
    await obs.forceFlush();
    return await obs.registry.metrics();
  } finally {
    await obs.shutdown();
  }
}

/** Prometheus text whose label values, help text and metric values are {@link XSS_PAYLOADS}. */
export async function xssMetricsText(): Promise<string> {
  const registry = new Registry();
  const counter = new Counter({
    name: "tta_xss_total",
    help: XSS_PAYLOADS[0],
    labelNames: ["v"],
    registers: [registry],
  });
  for (const v of XSS_PAYLOADS) counter.inc({ v });
  return registry.metrics();
}

/** Strings that run code if a page ever treats them as HTML or as a URL. */
export const XSS_PAYLOADS = [
  "<script>window.__xss=1</script>",
  '<img src=x onerror="window.__xss=1">',
  "javascript:window.__xss=1",
] as const;

/** The workflow id of the trace made of {@link XSS_PAYLOADS}. */
export const XSS_WORKFLOW = "xss-probe";

/**
 * Exports (OTLP JSON, the real SDK exporter) one trace whose span names, event names, attribute keys
 * and values and service name are {@link XSS_PAYLOADS}.
 */
export async function exportXssTrace(endpoint: string): Promise<void> {
  const [script, img, url] = XSS_PAYLOADS;
  const run = await exportSpans(endpoint, { encoding: "json", serviceName: url }, (tracer) => {
    const root = tracer.startSpan(script, {
      attributes: {
        "tta.workflow.id": XSS_WORKFLOW,
        [script]: img,
        [img]: url,
        [url]: script,
        "xss.list": [...XSS_PAYLOADS],
      },
    });
    root.addEvent(img, { [url]: script });
    const ctx = trace.setSpan(context.active(), root);
    for (const name of [img, url]) {
      const child = tracer.startSpan(name, { attributes: { "xss.value": name, [name]: name } }, ctx);
      child.setStatus({ code: SpanStatusCode.ERROR, message: script });
      child.end();
    }
    root.end();
  });
  if (run.results.some((code) => code !== 0)) throw new Error(`the OTLP export failed: ${run.results.join(", ")}`);
}
