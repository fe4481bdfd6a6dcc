/**
 * Works through the ticket stream with bounded concurrency, until a limit or until told to stop.
 *
 * @packageDocumentation
 */

/** Options of {@link runTickets}. */
export interface RunTicketsOptions {
  /** Tickets worked on at once, an integer ≥ 1. */
  readonly concurrency: number;
  /** How many tickets in all; undefined for an endless stream. */
  readonly limit?: number | undefined;
  /** Once aborted, no new ticket is started; the ones in flight finish. */
  readonly stop: AbortSignal;
  /** Pause of each worker between two tickets, ms (aborted by `stop`). @defaultValue 0 */
  readonly paceMs?: number;
  /** Works on ticket `n` (0-based); must not reject. */
  readonly work: (n: number) => Promise<void>;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs `work(0)`, `work(1)`, … with at most `concurrency` in flight, until `limit` tickets were started
 * or `stop` aborts; resolves with the number of tickets started once every started one has finished.
 *
 * @example
 * ```ts
 * const started = await runTickets({ concurrency: 3, limit: 12, stop: new AbortController().signal, work });
 * ```
 */
export async function runTickets(options: RunTicketsOptions): Promise<number> {
  const { concurrency, limit, stop, work } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new RangeError(`runTickets: concurrency must be an integer ≥ 1, got ${concurrency}`);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0))
    throw new RangeError(`runTickets: limit must be an integer ≥ 0, got ${limit}`);
  let next = 0;
  const more = () => !stop.aborted && (limit === undefined || next < limit);
  const worker = async () => {
    while (more()) {
      await work(next++);
      if (more()) await pause(options.paceMs ?? 0, stop);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next;
}
