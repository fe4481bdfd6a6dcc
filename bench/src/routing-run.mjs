// Routing outcome benchmark (issue 9, "Outcome benchmark"): `node src/routing-run.mjs [flags]` from
// bench/ (build @tta/primitives first; `pnpm bench` and `pnpm bench:routing` do). Not a micro-benchmark:
// it measures what a caller gets (success, latency, provider calls and cost per success) from four ways
// of calling a flaky model with a healthy, dearer backup.
//
// Scenario (src/routing-scenario.mjs holds every number):
//   - primary: startSimulatedProvider serving `sim-small` ($0.15 / $0.60 per million tokens), lognormal
//     latency median 450 ms / p99 1.5 s; its errors answer fast (errorLatency lognormal median 20 ms /
//     p99 80 ms, as real gateways reject rate-limited requests); 15 % 429 (retry-after 1 s), 5 % 500,
//     3 % hangs; one 20 s outage in the middle of the arrivals (503, retry-after = seconds to its end).
//   - backup: `sim-backup`, priced exactly 5× the primary per token ($0.75 / $3.00), healthy, slower:
//     lognormal median 800 ms / p99 1.6 s. Both providers and every configuration use one bench
//     catalogue with those two entries (the default simulatedCatalog's sim-large is ~16.7×, not 5×).
//   - 2 000 requests at a fixed 20 per second (100 s of arrivals), each with its own context and a 10 s
//     deadline (createContext({ timeoutMs: 10_000 })), one short user message, maxTokens 50.
//   - configurations: (1) raw: model(primary).execute once; (2) static: the stack docs/recovery.md
//     recommends, fallback(retry(timeout(circuitBreaker(model(primary)), 3 s), 3 retries) → the same
//     around the backup), library defaults otherwise; (3)/(4) modelRouter with the "latency" and
//     "cost" presets (skipped with "router not built yet" until the built module exports it).
//   - each configuration runs in a process of its own (src/routing-child.mjs) with its own pair of
//     providers (same seeds), the configurations of one seed concurrently (`--serial`: one after
//     another), the seeds one after another. Request i of a provider gets the seed's i-th fault and
//     latency draw in the order requests reach it; as a configuration's timing decides that order,
//     configurations see the same fault mix, not the same fault per request.
// Measured per configuration: success %, success % of the requests that arrived during the outage,
// p50/p99 latency arrival → settle over ALL requests (a failure counts with its time to fail), provider
// calls per success (chat requests both providers received / successes), cost per success (both
// providers' billed cost / successes; a provider bills an answer it sent in full, so an attempt
// abandoned before its answer costs nothing here, unlike real providers that bill generated tokens).
//
// Flags: --requests N (2000), --rate R per second (20), --outage S seconds (20), --seeds 1,2,3,
//   --configs raw,static,latency,cost, --quick (400 requests at 20/s, outage 4 s), --serial,
//   --check (exit 1 when a target fails). Writes results/routing.json (the last run).
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  metricsOf,
  printMetricsTable,
  printPhaseLine,
  printTargetResults,
  processLine,
  targetResults,
} from "./routing-report.mjs";
import {
  ATTEMPT_MS,
  BACKUP_BEHAVIOUR,
  BACKUP_SEED_OFFSET,
  CATALOG_ENTRIES,
  CONFIGS,
  DEADLINE_MS,
  FULL,
  MAX_RETRIES,
  PRIMARY_BEHAVIOUR,
  QUICK,
  REQUEST,
  ROUTER_OPTIONS,
  TARGETS,
  outageWindow,
} from "./routing-scenario.mjs";
import {
  benchDir,
  childEnv,
  libVersion,
  loadLine,
  machineLine,
  runStart,
  secondsSince,
  srcDir,
  writeResults,
} from "./runner-common.mjs";

const PROGRESS_EVERY_MS = 10_000;
/** How long a child may take to exit after its result before it is killed (and the run says so). */
const EXIT_GRACE_MS = 15_000;

