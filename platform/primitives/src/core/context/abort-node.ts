/**
 * The abort state of a context that cannot simply reuse a signal: one with its own deadline, a given
 * signal on top of its parent's, or one a primitive aborts (parallel siblings, a timeout's inner run).
 *
 * A node follows its sources (the parent's node or signal, a given signal, its own deadline timer) only
 * while something needs to hear about an abort: an execution in flight ({@link AbortNode.watch}) or a
 * materialised `ctx.signal` ({@link AbortNode.signal}). Otherwise it is *unlinked*: no listener, no timer,
 * and its state is computed from the sources when asked. So a long-lived context's children cost it
 * nothing once their executions settled (DESIGN §10: per-execution links are released on settle), and a
 * context with no execution in flight never keeps the process alive.
 *
 * Used by the context module only (`core/context.ts`, `core/context/`).
 * @internal
 * @packageDocumentation
 */
import type { Clock } from "../clock.js";
import { scheduleDeadline, systemClock } from "../clock.js";
import { TimeoutError } from "../errors.js";
import { Callbacks, offAbort, onAbort } from "../../internal/abort-fanout.js";

const ABORTED = 1;
/** Following the sources (listeners registered, deadline timer armed). */
const LINKED = 2;
/** Disposed: never links again (a held link stays until the holds are dropped). */
const RELEASED = 4;

/** @internal */
export class AbortNode {
  /** The parent's node, when the parent has one. */
  readonly parentNode: AbortNode | undefined;
  /** The parent's signal, when it has no node and can abort. */
  readonly parentSignal: AbortSignal | undefined;
  /** A signal given to `createContext` / `ctx.child`. */
  readonly given: AbortSignal | undefined;
  /** A deadline this node enforces with its own timer (epoch ms on `clock`). */
  readonly deadline: number | undefined;
  readonly clock: Clock;
  /** How far ahead the deadline was set, for the `TimeoutError` message. */
  readonly ahead: number;
  /** Made by a primitive for one execution: its deadline timer always keeps the process alive. */
  readonly pinned: boolean;

  state = 0;
  reason: unknown = undefined;
  controller: AbortController | undefined = undefined;
  /** Internal subscribers: executions in flight, linked child nodes. */
  watchers: Callbacks | undefined = undefined;
  cancelTimer: (() => void) | undefined = undefined;
  /** Top-level executions in flight on this node or a descendant (their deadline timers are ref'd). */
  keepAlive = 0;
  /** Results that outlive the owning execution (a stream) and still follow the sources. */
  holds = 0;
  #onSource: (() => void) | undefined = undefined;
  #onDeadline: (() => void) | undefined = undefined;

  /**
   * One node that lives as long as the class, so that its hidden class (V8 map) does too: otherwise a
   * full GC while no node exists collects it and deoptimises the code that handles nodes (see
   * `WorkflowContext`'s own).
   */
  // eslint-disable-next-line no-unused-private-class-members -- held only to stay alive
  static readonly #shape: AbortNode = new AbortNode(undefined, undefined, undefined, undefined, systemClock, false);

  constructor(
    parentNode: AbortNode | undefined,
    parentSignal: AbortSignal | undefined,
    given: AbortSignal | undefined,
    deadline: number | undefined,
    clock: Clock,
    pinned: boolean,
  ) {
    this.parentNode = parentNode;
    this.parentSignal = parentSignal;
    this.given = given;
    this.deadline = deadline;
    this.clock = clock;
    this.ahead = deadline === undefined ? 0 : Math.max(0, Math.round(deadline - clock.now()));
    this.pinned = pinned;
  }

  /** Whether the node aborted; an unlinked live node looks at its sources (and latches what it finds). */
  isAborted(): boolean {
    const state = this.state;
    if ((state & ABORTED) !== 0) return true;
    if ((state & (LINKED | RELEASED)) !== 0) return false;
    const parent = this.parentNode;
    if (parent !== undefined ? parent.isAborted() : this.parentSignal?.aborted === true) {
      this.#fire(parent !== undefined ? parent.reason : this.parentSignal?.reason);
      return true;
    }
    const given = this.given;
    if (given?.aborted === true) {
      this.#fire(given.reason);
      return true;
    }
    if (this.deadline !== undefined && this.clock.now() >= this.deadline) {
      this.#fire(this.#deadlineError());
      return true;
    }
    return false;
  }

  /** The abort reason, or `undefined` while not aborted. */
  abortReason(): unknown {
    return this.isAborted() ? this.reason : undefined;
  }

