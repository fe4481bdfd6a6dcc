// The routing outcome benchmark's scenario (issue 9, "Outcome benchmark"): the bench catalogue, the two
// simulated providers, the request, the four configurations under test and the targets. Shared
// by src/routing-run.mjs (the orchestrator) and src/routing-child.mjs (one configuration's process).
// Edit the router configurations here: ROUTER_OPTIONS is the one place they are defined.

/** The primary's model: `sim-small`'s prices ($0.15 / $0.60 per million tokens). */
export const PRIMARY_MODEL = "sim-small";
/** The backup's model: an id of its own, so it is never confused with `simulatedCatalog`'s `sim-large`. */
export const BACKUP_MODEL = "sim-backup";
/** The backup costs exactly this many times the primary, per input and per output token. */
export const BACKUP_PRICE_FACTOR = 5;

const PRIMARY_PRICING = { inputPerMillion: 0.15, outputPerMillion: 0.6 };

/**
 * The bench's catalogue entries (given to both providers, to `model(...)` and to the router): the
 * primary at `sim-small`'s prices and the backup at exactly 5× them ($0.75 / $3.00). The default
 * `simulatedCatalog`'s `sim-large` ($2.50 / $10) is ~16.7×, not the 5× the issue asks for.
 */
export const CATALOG_ENTRIES = [
  {
    id: PRIMARY_MODEL,
    provider: "simulated",
    contextWindow: 128_000,
    pricing: PRIMARY_PRICING,
    capabilities: ["tools", "json"],
    tier: "small",
  },
  {
    id: BACKUP_MODEL,
    provider: "simulated",
    contextWindow: 128_000,
    pricing: {
      inputPerMillion: PRIMARY_PRICING.inputPerMillion * BACKUP_PRICE_FACTOR,
      outputPerMillion: PRIMARY_PRICING.outputPerMillion * BACKUP_PRICE_FACTOR,
    },
    capabilities: ["tools", "json"],
    tier: "large",
  },
];

/** Full run: 2 000 requests at 20 per second (100 s of arrivals), a 20 s outage in the middle. */
export const FULL = { requests: 2_000, rate: 20, outageS: 20 };
/** `--quick`: 400 requests at 20 per second (20 s), the outage scaled the same way (4 s). */
export const QUICK = { requests: 400, rate: 20, outageS: FULL.outageS * (400 / FULL.requests) };
/** Each request's deadline (`createContext({ timeoutMs })`). */
export const DEADLINE_MS = 10_000;
/** Per-attempt budget of the static stack (its `timeout`) and the routers' `attemptTimeout.maxMs`. */
export const ATTEMPT_MS = 3_000;
/** Retries per candidate (static stack: each `retry`; router: `retry.maxRetries`). */
export const MAX_RETRIES = 3;

/**
 * The outage window in seconds after the first arrival: `outageS` long, centred in the arrivals
 * (clamped to them).
 */
export function outageWindow({ requests, rate, outageS }) {
  const arrivalsS = requests / rate;
  const length = Math.min(outageS, arrivalsS);
  const startS = (arrivalsS - length) / 2;
  return { startS, endS: startS + length };
}

/** The primary's behaviour (the outage is set once the arrival clock is known). */
export const PRIMARY_BEHAVIOUR = {
  latency: { distribution: "lognormal", medianMs: 450, p99Ms: 1_500 },
  errorLatency: { distribution: "lognormal", medianMs: 20, p99Ms: 80 },
  errors: { rate429: 0.15, rate500: 0.05, rateHang: 0.03 },
};
/** The backup: healthy (no faults) and slower. */
export const BACKUP_BEHAVIOUR = {
  latency: { distribution: "lognormal", medianMs: 800, p99Ms: 1_600 },
};
/** The backup's seed is the run's seed plus this, so its latency draws are not the primary's, index for index. */
export const BACKUP_SEED_OFFSET = 100;
/** Outage status (the provider sends `retry-after` = whole seconds until the outage ends). */
export const OUTAGE_STATUS = 503;

