/**
 * The command line of `tta-observatory`: usage text and argument parsing (`node:util` `parseArgs`).
 *
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import type { ObservatoryOptions } from "./options.js";

/** The `--help` text. */
export const USAGE = `Usage: tta-observatory [options]

Receives OTLP/HTTP traces on <url>/v1/traces and serves a trace and resilience viewer at <url>.

Options:
  --host <host>        interface to listen on (default 127.0.0.1; any other needs a token)
  --port <port>        port (default 4318; 0 = a free port)
  --token <token>      access token, at least 16 characters (default: TTA_OBSERVATORY_TOKEN)
  --max-traces <n>     traces kept in memory (default 1000)
  --db <file>          keep the traces in this SQLite file across restarts (default: memory only)
  --scrape <url>       a Prometheus endpoint to scrape for tta_* and gen_ai_* metrics (repeatable)
  --scrape-interval-ms <n>  time between scrapes (default 5000)
  -h, --help           show this help
`;

/**
 * Reads `--host`, `--port`, `--token` (else `TTA_OBSERVATORY_TOKEN` from `env`), `--max-traces`,
 * `--scrape` (repeatable), `--scrape-interval-ms` and `--db`.
 * Returns the options, `{ help: true }` for `-h`/`--help`, or `{ error }` for an unknown flag or a
 * malformed number (range checks are `startObservatory`'s).
 */
export function parseCommandLine(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { options: ObservatoryOptions } | { help: true } | { error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        host: { type: "string" },
        port: { type: "string" },
        token: { type: "string" },
        "max-traces": { type: "string" },
        db: { type: "string" },
        scrape: { type: "string", multiple: true },
        "scrape-interval-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (values.help === true) return { help: true };
  const options: { -readonly [K in keyof ObservatoryOptions]: ObservatoryOptions[K] } = {};
  if (values.host !== undefined) options.host = values.host;
  for (const [flag, key] of [
    ["port", "port"],
    ["max-traces", "maxTraces"],
    ["scrape-interval-ms", "scrapeIntervalMs"],
  ] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) return { error: `--${flag} must be a non-negative integer` };
    options[key] = Number(text);
  }
  if (values.scrape !== undefined) options.scrape = values.scrape;
  if (values.db !== undefined) options.dbFile = values.db;
  const token = values.token ?? env.TTA_OBSERVATORY_TOKEN;
  if (token !== undefined && token !== "") options.token = token;
  return { options };
}
