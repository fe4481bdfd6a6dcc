/**
 * The settling machinery of `coordinate` for the strategies that may finish before every agent has
 * (`first`, `any`, `quorum`), for `settled`, and for any strategy with a `timeoutMs`: one `AbortController` per call,
 * shared by every agent, aborted once for all the agents still running when the coordination settles.
 *
 * @packageDocumentation
 */
import type { Span } from "@opentelemetry/api";
import type { Executable, WorkflowContext } from "@tta/primitives";
import { FallbackError, TimeoutError, isTtaError, toError } from "@tta/primitives";
import type { AgentOutcome, CoordinationResult, ResolvedCoordinateOptions } from "../coordinate.js";

/** What a coordination run needs from its primitive. @internal */
export interface CoordinationSpec<I> {
  readonly agents: readonly Executable<I, unknown>[];
  readonly keys: readonly string[];
  readonly options: ResolvedCoordinateOptions;
}

/** The strategy's label, as in the `tta.coordinate.strategy` span attribute. @internal */
export function strategyLabel(strategy: ResolvedCoordinateOptions["strategy"]): string {
  return typeof strategy === "string" ? strategy : "quorum";
}

/**
 * Builds a result (`values`: the fulfilled values in agent order) and sets `tta.coordinate.completed`
 * and `tta.coordinate.partial` on `span`.
 * @internal
 */
function coordinationResult(
  options: ResolvedCoordinateOptions,
  partial: boolean,
  outcomes: readonly AgentOutcome<unknown>[],
  winner: string | undefined,
  span: Span | undefined,
): CoordinationResult<unknown> {
  const values: unknown[] = [];
  let completed = 0;
  for (const outcome of outcomes) {
    if (outcome.status === "fulfilled") values.push(outcome.value);
    if (outcome.status !== "aborted") completed++;
  }
  span?.setAttributes({ "tta.coordinate.completed": completed, "tta.coordinate.partial": partial });
  const strategy = options.strategy;
  return winner === undefined
    ? { strategy, partial, outcomes, values }
    : { strategy, partial, winner, outcomes, values };
}

/** The type of an error for a message: its TTA code, else its name (never its message: it may hold user data). */
function errorType(error: unknown): string {
  if (isTtaError(error)) return error.code;
  return error instanceof Error ? error.name : typeof error;
}

/**
 * Runs every agent on `input` with one shared child context of `ctx`, and settles as the strategy says
 * (see `coordinate`); on `timeoutMs` resolves with what finished, marked partial.
 * @internal
 */
export function race<I>(
  spec: CoordinationSpec<I>,
  input: I,
  ctx: WorkflowContext,
  span: Span | undefined,
): Promise<CoordinationResult<unknown>> {
  const { agents, keys, options } = spec;
  const { strategy, timeoutMs, name } = options;
  const count = agents.length;
  const needed = strategy === "all" ? count : typeof strategy === "string" ? 1 : strategy.quorum;
  // "first" settles on any outcome, "all" on the first failure; "any" and quorum once success is impossible;
  // "settled" once every agent has finished, whatever the outcomes.
  const settled = strategy === "settled";
  const failFast = strategy === "first" || strategy === "all";
  const picksWinner = strategy === "first" || strategy === "any";
  return new Promise<CoordinationResult<unknown>>((resolve, reject) => {
    const controller = new AbortController();
    const child = ctx.child({ signal: controller.signal });
    const outcomes = new Array<AgentOutcome<unknown>>(count);
    let fulfilled = 0;
    let rejected = 0;
    let done = false;
    let cancelTimer: (() => void) | undefined;
    const signal = ctx.signal;
    // The caller's cancellation settles the coordination at once, even with agents that ignore their
    // signal (an `Executable` that is not a primitive never races it), so the timeout timer goes too.
    const onAbort = (): void => {
      if (!done) fail(signal.reason);
    };

    const finish = (): void => {
      done = true;
      cancelTimer?.();
      signal.removeEventListener("abort", onAbort);
    };
    /** Resolves; the agents still running are aborted with `abortReason()` (made only when there are any). */
    const succeed = (partial: boolean, winner: string | undefined, abortReason: () => unknown): void => {
      finish();
      if (fulfilled + rejected < count) {
        const reason = abortReason();
        for (let i = 0; i < count; i++) outcomes[i] ??= { key: keys[i] as string, status: "aborted", error: reason };
        controller.abort(reason);
      }
      child.dispose();
      resolve(coordinationResult(options, partial, outcomes, winner, span));
    };
    const fail = (error: unknown): void => {
      finish();
      controller.abort(error);
      child.dispose();
      span?.setAttributes({ "tta.coordinate.completed": fulfilled + rejected, "tta.coordinate.partial": false });
      reject(error);
    };
    const onFulfilled = (index: number, value: unknown): void => {
      if (done) return;
      outcomes[index] = { key: keys[index] as string, status: "fulfilled", value };
      fulfilled++;
      if (settled) {
        if (fulfilled + rejected === count) succeed(false, undefined, () => undefined);
        return;
      }
      if (fulfilled < needed) return;
      succeed(
        false,
        picksWinner ? keys[index] : undefined,
        () =>
          new DOMException(
            `\`${name}\`: strategy "${strategyLabel(strategy)}" was satisfied; this agent's result is not needed`,
            "AbortError",
          ),
      );
    };
    const onRejected = (index: number, thrown: unknown): void => {
      if (done) return;
      // Cancellation of the caller rejects with its reason, unchanged.
      if (signal.aborted) return fail(signal.reason);
      const error = toError(thrown);
      outcomes[index] = { key: keys[index] as string, status: "rejected", error };
      rejected++;
      if (settled) {
        if (fulfilled + rejected === count) succeed(false, undefined, () => undefined);
        return;
      }
      if (failFast) return fail(error);
      if (count - rejected >= needed) return;
      const errors: unknown[] = [];
      for (const outcome of outcomes) if (outcome?.status === "rejected") errors.push(outcome.error);
      fail(
        new FallbackError(
          `\`${name}\`: ${rejected} of ${count} agents failed, so ${needed === 1 ? "none" : `fewer than ${needed}`} ` +
            `can succeed (strategy "${strategyLabel(strategy)}"); first error: ${errorType(errors[0])}`,
          errors,
        ),
      );
    };
    signal.addEventListener("abort", onAbort);
    for (let i = 0; i < count; i++) {
      let run: Promise<unknown>;
      try {
        run = (agents[i] as Executable<I, unknown>).execute(input, child);
      } catch (error) {
        run = Promise.reject(error);
      }
      run.then(
        (value) => onFulfilled(i, value),
        (error: unknown) => onRejected(i, error),
      );
    }
    if (timeoutMs !== undefined)
      cancelTimer = ctx.clock.schedule(timeoutMs, () => {
        if (done) return;
        succeed(true, undefined, () => new TimeoutError(`\`${name}\` timed out after ${timeoutMs} ms`, { timeoutMs }));
      });
  });
}