function parseFlags(argv) {
  const flags = { quick: false, check: false, serial: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    const number = (min) => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < min) usage(`${arg} needs a number ≥ ${min}`);
      return n;
    };
    if (arg === "--quick") flags.quick = true;
    else if (arg === "--check") flags.check = true;
    else if (arg === "--serial") flags.serial = true;
    else if (arg === "--requests") flags.requests = Math.round(number(1));
    else if (arg === "--rate") flags.rate = number(0.01);
    else if (arg === "--outage") flags.outageS = number(0);
    else if (arg === "--seeds")
      flags.seeds = value()
        .split(",")
        .map((s) => (Number.isSafeInteger(Number(s)) ? Number(s) : usage(`bad seed ${JSON.stringify(s)}`)));
    else if (arg === "--configs")
      flags.configs = value()
        .split(",")
        .map((c) => (c in CONFIGS ? c : usage(`unknown config ${JSON.stringify(c)}`)));
    else usage(`unknown flag ${JSON.stringify(arg)}`);
  }
  return flags;
}

function usage(problem) {
  console.error(
    `${problem}\nusage: node src/routing-run.mjs [--quick] [--requests N] [--rate R] [--outage S] [--seeds 1,2,3] ` +
      `[--configs ${Object.keys(CONFIGS).join(",")}] [--serial] [--check]`,
  );
  process.exit(2);
}

const flags = parseFlags(process.argv.slice(2));
const base = flags.quick ? QUICK : FULL;
const scenario = {
  requests: flags.requests ?? base.requests,
  rate: flags.rate ?? base.rate,
  outageS: flags.outageS ?? base.outageS,
};
const outage = outageWindow(scenario);
const seeds = flags.seeds ?? [1, 2, 3];

// Which configurations can run: the routers only once the built module exports modelRouter.
const orchestration = await import("@tta/primitives/orchestration");
const routerBuilt = typeof orchestration.modelRouter === "function";
const wanted = flags.configs ?? Object.keys(CONFIGS);
const configs = wanted.filter((c) => routerBuilt || !CONFIGS[c].router);
const skipped = wanted.filter((c) => !configs.includes(c));

// ---------------------------------------------------------------------------------------------
/** Children alive right now: killed (and awaited) if the run is interrupted or fails. */
const live = new Set();

async function killAll(signal = "SIGTERM") {
  const exits = [...live].map((c) => c.exited);
  for (const c of live) c.child.kill(signal);
  await Promise.all(exits);
}

