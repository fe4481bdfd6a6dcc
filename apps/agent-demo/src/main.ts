/**
 * `npm start`: the observatory on 127.0.0.1, two providers with injected failures, and the support
 * agent working through a stream of tickets, traced into the observatory. Ctrl-C stops it cleanly;
 * `--once` runs one batch, checks that the observatory holds its traces, and exits 0 (1 if not).
 *
 * @packageDocumentation
 */
import { pathToFileURL } from "node:url";
import { setupObservability } from "@tta/observability";
import { startObservatory } from "@tta/observatory";
import { type ObservatoryHandle, checkMetrics, checkTraces, startObservatoryNear } from "./observatory.js";
import { type ProgressOut, ProgressTracker, createProgressLine } from "./progress.js";
import { type DemoProviders, startDemoProviders } from "./providers.js";
import { runTickets } from "./runner.js";
import { type SupportAgent, createSupportAgent } from "./support-agent.js";
import { ticketAt } from "./tickets.js";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** One batch of `batchSize` tickets, then the observatory check. @defaultValue false (until `stop`) */
  readonly once?: boolean;
  /** Tickets in the `--once` batch. @defaultValue 12 */
  readonly batchSize?: number;
  /** Tickets worked on at once. @defaultValue 3 */
  readonly concurrency?: number;
  /** Observatory port on 127.0.0.1 (0: any free port; a taken port → the next free one). @defaultValue 4318 */
  readonly port?: number;
  /** Where the banner and the progress line go. @defaultValue `process.stdout` */
  readonly out?: ProgressOut;
  /** `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `TTA_DEMO_MODELS` (real providers). @defaultValue `{}` (simulated) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborting it stops taking tickets, finishes the ones in flight and shuts down (Ctrl-C). */
  readonly stop?: AbortSignal;
  /** Longest wait for in-flight tickets after `stop`, ms; then they are cancelled. @defaultValue 10000 */
  readonly graceMs?: number;
  /** Divides the simulated latencies (tests). @defaultValue 1 */
  readonly speedup?: number;
  /** Pause of each worker between tickets in the endless mode, ms. @defaultValue 250 */
  readonly paceMs?: number;
}

/**
 * A pino JSON line as one short human line (the fields `setupObservability` writes for events), or
 * undefined for a retry: retries are routine here (the order system is flaky on purpose) and each is
 * in its trace, so they would only push the progress line around.
 */
export function formatLogLine(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; name?: unknown; event?: unknown };
    if (entry.event === "retry") return undefined;
    const name = typeof entry.name === "string" ? ` [${entry.name}]` : "";
    const level = typeof entry.level === "string" ? entry.level : "log";
    const msg = typeof entry.msg === "string" ? entry.msg : "";
    return `${level}${name}: ${msg}`;
  } catch {
    return line.trimEnd();
  }
}

/** Resolves when `signal` aborts (never when it is undefined). */
const aborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted === true) resolve();
    else signal?.addEventListener("abort", () => resolve(), { once: true });
  });

