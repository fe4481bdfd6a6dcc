// Ingest benchmark of the observatory (issue 13, "Performance": ≥ 5,000 spans/s on this 2-core machine,
// with the ratio against simply parsing the same bodies): `node --expose-gc src/observatory-ingest.mjs
// [--quick] [--check]` from bench/ (build @tta/observatory first; `pnpm bench` and
// `pnpm --filter @tta/bench bench:observatory` do). In this one process, over a generated OTLP load
// (src/observatory-load.mjs: 2,000 requests × 50 spans shaped like TTA's, as protobuf and as JSON):
//
//   (a) decode only: `decodeOtlp(body, encoding)` of every body (parse, validate, normalize);
//   (b) decode + `store.ingest(spans)` into a fresh TraceStore (maxTraces 1,000: it evicts all along),
//       the observatory's path without HTTP;
//   (c) HTTP: POST /v1/traces to a fresh `startObservatory({ port: 0 })` on 127.0.0.1 from 4 concurrent
//       keep-alive clients in a worker thread (src/observatory-client.mjs), until every body was answered;
//       then every answer must be 200 and the store must have ingested every span.
//   (d) as (c), protobuf only, with the optional SQLite file (`dbFile` in a temporary folder): the file is
//       rewritten every 2 s while spans arrive, on the same event loop; the final write on close is timed apart.
//
// Then memory: a TraceStore with maxTraces 1,000 fed the protobuf load; heapUsed (after two full GCs)
// once 20,000 spans are in (the store full since 10,000) and after all 100,000: within max(1 MiB, 5 %).
// Prints the table and the targets; appends the run to results/observatory.json.
//   --quick  400 requests, fewer rounds (a smoke run; noisier)
//   --check  exit 1 when a target fails (default: exit 0 after a complete run)
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { median } from "./harness.mjs";
import { SPANS_PER_REQUEST, TRACES_PER_REQUEST, generateLoad } from "./observatory-load.mjs";
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import {
  appendRun,
  fmtX,
  libVersion,
  loadLine,
  machineLine,
  parseArgs,
  printTable,
  printTargets,
  runFields,
  runStart,
  srcDir,
} from "./runner-common.mjs";

const { quick, check } = parseArgs();
if (typeof globalThis.gc !== "function") {
  console.error("observatory-ingest: run node with --expose-gc (node --expose-gc src/observatory-ingest.mjs)");
  process.exit(2);
}
const network = installNetworkGuard({ allowLoopback: true });
const { TraceStore, decodeOtlp, startObservatory } = await import("@tta/observatory");

const REQUESTS = quick ? 400 : 2_000;
const ROUNDS = quick ? 2 : 5;
const HTTP_ROUNDS = quick ? 1 : 3;
const CONCURRENCY = 4;
const WARMUP_REQUESTS = quick ? 100 : 200;
const TARGET_SPANS_PER_S = 5_000;
const MEMORY = { maxTraces: quick ? 200 : 1_000 };
/** The reference point: twice the requests that fill the store. */
MEMORY.refRequests = (2 * MEMORY.maxTraces) / TRACES_PER_REQUEST;
const SLACK_BYTES = 1024 * 1024;
const SLACK_SHARE = 0.05;
const ENCODINGS = ["protobuf", "json"];
const TOTAL_SPANS = REQUESTS * SPANS_PER_REQUEST;

