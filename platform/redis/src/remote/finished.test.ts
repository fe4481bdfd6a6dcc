import { describe, expect, it } from "vitest";
import type { FinishedJobSource } from "./finished.js";
import { finishedOutcome } from "./finished.js";

interface FakeJob {
  state: string;
  returnvalue?: unknown;
  failedReason?: unknown;
}

/** A queue whose job finishes (per `finish`) right after the first read, whichever read that is. */
function finishingAfterFirstRead(job: FakeJob, finish: (job: FakeJob) => void): FinishedJobSource {
  let reads = 0;
  const afterRead = (): void => {
    if (++reads === 1) finish(job);
  };
  return {
    getJobState: async () => {
      const state = job.state;
      afterRead();
      return state;
    },
    getJob: async () => {
      const snapshot = { returnvalue: job.returnvalue, failedReason: job.failedReason };
      afterRead();
      return snapshot;
    },
  };
}

describe("finishedOutcome", () => {
  it("is undefined while the job waits or runs: its events will settle the call", async () => {
    for (const state of ["waiting", "active", "delayed", "unknown"]) {
      expect(
        await finishedOutcome(
          finishingAfterFirstRead({ state }, () => undefined),
          "j",
        ),
      ).toBeUndefined();
    }
  });

  it("returns a completed job's return value and a failed job's reason", async () => {
    const done = finishingAfterFirstRead({ state: "completed", returnvalue: { value: 42 } }, () => undefined);
    expect(await finishedOutcome(done, "j")).toEqual({ state: "completed", returnvalue: { value: 42 } });
    const failed = finishingAfterFirstRead({ state: "failed", failedReason: "boom" }, () => undefined);
    expect(await finishedOutcome(failed, "j")).toEqual({ state: "failed", failedReason: "boom" });
  });

  it("never reports a job that completes between the reads as completed without its value", async () => {
    const source = finishingAfterFirstRead({ state: "active" }, (job) => {
      job.state = "completed";
      job.returnvalue = { value: 42 };
    });
    const outcome = await finishedOutcome(source, "j");
    // Either not finished yet (the completed event settles the call) or finished with its value.
    if (outcome !== undefined) expect(outcome).toEqual({ state: "completed", returnvalue: { value: 42 } });
  });

  it("is undefined when the finished job was removed before it could be read", async () => {
    const source: FinishedJobSource = { getJobState: async () => "completed", getJob: async () => undefined };
    expect(await finishedOutcome(source, "j")).toBeUndefined();
  });
});
