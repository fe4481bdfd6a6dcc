// Model-layer benchmark orchestrator: `node src/model-run.mjs [--quick] [--check]` (run it through
// `pnpm bench` at the repo root, which builds @tta/primitives first). Spawns fresh Node processes
// (src/model-child.mjs), and for the HTTP rows one simulated provider in a process of its own
// (src/model-server.mjs); prints the tables and the targets (src/model-report.mjs), and appends the run
// to results/model.json.
//   --quick  fewer, shorter rounds (a smoke run; numbers are noisier)
//   --check  exit 1 when a target fails (default: always exit 0 after a complete run)
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { CHUNKS, PROMPT, ROUTER_MODELS, SIM_MODEL } from "./model-scenarios.mjs";
import { allocLookup, printModelChecks, printModelTables, printModelTargets } from "./model-report.mjs";
import {
  ALLOC_FLAGS,
  SEMI_SPACE_MB,
  TIME_FLAGS,
  allocConfig,
  appendRun,
  benchDir,
  childEnv,
  libVersion,
  machineLine,
  pairedTimeMethod,
  parseArgs,
  runFields,
  runModeChild,
  runStart,
  srcDir,
  timeConfig,
} from "./runner-common.mjs";

const { quick, check } = parseArgs();

const TIME = timeConfig(quick);
// Up to 200 000 ops per batch (the generate rows allocate a few hundred B per op); --quick: 3 batches.
const ALLOC = { ...allocConfig(200_000), ...(quick ? { batches: 3 } : {}) };
// HTTP requests take ~1 ms here and allocate ~80–200 KB each: smaller batches (~16 MB), a shorter warm-up.
const HTTP_ALLOC = { ...ALLOC, batchBytes: 16 * 1024 * 1024, maxOps: 2_000, warmupOps: 200 };
/** In-process time processes, in this order; the two TTA processes decide the verdicts. */
const TIME_PLAN = [
  ["raw", "raw, first"],
  ["tta", "tta A"],
  ["tta", "tta B"],
  ["raw", "raw, last"],
];
/** HTTP time processes (against one simulated provider); both decide the HTTP verdict. */
const HTTP_PLAN = [
  ["http", "http A"],
  ["http", "http B"],
];
const LABEL_WIDTH = 12;

const runChild = async (kind, mode, tag, extra = {}) => ({
  tag,
  ...(await runModeChild({
    script: "model-child.mjs",
    kind,
    mode,
    label: tag.padEnd(LABEL_WIDTH),
    name: "model child",
    time: { ...TIME, ...extra },
    alloc: { ...(kind === "http" ? HTTP_ALLOC : ALLOC), ...extra },
  })),
});

/**
 * Starts src/model-server.mjs and resolves once it listens: `{ baseURL, pid, stats(), stop() }`.
 * `stats()` asks it for its counters and request log; `stop()` closes stdin (it closes and exits).
 */
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(srcDir, "model-server.mjs")], {
      cwd: benchDir,
      env: childEnv(),
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout });
    const waiting = [];
    let exited;
    const done = new Promise((r) => child.on("exit", (code) => r(code)));
    child.on("error", reject);
    void done.then((code) => {
      exited = code;
      for (const w of waiting.splice(0)) w.reject(new Error(`the simulated provider exited with ${code}`));
    });
    lines.on("line", (line) => {
      const w = waiting.shift();
      if (w) w.resolve(JSON.parse(line));
    });
    waiting.push({
      resolve: ({ baseURL, pid }) =>
        resolve({
          baseURL,
          pid,
          stats: () =>
            new Promise((res, rej) => {
              if (exited !== undefined) return rej(new Error("the simulated provider has exited"));
              waiting.push({ resolve: res, reject: rej });
              child.stdin.write("stats\n");
            }),
          stop: async () => {
            child.stdin.end();
            const code = await done;
            if (code !== 0) throw new Error(`the simulated provider exited with ${code}`);
          },
        }),
      reject,
    });
  });
}

