/**
 * Validation of the simulated provider's options: every option is checked at start (and by
 * `configure`), unknown keys are rejected, and errors name the option (`errors.rate429`,
 * `outages[1].endMs`, `latency.p99Ms`…).
 *
 * @packageDocumentation
 */
import { isIPv4 } from "node:net";
import { InvalidOptionsError } from "../../core/errors.js";
import {
  choiceOption,
  describeValue,
  durationOption,
  functionOption,
  integerOption,
  isPlainObject,
  readOptions,
} from "../../internal/options.js";
import type { Catalog } from "../../orchestration/catalog.js";
import { simulatedCatalog } from "../simulated-catalog.js";
import type {
  SimulatedErrorRates,
  SimulatedFault,
  SimulatedLatency,
  SimulatedModel,
  SimulatedProviderOptions,
} from "./types.js";

/** A model with every default filled in. */
export type ResolvedModel = Required<SimulatedModel>;

/** An outage window with its status filled in. */
export interface ResolvedOutage {
  readonly startMs: number;
  readonly endMs: number;
  readonly status: number;
}

/** The `reply` option. */
export type ReplyFunction = NonNullable<SimulatedProviderOptions["reply"]>;

/** The options `configure` can change, validated. */
export interface RuntimeConfig {
  readonly latency: SimulatedLatency;
  /** The latency of error faults; `undefined` means `latency`. */
  readonly errorLatency: SimulatedLatency | undefined;
  readonly chunkDelayMs: number;
  readonly errors: Required<SimulatedErrorRates>;
  readonly outages: readonly ResolvedOutage[];
  readonly script: readonly SimulatedFault[];
  readonly reply: ReplyFunction | undefined;
}

/** Every option, validated, with defaults filled in. */
export interface ResolvedOptions extends RuntimeConfig {
  readonly host: string;
  readonly port: number;
  readonly models: readonly ResolvedModel[];
  readonly catalog: Catalog;
  readonly seed: number;
  readonly chunkSize: number;
  readonly apiKey: string | undefined;
  readonly maxBodyBytes: number;
}

const OPTION_KEYS = [
  "host",
  "port",
  "models",
  "catalog",
  "seed",
  "latency",
  "errorLatency",
  "chunkDelayMs",
  "chunkSize",
  "errors",
  "outages",
  "script",
  "reply",
  "apiKey",
  "maxBodyBytes",
] as const;
const UPDATE_KEYS = ["latency", "errorLatency", "chunkDelayMs", "errors", "outages", "script", "reply"] as const;
const RATE_KEYS = ["rate429", "rate500", "rateHang", "rateMalformed", "rateStreamCut"] as const;
const FAULT_KINDS = ["ok", "429", "500", "hang", "malformed", "stream-cut", "status"] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * A character Node's HTTP server refuses in a header value: anything but tab, visible ASCII, space
 * and Latin-1 (0x80–0xFF), so CR, LF, NUL, other control characters and anything past U+00FF.
 */
const BAD_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
const HEADER_VALUE_EXPECTED =
  "a header value (visible ASCII or Latin-1 characters, spaces and tabs; no CR, LF, NUL or other control characters)";

const DEFAULT_MODELS: readonly string[] = ["sim-small", "sim-large"];
const DEFAULT_CONTEXT_WINDOW = 128_000;
const DEFAULT_LATENCY: SimulatedLatency = { distribution: "fixed", ms: 0 };
const NO_ERRORS: Required<SimulatedErrorRates> = {
  rate429: 0,
  rate500: 0,
  rateHang: 0,
  rateMalformed: 0,
  rateStreamCut: 0,
};

