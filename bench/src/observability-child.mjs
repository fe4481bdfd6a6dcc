// One observability benchmark process:
//   node --expose-gc src/observability-child.mjs <nosdk|sdk|sdk-noals> <json-config>
// Measures, interleaved in this process, the 10-step workflow and a single primitive under one
// telemetry setup, and prints one JSON line on stdout:
//   nosdk     (a) no OpenTelemetry SDK registered at all
//   sdk       (b) NodeTracerProvider + BatchSpanProcessor + no-op exporter + AsyncLocalStorage context
//                 manager, with bare `tracer.startActiveSpan` rows around the same functions, and
//             (c) rows: the same TTA workflow with setupObservability's prom-client metrics and
//                 logger subscribed (set up before each of its batches, shut down after)
//   sdk-noals (b) and (c) without the AsyncLocalStorage context manager
import { installNetworkGuard } from "./process-guard.mjs";
import { makeSteps } from "./scenarios.mjs";
import { timeRowsWithHooks } from "./observability-harness.mjs";

const [mode, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson ?? "{}");
if (!["nosdk", "sdk", "sdk-noals"].includes(mode)) {
  console.error("usage: node --expose-gc src/observability-child.mjs <nosdk|sdk|sdk-noals> [json-config]");
  process.exit(2);
}

// Network guard, as in child.mjs: nothing here may open a socket (the exporter is a no-op).
const network = installNetworkGuard();

const SPANS = 11; // a 10-step sequential: one span per step plus the sequential's own

const { sequential, lambda } = await import("@tta/primitives");
const steps = makeSteps();
const [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9] = steps;
// Unrolled, as in scenarios.mjs (a for…of would allocate an iterator result per await).
async function rawChain(x) {
  x = await s0(x);
  x = await s1(x);
  x = await s2(x);
  x = await s3(x);
  x = await s4(x);
  x = await s5(x);
  x = await s6(x);
  x = await s7(x);
  x = await s8(x);
  x = await s9(x);
  return x;
}
const single = makeSteps()[0];
const seq = sequential(makeSteps().map((f) => lambda(f)));
const one = lambda(makeSteps()[0]);

const rows = [
  { id: "raw.chain", label: "raw await chain (10 steps)", op: () => rawChain(0), expect: 10 },
  { id: "raw.single", label: "raw single step", op: () => single(0), expect: 1 },
];

