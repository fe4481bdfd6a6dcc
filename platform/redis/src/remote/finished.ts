/**
 * How a keyed `remote()` call learns the outcome of a job that finished before it started waiting.
 *
 * @packageDocumentation
 */

/** What a job that already finished says: its result, or its failure. */
export type FinishedOutcome =
  | { readonly state: "completed"; readonly returnvalue: unknown }
  | { readonly state: "failed"; readonly failedReason: unknown };

/** The two reads of a BullMQ `Queue` this needs (a fake in tests). */
export interface FinishedJobSource {
  getJobState(jobId: string): Promise<string>;
  getJob(jobId: string): Promise<{ readonly returnvalue?: unknown; readonly failedReason?: unknown } | undefined>;
}

/**
 * The outcome of `jobId` if it has finished, else `undefined` (its events will settle the call).
 *
 * @remarks
 * The state is read first and the job second: a finished state is final, so the job read after it
 * holds its return value. Read the other way round, a job that finishes between the two reads shows
 * as completed with the return value it had before (none), and the caller would resolve with
 * `undefined`.
 */
export async function finishedOutcome(source: FinishedJobSource, jobId: string): Promise<FinishedOutcome | undefined> {
  const state = await source.getJobState(jobId);
  if (state !== "completed" && state !== "failed") return undefined;
  const job = await source.getJob(jobId);
  if (job === undefined) return undefined; // removed since: the call's timer settles it
  return state === "completed" ? { state, returnvalue: job.returnvalue } : { state, failedReason: job.failedReason };
}