function fail(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeValue(value)}`);
}

/** A plain object with only `allowed` keys; unknown-key errors name `path.key`. */
function readObject(path: string, value: unknown, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  if (!isPlainObject(value)) fail(path, "a plain object", value);
  try {
    return readOptions(path, value, allowed);
  } catch (error) {
    if (error instanceof InvalidOptionsError) throw new InvalidOptionsError(`${path}.${error.option}`, error.message);
    throw error;
  }
}

function arrayOption(option: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) fail(option, "an array", value);
  return value as readonly unknown[];
}

function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) fail(option, "a non-empty string", value);
  return value;
}

/** The kind of a value, never its content (for values that may be secrets). */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value === "" ? "an empty string" : `a string of ${value.length} characters`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** What is wrong with `value` as a header value (which kind of character, where), or `undefined`. */
function headerValueProblem(value: string): string | undefined {
  const match = BAD_HEADER_CHAR.exec(value);
  if (match === null) return undefined;
  const code = match[0].charCodeAt(0);
  const kind =
    code === 0x0d || code === 0x0a
      ? "a line break (CR or LF)"
      : code === 0
        ? "a NUL character"
        : code < 0x20 || code === 0x7f
          ? "a control character"
          : "a character outside Latin-1";
  return `${kind} at index ${match.index}`;
}

/**
 * A string Node can send as a header value; the error says what is wrong and where, without quoting
 * the value (and, with `secret`, without describing anything but its kind).
 */
function headerValue(option: string, value: unknown, secret = false): string {
  if (typeof value !== "string")
    throw new InvalidOptionsError(
      option,
      `Expected \`${option}\` to be ${HEADER_VALUE_EXPECTED}, got ${secret ? kindOf(value) : describeValue(value)}`,
    );
  const problem = headerValueProblem(value);
  if (problem !== undefined)
    throw new InvalidOptionsError(
      option,
      `Expected \`${option}\` to be ${HEADER_VALUE_EXPECTED}, got ${kindOf(value)} with ${problem}`,
    );
  return value;
}

/** The `apiKey` option: a non-empty header value; errors never show the key. */
function apiKeyOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === "")
    throw new InvalidOptionsError("apiKey", "Expected `apiKey` to be a non-empty string, got an empty string");
  return headerValue("apiKey", value, true);
}

function finiteAtLeast(option: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min)
    fail(option, `a finite number ≥ ${min}`, value);
  return value;
}

/**
 * Whether `host` is a loopback address: `"localhost"`, `"::1"` or an IPv4 address in `127.0.0.0/8`.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIPv4(host) && host.split(".")[0] === "127";
}

function modelOption(option: string, value: unknown, catalog: Catalog): ResolvedModel {
  if (typeof value === "string") {
    const id = nonEmptyString(option, value);
    return { id, contextWindow: catalog.get(id)?.contextWindow ?? DEFAULT_CONTEXT_WINDOW };
  }
  const model = readObject(option, value, ["id", "contextWindow"]);
  const id = nonEmptyString(`${option}.id`, model.id);
  const fallback = catalog.get(id)?.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  return { id, contextWindow: integerOption(`${option}.contextWindow`, model.contextWindow, fallback, { min: 1 }) };
}

function catalogOption(value: unknown): Catalog {
  if (value === undefined) return simulatedCatalog;
  if (!isPlainObject(value) && (typeof value !== "object" || value === null))
    fail("catalog", "a Catalog (createCatalog, loadCatalog or defaultCatalog)", value);
  const catalog = value as { readonly cost?: unknown; readonly get?: unknown };
  if (typeof catalog.cost !== "function" || typeof catalog.get !== "function")
    fail("catalog", "a Catalog (createCatalog, loadCatalog or defaultCatalog)", value);
  return value as Catalog;
}

function modelsOption(value: unknown, catalog: Catalog): readonly ResolvedModel[] {
  const items = value === undefined ? DEFAULT_MODELS : arrayOption("models", value);
  if (items.length === 0) fail("models", "a non-empty array", value);
  const models = items.map((item, i) => modelOption(`models[${i}]`, item, catalog));
  const seen = new Set<string>();
  models.forEach((model, i) => {
    if (seen.has(model.id)) fail(`models[${i}].id`, "unique", model.id);
    seen.add(model.id);
  });
  return models;
}

/** A `SimulatedLatency` (the `latency` or `errorLatency` option, named `option` in errors). */
function latencyOption(option: string, value: unknown): SimulatedLatency {
  if (!isPlainObject(value)) fail(option, "a plain object", value);
  const distribution = choiceOption(
    `${option}.distribution`,
    value.distribution ?? "",
    ["fixed", "uniform", "lognormal"],
    "fixed",
  );
  const ms = (key: string, raw: unknown, allowZero: boolean): number => {
    if (raw === undefined) fail(`${option}.${key}`, "given", raw);
    return durationOption(`${option}.${key}`, raw, 0, { allowZero });
  };
  if (distribution === "fixed") {
    const opts = readObject(option, value, ["distribution", "ms"]);
    return { distribution, ms: ms("ms", opts.ms, true) };
  }
  if (distribution === "uniform") {
    const opts = readObject(option, value, ["distribution", "minMs", "maxMs"]);
    const minMs = ms("minMs", opts.minMs, true);
    const maxMs = ms("maxMs", opts.maxMs, true);
    if (maxMs < minMs) fail(`${option}.maxMs`, `≥ ${option}.minMs (${minMs})`, maxMs);
    return { distribution, minMs, maxMs };
  }
  const opts = readObject(option, value, ["distribution", "medianMs", "p99Ms"]);
  const medianMs = ms("medianMs", opts.medianMs, false);
  const p99Ms = ms("p99Ms", opts.p99Ms, false);
  if (p99Ms < medianMs) fail(`${option}.p99Ms`, `≥ ${option}.medianMs (${medianMs})`, p99Ms);
  return { distribution, medianMs, p99Ms };
}

