// Scenario definitions: the hand-written baselines and each library's version of the same work.
// A library is imported only inside its own loader, so a child process loads exactly one library.

/** Number of steps (sequential) and branches (parallel). */
export const WIDTH = 10;

/** Ten distinct trivial async steps `async (x) => x + 1` (same code, distinct closures). */
export function makeSteps() {
  return Array.from({ length: WIDTH }, () => async (x) => x + 1);
}

export const SCENARIOS = Object.freeze({
  sequential: {
    title: `${WIDTH}-step sequential of trivial async steps (async (x) => x + 1), input 0`,
    baselineLabel: "raw await chain",
    expect: (v) => v === WIDTH,
  },
  parallel: {
    title: `${WIDTH}-branch parallel of trivial async branches (async (x) => x + 1), input 0`,
    baselineLabel: "raw Promise.all",
    expect: (v) => {
      const values = Array.isArray(v) ? v : Object.values(v ?? {});
      return values.length === WIDTH && values.every((x) => x === 1);
    },
  },
});

/** The hand-written baselines: what a developer writes without any library. */
export function rawOps() {
  const s = makeSteps();
  const [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9] = s;
  // Unrolled on purpose: a `for…of` over the steps allocates an iterator result per await
  // (~+560 B per run on Node 20), which would flatter every library against the baseline.
  async function rawChain(x) {
    x = await s0(x);
    x = await s1(x);
    x = await s2(x);
    x = await s3(x);
    x = await s4(x);
    x = await s5(x);
    x = await s6(x);
    x = await s7(x);
    x = await s8(x);
    x = await s9(x);
    return x;
  }
  const b = makeSteps();
  const rawAll = (x) => Promise.all(b.map((f) => f(x)));
  return {
    sequential: { label: "raw await chain", op: () => rawChain(0) },
    parallel: { label: "raw Promise.all", op: () => rawAll(0) },
  };
}

/**
 * Loaders per library; each returns `{ sequential: {label, op}, parallel: {label, op}, info }`, and
 * optionally `extras: { <scenario>: [{ id, label, op }] }`: more rows of the library in that scenario,
 * measured in the same process and the same rounds (e.g. TTA's record-form parallel).
 */
export const LIBRARIES = {
  raw: {
    title: "raw (hand-written baseline only)",
    async load() {
      return { info: {} };
    },
  },

  tta: {
    title: "TTA @tta/primitives (built dist)",
    async load() {
      const { sequential, parallel, lambda, isObserved } = await import("@tta/primitives");
      const seq = sequential(makeSteps().map((f) => lambda(f)));
      const par = parallel(makeSteps().map((f) => lambda(f)));
      // The record form of the same 10 branches (issue 11 item 2: ≤ 1.2× the array form).
      const record = {};
      makeSteps().forEach((f, i) => {
        record[`b${i}`] = lambda(f);
      });
      const parRecord = parallel(record);
      return {
        sequential: { label: "TTA sequential(steps).execute(0)", op: () => seq.execute(0) },
        parallel: { label: "TTA parallel(branches).execute(0)", op: () => par.execute(0) },
        extras: {
          parallel: [
            { id: "parallelRecord", label: "TTA parallel({b0..b9}).execute(0)", op: () => parRecord.execute(0) },
          ],
        },
        info: {
          resolved: import.meta.resolve("@tta/primitives"),
          eventSubscribers: isObserved() ? "some" : "none",
        },
      };
    },
  },

  langchain: {
    title: "LangChain @langchain/core LCEL",
    async load() {
      const { RunnableLambda, RunnableSequence, RunnableParallel } = await import("@langchain/core/runnables");
      const seq = RunnableSequence.from(makeSteps().map((f) => RunnableLambda.from(f)));
      const branches = {};
      makeSteps().forEach((f, i) => {
        branches[`b${i}`] = RunnableLambda.from(f);
      });
      const par = RunnableParallel.from(branches);
      return {
        sequential: {
          label: "LangChain RunnableSequence.from([...RunnableLambda]).invoke(0)",
          op: () => seq.invoke(0),
        },
        parallel: { label: "LangChain RunnableParallel.from({b0..b9}).invoke(0)", op: () => par.invoke(0) },
        info: {},
      };
    },
  },

  effect: {
    title: "Effect 3",
    async load() {
      const { Effect } = await import("effect");
      // Programs are immutable descriptions: built once, run per operation (like the other libraries).
      let program = Effect.succeed(0);
      for (const f of makeSteps()) program = Effect.flatMap(program, (x) => Effect.promise(() => f(x)));
      const seqProgram = program;
      const parProgram = Effect.all(
        makeSteps().map((f) => Effect.promise(() => f(0))),
        { concurrency: "unbounded" },
      );
      return {
        sequential: {
          label: "Effect 3 Effect.promise steps + flatMap, runPromise",
          op: () => Effect.runPromise(seqProgram),
        },
        parallel: {
          label: 'Effect 3 Effect.all(promises, {concurrency:"unbounded"}), runPromise',
          op: () => Effect.runPromise(parProgram),
        },
        info: {},
      };
    },
  },
};
