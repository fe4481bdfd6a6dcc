/**
 * One real `abort` listener per signal, fanned out to every callback TTA registers on it.
 *
 * Node warns (`MaxListenersExceededWarning`) past 10 listeners on one `AbortSignal`, and each listener on a
 * long-lived caller signal is memory held until it is removed. TTA therefore never calls
 * `addEventListener` on a signal per operation: it registers callbacks here, and the first callback on a
 * signal adds the one listener, which the last callback to leave removes. Whatever the concurrency, a
 * signal carries at most one listener from TTA.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Callbacks in registration order. The first one is kept outside the `Set`: most signals have one waiter
 * at a time, and adding a fresh closure to a `Set` (which hashes it) costs about 80 ns on Node 20.
 * @internal
 */
export class Callbacks {
  #first: (() => void) | undefined = undefined;
  #rest: Set<() => void> | undefined = undefined;

  /** Adds `callback` (once: adding it again does nothing). */
  add(callback: () => void): void {
    if (this.#first === callback) return;
    // `#first` is used only when the set is empty, so it always precedes the set's entries.
    if (this.#first === undefined && (this.#rest === undefined || this.#rest.size === 0)) this.#first = callback;
    else (this.#rest ??= new Set()).add(callback);
  }

  /** Removes `callback`; `false` if it was not there. */
  delete(callback: () => void): boolean {
    if (this.#first === callback) {
      this.#first = undefined;
      return true;
    }
    return this.#rest !== undefined && this.#rest.size > 0 && this.#rest.delete(callback);
  }

  isEmpty(): boolean {
    return this.#first === undefined && (this.#rest === undefined || this.#rest.size === 0);
  }

  /**
   * Calls every callback once and empties the list. A callback removed by an earlier one does not run.
   * One that throws is reported as uncaught once the others ran, as `EventTarget` does.
   */
  run(): void {
    let failed = false;
    let failure: unknown;
    const first = this.#first;
    this.#first = undefined;
    if (first !== undefined) {
      try {
        first();
      } catch (error) {
        failed = true;
        failure = error;
      }
    }
    const rest = this.#rest;
    if (rest !== undefined) {
      // The live set: entries deleted meanwhile are skipped.
      for (const callback of rest) {
        try {
          callback();
        } catch (error) {
          if (!failed) failure = error;
          failed = true;
        }
      }
      rest.clear();
    }
    if (failed)
      queueMicrotask(() => {
        throw failure;
      });
  }
}

/** The callbacks registered on one signal, and its one real listener (attached while any are registered). */
class Fanout {
  readonly callbacks = new Callbacks();
  readonly listener: () => void;
  attached = false;

  constructor() {
    this.listener = () => {
      this.attached = false;
      // None can be added meanwhile: `onAbort` ignores a signal that has already aborted.
      this.callbacks.run();
    };
  }
}

// Weak: a signal nobody else references is collected with its entry. An entry stays (without a real
// listener) when its set empties, so a signal used call after call allocates nothing more.
const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Calls `callback` (once, with no argument) when `signal` aborts. Does nothing if it already has: check
 * `signal.aborted` first. Registering the same callback twice registers it once.
 * @internal
 */
export function onAbort(signal: AbortSignal, callback: () => void): void {
  let fanout = fanouts.get(signal);
  if (fanout === undefined) {
    fanout = new Fanout();
    fanouts.set(signal, fanout);
  }
  if (!fanout.attached) {
    // An attached listener means the signal has not aborted (dispatch detaches it first).
    if (signal.aborted) return;
    fanout.attached = true;
    signal.addEventListener("abort", fanout.listener, { once: true });
  }
  fanout.callbacks.add(callback);
}

/**
 * Removes a callback registered with {@link onAbort}; removes the real listener when it was the last.
 * Harmless for a callback that is not registered (or already ran).
 * @internal
 */
export function offAbort(signal: AbortSignal, callback: () => void): void {
  const fanout = fanouts.get(signal);
  if (fanout === undefined || !fanout.callbacks.delete(callback) || !fanout.callbacks.isEmpty() || !fanout.attached)
    return;
  fanout.attached = false;
  signal.removeEventListener("abort", fanout.listener);
}
