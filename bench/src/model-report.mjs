// What src/model-run.mjs prints and keeps of a model-benchmark run: the five tables, the targets, the
// diagnostics and the checks, from the results of its processes (`runs`: `{ timeRuns, allocRuns,
// httpRuns, httpAllocRuns }`). Ratios and +ns are per round against the baseline of the same round
// (pairedStats); the verdicts pool the rounds of the two TTA (or the two HTTP) processes.
import os from "node:os";
import { median } from "./harness.mjs";
import { CHUNKS, MODEL_SCENARIOS } from "./model-scenarios.mjs";
import {
  allocColumns,
  busyNote,
  byIdThenProcess,
  fmtB,
  fmtNs,
  fmtX,
  loadLine,
  pairedStats,
  pooled,
  printColumns,
  printTargets,
  processChecks,
  rowOf,
  signed,
  spreadOf,
  subscribersOf,
  timeColumns,
} from "./runner-common.mjs";

const G = MODEL_SCENARIOS.generate;
const R = MODEL_SCENARIOS.router;
const S = MODEL_SCENARIOS.stream;
const H = MODEL_SCENARIOS.http;
const HS = MODEL_SCENARIOS.httpStream;
/** Chunks of one stream: the text chunks and the finish chunk (the per-chunk numbers divide by it). */
const PER = CHUNKS + 1;

const fmtSigned = signed(fmtNs);
const fmtSignedB = signed(fmtB);
const fmtUs = (ns) => `${(ns / 1000).toFixed(ns >= 100_000 ? 0 : 1)} µs`;
const fmtSignedUs = signed(fmtUs);

/** B/op of row `id` from the first of the allocation processes `runs` that measured it. */
export const allocLookup = (runs) => (id) => runs.map((run) => rowOf(run, id)).find((row) => row)?.median;

/** A scenario's rows from `runs`: baseline rows of in-process scenarios only from the raw processes. */
function tableRows(runs, plan, sc) {
  const rows = runs.flatMap((run) =>
    sc.rows.flatMap((id) => {
      if (id === sc.baseline && run.kind === "tta") return [];
      const s = pairedStats(run, id, sc.baseline);
      return s ? [s] : [];
    }),
  );
  return rows.sort(byIdThenProcess(sc.rows, plan));
}

/**
 * Prints the five tables (`plans`: `{ time, http }`, the time plans of the in-process and the HTTP
 * processes); returns their rows with B/op and (streams) per-chunk numbers, as the run's JSON keeps them.
 */
export function printModelTables({ timeRuns, httpRuns }, allocOf, plans) {
  const withBytes = (s) => ({ ...s, bytesPerOp: allocOf(s.id) });

  // Table 1: model(lm).execute.
  const generateRows = tableRows(timeRuns, plans.time, G);
  const isGenerateBase = (r) => r.id === G.baseline;
  printColumns(`Model 1: ${G.title}`, generateRows, [
    ...timeColumns({ base: "raw", isBase: isGenerateBase }),
    ...allocColumns({ bytesOf: allocOf, baseBytesOf: () => allocOf(G.baseline), isBase: isGenerateBase }),
  ]);

  // Table 2: streamModel, per op (one whole stream) and per chunk.
  const streamRows = tableRows(timeRuns, plans.time, S);
  const isStreamBase = (r) => r.id === S.baseline;
  const [allocPerOp] = allocColumns({ bytesOf: allocOf, isBase: isStreamBase });
  printColumns(`Model 2: ${S.title}`, streamRows, [
    ["µs/op", (r) => fmtUs(r.nsPerOp)],
    ...timeColumns({ base: "raw", isBase: isStreamBase, per: PER, unit: "chunk" }),
    allocPerOp,
    ...allocColumns({
      bytesOf: allocOf,
      baseBytesOf: () => allocOf(S.baseline),
      isBase: isStreamBase,
      per: PER,
      unit: "chunk",
      heads: { bytes: "B/chunk" },
    }),
  ]);

  // Tables 3 and 4: HTTP, against the openai client of the same process.
  const httpTable = (sc, n) => {
    const rows = tableRows(httpRuns, plans.http, sc);
    const fetchId = sc.rows[0];
    const isBase = (r) => r.id === sc.baseline;
    const runOf = (r) => httpRuns.find((x) => x.tag === r.process);
    const [allocPerRequest] = allocColumns({ bytesOf: allocOf, isBase });
    printColumns(`Model ${n}: ${sc.title}`, rows, [
      // No noise column: a round holds a few hundred requests.
      ...timeColumns({ base: "openai", isBase, fmt: fmtUs, heads: { ns: "µs/op", added: "+µs vs openai" } }).slice(
        0,
        5,
      ),
      ["× fetch", (r) => (r.id === fetchId ? "" : fmtX(pairedStats(runOf(r), r.id, fetchId).ratio))],
      allocPerRequest,
    ]);
    return rows;
  };
  const httpRows = httpTable(H, 3);
  const httpStreamRows = httpTable(HS, 4);

  // Table 5: modelRouter around two fake models, against the same direct call (and model(lm) beside it).
  const routerRows = tableRows(timeRuns, plans.time, R);
  const isRouterBase = (r) => r.id === R.baseline;
  printColumns(`Model 5: ${R.title}`, routerRows, [
    ...timeColumns({ base: "raw", isBase: isRouterBase }),
    ...allocColumns({ bytesOf: allocOf, baseBytesOf: () => allocOf(R.baseline), isBase: isRouterBase }),
  ]);

  return {
    generate: generateRows.map(withBytes),
    stream: streamRows.map((s) => ({
      ...withBytes(s),
      nsPerChunk: s.nsPerOp / PER,
      bytesPerChunk: allocOf(s.id) / PER,
    })),
    http: httpRows.map(withBytes),
    httpStream: httpStreamRows.map(withBytes),
    router: routerRows.map(withBytes),
  };
}