  /** The public signal, created on first read; from then on the node follows its sources. */
  signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    if (this.isAborted()) controller.abort(this.reason);
    else this.#link();
    return controller.signal;
  }

  /** Aborts with `reason` unless already aborted (a primitive cancelling its children). */
  abort(reason: unknown): void {
    if (!this.isAborted()) this.#fire(reason);
  }

  /** Calls `callback` once when the node aborts; follows the sources meanwhile. Check `isAborted()` first. */
  watch(callback: () => void): void {
    if (this.isAborted()) return;
    (this.watchers ??= new Callbacks()).add(callback);
    this.#link();
  }

  /** Removes a {@link AbortNode.watch} callback; the last one to leave unlinks an unread node. */
  unwatch(callback: () => void): void {
    if (this.watchers?.delete(callback) === true) this.#settleLink();
  }

  /** A top-level execution starts on this node (or a descendant): its deadline timers keep the process alive. */
  ref(): void {
    if (this.keepAlive++ !== 0) return;
    this.#rearm();
    this.parentNode?.ref();
  }

  /** The matching end of {@link AbortNode.ref}. */
  unref(): void {
    if (--this.keepAlive !== 0) return;
    this.#rearm();
    this.parentNode?.unref();
  }

  /** `dispose()`: stops following the sources (unless held) and never links again. */
  release(): void {
    this.state |= RELEASED;
    if (this.holds === 0) this.#unlink();
  }

  /** Drops one hold (see `holdContext`); the last one unlinks a released node. */
  unhold(): void {
    if (this.holds > 0 && --this.holds === 0 && (this.state & RELEASED) !== 0) this.#unlink();
  }

  #link(): void {
    if ((this.state & (LINKED | RELEASED | ABORTED)) !== 0) return;
    this.state |= LINKED;
    const onSource = (this.#onSource ??= () => this.#sourceAborted());
    if (this.parentNode !== undefined) this.parentNode.watch(onSource);
    else if (this.parentSignal !== undefined) onAbort(this.parentSignal, onSource);
    if (this.given !== undefined) onAbort(this.given, onSource);
    // A source may have aborted since the caller's check (listeners only hear later aborts).
    this.#sourceAborted();
    if (this.deadline !== undefined && (this.state & ABORTED) === 0) this.#arm();
  }

  #unlink(): void {
    if ((this.state & LINKED) === 0) return;
    this.state &= ~LINKED;
    const onSource = this.#onSource as () => void;
    if (this.parentNode !== undefined) this.parentNode.unwatch(onSource);
    else if (this.parentSignal !== undefined) offAbort(this.parentSignal, onSource);
    if (this.given !== undefined) offAbort(this.given, onSource);
    const cancel = this.cancelTimer;
    this.cancelTimer = undefined;
    cancel?.();
  }

  /** Unlinks when nothing needs the link any more. */
  #settleLink(): void {
    if ((this.state & LINKED) === 0) return;
    const needed =
      (this.state & RELEASED) !== 0
        ? this.holds > 0
        : this.controller !== undefined || (this.watchers !== undefined && !this.watchers.isEmpty());
    if (!needed) this.#unlink();
  }

  #arm(): void {
    const deadline = this.deadline as number;
    const onDeadline = (this.#onDeadline ??= () => {
      this.cancelTimer = undefined;
      this.#fire(this.#deadlineError());
    });
    this.cancelTimer = scheduleDeadline(
      this.clock,
      Math.max(0, deadline - this.clock.now()),
      onDeadline,
      this.pinned || this.keepAlive > 0,
    );
  }

  /** Re-arms an armed system-clock timer so that it keeps the process alive iff executions are in flight. */
  #rearm(): void {
    const cancel = this.cancelTimer;
    if (cancel === undefined || this.pinned || this.clock !== systemClock) return;
    cancel();
    this.#arm();
  }

  #sourceAborted(): void {
    const parent = this.parentNode;
    if (parent !== undefined ? parent.isAborted() : this.parentSignal?.aborted === true)
      this.#fire(parent !== undefined ? parent.reason : this.parentSignal?.reason);
    else if (this.given?.aborted === true) this.#fire(this.given.reason);
  }

  #deadlineError(): TimeoutError {
    return new TimeoutError(`deadline passed (set ${this.ahead} ms ahead)`);
  }

  #fire(reason: unknown): void {
    if ((this.state & ABORTED) !== 0) return;
    this.#unlink();
    this.state |= ABORTED;
    this.reason = reason;
    this.holds = 0;
    this.controller?.abort(reason);
    // A watcher removed by an earlier one does not run; none can be added once aborted.
    this.watchers?.run();
  }
}