for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping ${live.size} child process(es)…\n`);
    void killAll().then(() => process.exit(130));
  });

/**
 * Runs one configuration's child for `seed`: resolves with its result (plus `exit`: how it ended)
 * once it has exited; `onProgress({ sent, settled })` sees its progress lines.
 */
function runChild(config, seed, onProgress) {
  const json = JSON.stringify({ seed, requests: scenario.requests, rate: scenario.rate, outage, progressMs: 1_000 });
  const child = spawn(process.execPath, [path.join(srcDir, "routing-child.mjs"), config, json], {
    cwd: benchDir,
    env: childEnv(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const entry = { child, exited: new Promise((resolve) => child.once("close", (code, sig) => resolve({ code, sig }))) };
  live.add(entry);
  void entry.exited.then(() => live.delete(entry));
  let result;
  let killTimer;
  let killedLate = false;
  createInterface({ input: child.stdout }).on("line", (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      process.stderr.write(`  [${config}] ${line}\n`);
      return;
    }
    if (message.type === "progress") return onProgress(message);
    result = message;
    killTimer = setTimeout(() => {
      killedLate = true;
      child.kill("SIGKILL");
    }, EXIT_GRACE_MS);
  });
  return entry.exited.then(({ code, sig }) => {
    clearTimeout(killTimer);
    if (result === undefined)
      throw new Error(`routing child ${config} (seed ${seed}) exited with ${code ?? sig} and no result`);
    const exit = killedLate
      ? `KILLED ${EXIT_GRACE_MS / 1_000} s after its result`
      : code === 0
        ? "by itself"
        : `with ${code ?? sig}`;
    return { ...result, exit };
  });
}

/** Runs every configuration for one seed (concurrently, or one after another with --serial). */
async function runSeed(seed) {
  const progress = Object.fromEntries(configs.map((c) => [c, { sent: 0, settled: 0 }]));
  const started = Date.now();
  const ticker = setInterval(() => {
    const parts = configs.map((c) => `${CONFIGS[c].label} ${progress[c].settled}/${scenario.requests}`);
    process.stderr.write(`  seed ${seed}, ${Math.round((Date.now() - started) / 1_000)} s: ${parts.join(", ")}\n`);
  }, PROGRESS_EVERY_MS);
  try {
    const run = (c) => runChild(c, seed, (p) => (progress[c] = p));
    if (flags.serial) {
      const results = [];
      for (const c of configs) results.push(await run(c));
      return results;
    }
    return await Promise.all(configs.map(run));
  } finally {
    clearInterval(ticker);
  }
}

// ---------------------------------------------------------------------------------------------
const start = runStart();
const versions = { "@tta/primitives": libVersion("@tta/primitives") };
const arrivalsS = scenario.requests / scenario.rate;
const price = (i, kind) => CATALOG_ENTRIES[i].pricing[`${kind}PerMillion`].toFixed(2);
console.log(
  [
    "",
    `TTA routing outcome benchmark: @tta/primitives ${versions["@tta/primitives"]} (built dist), raw call vs the static recovery stack vs modelRouter presets`,
    machineLine(start),
    "",
    "Scenario",
    `  • primary sim-small ($${price(0, "input")} / $${price(0, "output")} per M tokens): latency ${JSON.stringify(PRIMARY_BEHAVIOUR.latency)},`,
    `    errorLatency ${JSON.stringify(PRIMARY_BEHAVIOUR.errorLatency)}, errors ${JSON.stringify(PRIMARY_BEHAVIOUR.errors)} (429: retry-after 1 s),`,
    `    outage 503 from ${outage.startS.toFixed(1)} s to ${outage.endS.toFixed(1)} s after the first arrival (retry-after = seconds to its end).`,
    `  • backup sim-backup ($${price(1, "input")} / $${price(1, "output")}, exactly 5×): healthy, latency ${JSON.stringify(BACKUP_BEHAVIOUR.latency)}; seed = run seed + ${BACKUP_SEED_OFFSET}.`,
    `  • ${scenario.requests} requests at ${scenario.rate}/s (${arrivalsS.toFixed(0)} s of arrivals), deadline ${DEADLINE_MS / 1_000} s each, maxTokens ${REQUEST.maxTokens}; seeds ${seeds.join(", ")}.`,
    ...configs.map((c) => `  • ${CONFIGS[c].label}: ${CONFIGS[c].describe}`),
    ...(skipped.length > 0
      ? [
          `  • ${skipped.map((c) => CONFIGS[c].label).join(", ")}: router not built yet (modelRouter is not exported by the built @tta/primitives/orchestration)`,
        ]
      : []),
    `  • one process per configuration with its own providers; ${flags.serial ? "configurations one after another" : "the configurations of a seed concurrently"}, seeds one after another.`,
    "  • latency = arrival → settle over ALL requests (failures count with their time to fail); calls = chat requests both",
    "    providers received; cost = both providers' billed cost (answers sent in full); both per success.",
    "",
  ].join("\n"),
);
if (!routerBuilt && skipped.length > 0)
  console.log("router not built yet: running the configurations that do not need it\n");

const bySeed = new Map();
const runs = [];
try {
  for (const seed of seeds) {
    process.stderr.write(
      `Running seed ${seed} (${configs.length} process(es), ~${Math.ceil(arrivalsS + DEADLINE_MS / 1_000) * (flags.serial ? configs.length : 1)} s):\n`,
    );
    const all = await runSeed(seed);
    // A child that found no modelRouter (the build changed under the run) says so instead of a result.
    for (const r of all.filter((r) => r.type === "skipped")) console.log(`  ${CONFIGS[r.config].label}: ${r.reason}`);
    const results = all.filter((r) => r.type === "result");
    runs.push(...results);
    const metrics = Object.fromEntries(results.map((r) => [r.config, metricsOf([r])]));
    bySeed.set(seed, metrics);
    printMetricsTable(
      `Seed ${seed}`,
      "seed",
      results.map((r) => [r.config, String(seed), metrics[r.config]]),
    );
    printPhaseLine(results.map((r) => [r.config, metrics[r.config]]));
    for (const r of results) console.log(`  ${processLine(r)}`);
    console.log("");
  }
} catch (error) {
  await killAll("SIGKILL");
  throw error;
}

const ran = configs.filter((c) => runs.some((r) => r.config === c));
const summary = Object.fromEntries(ran.map((c) => [c, metricsOf(runs.filter((r) => r.config === c))]));
if (seeds.length > 1)
  printMetricsTable(
    `Summary: the ${seeds.length} seeds' requests pooled`,
    "seeds",
    ran.map((c) => [c, seeds.join(","), summary[c]]),
  );