/** "tag: <fmt(stats)>" of every process of `runs`, joined by "; ". */
const perProcess = (runs, id, baseId, fmt) =>
  runs.map((run) => `${run.tag}: ${fmt(pairedStats(run, id, baseId))}`).join("; ");

/** The four targets (generate: two), printed with the HTTP stream and diagnostics lines: `{ targets, failed }`. */
export function printModelTargets({ timeRuns, httpRuns }, allocOf) {
  const ttaRuns = timeRuns.filter((r) => r.kind === "tta");
  const medianOf = (runs, id, baseId, pick) => median(pooled(runs, id, baseId, pick));
  const ratios = (s) => s.roundRatios;
  const diffs = (s) => s.roundDiffs;
  const targets = [];

  const generateDiffs = pooled(ttaRuns, G.tta, G.baseline, diffs);
  const generateAdded = median(generateDiffs);
  targets.push({
    id: "generate.added",
    text: `model(lm).execute(request) adds ≤ ${fmtNs(G.maxAddedNs)} over lm.generate(request, { signal })`,
    pass: generateAdded <= G.maxAddedNs,
    addedNs: generateAdded,
    maxAddedNs: G.maxAddedNs,
    detail:
      `${fmtSigned(generateAdded)}/op (median per-round difference, ${generateDiffs.length} rounds; ` +
      `${perProcess(ttaRuns, G.tta, G.baseline, (s) => `${fmtNs(s.nsPerOp)} vs ${fmtNs(s.baselineSameProcessNs)}, ${fmtSigned(s.addedNs)}`)})`,
  });
  const generateB = allocOf(G.tta);
  const rawGenerateB = allocOf(G.baseline);
  targets.push({
    id: "generate.alloc",
    text: `model(lm).execute(request) allocates ≤ ${fmtB(G.maxBytes)} per call`,
    pass: generateB <= G.maxBytes,
    bytesPerOp: generateB,
    rawBytesPerOp: rawGenerateB,
    detail: `${fmtB(generateB)}/op (lm.generate directly: ${fmtB(rawGenerateB)}/op, ${fmtSignedB(generateB - rawGenerateB)}; both include the driver's await)`,
  });

  const routerDiffs = pooled(ttaRuns, R.tta, R.baseline, diffs);
  const routerAdded = median(routerDiffs);
  const routerB = allocOf(R.tta);
  const modelB = allocOf("tta.model");
  targets.push({
    id: "router.added",
    text: `modelRouter(...).execute(request) adds ≤ ${fmtNs(R.maxAddedNs)} over lm.generate(request, { signal })`,
    pass: routerAdded <= R.maxAddedNs,
    addedNs: routerAdded,
    maxAddedNs: R.maxAddedNs,
    addedOverModelNs: medianOf(ttaRuns, R.tta, "tta.model", diffs),
    bytesPerOp: routerB,
    rawBytesPerOp: rawGenerateB,
    modelBytesPerOp: modelB,
    detail:
      `${fmtSigned(routerAdded)}/op (median per-round difference, ${routerDiffs.length} rounds; ` +
      `${perProcess(ttaRuns, R.tta, R.baseline, (s) => `${fmtNs(s.nsPerOp)} vs ${fmtNs(s.baselineSameProcessNs)}, ${fmtSigned(s.addedNs)}`)}); ` +
      `${fmtSigned(medianOf(ttaRuns, R.tta, "tta.model", diffs))} over model(lm).execute; ${fmtB(routerB)}/op ` +
      `(${fmtSignedB(routerB - rawGenerateB)} over lm.generate, ${fmtSignedB(routerB - modelB)} over model(lm))`,
  });

  const streamRatios = pooled(ttaRuns, S.tta, S.baseline, ratios);
  const streamRatio = median(streamRatios);
  const streamAdded = medianOf(ttaRuns, S.tta, S.baseline, diffs);
  const streamNs = median(ttaRuns.map((r) => rowOf(r, S.tta).median));
  const rawStreamNs = median(ttaRuns.map((r) => rowOf(r, S.baseline).median));
  const streamB = allocOf(S.tta);
  const rawStreamB = allocOf(S.baseline);
  targets.push({
    id: "stream.ratio",
    text: `streamModel(lm): for await over ${CHUNKS} chunks ≤ ${fmtX(S.maxRatio)} for await over lm.stream(...)`,
    pass: streamRatio <= S.maxRatio,
    ratio: streamRatio,
    maxRatio: S.maxRatio,
    nsPerChunk: streamNs / PER,
    rawNsPerChunk: rawStreamNs / PER,
    addedNsPerChunk: streamAdded / PER,
    bytesPerOp: streamB,
    rawBytesPerOp: rawStreamB,
    detail:
      `${fmtX(streamRatio)} (median per-round ratio, ${streamRatios.length} rounds; ` +
      `${perProcess(ttaRuns, S.tta, S.baseline, (s) => fmtX(s.ratio))}); ${fmtNs(streamNs / PER)} vs ${fmtNs(rawStreamNs / PER)} per chunk ` +
      `(${fmtSigned(streamAdded / PER)}); ${fmtB(streamB)}/op vs ${fmtB(rawStreamB)}/op (${fmtSignedB((streamB - rawStreamB) / PER)} per chunk)`,
  });

  const httpRatios = pooled(httpRuns, H.tta, H.baseline, ratios);
  const httpRatio = median(httpRatios);
  const httpAdded = medianOf(httpRuns, H.tta, H.baseline, diffs);
  const vsFetch = medianOf(httpRuns, H.tta, "fetch.json", ratios);
  const openaiVsFetch = medianOf(httpRuns, H.baseline, "fetch.json", ratios);
  targets.push({
    id: "http.ratio",
    text: `openAICompatible(...).generate on loopback ≤ ${fmtX(H.maxRatio)} the openai client's chat.completions.create`,
    pass: httpRatio <= H.maxRatio,
    ratio: httpRatio,
    maxRatio: H.maxRatio,
    addedNs: httpAdded,
    ratioToFetch: vsFetch,
    openaiRatioToFetch: openaiVsFetch,
    detail:
      `${fmtX(httpRatio)} (median per-round ratio, ${httpRatios.length} rounds; ` +
      `${perProcess(httpRuns, H.tta, H.baseline, (s) => `${fmtUs(s.nsPerOp)} vs ${fmtUs(s.baselineSameProcessNs)}, ${fmtX(s.ratio)}`)}); ` +
      `${fmtSignedUs(httpAdded)}/op; TTA ${fmtX(vsFetch)} and openai ${fmtX(openaiVsFetch)} a plain fetch + json()`,
  });
  console.log("Model targets (verdicts pool the rounds of the two TTA / the two HTTP processes)");
  const failed = printTargets(targets, "model targets");

  // The HTTP stream: reported, no target.
  const counts = httpRuns[0].info.http.streamCounts;
  console.log(
    `  HTTP stream (no target): TTA ${fmtX(medianOf(httpRuns, HS.tta, HS.baseline, ratios))} the openai client's stream, ` +
      `${fmtX(medianOf(httpRuns, HS.tta, "fetch.sse", ratios))} fetch + text() of the same SSE ` +
      `body; chunks consumed per op: openai ${counts["openai.stream"]}, TTA ${counts["tta.httpStream"]} ` +
      `(SSE data events ${counts["fetch.sse"]}; TTA yields text deltas and one finish chunk with the usage: the role-only ` +
      "and usage-only events have no chunk of their own).",
  );
  // Diagnostics: where the model primitive's time goes.
  const d = (id, baseId) => medianOf(ttaRuns, id, baseId, diffs);
  console.log(
    `  Diagnostics: lambda around lm.generate ${fmtSigned(d("tta.lambda", G.baseline))}/op over the direct call (the base ` +
      `execute path); model with a ctx made once ${fmtSigned(d("tta.modelCtx", G.baseline))}; collect() instead of for await ` +
      `${fmtSigned(d("tta.collect", S.baseline) / PER)}/chunk, with a budget on the context (every chunk observed) ` +
      `${fmtSigned(d("tta.streamBudget", S.baseline) / PER)}/chunk over the raw stream.`,
  );
  // The router's other faces: reported, no target.
  const routerLine = (id) => `${fmtSigned(d(id, R.baseline))}/op and ${fmtB(allocOf(id))}/op`;
  console.log(
    `  Router (no target): the "latency" preset (an attempt timer and a p99 hedge timer armed and cleared per call, and ` +
      `an abortable context per attempt) ${routerLine("tta.routerLatency")}; executeWithRoute (the RouteInfo record, a ` +
      `context per call) ${routerLine("tta.routerRoute")}; over lm.generate.`,
  );
  return { targets, failed };
}

