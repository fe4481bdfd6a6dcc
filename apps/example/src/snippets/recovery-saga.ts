import { type CompensationError, type WorkflowContext, createContext } from "@tta/primitives";
import { compensation, saga } from "@tta/primitives/recovery";
import { TestClock } from "@tta/primitives/testing";

// Each step has an undo, given that step's own input and output.
const trip = saga<string>()
  .step(
    (city: string) => ({ city, flight: "FL-1" }),
    ({ output }) => console.log(`undo step 1: cancel flight ${output.flight}`),
  )
  .step(
    (booking) => ({ ...booking, hotel: "HT-2" }),
    ({ input, output }) => console.log(`undo step 2: cancel hotel ${output.hotel} (step input: ${input.flight})`),
  )
  .step(
    (booking): typeof booking & { paid: true } => {
      throw new Error(`card declined for ${booking.city}`);
    },
    () => console.log("undo step 3 (never runs: step 3 did not complete)"),
  )
  .step(
    (booking) => booking,
    () => undefined,
  );

// Step 3 of 4 fails: undo 2, then undo 1 (reverse order), then the ORIGINAL error is rethrown.
console.log(await trip.execute("Lisbon").catch((error: Error) => error.message));
// → undo step 2: cancel hotel HT-2 (step input: FL-1)
// → undo step 1: cancel flight FL-1
// → card declined for Lisbon

// Cancelled mid-step: the saga waits for the step in flight, undoes every committed step (one that
// committed after the abort included), then rejects with the signal's reason.
const clock = new TestClock();
const controller = new AbortController();
const reserve = saga<string>()
  .step(
    (item: string) => `reservation of ${item}`,
    ({ output }) => console.log(`undo: release ${output}`),
  )
  .step(
    async (reservation: string, c: WorkflowContext) => {
      await c.clock.sleep(1_000); // ignores the signal: it commits after the abort
      return `payment for ${reservation}`;
    },
    ({ output }) => console.log(`undo: refund ${output}`),
  );
const cancelled = reserve.execute("seat 12A", createContext({ clock, signal: controller.signal }));
const outcome = cancelled.catch((error: Error) => error.message);
await clock.advance(500); // step 1 committed, step 2 in flight
controller.abort(new Error("user cancelled"));
await clock.advance(500);
console.log(await outcome);
// → undo: refund payment for reservation of seat 12A
// → undo: release reservation of seat 12A
// → user cancelled

// A failing undo: CompensationError carries the original error and the undo errors.
const upload = compensation(
  (file: string): Promise<string> => Promise.reject(new Error(`disk full writing ${file}`)),
  ({ input }) => Promise.reject(new Error(`could not delete ${input}`)),
);
const failed = (await upload.execute("a.txt").catch((error: unknown) => error)) as CompensationError;
console.log(failed.code, (failed.originalError as Error).message, failed.compensationErrors.length);
// → COMPENSATION_FAILED disk full writing a.txt 1