if (seeds.length > 1) {
  printPhaseLine(ran.map((c) => [c, summary[c]]));
  console.log("");
}

console.log("Targets (issue 9), per seed against the same seed's static stack:");
const targets = targetResults(bySeed);
let failed = 0;
if (targets.length === 0)
  console.log(
    `  not evaluated: ${routerBuilt ? "the static stack or a preset did not run" : "router not built yet"} (targets: ${TARGETS.map(([p, t]) => `${p} ${t}`).join("; ")})`,
  );
else failed = printTargetResults(targets);
const loadAfter = os.loadavg();
const exitProblems = runs.filter((r) => r.exit !== "by itself" || r.process.activeResourcesAfterClose.length > 0);
console.log(
  `  Checks: ${runs.length} processes, ${runs.length - exitProblems.length} exited by themselves with no handle left after closing ` +
    `their providers; network attempts blocked ${runs.reduce((n, r) => n + r.process.networkAttempts, 0)}; ` +
    `OpenTelemetry: ${[...new Set(runs.map((r) => r.process.otel))].join(" / ")}; ${loadLine(start.loadBefore, loadAfter, start.cpu.length)}`,
);

const outFile = writeResults("routing.json", {
  date: new Date(start.started).toISOString(),
  durationMs: Date.now() - start.started,
  node: process.version,
  cpus: start.cpu.length,
  cpuModel: start.cpu[0]?.model,
  loadAvgBefore: start.loadBefore,
  loadAvgAfter: loadAfter,
  versions,
  scenario: {
    ...scenario,
    quick: flags.quick,
    serial: flags.serial,
    outage,
    deadlineMs: DEADLINE_MS,
    attemptMs: ATTEMPT_MS,
    maxRetries: MAX_RETRIES,
    seeds,
    backupSeedOffset: BACKUP_SEED_OFFSET,
    primary: PRIMARY_BEHAVIOUR,
    backup: BACKUP_BEHAVIOUR,
    catalog: CATALOG_ENTRIES,
    request: REQUEST,
    configs: Object.fromEntries(configs.map((c) => [c, CONFIGS[c].describe])),
    routerOptions: ROUTER_OPTIONS,
    skipped: skipped.length > 0 ? { configs: skipped, reason: "router not built yet" } : undefined,
  },
  seeds: Object.fromEntries(bySeed),
  summary,
  targets,
  processes: runs.map((r) => ({
    config: r.config,
    seed: r.seed,
    pid: r.pid,
    exit: r.exit,
    servers: r.servers,
    ...r.process,
  })),
});
console.log(`Wrote ${path.relative(process.cwd(), outFile)} in ${secondsSince(start.started)} s total`);
if (flags.check && (failed > 0 || exitProblems.length > 0)) process.exit(1);