// ---------------------------------------------------------------------------------------------
const start = runStart();
const versions = { "@tta/primitives": libVersion("@tta/primitives"), openai: libVersion("openai") };
console.log(
  [
    "",
    `TTA model-layer micro-benchmark: @tta/primitives ${versions["@tta/primitives"]} (built dist) model()/streamModel()/modelRouter() vs calling the model directly; openAICompatible vs openai ${versions.openai} and fetch`,
    machineLine(start),
    "",
    "Method",
    "  • No OpenTelemetry SDK and no TTA event subscriber (checked below). Request: { messages: [{ role: 'user', content:",
    `    ${JSON.stringify(PROMPT)} }] }, one object made once. In-process model: a fake LanguageModel per row whose generate()`,
    `    returns a prebuilt response via Promise.resolve and whose stream() is an async generator of ${CHUNKS} prebuilt small text`,
    "    chunks + a finish chunk. Baselines: lm.generate(request, { signal }) and for await over lm.stream(request, { signal }),",
    "    signal made once. TTA: model(lm) / streamModel(lm) made once; execute(request) without a context (a root context per call).",
    `  • Router: modelRouter({ candidates: [fakeA, fakeB], catalog }) made once per row, both fakes in a two-entry catalogue,`,
    `    ${ROUTER_MODELS.cheap} priced below ${ROUTER_MODELS.dear} (the default "cheapest" strategy sends every request to it; each row checks the other`,
    '    was never called); default options, preset "latency" (adaptive attempt timeout + p99 hedge: timers per call), and',
    "    executeWithRoute. Same baseline: lm.generate(request, { signal }) of the same round.",
    ...pairedTimeMethod(TIME_PLAN, TIME, "the two TTA processes"),
    `  • HTTP: one simulated provider (startSimulatedProvider, ${SIM_MODEL}, latency 0, on 127.0.0.1) in a process of its own, so its`,
    `    work does not run in the measured process; processes ${HTTP_PLAN.map(([, t]) => t).join(", ")} each measure a plain fetch, the openai`,
    "    client (maxRetries: 0) and TTA's openAICompatible, interleaved round by round, all over the global fetch (keep-alive).",
    "    The same rounds; each op is one whole request (~1 ms on this VM), so a round holds fewer ops. Only loopback is reachable.",
    `  • Allocation: one in-process and one HTTP process with a ${SEMI_SPACE_MB} MB semi-space, no GC inside a batch (checked), heapUsed`,
    `    delta / ops, median of ${ALLOC.batches} batches (HTTP: ~${HTTP_ALLOC.batchBytes >> 20} MB batches after ${HTTP_ALLOC.warmupOps} warm-up requests); includes the driver`,
    "    loop's own await (the same for every row).",
    "",
  ].join("\n"),
);

process.stderr.write("Running model benchmark processes:\n");
const timeRuns = [];
for (const [kind, tag] of TIME_PLAN) timeRuns.push(await runChild(kind, "time", tag));
const allocRuns = [await runChild("tta", "alloc", "tta alloc")];
const provider = await startServer();
process.stderr.write(`  (simulated provider pid ${provider.pid} at ${provider.baseURL})\n`);
const httpRuns = [];
const httpAllocRuns = [];
let serverReport;
try {
  const http = { baseURL: provider.baseURL };
  for (const [kind, tag] of HTTP_PLAN) httpRuns.push(await runChild(kind, "time", tag, http));
  httpAllocRuns.push(await runChild("http", "alloc", "http alloc", http));
  serverReport = await provider.stats();
} finally {
  await provider.stop();
}
process.stderr.write("\n");

const runs = { timeRuns, allocRuns, httpRuns, httpAllocRuns };
const allocOf = allocLookup([...allocRuns, ...httpAllocRuns]);
const scenarios = printModelTables(runs, allocOf, { time: TIME_PLAN, http: HTTP_PLAN });
const { targets, failed } = printModelTargets(runs, allocOf);
const { server, noise, checks, loadAfter } = printModelChecks(runs, serverReport, start);

// ---------------------------------------------------------------------------------------------
appendRun(
  "model.json",
  {
    ...runFields(start, { quick, loadAfter, versions }),
    config: {
      time: TIME,
      alloc: ALLOC,
      httpAlloc: HTTP_ALLOC,
      timeFlags: TIME_FLAGS,
      allocFlags: ALLOC_FLAGS,
      timePlan: TIME_PLAN,
      httpPlan: HTTP_PLAN,
      chunks: CHUNKS,
      prompt: PROMPT,
      routerModels: ROUTER_MODELS,
    },
    scenarios,
    allocation: Object.fromEntries(
      [...allocRuns, ...httpAllocRuns].flatMap((run) =>
        run.rows.map((r) => [r.id, { median: r.median, samples: r.samples, opsPerBatch: r.opsPerBatch }]),
      ),
    ),
    server,
    noise,
    targets,
    checks,
    processes: { time: timeRuns, alloc: allocRuns, http: httpRuns, httpAlloc: httpAllocRuns },
  },
  start.started,
);
if (check && failed > 0) process.exit(1);
