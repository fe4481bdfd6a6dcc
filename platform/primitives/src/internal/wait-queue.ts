/**
 * A FIFO of callers waiting for a resource (a bulkhead slot, rate-limit tokens). A waiter whose
 * signal aborts leaves the queue at once and rejects with the signal's reason.
 */
import type { WorkflowContext } from "../core/context.js";
import {
  canContextAbort,
  contextAbortReason,
  isContextAborted,
  unwatchContext,
  watchContext,
} from "../core/context.js";

/** One queued caller: its context, the data it queued with, and when it arrived (on its clock). */
export interface Waiter<T> {
  readonly ctx: WorkflowContext;
  readonly data: T;
  readonly enqueuedAt: number;
}

interface Node<T> extends Waiter<T> {
  prev: Node<T> | undefined;
  next: Node<T> | undefined;
  resolve: () => void;
  onAbort: (() => void) | undefined;
}

/**
 * A doubly linked FIFO with O(1) enqueue, admit and removal on abort. Only queued callers watch
 * their signal (through the one listener TTA shares per signal); they stop when admitted.
 */
export class WaitQueue<T> {
  #head: Node<T> | undefined = undefined;
  #tail: Node<T> | undefined = undefined;
  #length = 0;
  readonly #onAbandon: ((wasHead: boolean) => void) | undefined;

  /** @param onAbandon - called after an aborted waiter left the queue (`wasHead`: it was first). */
  constructor(onAbandon?: (wasHead: boolean) => void) {
    this.#onAbandon = onAbandon;
  }

  /** Number of callers waiting. */
  get length(): number {
    return this.#length;
  }

  /** The first waiter, if any. */
  peek(): Waiter<T> | undefined {
    return this.#head;
  }

  /**
   * Queues a caller at the back. Resolves when {@link WaitQueue.admit} reaches it; rejects with
   * `ctx.signal.reason` (and leaves the queue) if its signal aborts first.
   */
  enqueue(ctx: WorkflowContext, data: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const node: Node<T> = {
        ctx,
        data,
        enqueuedAt: ctx.clock.now(),
        prev: this.#tail,
        next: undefined,
        resolve,
        onAbort: undefined,
      };
      if (isContextAborted(ctx)) {
        reject(contextAbortReason(ctx));
        return;
      }
      if (this.#tail === undefined) this.#head = node;
      else this.#tail.next = node;
      this.#tail = node;
      this.#length++;
      if (!canContextAbort(ctx)) return;
      const onAbort = (): void => {
        const wasHead = node === this.#head;
        node.onAbort = undefined;
        this.#unlink(node);
        reject(contextAbortReason(ctx));
        this.#onAbandon?.(wasHead);
      };
      node.onAbort = onAbort;
      watchContext(ctx, onAbort, false);
    });
  }

  /** Removes the first waiter and resolves its promise; returns it (`undefined` if none). */
  admit(): Waiter<T> | undefined {
    const node = this.#head;
    if (node === undefined) return undefined;
    this.#unlink(node);
    if (node.onAbort !== undefined) unwatchContext(node.ctx, node.onAbort, false);
    node.onAbort = undefined;
    node.resolve();
    return node;
  }

  #unlink(node: Node<T>): void {
    if (node.prev === undefined) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = undefined;
    node.next = undefined;
    this.#length--;
  }
}
