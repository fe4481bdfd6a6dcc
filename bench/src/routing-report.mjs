// The routing outcome benchmark's numbers: metrics of one configuration's run (or of several runs
// pooled), the tables, the targets and the process checks. Used by src/routing-run.mjs.
import { quantile } from "./harness.mjs";
import { printTable } from "./runner-common.mjs";
import { BACKUP_MODEL, CONFIGS, TARGETS } from "./routing-scenario.mjs";

/** The event-loop monitor's resolution (ms), subtracted from its samples to give the lag. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const pct = (part, whole) => (whole === 0 ? NaN : (part / whole) * 100);

/**
 * Metrics of one or more runs of one configuration (several: their requests pooled). Latency is
 * arrival → settle over ALL requests: a failure counts with its time to fail.
 */
export function metricsOf(runs) {
  const ok = runs.flatMap((r) => r.ok);
  const settle = runs.flatMap((r) => r.settleMs);
  const outage = runs.flatMap((r) => r.inOutage);
  const successes = sum(ok);
  const outageRequests = sum(outage);
  const outageSuccesses = sum(ok.map((v, i) => v & outage[i]));
  const calls = sum(runs.map((r) => r.servers.primary.requests + r.servers.backup.requests));
  const primaryCalls = sum(runs.map((r) => r.servers.primary.requests));
  const costUsd = sum(runs.map((r) => r.servers.primary.costUsd + r.servers.backup.costUsd));
  const byBackup = sum(runs.map((r) => r.answeredBy[BACKUP_MODEL] ?? 0));
  const okSettle = settle.filter((_, i) => ok[i] === 1);
  const errors = {};
  for (const r of runs) for (const [type, n] of Object.entries(r.errors)) errors[type] = (errors[type] ?? 0) + n;
  const routed = runs.every((r) => r.route.withRoute);
  return {
    requests: ok.length,
    successes,
    successPct: pct(successes, ok.length),
    outageRequests,
    outageSuccesses,
    outageSuccessPct: pct(outageSuccesses, outageRequests),
    p50Ms: quantile(settle, 0.5),
    p90Ms: quantile(settle, 0.9),
    p99Ms: quantile(settle, 0.99),
    maxMs: Math.max(...settle),
    successP99Ms: okSettle.length === 0 ? NaN : quantile(okSettle, 0.99),
    // Where the tail comes from: p99 of the requests that arrived during the outage, and of the rest.
    outageP99Ms:
      outageRequests === 0
        ? NaN
        : quantile(
            settle.filter((_, i) => outage[i] === 1),
            0.99,
          ),
    outsideP99Ms: quantile(
      settle.filter((_, i) => outage[i] === 0),
      0.99,
    ),
    providerCalls: calls,
    primaryCalls,
    backupCalls: calls - primaryCalls,
    callsPerSuccess: calls / successes,
    costUsd,
    costPerSuccess: costUsd / successes,
    answeredByBackupPct: pct(byBackup, successes),
    errors,
    ...(routed
      ? {
          routeAttempts: sum(runs.map((r) => r.route.attempts)),
          hedgedPct: pct(sum(runs.map((r) => r.route.hedged)), successes),
        }
      : {}),
  };
}

