/**
 * The demo's two model providers. By default two simulated OpenAI-compatible servers on 127.0.0.1
 * with injected failures: "primary" (cheap; some 429s with `Retry-After`, and an outage of 503s during
 * tickets 8–13 of every 40, long enough for its circuit breaker to open) and "backup" (steady, pricier).
 * With `OPENAI_BASE_URL` set, two real models behind that endpoint instead (see the README).
 *
 * @packageDocumentation
 */
import {
  type Catalog,
  type CatalogEntry,
  type LanguageModel,
  createCatalog,
  defaultCatalog,
  openAICompatible,
} from "@tta/primitives/orchestration";
import {
  type SimulatedFault,
  type SimulatedLatency,
  type SimulatedProvider,
  startSimulatedProvider,
} from "@tta/primitives/testing";
import { supportReply } from "./simulated-replies.js";

/** The two candidates the support agent routes between, and how to stop them. */
export interface DemoProviders {
  /** `"simulated"`: two local servers with failure injection; `"openai"`: a real OpenAI-compatible endpoint. */
  readonly kind: "simulated" | "openai";
  /** The first choice. */
  readonly primary: LanguageModel;
  /** Where the router fails over to. */
  readonly backup: LanguageModel;
  /** Prices, context windows and capabilities of both (every router candidate must be in it). */
  readonly catalog: Catalog;
  /** One line per provider, for the start-up banner (no secrets). */
  readonly description: readonly string[];
  /** Called before the `n`-th ticket (0-based) starts: drives the primary's outage window (simulated only). */
  beforeTicket(n: number): void;
  /** Stops the simulated servers (nothing to do for real providers). */
  close(): Promise<void>;
}

/** When the primary is down: tickets `from` (inclusive) to `to` (exclusive) of every `every` tickets. */
export interface OutageWindow {
  readonly every: number;
  readonly from: number;
  readonly to: number;
}

/** Options of {@link startDemoProviders}. */
export interface DemoProvidersOptions {
  /** Environment to read `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `TTA_DEMO_MODELS` from. @defaultValue `{}` */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The primary's outage window. @defaultValue `{ every: 40, from: 8, to: 14 }` */
  readonly outage?: OutageWindow;
  /** Share of the primary's requests answered 429 with `Retry-After: 1`. @defaultValue 0.06 */
  readonly rate429?: number;
  /** Divides every simulated latency (tests use 20 or more). @defaultValue 1 */
  readonly speedup?: number;
}

/** The simulated models: the backup costs about 8× the primary. */
export const SIMULATED_DEMO_MODELS: readonly CatalogEntry[] = Object.freeze([
  {
    id: "sim-primary",
    provider: "sim-primary",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 0.3, outputPerMillion: 1.2 },
    capabilities: ["tools", "json"],
    tier: "small",
  },
  {
    id: "sim-backup",
    provider: "sim-backup",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
    capabilities: ["tools", "json"],
    tier: "large",
  },
]);

/** The default outage: tickets 8–13 of every 40. */
export const DEFAULT_OUTAGE: OutageWindow = Object.freeze({ every: 40, from: 8, to: 14 });

/** Whether ticket `n` falls in the outage window. */
export function inOutage(n: number, window: OutageWindow): boolean {
  const phase = n % window.every;
  return phase >= window.from && phase < window.to;
}

/** 503 without `Retry-After`: an outage the breaker counts (a `Retry-After` would only cool the candidate down). */
const OUTAGE_FAULT: SimulatedFault = {
  kind: "status",
  status: 503,
  body: '{"error":{"message":"The server is overloaded (simulated outage)","type":"server_error"}}',
};
/** Enough 503s to cover any outage window: the script is cleared when the window ends. */
const OUTAGE_SCRIPT: readonly SimulatedFault[] = Array.from({ length: 1_000 }, () => OUTAGE_FAULT);

const lognormal = (medianMs: number, p99Ms: number, speedup: number): SimulatedLatency => ({
  distribution: "lognormal",
  medianMs: medianMs / speedup,
  p99Ms: p99Ms / speedup,
});

/**
 * Starts the providers: real ones when `env.OPENAI_BASE_URL` is set, else two simulated servers.
 *
 * @example
 * ```ts
 * const providers = await startDemoProviders({ env: process.env });
 * providers.beforeTicket(0);
 * await providers.close();
 * ```
 */