/** Runs the demo; resolves with the process exit code (0, or 1 when `--once`'s check fails or start-up fails). */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const once = options.once ?? false;
  const progress = createProgressLine(out, once ? (options.batchSize ?? 12) : 12);
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  let observatory: ObservatoryHandle;
  let providers: DemoProviders;
  let support: SupportAgent;
  let obs: ReturnType<typeof setupObservability>;
  let metricsUrl: string | undefined;
  const logLine = (line: string) => {
    const text = formatLogLine(line);
    if (text !== undefined) progress.log(text);
  };
  try {
    for (const [name, value] of [
      ["batchSize", options.batchSize],
      ["concurrency", options.concurrency],
    ] as const)
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 1))
        throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
    const started = await startObservatoryNear(startObservatory, options.port ?? 4318);
    observatory = started.observatory;
    closers.push(() => observatory.close());
    if (started.note !== undefined) progress.log(started.note);
    providers = await startDemoProviders({
      env: options.env ?? {},
      ...(options.speedup === undefined ? {} : { speedup: options.speedup }),
    });
    closers.push(() => providers.close());
    obs = setupObservability({
      serviceName: "agent-demo",
      tracing: { exporter: "otlp", endpoint: `${observatory.url}/v1/traces` },
      // The TTA metrics on a free loopback port; the observatory scrapes them (its Metrics card).
      metrics: { port: 0 },
      // Warnings (a breaker opening, a ticket out of budget) as short lines above the progress line.
      logging: { level: "warn", destination: { write: (line: string) => void logLine(line) } },
    });
    closers.push(() => obs.shutdown()); // flushes the spans still batched
    metricsUrl = (await obs.ready).metricsUrl;
    if (metricsUrl !== undefined) observatory.addScrapeTarget(metricsUrl);
    support = createSupportAgent(providers);
    closers.push(() => support.close());
  } catch (error) {
    await closeAll();
    out.write(`agent-demo could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }

  out.write(
    [
      `TTA agent demo: a support agent working through tickets${once ? " (one batch)" : " (Ctrl-C to stop)"}`,
      `  observatory  ${observatory.url}   ← open it in a browser`,
      ...(metricsUrl === undefined ? [] : [`  metrics      ${metricsUrl}   (scraped by the observatory)`]),
      ...providers.description.map((line) => `  ${line}`),
      "",
    ].join("\n"),
  );

  const tracker = new ProgressTracker();
  const snapshot = () => ({ ...tracker.snapshot(), breakers: support.status() });
  const workflowIds: string[] = [];
  const stop = new AbortController(); // no new tickets
  const cancel = new AbortController(); // abandon the ones in flight
  const onStop = () => stop.abort();
  options.stop?.addEventListener("abort", onStop, { once: true });
  if (options.stop?.aborted === true) stop.abort();

  const run = runTickets({
    concurrency: options.concurrency ?? 3,
    limit: once ? (options.batchSize ?? 12) : undefined,
    stop: stop.signal,
    paceMs: once ? 0 : (options.paceMs ?? 250),
    work: async (n) => {
      providers.beforeTicket(n);
      const outcome = await support.handle(ticketAt(n), n + 1, cancel.signal);
      workflowIds.push(outcome.workflowId);
      tracker.record({ ...outcome, costUsd: outcome.spent.costUsd });
      progress.update(snapshot());
    },
  });

  await Promise.race([run, aborted(stop.signal)]);
  if (stop.signal.aborted) {
    const graceMs = options.graceMs ?? 10_000;
    progress.log(`stopping: finishing the tickets in flight (at most ${graceMs / 1000} s)…`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), graceMs)));
    if ((await Promise.race([run, late])) === "late") {
      progress.log("cancelling the tickets still in flight");
      cancel.abort(new Error("the demo is shutting down"));
      await run;
    }
    clearTimeout(timer);
  }
  await run;
  options.stop?.removeEventListener("abort", onStop);
  progress.finish(snapshot());

  const caches = support.cacheStats();
  const rate = (hitRate: number) => `${Math.round(hitRate * 100)} %`;
  out.write(
    `cache hit rate: classification ${rate(caches.classification.hitRate)}, orders ${rate(caches.orders.hitRate)}\n`,
  );

  let code = 0;
  if (once) {
    await obs.forceFlush();
    const check = await checkTraces(observatory.url, workflowIds);
    out.write(`${check.message}\n`);
    const metrics =
      metricsUrl === undefined
        ? { ok: false, message: "observatory metrics check: FAILED (the demo's metrics server did not start)" }
        : await checkMetrics(observatory, metricsUrl);
    out.write(`${metrics.message}\n`);
    code = check.ok && metrics.ok ? 0 : 1;
  }
  await closeAll();
  out.write("telemetry flushed; providers and observatory closed\n");
  return code;
}

/** `node dist/main.js [--once]`: SIGINT/SIGTERM stop the demo; a second one after 2 s forces the exit. */
async function main(argv: readonly string[]): Promise<number> {
  // `pnpm start -- --once` passes the `--` on; `pnpm start --once` does not.
  const unknown = argv.filter((arg) => arg !== "--once" && arg !== "--");
  if (unknown.length > 0) {
    process.stderr.write(`usage: agent-demo [--once]   (unknown: ${unknown.join(" ")})\n`);
    return 2;
  }
  const portText = process.env["OBSERVATORY_PORT"];
  const port = portText === undefined || portText === "" ? 4318 : Number(portText);
  const stop = new AbortController();
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // npm, pnpm and the terminal may each deliver the same Ctrl-C: repeats within 2 s are one.
    if (firstSignalAt === undefined) firstSignalAt = Date.now();
    else if (Date.now() - firstSignalAt > 2_000) process.exit(signal === "SIGINT" ? 130 : 143);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return runDemo({ once: argv.includes("--once"), port, env: process.env, stop: stop.signal });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // An exporter's retry timer must not keep the process alive after shutdown.
  setTimeout(() => process.exit(code), 500).unref();
}
