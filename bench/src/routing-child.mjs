// One configuration of the routing outcome benchmark, in a process of its own:
// `node src/routing-child.mjs <raw|static|latency|cost> <json-config>` (json: { seed, requests, rate,
// outage: { startS, endS }, progressMs }). Starts its own pair of simulated providers (primary and
// backup, on 127.0.0.1), sends `requests` requests at a fixed arrival rate, each with its own context
// and a 10 s deadline, waits for all of them to settle, closes both providers and prints:
//   - `{"type":"progress","sent":n,"settled":m}` lines on stdout while it runs;
//   - one last line `{"type":"result",...}`: per request (arrival order) its outcome and time to
//     settle, both providers' counters, and the process's CPU time and event-loop delay.
// A configuration that needs `modelRouter` before it is built prints `{"type":"skipped",...}`.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { installNetworkGuard, otelState } from "./process-guard.mjs";
import {
  BACKUP_BEHAVIOUR,
  BACKUP_MODEL,
  BACKUP_SEED_OFFSET,
  CATALOG_ENTRIES,
  CONFIGS,
  DEADLINE_MS,
  OUTAGE_STATUS,
  PRIMARY_BEHAVIOUR,
  PRIMARY_MODEL,
  REQUEST,
} from "./routing-scenario.mjs";

/** Lead time between the warm-up and the first arrival. */
const LEAD_MS = 250;
/** An arrival dispatched more than this late (timer or event-loop delay) is counted as late. */
const LATE_MS = 50;

const [configName, configJson] = process.argv.slice(2);
const spec = CONFIGS[configName];
if (!spec || configJson === undefined) {
  console.error(`usage: node src/routing-child.mjs <${Object.keys(CONFIGS).join("|")}> <json-config>`);
  process.exit(2);
}
const { seed, requests, rate, outage, progressMs = 1_000 } = JSON.parse(configJson);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

// Network guard: the providers listen on loopback and the clients reach loopback only.
const network = installNetworkGuard({ allowLoopback: true });
const orchestration = await import("@tta/primitives/orchestration");
const recovery = await import("@tta/primitives/recovery");
const { createContext } = await import("@tta/primitives/core");
const { startSimulatedProvider } = await import("@tta/primitives/testing");

if (spec.router && typeof orchestration.modelRouter !== "function") {
  print({ type: "skipped", config: configName, reason: "router not built yet" });
  process.exit(0);
}

