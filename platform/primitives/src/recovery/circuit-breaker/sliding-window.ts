/**
 * Bounded-memory failure-rate windows for the circuit breaker's sliding-window mode: one over the
 * last N calls, one over the last N milliseconds (bucketed), and the validation of their options.
 */
import { InvalidOptionsError } from "../../core/errors.js";
import { describeValue, durationOption, integerOption, isPlainObject } from "../../internal/options.js";

/** Validated window options (the same shape as the public `ResolvedCircuitBreakerWindow`). @internal */
export interface ResolvedWindowOptions {
  readonly kind: "count" | "time";
  readonly size: number;
  readonly minimumCalls: number;
  readonly failureRateThreshold: number;
}

const WINDOW_KEYS: readonly string[] = ["kind", "size", "minimumCalls", "failureRateThreshold"];
/** Default `failureRateThreshold`. @internal */
export const DEFAULT_FAILURE_RATE = 0.5;
/** Default `minimumCalls` of a time window (a count window defaults to its size). @internal */
export const DEFAULT_TIME_MINIMUM_CALLS = 10;

/**
 * Validates the `window` option (`undefined` = none); throws `InvalidOptionsError` naming
 * `window.<key>`. Returns a frozen object.
 * @internal
 */
export function resolveWindow(value: unknown): ResolvedWindowOptions | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value))
    throw new InvalidOptionsError("window", `Expected \`window\` to be a plain object, got ${describeValue(value)}`);
  for (const key of Object.keys(value))
    if (!WINDOW_KEYS.includes(key))
      throw new InvalidOptionsError(
        `window.${key}`,
        `Unknown option \`window.${key}\` for circuitBreaker; expected one of: ${WINDOW_KEYS.map((k) => `\`${k}\``).join(", ")}`,
      );
  const { kind, size, minimumCalls, failureRateThreshold } = value;
  if (kind !== "count" && kind !== "time")
    throw new InvalidOptionsError(
      "window.kind",
      `Expected \`window.kind\` to be "count" or "time", got ${describeValue(kind)}`,
    );
  if (size === undefined || size === null) throw new InvalidOptionsError("window.size", "`window.size` is required");
  const resolvedSize =
    kind === "count"
      ? integerOption("window.size", size, 0, { min: 1, max: Number.MAX_SAFE_INTEGER })
      : durationOption("window.size", size, 0);
  const minimum = integerOption(
    "window.minimumCalls",
    minimumCalls ?? undefined,
    kind === "count" ? resolvedSize : DEFAULT_TIME_MINIMUM_CALLS,
    { min: 1 },
  );
  if (kind === "count" && minimum > resolvedSize)
    throw new InvalidOptionsError(
      "window.minimumCalls",
      `Expected \`window.minimumCalls\` to be ≤ \`window.size\` (${resolvedSize}) for a count window, got ${minimum}`,
    );
  const rate = failureRateThreshold ?? DEFAULT_FAILURE_RATE;
  if (typeof rate !== "number" || !(rate > 0 && rate <= 1))
    throw new InvalidOptionsError(
      "window.failureRateThreshold",
      `Expected \`window.failureRateThreshold\` to be a number in (0, 1], got ${describeValue(rate)}`,
    );
  return Object.freeze({ kind, size: resolvedSize, minimumCalls: minimum, failureRateThreshold: rate });
}

/** The window for validated options. @internal */
export function createFailureWindow(options: ResolvedWindowOptions): FailureWindow {
  return options.kind === "count"
    ? new CountWindow(options.size, options.minimumCalls, options.failureRateThreshold)
    : new TimeWindow(options.size, options.minimumCalls, options.failureRateThreshold);
}

/**
 * A window of call outcomes that tells whether the failure rate trips the breaker.
 * @internal
 */
export interface FailureWindow {
  /** Whether `record` needs the current clock time (time windows do, count windows do not). */
  readonly timed: boolean;
  /**
   * Records one outcome (at clock time `now`, ignored by count windows) and returns whether the
   * window now holds at least `minimumCalls` calls with a failure rate ≥ `failureRateThreshold`.
   */
  record(failure: boolean, now: number): boolean;
  /** Forgets every recorded outcome. */
  clear(): void;
}

function trips(calls: number, failures: number, minimumCalls: number, threshold: number): boolean {
  // Division, not `failures >= threshold * calls`: a ratio equal to the threshold's decimal value
  // rounds to the same double as the threshold literal.
  return calls >= minimumCalls && failures / calls >= threshold;
}

/** Words (32 outcomes each) a {@link CountWindow} starts with, when its size needs that many. */
const INITIAL_WORDS = 4;

/**
 * The outcomes of the last `size` calls, one bit per call in a ring: O(1) amortised per record.
 *
 * @remarks
 * The ring grows with the calls recorded (doubling, up to `size` bits) instead of being allocated
 * for `size` up front, so a huge `size` (up to `Number.MAX_SAFE_INTEGER`) costs nothing until calls
 * arrive, and a full window of N calls holds N / 8 bytes (ADR 0013). While it fills, slot `i` holds
 * call `i`; once `size` calls are in, it wraps and each record replaces the oldest outcome.
 * @internal
 */