function errorsOption(value: unknown): Required<SimulatedErrorRates> {
  if (value === undefined) return NO_ERRORS;
  const opts = readObject("errors", value, RATE_KEYS);
  const rates = { ...NO_ERRORS };
  let sum = 0;
  for (const key of RATE_KEYS) {
    const rate = opts[key];
    if (rate === undefined) continue;
    if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0 || rate > 1)
      fail(`errors.${key}`, "a probability in [0, 1]", rate);
    rates[key] = rate;
    sum += rate;
  }
  if (sum > 1 + 1e-9)
    throw new InvalidOptionsError("errors", `Expected the \`errors\` rates to sum to ≤ 1, got ${sum}`);
  return rates;
}

function outagesOption(value: unknown): readonly ResolvedOutage[] {
  if (value === undefined) return [];
  return arrayOption("outages", value).map((item, i) => {
    const path = `outages[${i}]`;
    const opts = readObject(path, item, ["startMs", "endMs", "status"]);
    if (opts.startMs === undefined) fail(`${path}.startMs`, "given", undefined);
    if (opts.endMs === undefined) fail(`${path}.endMs`, "given", undefined);
    const startMs = finiteAtLeast(`${path}.startMs`, opts.startMs, 0, 0);
    const endMs = finiteAtLeast(`${path}.endMs`, opts.endMs, 0, 0);
    if (endMs <= startMs) fail(`${path}.endMs`, `> ${path}.startMs (${startMs})`, endMs);
    const status = integerOption(`${path}.status`, opts.status, 503, { min: 400 });
    if (status > 599) fail(`${path}.status`, "an HTTP error status from 400 to 599", status);
    return { startMs, endMs, status };
  });
}

function headersOption(option: string, value: unknown): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail(option, "a plain object of header names to strings", value);
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) fail(option, "valid header names", name);
    headers[name.toLowerCase()] = headerValue(`${option}.${name}`, raw);
  }
  return headers;
}

function faultOption(path: string, value: unknown): SimulatedFault {
  if (!isPlainObject(value)) fail(path, "a plain object with a `kind`", value);
  const kind = choiceOption(`${path}.kind`, value.kind ?? "", FAULT_KINDS, "ok");
  if (kind === "429") {
    const opts = readObject(path, value, ["kind", "retryAfterS", "resetTokens"]);
    const retryAfterS = integerOption(`${path}.retryAfterS`, opts.retryAfterS, 1, { min: 0 });
    if (opts.resetTokens === undefined) return { kind, retryAfterS };
    return { kind, retryAfterS, resetTokens: headerValue(`${path}.resetTokens`, opts.resetTokens) };
  }
  if (kind !== "status") {
    readObject(path, value, ["kind"]);
    return { kind };
  }
  const opts = readObject(path, value, ["kind", "status", "body", "headers", "contentType"]);
  if (opts.status === undefined) fail(`${path}.status`, "given", undefined);
  const status = integerOption(`${path}.status`, opts.status, 500, { min: 200 });
  if (status > 599) fail(`${path}.status`, "an HTTP status from 200 to 599", status);
  const body = opts.body;
  if (body !== undefined && typeof body !== "string" && typeof body !== "function")
    fail(`${path}.body`, "a string or a function", body);
  const headers = headersOption(`${path}.headers`, opts.headers);
  const contentType = opts.contentType === undefined ? undefined : headerValue(`${path}.contentType`, opts.contentType);
  return {
    kind,
    status,
    ...(body === undefined
      ? {}
      : { body: body as string | ((request: { headers: Record<string, string> }) => string) }),
    ...(headers === undefined ? {} : { headers }),
    ...(contentType === undefined ? {} : { contentType }),
  };
}

