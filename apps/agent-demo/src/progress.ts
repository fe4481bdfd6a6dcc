/**
 * The demo's one-line live summary: tickets done and failed, failovers, p99 latency, cost. Rewritten
 * in place (`\r`) on a terminal; printed as a plain line every few tickets otherwise (CI logs, pipes).
 *
 * @packageDocumentation
 */

/** What the summary line shows. */
export interface ProgressSnapshot {
  readonly done: number;
  readonly failed: number;
  /** Candidates that failed before another answered, over every model call. */
  readonly failovers: number;
  /** 99th percentile of the ticket durations, ms; undefined before the first ticket. */
  readonly p99Ms: number | undefined;
  readonly costUsd: number;
  /** Candidates whose breaker is not closed, e.g. `[{ model: "sim-primary", breaker: "open" }]`. */
  readonly breakers?: readonly { readonly model: string; readonly breaker: string }[];
}

/** One finished ticket, as the tracker counts it. */
export interface TicketRecord {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly failovers: number;
  readonly costUsd: number;
}

/** The summary as one line, e.g. `done 12 · failed 0 · failovers 3 · p99 840 ms · cost $0.0042`. */
export function formatProgress(s: ProgressSnapshot): string {
  const p99 = s.p99Ms === undefined ? "–" : `${Math.round(s.p99Ms)} ms`;
  const parts = [
    `done ${s.done}`,
    `failed ${s.failed}`,
    `failovers ${s.failovers}`,
    `p99 ${p99}`,
    `cost $${s.costUsd.toFixed(4)}`,
  ];
  for (const b of s.breakers ?? []) if (b.breaker !== "closed") parts.push(`${b.model} breaker ${b.breaker}`);
  return parts.join(" · ");
}

/** The `q` quantile (0..1) of `values` by the nearest-rank method; undefined when empty. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Counts finished tickets; keeps the last `window` durations for the p99 (memory stays bounded). */
export class ProgressTracker {
  readonly #window: number;
  readonly #durations: number[] = [];
  #next = 0;
  #done = 0;
  #failed = 0;
  #failovers = 0;
  #costUsd = 0;

  constructor(window = 1_000) {
    if (!Number.isSafeInteger(window) || window < 1)
      throw new RangeError(`ProgressTracker: window must be an integer ≥ 1, got ${window}`);
    this.#window = window;
  }

  /** Counts one finished ticket. */
  record(ticket: TicketRecord): void {
    if (ticket.ok) this.#done++;
    else this.#failed++;
    this.#failovers += ticket.failovers;
    this.#costUsd += ticket.costUsd;
    if (this.#durations.length < this.#window) this.#durations.push(ticket.durationMs);
    else this.#durations[this.#next] = ticket.durationMs;
    this.#next = (this.#next + 1) % this.#window;
  }

  /** Tickets finished so far, answered or failed. */
  get finished(): number {
    return this.#done + this.#failed;
  }

  /** The counts so far (`breakers` is the caller's to add). */
  snapshot(): ProgressSnapshot {
    return {
      done: this.#done,
      failed: this.#failed,
      failovers: this.#failovers,
      p99Ms: quantile(this.#durations, 0.99),
      costUsd: this.#costUsd,
    };
  }
}

/** Where the line goes: `process.stdout`, or anything with `write` (tests). */
export interface ProgressOut {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/** A live summary line; see {@link createProgressLine}. */
export interface ProgressLine {
  /** Shows the latest summary (on a TTY at once; otherwise every `everyTickets` finished tickets). */
  update(snapshot: ProgressSnapshot): void;
  /** Prints a message on a line of its own, keeping the summary line below it on a TTY. */
  log(message: string): void;
  /** Prints the final summary (if not already shown) and ends the line. */
  finish(snapshot: ProgressSnapshot): void;
}

/**
 * The summary line on `out`: rewritten in place with `\r` (and erase-to-end-of-line) when `out` is a
 * terminal, else a plain line whenever `everyTickets` more tickets finished.
 */
export function createProgressLine(out: ProgressOut, everyTickets = 12): ProgressLine {
  const tty = out.isTTY === true;
  let current = ""; // the line on screen (TTY) or last printed
  let printedAt = 0; // finished tickets when the last plain line was printed
  const finished = (s: ProgressSnapshot) => s.done + s.failed;
  return {
    update(snapshot) {
      const line = formatProgress(snapshot);
      if (tty) {
        if (line !== current) out.write(`\r${line}\x1b[K`);
        current = line;
      } else if (finished(snapshot) - printedAt >= everyTickets) {
        out.write(`${line}\n`);
        current = line;
        printedAt = finished(snapshot);
      }
    },
    log(message) {
      if (tty && current !== "") out.write(`\r\x1b[K${message}\n${current}`);
      else out.write(`${message}\n`);
    },
    finish(snapshot) {
      const line = formatProgress(snapshot);
      if (tty) out.write(`\r${line}\x1b[K\n`);
      else if (line !== current) out.write(`${line}\n`);
      current = "";
      printedAt = finished(snapshot);
    },
  };
}