export async function startDemoProviders(options: DemoProvidersOptions = {}): Promise<DemoProviders> {
  const env = options.env ?? {};
  const baseURL = env["OPENAI_BASE_URL"]?.trim();
  if (baseURL !== undefined && baseURL !== "") return realProviders(baseURL, env);

  const speedup = options.speedup ?? 1;
  if (!(speedup >= 1)) throw new RangeError(`startDemoProviders: speedup must be ≥ 1, got ${speedup}`);
  const outage = options.outage ?? DEFAULT_OUTAGE;
  const { every, from, to } = outage;
  if (![every, from, to].every(Number.isSafeInteger) || every < 1 || from < 0 || from > to || to > every)
    throw new RangeError(`startDemoProviders: outage must satisfy 0 ≤ from ≤ to ≤ every, every ≥ 1 (integers)`);
  const models = SIMULATED_DEMO_MODELS;
  const catalog = createCatalog(models);
  const primaryServer = await startSimulatedProvider({
    models: ["sim-primary"],
    catalog,
    seed: 7,
    latency: lognormal(180, 900, speedup),
    errorLatency: { distribution: "fixed", ms: 15 / speedup },
    errors: { rate429: options.rate429 ?? 0.06 },
    reply: supportReply,
  });
  let backupServer: SimulatedProvider;
  try {
    backupServer = await startSimulatedProvider({
      models: ["sim-backup"],
      catalog,
      seed: 11,
      latency: lognormal(320, 600, speedup),
      reply: supportReply,
    });
  } catch (error) {
    await primaryServer.close();
    throw error;
  }
  let down = false;
  return {
    kind: "simulated",
    primary: openAICompatible({ baseURL: primaryServer.baseURL, model: "sim-primary", provider: "sim-primary" }),
    backup: openAICompatible({ baseURL: backupServer.baseURL, model: "sim-backup", provider: "sim-backup" }),
    catalog,
    description: [
      `primary  sim-primary at ${primaryServer.baseURL} (6 % 429s; 503 outage during tickets ${outage.from}–${outage.to - 1} of every ${outage.every})`,
      `backup   sim-backup  at ${backupServer.baseURL} (steady, about 8× the price)`,
    ],
    beforeTicket(n) {
      const wanted = inOutage(n, outage);
      if (wanted === down) return;
      down = wanted;
      primaryServer.configure({ script: wanted ? OUTAGE_SCRIPT : [] });
    },
    async close() {
      await Promise.all([primaryServer.close(), backupServer.close()]);
    },
  };
}

/** A URL without credentials, query or fragment, for printing. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

/**
 * Two models behind one real OpenAI-compatible endpoint: `TTA_DEMO_MODELS` (`"primary,backup"`,
 * default `gpt-4o-mini,gpt-4.1-mini`). Ids missing from the default catalogue are added unpriced.
 */
function realProviders(baseURL: string, env: Readonly<Record<string, string | undefined>>): DemoProviders {
  const ids = (env["TTA_DEMO_MODELS"] ?? "gpt-4o-mini,gpt-4.1-mini").split(",").map((id) => id.trim());
  const [primaryId, backupId] = ids;
  if (ids.length !== 2 || primaryId === undefined || backupId === undefined || primaryId === "" || backupId === "")
    throw new RangeError(`TTA_DEMO_MODELS must name two models, "primary,backup"; got ${JSON.stringify(ids)}`);
  const apiKey = env["OPENAI_API_KEY"];
  const missing = [...new Set(ids)].filter((id) => !defaultCatalog.has(id));
  const catalog = defaultCatalog.extend(
    missing.map((id) => ({
      id,
      provider: "openai",
      contextWindow: 128_000,
      pricing: { inputPerMillion: 0, outputPerMillion: 0 },
      capabilities: ["tools", "json"],
    })),
  );
  const connect = (model: string): LanguageModel =>
    openAICompatible({ baseURL, model, ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }) });
  return {
    kind: "openai",
    primary: connect(primaryId),
    backup: connect(backupId),
    catalog,
    description: [
      "real providers, since OPENAI_BASE_URL is set (these calls may cost money; unset it for the simulated ones)",
      `primary  ${primaryId} at ${displayUrl(baseURL)}`,
      `backup   ${backupId} at ${displayUrl(baseURL)}`,
      ...(missing.length > 0 ? [`(not in the default catalogue, so unpriced: ${missing.join(", ")})`] : []),
    ],
    beforeTicket() {},
    close: () => Promise.resolve(),
  };
}