/** Every request: one short user message, at most 50 output tokens. */
export const REQUEST = {
  messages: [
    {
      role: "user",
      content: "Summarise this support ticket in one sentence: the export button does nothing on Safari.",
    },
  ],
  maxTokens: 50,
};

/** Options of the two `modelRouter` configurations (candidates and catalogue are added per process). */
export const ROUTER_OPTIONS = {
  latency: {
    preset: "latency",
    attemptTimeout: { maxMs: ATTEMPT_MS },
    retry: { maxRetries: MAX_RETRIES },
    latencyGoalMs: 2_000,
  },
  cost: {
    preset: "cost",
    attemptTimeout: { maxMs: ATTEMPT_MS },
    retry: { maxRetries: MAX_RETRIES },
    latencyGoalMs: 2_000,
  },
};

/**
 * The configurations, in table order. `build(lib, models)` returns the primitive a request is
 * executed on; `lib` holds the loaded subpaths (`orchestration`, `recovery`), `models` the two
 * `openAICompatible` models and the catalogue.
 */
export const CONFIGS = {
  raw: {
    label: "raw",
    describe: "model(primary).execute(req, ctx), once",
    router: false,
    build: ({ orchestration }, { primary, catalog }) => orchestration.model(primary, { catalog }),
  },
  static: {
    label: "static",
    describe: `fallback(retry(timeout(circuitBreaker(model(p)), ${ATTEMPT_MS} ms), ${MAX_RETRIES}) → same for backup), library defaults otherwise (docs/recovery.md)`,
    router: false,
    build: ({ orchestration, recovery }, { primary, backup, catalog }) => {
      const { circuitBreaker, fallback, retry, timeout } = recovery;
      const guarded = (lm) =>
        retry(timeout(circuitBreaker(orchestration.model(lm, { catalog })), { timeoutMs: ATTEMPT_MS }), {
          maxRetries: MAX_RETRIES,
        });
      return fallback(guarded(primary), { fallbacks: guarded(backup) });
    },
  },
  latency: {
    label: "router latency",
    describe: `modelRouter(${JSON.stringify(ROUTER_OPTIONS.latency)})`,
    router: true,
    build: ({ orchestration }, { primary, backup, catalog }) =>
      orchestration.modelRouter({ ...ROUTER_OPTIONS.latency, candidates: [primary, { model: backup }], catalog }),
  },
  cost: {
    label: "router cost",
    describe: `modelRouter(${JSON.stringify(ROUTER_OPTIONS.cost)})`,
    router: true,
    build: ({ orchestration }, { primary, backup, catalog }) =>
      orchestration.modelRouter({ ...ROUTER_OPTIONS.cost, candidates: [primary, { model: backup }], catalog }),
  },
};

/**
 * The targets, each `[preset, text, check(row, static)]`; `row` and `static` are one seed's
 * metrics of the preset's and the static stack's configuration.
 */
export const TARGETS = [
  ["latency", "success ≥ 99.9 %", (r) => r.successPct >= 99.9],
  ["latency", "p99 ≤ 2.5 s", (r) => r.p99Ms <= 2_500],
  ["latency", "calls/success ≤ static + 0.10", (r, s) => r.callsPerSuccess <= s.callsPerSuccess + 0.1],
  ["latency", "cost/success ≤ static × 1.05", (r, s) => r.costPerSuccess <= s.costPerSuccess * 1.05],
  ["cost", "success ≥ 99.9 %", (r) => r.successPct >= 99.9],
  ["cost", "calls/success < static", (r, s) => r.callsPerSuccess < s.callsPerSuccess],
  ["cost", "cost/success < static", (r, s) => r.costPerSuccess < s.costPerSuccess],
  ["cost", "p99 ≤ 3 s", (r) => r.p99Ms <= 3_000],
];