const fmtPct = (v) => (Number.isNaN(v) ? "–" : `${v.toFixed(v >= 99.95 && v < 100 ? 2 : 1)} %`);
const fmtS = (ms) => (Number.isNaN(ms) ? "–" : `${(ms / 1_000).toFixed(2)} s`);
/** Cost per success in micro-dollars (an answer here costs a few µ$). */
const fmtMicro = (usd) => `${(usd * 1e6).toFixed(2)} µ$`;
const failuresOf = (errors) =>
  Object.entries(errors)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${n} ${type}`)
    .join(", ") || "none";

/** Prints one table: a row per configuration (`rows`: `[config, second-column, metrics]`). */
export function printMetricsTable(title, secondHead, rows) {
  printTable(
    title,
    [
      "config",
      secondHead,
      "success",
      "in outage",
      "p50",
      "p99",
      "max",
      "calls/success",
      "cost/success",
      "by backup",
      "hedged",
      "failures",
    ],
    rows.map(([config, second, m]) => [
      CONFIGS[config].label,
      second,
      fmtPct(m.successPct),
      `${fmtPct(m.outageSuccessPct)} of ${m.outageRequests}`,
      fmtS(m.p50Ms),
      fmtS(m.p99Ms),
      fmtS(m.maxMs),
      m.callsPerSuccess.toFixed(3),
      fmtMicro(m.costPerSuccess),
      fmtPct(m.answeredByBackupPct),
      m.hedgedPct === undefined ? "" : fmtPct(m.hedgedPct),
      failuresOf(m.errors),
    ]),
  );
}

/**
 * The targets for each seed whose static stack and preset ran: `{ seed, preset, text, pass,
 * detail }` per target and seed.
 */
export function targetResults(bySeed) {
  const results = [];
  for (const [seed, metrics] of bySeed) {
    const base = metrics.static;
    if (base === undefined) continue;
    for (const [preset, text, check] of TARGETS) {
      const row = metrics[preset];
      if (row === undefined) continue;
      results.push({ seed, preset, text, pass: check(row, base), detail: targetDetail(text, row, base) });
    }
  }
  return results;
}

function targetDetail(text, row, base) {
  if (text.startsWith("success")) return fmtPct(row.successPct);
  if (text.startsWith("p99")) return fmtS(row.p99Ms);
  if (text.startsWith("calls"))
    return `${row.callsPerSuccess.toFixed(3)} vs static ${base.callsPerSuccess.toFixed(3)} (${signedFixed(row.callsPerSuccess - base.callsPerSuccess, 3)})`;
  return `${fmtMicro(row.costPerSuccess)} vs static ${fmtMicro(base.costPerSuccess)} (${signedFixed((row.costPerSuccess / base.costPerSuccess - 1) * 100, 1)} %)`;
}

const signedFixed = (v, digits) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(digits)}`;

/** Prints the targets per preset and seed, and whether each holds on every seed; returns the failures. */
export function printTargetResults(results) {
  let failed = 0;
  for (const preset of ["latency", "cost"]) {
    const mine = results.filter((r) => r.preset === preset);
    if (mine.length === 0) continue;
    console.log(`  ${CONFIGS[preset].label} preset:`);
    for (const [, text] of TARGETS.filter(([p]) => p === preset)) {
      const rows = mine.filter((r) => r.text === text);
      const pass = rows.every((r) => r.pass);
      if (!pass) failed++;
      const perSeed = rows.map((r) => `seed ${r.seed} ${r.pass ? "ok" : "FAIL"} ${r.detail}`).join("; ");
      console.log(`    [${pass ? "PASS" : "FAIL"}] ${text} on ${rows.length} seed(s): ${perSeed}`);
    }
  }
  return failed;
}

/** One line: each configuration's p99 for the arrivals during the outage and outside it. */
export function printPhaseLine(rows) {
  const parts = rows.map(([config, m]) => `${CONFIGS[config].label} ${fmtS(m.outageP99Ms)} / ${fmtS(m.outsideP99Ms)}`);
  console.log(`  p99 of arrivals during / outside the outage: ${parts.join("; ")}`);
}

/** One line per process: CPU, event-loop lag, dispatch lag, exit and leftover handles. */
export function processLine(run) {
  const p = run.process;
  const lag = (ms) => Math.max(0, ms - EVENT_LOOP_RESOLUTION_MS).toFixed(1);
  return (
    `${CONFIGS[run.config].label.padEnd(15)} pid ${run.pid}: CPU ${p.cpuPct.toFixed(1)} % of one core ` +
    `(${((p.cpuUserMs + p.cpuSystemMs) / 1_000).toFixed(1)} s over ${(p.wallMs / 1_000).toFixed(1)} s), event-loop lag ` +
    `p50 ${lag(p.eventLoopDelayMs.p50)} / p99 ${lag(p.eventLoopDelayMs.p99)} / max ${lag(p.eventLoopDelayMs.max)} ms, ` +
    `arrivals dispatched > 50 ms late ${p.lateArrivals} (max ${p.maxDispatchLagMs.toFixed(0)} ms); exited ${run.exit}; handles left after close: ` +
    `${p.activeResourcesAfterClose.length === 0 ? "none" : p.activeResourcesAfterClose.join(", ")}; network blocked ` +
    `${p.networkAttempts}, loopback connections ${p.loopbackConnections}`
  );
}
