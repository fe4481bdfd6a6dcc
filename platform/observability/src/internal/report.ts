/**
 * Telemetry never throws into business code: failures are reported through the OpenTelemetry
 * diagnostic logger (`diag`), once per problem (and once more only after the problem cleared).
 */
import { diag } from "@opentelemetry/api";

const PREFIX = "@tta/observability:";

/** Where {@link OnceReporter.notice} writes: the setup's logger (at warn), or `undefined` for standard error. */
export type NoticeSink = (message: string) => void;

/**
 * Reports each distinct problem once through `diag.warn`; `clear(key)` re-arms it. A few problems a
 * user must see even without a diag logger (an unreachable span exporter) also go out once, for the
 * lifetime of the setup, through {@link OnceReporter.notice}.
 */
export class OnceReporter {
  readonly #active = new Set<string>();
  readonly #noticed = new Set<string>();
  #sink: NoticeSink | undefined;
  #muted = false;

  /** Sends later notices to `sink` (the setup's logger); `undefined` sends them to standard error. */
  setNoticeSink(sink: NoticeSink | undefined): void {
    this.#sink = sink;
  }

  /** Drops every later notice (the setup was shut down, its logger may be closed). */
  muteNotices(): void {
    this.#muted = true;
  }

  /**
   * Tells the user about problem `key` once for the lifetime of this reporter (never re-armed): on
   * the notice sink, or standard error when there is none. Never throws.
   */
  notice(key: string, message: string): void {
    if (this.#muted || this.#noticed.has(key)) return;
    this.#noticed.add(key);
    const line = `${PREFIX} ${message}`;
    try {
      if (this.#sink === undefined) process.stderr.write(`${line}\n`);
      else this.#sink(line);
    } catch {
      // A failing logger or a closed stderr must not break the caller.
    }
  }

  /** Reports `message` (and `error`) unless the problem `key` was reported and not cleared since. */
  report(key: string, message: string, error?: unknown): void {
    if (this.#active.has(key)) return;
    this.#active.add(key);
    try {
      if (error === undefined) diag.warn(`${PREFIX} ${message}`);
      else diag.warn(`${PREFIX} ${message}`, error);
    } catch {
      // A throwing diag logger must not break the caller either.
    }
  }

  /** The problem `key` is over: the next occurrence is reported again (and this is said once, at info). */
  clear(key: string, message?: string): void {
    if (!this.#active.delete(key) || message === undefined) return;
    try {
      diag.info(`${PREFIX} ${message}`);
    } catch {
      // ignored, as above
    }
  }

  /** Whether `key` is currently reported. */
  has(key: string): boolean {
    return this.#active.has(key);
  }
}