let provider;
if (mode !== "nosdk") {
  const { trace, context, propagation } = await import("@opentelemetry/api");
  const { BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const { NodeTracerProvider } = await import("@opentelemetry/sdk-trace-node");
  const { AsyncLocalStorageContextManager } = await import("@opentelemetry/context-async-hooks");
  const { ExportResultCode } = await import("@opentelemetry/core");
  const noopExporter = {
    export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] });
  trace.setGlobalTracerProvider(provider);
  if (mode === "sdk") context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  void propagation;

  const tracer = trace.getTracer("bench-bare");
  // The bare equivalent of the workflow: one active span around the chain, one around each step.
  const bareSteps = makeSteps();
  const spanStep = (f, x) =>
    tracer.startActiveSpan("step", async (span) => {
      try {
        return await f(x);
      } finally {
        span.end();
      }
    });
  const bareChain = (x0) =>
    tracer.startActiveSpan("chain", async (root) => {
      try {
        let x = x0;
        for (let i = 0; i < bareSteps.length; i++) x = await spanStep(bareSteps[i], x);
        return x;
      } finally {
        root.end();
      }
    });
  const bareSingleFn = makeSteps()[0];

  // The fair baseline (issue 11, item 1): the same spans, each setting the four `tta.*` attributes a TTA
  // span carries, computed the same cheap way: constant strings for kind and name, and ids made once per
  // workflow run from a counter.
  const attrSteps = makeSteps();
  let attrRuns = 0;
  const attrSpanStep = (f, x, kind, name, workflowId, correlationId) =>
    tracer.startActiveSpan(
      `tta.${kind}`,
      {
        attributes: {
          "tta.primitive.kind": kind,
          "tta.primitive.name": name,
          "tta.workflow.id": workflowId,
          "tta.correlation.id": correlationId,
        },
      },
      async (span) => {
        try {
          return await f(x);
        } finally {
          span.end();
        }
      },
    );
  const attrChain = (x0) => {
    const n = ++attrRuns;
    const correlationId = `bench-${n}`;
    const workflowId = `wf-${n}`;
    return tracer.startActiveSpan(
      "tta.sequential",
      {
        attributes: {
          "tta.primitive.kind": "sequential",
          "tta.primitive.name": "Sequential",
          "tta.workflow.id": workflowId,
          "tta.correlation.id": correlationId,
        },
      },
      async (root) => {
        try {
          let x = x0;
          for (let i = 0; i < attrSteps.length; i++)
            x = await attrSpanStep(attrSteps[i], x, "lambda", "Lambda", workflowId, correlationId);
          return x;
        } finally {
          root.end();
        }
      },
    );
  };
  const attrSingleFn = makeSteps()[0];
  const attrSingle = (x) => {
    const n = ++attrRuns;
    return attrSpanStep(attrSingleFn, x, "lambda", "Lambda", `wf-${n}`, `bench-${n}`);
  };

  const { setupObservability } = await import("@tta/observability");
  const { Writable } = await import("node:stream");
  const devNull = new Writable({ write: (_c, _e, cb) => cb() });
  let handle;
  const withMetrics = {
    async before() {
      handle = setupObservability({
        serviceName: "bench",
        tracing: false, // the SDK above stays the global provider: (c) = (b) + metrics and logs
        metrics: {},
        logging: { level: "info", destination: devNull },
      });
    },
    async after() {
      await handle.shutdown();
    },
  };
  const { subscribe } = await import("@tta/primitives");
  let stop;
  const withNoopSubscriber = {
    async before() {
      stop = subscribe(() => undefined);
    },
    async after() {
      stop();
    },
  };
  rows.push(
    {
      id: "bare.chain",
      label: "bare startActiveSpan chain (11 spans, no attributes)",
      op: () => bareChain(0),
      expect: 10,
    },
    {
      id: "bare.chain.attrs",
      label: "bare startActiveSpan chain (11 spans, 4 tta.* attributes)",
      op: () => attrChain(0),
      expect: 10,
    },
    { id: "tta.chain.b", label: "TTA sequential(10 lambdas) (b)", op: () => seq.execute(0), expect: 10 },
    {
      id: "tta.chain.noop",
      label: "TTA sequential(10 lambdas) (b + a no-op event subscriber)",
      op: () => seq.execute(0),
      expect: 10,
      ...withNoopSubscriber,
    },
    {
      id: "tta.chain.c",
      label: "TTA sequential(10 lambdas) (c: + metrics)",
      op: () => seq.execute(0),
      expect: 10,
      ...withMetrics,
    },
    {
      id: "bare.single",
      label: "bare startActiveSpan(step), no attributes",
      op: () => spanStep(bareSingleFn, 0),
      expect: 1,
    },
    {
      id: "bare.single.attrs",
      label: "bare startActiveSpan(step), 4 tta.* attributes",
      op: () => attrSingle(0),
      expect: 1,
    },
    { id: "tta.single.b", label: "TTA lambda(step).execute (b)", op: () => one.execute(0), expect: 1 },
    {
      id: "tta.single.c",
      label: "TTA lambda(step).execute (c: + metrics)",
      op: () => one.execute(0),
      expect: 1,
      ...withMetrics,
    },
  );
} else {
  rows.push(
    { id: "tta.chain.a", label: "TTA sequential(10 lambdas) (a: no SDK)", op: () => seq.execute(0), expect: 10 },
    { id: "tta.single.a", label: "TTA lambda(step).execute (a: no SDK)", op: () => one.execute(0), expect: 1 },
  );
}

// Correctness first.
for (const row of rows) {
  await row.before?.();
  const value = await row.op();
  await row.after?.();
  if (value !== row.expect) throw new Error(`${row.label} returned ${JSON.stringify(value)}`);
}

const measured = await timeRowsWithHooks(rows, config);
await provider?.shutdown();
process.stdout.write(
  `${JSON.stringify({
    mode,
    pid: process.pid,
    spansPerWorkflow: SPANS,
    networkAttempts: network.attempts,
    rows: measured.map((m, i) => ({ id: rows[i].id, ...m })),
  })}\n`,
);