function scriptOption(value: unknown): readonly SimulatedFault[] {
  if (value === undefined) return [];
  return arrayOption("script", value).map((item, i) => faultOption(`script[${i}]`, item));
}

function runtimeOption(key: (typeof UPDATE_KEYS)[number], value: unknown): RuntimeConfig[typeof key] {
  switch (key) {
    case "latency":
      return value === undefined ? DEFAULT_LATENCY : latencyOption("latency", value);
    case "errorLatency":
      return value === undefined ? undefined : latencyOption("errorLatency", value);
    case "chunkDelayMs":
      return durationOption("chunkDelayMs", value, 0, { allowZero: true });
    case "errors":
      return errorsOption(value);
    case "outages":
      return outagesOption(value);
    case "script":
      return scriptOption(value);
    case "reply":
      return functionOption<ReplyFunction>("reply", value);
  }
}

/**
 * Validates the options of `startSimulatedProvider` and fills in the defaults.
 *
 * @throws {@link InvalidOptionsError} naming the first invalid or unknown option.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const opts = readOptions("startSimulatedProvider", options, OPTION_KEYS);
  const host = opts.host === undefined ? "127.0.0.1" : nonEmptyString("host", opts.host);
  if (!isLoopbackHost(host)) fail("host", 'a loopback address (127.0.0.0/8, "localhost" or "::1")', host);
  const port = integerOption("port", opts.port, 0, { min: 0 });
  if (port > 65_535) fail("port", "an integer from 0 to 65535", port);
  const seed = opts.seed ?? 1;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) fail("seed", "a safe integer", seed);
  const maxBodyBytes = integerOption("maxBodyBytes", opts.maxBodyBytes, 1_048_576, { min: 1 });
  if (maxBodyBytes > 1_073_741_824) fail("maxBodyBytes", "at most 1073741824 (1 GiB)", maxBodyBytes);
  const catalog = catalogOption(opts.catalog);
  return {
    host,
    port,
    models: modelsOption(opts.models, catalog),
    catalog,
    seed,
    chunkSize: integerOption("chunkSize", opts.chunkSize, 8, { min: 1 }),
    apiKey: apiKeyOption(opts.apiKey),
    maxBodyBytes,
    latency: opts.latency === undefined ? DEFAULT_LATENCY : latencyOption("latency", opts.latency),
    errorLatency: opts.errorLatency === undefined ? undefined : latencyOption("errorLatency", opts.errorLatency),
    chunkDelayMs: durationOption("chunkDelayMs", opts.chunkDelayMs, 0, { allowZero: true }),
    errors: errorsOption(opts.errors),
    outages: outagesOption(opts.outages),
    script: scriptOption(opts.script),
    reply: functionOption<ReplyFunction>("reply", opts.reply),
  };
}

/**
 * Validates a `configure` update and returns the new runtime configuration: a key that is present
 * replaces the current value (`undefined` or `null` restores its default).
 *
 * @throws {@link InvalidOptionsError} naming the first invalid or unknown option.
 */
export function resolveUpdate(update: unknown, current: RuntimeConfig): RuntimeConfig {
  if (!isPlainObject(update)) fail("configure options", "a plain object", update);
  const opts = readOptions("configure", update, UPDATE_KEYS);
  const next: Record<string, unknown> = { ...current };
  for (const key of UPDATE_KEYS) {
    if (Object.hasOwn(opts, key)) next[key] = runtimeOption(key, opts[key]);
  }
  return next as unknown as RuntimeConfig;
}