/**
 * Prints the checks (request bodies, the server's counters, noise, network, OpenTelemetry); returns
 * `{ server, noise, checks, loadAfter }` for the run's JSON. `start`: the runner's runStart().
 */
export function printModelChecks({ timeRuns, allocRuns, httpRuns, httpAllocRuns }, serverReport, start) {
  const httpInfo = httpRuns[0].info.http;
  const httpOps = [...httpRuns, ...httpAllocRuns].reduce(
    (n, run) => n + Object.values(run.opCounts).reduce((a, b) => a + b, 0),
    0,
  );
  const recorded = [...httpRuns, ...httpAllocRuns].reduce((n, run) => n + run.info.http.sent.length, 0);
  const serverStats = serverReport.stats;
  const serverOk =
    serverStats.requests === httpOps + recorded &&
    Object.keys(serverStats.byStatus).every((s) => s === "200") &&
    serverReport.networkAttempts === 0;
  console.log(
    `  Server: ${serverStats.requests.toLocaleString("en")} requests answered (${JSON.stringify(serverStats.byStatus)}); the HTTP ` +
      `processes made ${httpOps.toLocaleString("en")} ops + ${recorded} recorded requests: ${serverOk ? "match" : "MISMATCH"}. ` +
      `Request bodies identical across fetch/openai/TTA: generate ${httpInfo.bodiesMatch.generate ? "yes" : "NO"}, ` +
      `stream ${httpInfo.bodiesMatch.stream ? "yes" : "NO"} (see info.http.sent in the JSON).`,
  );
  const genSpread = spreadOf(timeRuns, G.baseline);
  const streamSpread = spreadOf(timeRuns, S.baseline);
  const openaiSpread = spreadOf(httpRuns, H.baseline);
  const loadAfter = os.loadavg();
  console.log(
    `  Noise: lm.generate ${fmtNs(genSpread.min)}–${fmtNs(genSpread.max)} (${fmtX(genSpread.spread)}), raw stream ` +
      `${fmtNs(streamSpread.min / PER)}–${fmtNs(streamSpread.max / PER)} per chunk (${fmtX(streamSpread.spread)}) across the ` +
      `${timeRuns.length} in-process time processes; openai create ${fmtUs(openaiSpread.min)}–${fmtUs(openaiSpread.max)} across ` +
      `the ${httpRuns.length} HTTP processes; ${loadLine(start.loadBefore, loadAfter, start.cpu.length)}` +
      busyNote(Math.max(genSpread.spread, streamSpread.spread), start.loadBefore, "; allocation is stable"),
  );
  const allRuns = [...timeRuns, ...allocRuns, ...httpRuns, ...httpAllocRuns];
  const { checks, network, otel } = processChecks(
    allRuns,
    (r) => `${r.tag}/${r.mode}`,
    (r) => ({ eventSubscribers: r.info.tta?.eventSubscribers, loopbackConnections: r.info.loopbackConnections }),
  );
  const loopback = allRuns.reduce((n, r) => n + (r.info.loopbackConnections ?? 0), 0);
  console.log(
    `  Checks: network attempts blocked ${network}; loopback connections ${loopback} (HTTP processes only); ` +
      `OpenTelemetry: ${otel}; TTA event subscribers: ${subscribersOf(checks)}`,
  );
  return {
    server: { ...serverReport, httpOps, recorded, ok: serverOk },
    noise: { generate: genSpread, stream: streamSpread, openai: openaiSpread },
    checks,
    loadAfter,
  };
}