const catalog = orchestration.createCatalog(CATALOG_ENTRIES);
const providers = [];
try {
  const primaryServer = await startSimulatedProvider({
    seed,
    models: [PRIMARY_MODEL],
    catalog,
    ...PRIMARY_BEHAVIOUR,
  });
  providers.push(primaryServer);
  const primaryStartedAt = performance.now(); // the primary's outage clock starts when it resolves
  const backupServer = await startSimulatedProvider({
    seed: seed + BACKUP_SEED_OFFSET,
    models: [BACKUP_MODEL],
    catalog,
    ...BACKUP_BEHAVIOUR,
  });
  providers.push(backupServer);

  const primary = orchestration.openAICompatible({ baseURL: primaryServer.baseURL, model: PRIMARY_MODEL });
  const backup = orchestration.openAICompatible({ baseURL: backupServer.baseURL, model: BACKUP_MODEL });
  const primitive = spec.build({ orchestration, recovery }, { primary, backup, catalog });
  const withRoute = typeof primitive.executeWithRoute === "function";

  // Warm-up outside the measurement: load fetch (undici) and open a connection to each provider with
  // GET /v1/models, a route that takes no request index (no fault, no latency draw). Without it the
  // first arrivals of four processes starting at once on 2 vCPUs were dispatched up to ~1 s late.
  // Those GETs are subtracted from the providers' request counts below.
  for (const server of [primaryServer, backupServer]) {
    const res = await globalThis.fetch(`${server.baseURL}/models`);
    await res.arrayBuffer();
  }
  const warmupRequests = { primary: primaryServer.stats().requests, backup: backupServer.stats().requests };

  const intervalMs = 1_000 / rate;
  const t0 = performance.now() + LEAD_MS;
  const outageStartMs = outage.startS * 1_000;
  const outageEndMs = outage.endS * 1_000;
  if (outageEndMs > outageStartMs)
    primaryServer.configure({
      outages: [
        {
          startMs: t0 - primaryStartedAt + outageStartMs,
          endMs: t0 - primaryStartedAt + outageEndMs,
          status: OUTAGE_STATUS,
        },
      ],
    });

  // Per request, in arrival order: ok (1/0), time to settle (ms, from its scheduled arrival), whether
  // it arrived during the outage, the model that answered or the error type, the route (routers).
  const ok = new Uint8Array(requests);
  const settleMs = new Float64Array(requests);
  const inOutage = new Uint8Array(requests);
  const answeredBy = {};
  const errors = {};
  const route = { attempts: 0, hedged: 0, withRoute };
  let settled = 0;
  let sent = 0;
  let maxDispatchLagMs = 0;
  let lateArrivals = 0;

  const errorType = (error) => {
    const code = error?.code ?? error?.name ?? typeof error;
    return error?.status === undefined ? String(code) : `${code} ${error.status}`;
  };

  async function one(i, arrival) {
    const ctx = createContext({ timeoutMs: DEADLINE_MS });
    try {
      const result = withRoute ? await primitive.executeWithRoute(REQUEST, ctx) : await primitive.execute(REQUEST, ctx);
      const response = withRoute ? result.response : result;
      if (withRoute) {
        route.attempts += result.route.attempts;
        if (result.route.hedged) route.hedged++;
      }
      ok[i] = 1;
      answeredBy[response.model] = (answeredBy[response.model] ?? 0) + 1;
    } catch (error) {
      const type = errorType(error);
      errors[type] = (errors[type] ?? 0) + 1;
    } finally {
      settleMs[i] = performance.now() - arrival;
      ctx.dispose();
      settled++;
    }
  }

  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  eventLoop.enable();
  const cpu0 = process.cpuUsage();
  const progress = setInterval(() => print({ type: "progress", sent, settled }), progressMs);
  const pending = [];
  try {
    for (let i = 0; i < requests; i++) {
      const due = t0 + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const lag = performance.now() - due;
      maxDispatchLagMs = Math.max(maxDispatchLagMs, lag);
      if (lag > LATE_MS) lateArrivals++;
      const offset = i * intervalMs;
      inOutage[i] = offset >= outageStartMs && offset < outageEndMs ? 1 : 0;
      pending.push(one(i, due));
      sent++;
    }
    await Promise.all(pending);
  } finally {
    clearInterval(progress);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  eventLoop.disable();

  const statsOf = (server, warmup) => {
    const stats = server.stats();
    return { ...stats, requests: stats.requests - warmup, warmupRequests: warmup };
  };
  const serverStats = {
    primary: statsOf(primaryServer, warmupRequests.primary),
    backup: statsOf(backupServer, warmupRequests.backup),
  };
  await Promise.all(providers.map((p) => p.close()));
  providers.length = 0;
  await sleep(50); // let the closed sockets' handles go
  print({
    type: "result",
    config: configName,
    seed,
    pid: process.pid,
    ok: Array.from(ok),
    settleMs: Array.from(settleMs, (ms) => Math.round(ms * 10) / 10),
    inOutage: Array.from(inOutage),
    answeredBy,
    errors,
    route,
    servers: serverStats,
    process: {
      wallMs,
      cpuUserMs: cpu.user / 1_000,
      cpuSystemMs: cpu.system / 1_000,
      cpuPct: ((cpu.user + cpu.system) / 1_000 / wallMs) * 100,
      eventLoopDelayMs: {
        p50: eventLoop.percentile(50) / 1e6,
        p99: eventLoop.percentile(99) / 1e6,
        max: eventLoop.max / 1e6,
      },
      maxDispatchLagMs,
      lateArrivals,
      // What could keep the process alive once the providers are closed (stdout's own pipe aside).
      activeResourcesAfterClose: process.getActiveResourcesInfo().filter((r) => r !== "PipeWrap" && r !== "TTYWrap"),
      otel: otelState(),
      networkAttempts: network.attempts,
      loopbackConnections: network.loopback,
    },
  });
} finally {
  // On an error above: still close whatever was started (hung requests are held until close).
  await Promise.all(providers.map((p) => p.close()));
}