const fmtInt = (n) => Math.round(n).toLocaleString("en");
const mib = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`;
const signedKib = (b) => `${b >= 0 ? "+" : "−"}${(Math.abs(b) / 1024).toFixed(0)} KiB`;

// ---------------------------------------------------------------------------------------------
const start = runStart();
const versions = { "@tta/observatory": libVersion("@tta/observatory"), node: process.version };
console.log(
  [
    "",
    `TTA observatory ingest benchmark: @tta/observatory ${versions["@tta/observatory"]} (built dist), generated OTLP load`,
    machineLine(start),
    "",
    "Method",
    `  • Load: ${fmtInt(REQUESTS)} requests × ${SPANS_PER_REQUEST} spans (${TRACES_PER_REQUEST} traces of 10 spans shaped like a TTA support ticket:`,
    "    sequential, cache, fallback, circuit breaker, retry with retry events, GenAI client spans with tokens and cost,",
    "    exception events and error statuses, a tool call; tta.* and gen_ai.* attributes), encoded as OTLP protobuf with the",
    "    observatory's own descriptor (exportTraceServiceRequestType: no scope, flags or dropped counts) and as OTLP JSON.",
    `  • (a) decodeOtlp(body) of every body; (b) decodeOtlp + store.ingest into a fresh TraceStore (maxTraces 1,000, evicting);`,
    `    ${ROUNDS} rounds each, encodings alternating, a full GC before each. (c) HTTP: POST /v1/traces to a fresh observatory on`,
    `    127.0.0.1 from ${CONCURRENCY} keep-alive clients in a worker thread, ${HTTP_ROUNDS} round(s) per encoding; all answers 200 and every`,
    `    span ingested (checked). spans/s = ${fmtInt(TOTAL_SPANS)} / elapsed, median of the rounds. Warm-up: ${WARMUP_REQUESTS} requests of each path first.`,
    "",
  ].join("\n"),
);

process.stderr.write(`Generating ${fmtInt(REQUESTS)} requests (and in the client worker)…\n`);
const worker = new Worker(path.join(srcDir, "observatory-client.mjs"), { workerData: { requests: REQUESTS } });
const workerReady = new Promise((resolve, reject) => {
  worker.once("message", resolve);
  worker.once("error", reject);
});
const load = generateLoad(REQUESTS);
await workerReady;

/** Asks the worker to POST the first `count` bodies of `encoding` to `url`. */
function postAll(url, encoding, count) {
  return new Promise((resolve, reject) => {
    worker.once("message", (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    worker.postMessage({ url, encoding, concurrency: CONCURRENCY, count });
  });
}

// ---------------------------------------------------------------------------------------------
/** Decodes the first `count` bodies; returns the span count. */
function decodeAll(encoding, count = REQUESTS) {
  const bodies = load[encoding];
  let spans = 0;
  for (let i = 0; i < count; i++) spans += decodeOtlp(bodies[i], encoding).length;
  return spans;
}
/** Decodes and ingests the first `count` bodies into `store`; returns the span count. */
function ingestAll(encoding, store, count = REQUESTS) {
  const bodies = load[encoding];
  let spans = 0;
  for (let i = 0; i < count; i++) {
    const records = decodeOtlp(bodies[i], encoding);
    store.ingest(records);
    spans += records.length;
  }
  return spans;
}
function timed(fn) {
  globalThis.gc();
  const began = performance.now();
  const spans = fn();
  const ms = performance.now() - began;
  if (spans !== TOTAL_SPANS) throw new Error(`expected ${TOTAL_SPANS} spans, got ${spans}`);
  return ms;
}
async function httpRound(encoding, count = REQUESTS, withDb = false) {
  const dir = withDb ? mkdtempSync(path.join(os.tmpdir(), "observatory-bench-")) : undefined;
  const dbFile = dir === undefined ? undefined : path.join(dir, "traces.sqlite");
  const warnings = [];
  const observatory = await startObservatory({
    port: 0,
    onWarning: (w) => warnings.push(w),
    ...(dbFile === undefined ? {} : { dbFile }),
  });
  let closed = false;
  try {
    globalThis.gc();
    const elu = performance.eventLoopUtilization();
    const result = await postAll(`${observatory.url}/v1/traces`, encoding, count);
    result.serverBusy = performance.eventLoopUtilization(elu).utilization;
    const stats = observatory.store.stats();
    if (result.statuses[200] !== count || stats.ingestedSpans !== count * SPANS_PER_REQUEST || stats.rejectedRequests)
      throw new Error(`HTTP ${encoding}: statuses ${JSON.stringify(result.statuses)}, store ${JSON.stringify(stats)}`);
    if (dbFile !== undefined) {
      const began = performance.now();
      await observatory.close();
      closed = true;
      result.closeMs = performance.now() - began;
      result.fileBytes = statSync(dbFile).size;
      if (warnings.length > 0) throw new Error(`dbFile: ${warnings.join("; ")}`);
    }
    return result;
  } finally {
    if (!closed) await observatory.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

process.stderr.write("Warming up…\n");
for (const encoding of ENCODINGS) {
  decodeAll(encoding, WARMUP_REQUESTS);
  ingestAll(encoding, new TraceStore(), WARMUP_REQUESTS);
  await httpRound(encoding, WARMUP_REQUESTS);
}
await httpRound("protobuf", WARMUP_REQUESTS, true);

const samples = {};
const push = (id, ms) => (samples[id] ??= []).push(ms);
process.stderr.write(`Measuring in-process paths (${ROUNDS} rounds)…\n`);
for (let round = 0; round < ROUNDS; round++) {
  for (const encoding of round % 2 === 0 ? ENCODINGS : [...ENCODINGS].reverse()) {
    push(
      `${encoding}.decode`,
      timed(() => decodeAll(encoding)),
    );
    push(
      `${encoding}.ingest`,
      timed(() => ingestAll(encoding, new TraceStore())),
    );
  }
}
process.stderr.write(`Measuring HTTP (${HTTP_ROUNDS} round(s), ${CONCURRENCY} clients)…\n`);
let clientNetworkAttempts = 0;
/** The final write of the SQLite file on close, and the file's size, per (d) round. */
let dbClose;
/** The share of the HTTP rounds the server's event loop was busy (1: the server is the bottleneck). */
const serverBusy = {};
for (let round = 0; round < HTTP_ROUNDS; round++) {
  for (const encoding of round % 2 === 0 ? ENCODINGS : [...ENCODINGS].reverse()) {
    const result = await httpRound(encoding);
    clientNetworkAttempts = Math.max(clientNetworkAttempts, result.networkAttempts);
    push(`${encoding}.http`, result.elapsedMs);
    (serverBusy[encoding] ??= []).push(result.serverBusy);
  }
  const withDb = await httpRound("protobuf", REQUESTS, true);
  push("protobuf.httpdb", withDb.elapsedMs);
  (serverBusy.protobufDb ??= []).push(withDb.serverBusy);
  (dbClose ??= []).push(withDb);
}
await worker.terminate();

// ---------------------------------------------------------------------------------------------
process.stderr.write("Measuring memory…\n");
async function settledHeap() {
  await nextTurn();
  globalThis.gc();
  await nextTurn();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}
const memoryStore = new TraceStore({ maxTraces: MEMORY.maxTraces });
const heapEmpty = await settledHeap();
const series = [];
for (let done = 0; done < REQUESTS;) {
  const end = done === 0 ? MEMORY.refRequests : REQUESTS;
  for (; done < end; done++) memoryStore.ingest(decodeOtlp(load.protobuf[done], "protobuf"));
  const { traces, spans, droppedTraces } = memoryStore.stats();
  series.push({ ingested: done * SPANS_PER_REQUEST, heapUsed: await settledHeap(), traces, spans, droppedTraces });
}
const [refPoint, lastPoint] = series;
const allowed = Math.max(SLACK_BYTES, refPoint.heapUsed * SLACK_SHARE);
const memory = {
  maxTraces: MEMORY.maxTraces,
  heapEmpty,
  series,
  grew: lastPoint.heapUsed - refPoint.heapUsed,
  allowed,
  bytesPerStoredSpan: (refPoint.heapUsed - heapEmpty) / refPoint.spans,
};
memory.pass = memory.grew <= allowed && lastPoint.traces <= MEMORY.maxTraces;

// ---------------------------------------------------------------------------------------------
const LABELS = {
  decode: "(a) decode only",
  ingest: "(b) decode + store.ingest",
  http: "(c) HTTP POST /v1/traces",
  httpdb: "(d) HTTP, with dbFile",
};
const rows = [];
for (const encoding of ENCODINGS) {
  const bytes = load[encoding].reduce((sum, b) => sum + b.byteLength, 0);
  for (const mode of encoding === "protobuf" ? ["decode", "ingest", "http", "httpdb"] : ["decode", "ingest", "http"]) {
    const ms = samples[`${encoding}.${mode}`];
    const rates = ms.map((m) => TOTAL_SPANS / (m / 1000));
    rows.push({
      id: `${encoding}.${mode}`,
      label: LABELS[mode],
      encoding,
      spansPerSec: median(rates),
      minSpansPerSec: Math.min(...rates),
      maxSpansPerSec: Math.max(...rates),
      roundsMs: ms,
      usPerRequest: (median(ms) * 1000) / REQUESTS,
      mbPerSec: bytes / 1024 / 1024 / (median(ms) / 1000),
      bytesPerRequest: bytes / REQUESTS,
      ...(mode === "http" ? { serverLoopBusy: median(serverBusy[encoding]) } : {}),
      ...(mode === "httpdb" ? { serverLoopBusy: median(serverBusy.protobufDb) } : {}),
    });
  }
}
const rowOf = (id) => rows.find((r) => r.id === id);
const ratio = (encoding, mode) => rowOf(`${encoding}.${mode}`).spansPerSec / rowOf(`${encoding}.decode`).spansPerSec;
printTable(
  `Ingest: ${fmtInt(TOTAL_SPANS)} spans in ${fmtInt(REQUESTS)} requests per round`,
  [
    "row",
    "encoding",
    "spans/s",
    "rounds min–max",
    "µs/request",
    "body MB/s",
    "× (a) decode",
    "B/request",
    "server busy",
  ],
  rows.map((r) => [
    r.label,
    r.encoding,
    fmtInt(r.spansPerSec),
    `${fmtInt(r.minSpansPerSec)}–${fmtInt(r.maxSpansPerSec)}`,
    r.usPerRequest.toFixed(0),
    r.mbPerSec.toFixed(1),
    r.id.endsWith(".decode") ? "" : fmtX(ratio(r.encoding, r.id.split(".")[1])),
    fmtInt(r.bytesPerRequest),
    r.serverLoopBusy === undefined ? "" : `${(r.serverLoopBusy * 100).toFixed(0)} %`,
  ]),
);
console.log(
  "  server busy: the share of an HTTP round the observatory's event loop was busy (near 100 %: the server is the bottleneck).",
);
console.log(
  `  (d) dbFile: the final write on close took ${dbClose.map((r) => `${r.closeMs.toFixed(0)} ms`).join(", ")}; ` +
    `file ${dbClose.map((r) => mib(r.fileBytes)).join(", ")} (the default store: its 1,000 newest traces).\n`,
);
console.log(
  `Memory: TraceStore({ maxTraces: ${fmtInt(MEMORY.maxTraces)} }) fed the protobuf load; heapUsed after two full GCs ` +
    `(empty store: ${mib(heapEmpty)}; ~${fmtInt(memory.bytesPerStoredSpan)} B of heap per stored span)`,
);
for (const p of series)
  console.log(
    `  ${fmtInt(p.ingested).padStart(9)} spans ingested: heapUsed ${mib(p.heapUsed).padStart(10)}, stored ${fmtInt(p.traces)} traces / ` +
      `${fmtInt(p.spans)} spans, dropped ${fmtInt(p.droppedTraces)} traces`,
  );
console.log("");

const http = rowOf("protobuf.http");
const targets = [
  {
    id: "http-protobuf-throughput",
    text: `the observatory ingests ≥ ${fmtInt(TARGET_SPANS_PER_S)} spans/s over HTTP (protobuf)`,
    pass: http.spansPerSec >= TARGET_SPANS_PER_S,
    value: http.spansPerSec,
    detail:
      `${fmtInt(http.spansPerSec)} spans/s (median of ${HTTP_ROUNDS}, min ${fmtInt(http.minSpansPerSec)}; ${CONCURRENCY} clients); ` +
      `(b)/(a) ${fmtX(ratio("protobuf", "ingest"))}, (c)/(a) ${fmtX(ratio("protobuf", "http"))}` +
      ` [JSON: ${fmtInt(rowOf("json.http").spansPerSec)} spans/s, (b)/(a) ${fmtX(ratio("json", "ingest"))}, (c)/(a) ${fmtX(ratio("json", "http"))}]`,
  },
  {
    id: "http-protobuf-throughput-with-db",
    text: `with the SQLite file (dbFile), still ≥ ${fmtInt(TARGET_SPANS_PER_S)} spans/s over HTTP (protobuf)`,
    pass: rowOf("protobuf.httpdb").spansPerSec >= TARGET_SPANS_PER_S,
    value: rowOf("protobuf.httpdb").spansPerSec,
    detail: `${fmtInt(rowOf("protobuf.httpdb").spansPerSec)} spans/s (median of ${HTTP_ROUNDS}), ${fmtX(
      rowOf("protobuf.httpdb").spansPerSec / http.spansPerSec,
    )} of (c) without it`,
  },
  {
    id: "memory-bounded",
    text:
      `memory stays bounded: heapUsed after ${fmtInt(lastPoint.ingested)} spans within max(1 MiB, 5 %) of heapUsed ` +
      `after ${fmtInt(refPoint.ingested)} (maxTraces ${fmtInt(MEMORY.maxTraces)})`,
    pass: memory.pass,
    detail: `${signedKib(memory.grew)} (allowed ${signedKib(allowed)}); ${fmtInt(lastPoint.traces)} traces stored`,
  },
];
console.log("Targets (issue 13)");
const failed = printTargets(targets);
const loadAfter = os.loadavg();
console.log(
  `  Network attempts blocked: ${network.attempts + clientNetworkAttempts} (loopback only); OpenTelemetry: ${otelState()}; ` +
    loadLine(start.loadBefore, loadAfter, start.cpu.length),
);
appendRun(
  "observatory.json",
  {
    ...runFields(start, { quick, loadAfter, versions }),
    config: {
      requests: REQUESTS,
      spansPerRequest: SPANS_PER_REQUEST,
      rounds: ROUNDS,
      httpRounds: HTTP_ROUNDS,
      concurrency: CONCURRENCY,
      warmupRequests: WARMUP_REQUESTS,
    },
    rows,
    memory,
    targets,
    networkAttempts: network.attempts + clientNetworkAttempts,
  },
  start.started,
);
if (check && failed > 0) process.exitCode = 1;
