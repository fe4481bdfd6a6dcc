#!/usr/bin/env node
/**
 * `tta-observatory`: starts the observatory from the command line.
 *
 * ```sh
 * tta-observatory [--host 127.0.0.1] [--port 4318] [--token <token>] [--max-traces 1000]
 * ```
 *
 * The token may also come from `TTA_OBSERVATORY_TOKEN`. Ctrl-C (SIGINT) or SIGTERM closes it cleanly.
 *
 * @packageDocumentation
 */
import { ObservatoryError } from "./errors.js";
import { startObservatory } from "./server.js";
import { USAGE, parseCommandLine } from "./cli-args.js";

async function main(): Promise<void> {
  const parsed = parseCommandLine(process.argv.slice(2), process.env);
  if ("help" in parsed) {
    process.stdout.write(USAGE);
    return;
  }
  if ("error" in parsed) {
    process.stderr.write(`tta-observatory: ${parsed.error}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let observatory;
  try {
    observatory = await startObservatory({
      ...parsed.options,
      onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
    });
  } catch (error) {
    const reason =
      error instanceof ObservatoryError
        ? error.message
        : (error as { code?: unknown }).code === "EADDRINUSE"
          ? `port ${parsed.options.port ?? 4318} is in use (choose another with --port)`
          : error instanceof Error
            ? error.message
            : String(error);
    process.stderr.write(`tta-observatory: ${reason}\n`);
    process.exitCode = 1;
    return;
  }
  const tokenHint = parsed.options.token === undefined ? "" : " (add ?token=<your token> to open the page)";
  process.stdout.write(`tta-observatory: open ${observatory.url}/${tokenHint}\n`);
  process.stdout.write(`tta-observatory: send OTLP/HTTP traces to ${observatory.url}/v1/traces\n`);
  if (parsed.options.dbFile !== undefined)
    process.stdout.write(
      `tta-observatory: keeping traces in ${parsed.options.dbFile} (${observatory.store.stats().traces} loaded)\n`,
    );
  for (const target of observatory.metrics().targets)
    process.stdout.write(`tta-observatory: scraping ${target.url} for tta_* and gen_ai_* metrics\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`tta-observatory: ${signal}, closing\n`);
    observatory.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();
