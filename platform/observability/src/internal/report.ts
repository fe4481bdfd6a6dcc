/**
 * Telemetry never throws into business code: failures are reported through the OpenTelemetry
 * diagnostic logger (`diag`), once per problem (and once more only after the problem cleared).
 */
import { diag } from "@opentelemetry/api";

const PREFIX = "@tta/observability:";

/** Reports each distinct problem once through `diag.warn`; `clear(key)` re-arms it. */
export class OnceReporter {
  readonly #active = new Set<string>();

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