export class CountWindow implements FailureWindow {
  readonly timed = false;
  readonly #size: number;
  readonly #minimumCalls: number;
  readonly #threshold: number;
  /** Bit `i % 32` of word `⌊i / 32⌋` is slot `i` (1 = failure); covers at least the slots in use. */
  #bits: Uint32Array;
  #next = 0;
  #calls = 0;
  #failures = 0;

  constructor(size: number, minimumCalls: number, failureRateThreshold: number) {
    this.#size = size;
    this.#minimumCalls = minimumCalls;
    this.#threshold = failureRateThreshold;
    this.#bits = new Uint32Array(Math.min(INITIAL_WORDS, Math.ceil(size / 32)));
  }

  record(failure: boolean): boolean {
    const slot = this.#next;
    const word = Math.floor(slot / 32);
    const mask = 1 << (slot % 32);
    if (this.#calls === this.#size) {
      if (((this.#bits[word] as number) & mask) !== 0) this.#failures--;
    } else {
      this.#calls++;
      if (word === this.#bits.length) this.#grow();
    }
    const bits = this.#bits;
    if (failure) {
      bits[word] = (bits[word] as number) | mask;
      this.#failures++;
    } else bits[word] = (bits[word] as number) & ~mask;
    this.#next = slot + 1 === this.#size ? 0 : slot + 1;
    return trips(this.#calls, this.#failures, this.#minimumCalls, this.#threshold);
  }

  clear(): void {
    this.#bits = new Uint32Array(Math.min(INITIAL_WORDS, Math.ceil(this.#size / 32)));
    this.#next = 0;
    this.#calls = 0;
    this.#failures = 0;
  }

  /** Doubles the ring (never past `size` bits), keeping the outcomes recorded so far. */
  #grow(): void {
    const grown = new Uint32Array(Math.min(this.#bits.length * 2, Math.ceil(this.#size / 32)));
    grown.set(this.#bits);
    this.#bits = grown;
  }
}

/** Buckets of a {@link TimeWindow}: its resolution is `size / TIME_WINDOW_BUCKETS`. @internal */
export const TIME_WINDOW_BUCKETS = 10;

/**
 * The outcomes of the calls recorded in the last `sizeMs` milliseconds, counted in
 * {@link TIME_WINDOW_BUCKETS} buckets of `sizeMs / TIME_WINDOW_BUCKETS` ms each, so memory is fixed
 * whatever the call rate.
 *
 * @remarks
 * A call recorded at time `t` falls in bucket `floor(t / width)`; the window is the current bucket
 * and the `TIME_WINDOW_BUCKETS − 1` before it, so a call counts for more than `sizeMs − width` and at
 * most `sizeMs` milliseconds. A clock that goes backwards records into the current bucket.
 * @internal
 */
export class TimeWindow implements FailureWindow {
  readonly timed = true;
  readonly #width: number;
  readonly #calls = new Float64Array(TIME_WINDOW_BUCKETS);
  readonly #failures = new Float64Array(TIME_WINDOW_BUCKETS);
  readonly #minimumCalls: number;
  readonly #threshold: number;
  /** Bucket index of the newest bucket, or `undefined` while empty. */
  #head: number | undefined = undefined;
  #totalCalls = 0;
  #totalFailures = 0;

  constructor(sizeMs: number, minimumCalls: number, failureRateThreshold: number) {
    this.#width = sizeMs / TIME_WINDOW_BUCKETS;
    this.#minimumCalls = minimumCalls;
    this.#threshold = failureRateThreshold;
  }

  record(failure: boolean, now: number): boolean {
    const slot = this.#advance(Math.floor(now / this.#width));
    this.#calls[slot] = (this.#calls[slot] as number) + 1;
    this.#totalCalls++;
    if (failure) {
      this.#failures[slot] = (this.#failures[slot] as number) + 1;
      this.#totalFailures++;
    }
    return trips(this.#totalCalls, this.#totalFailures, this.#minimumCalls, this.#threshold);
  }

  clear(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#head = undefined;
    this.#totalCalls = 0;
    this.#totalFailures = 0;
  }

  /** Drops the buckets that left the window by `index` and returns the slot of the current bucket. */
  #advance(index: number): number {
    const head = this.#head;
    if (head === undefined || index - head >= TIME_WINDOW_BUCKETS) {
      if (head !== undefined) this.clear();
      this.#head = index;
    } else if (index > head) {
      for (let i = head + 1; i <= index; i++) {
        const slot = bucketSlot(i);
        this.#totalCalls -= this.#calls[slot] as number;
        this.#totalFailures -= this.#failures[slot] as number;
        this.#calls[slot] = 0;
        this.#failures[slot] = 0;
      }
      this.#head = index;
    }
    return bucketSlot(this.#head as number);
  }
}

function bucketSlot(index: number): number {
  const slot = index % TIME_WINDOW_BUCKETS;
  return slot < 0 ? slot + TIME_WINDOW_BUCKETS : slot;
}
