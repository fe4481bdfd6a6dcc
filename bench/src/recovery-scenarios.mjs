// Recovery scenarios (issue 3, item 8): TTA's retry, circuit breaker and timeout around a trivial
// async call, against the raw call, a hand-written timeout and cockatiel 3.2.1's equivalent policies.
// A library is imported only inside its own loader, so a process loads exactly the libraries it measures.
//
// The inner work is `async (x) => x + 1` with input 0 (expected result: 1).
// - TTA gets it as an executable object `{ execute: (x) => inc(x) }`: the wrapper then calls the
//   user's code directly, exactly like cockatiel's `policy.execute(fn)` calls `fn` directly. (A plain
//   function given to `retry(fn)` would be lifted into a `lambda` primitive, one more layer that
//   cockatiel does not have; the TTA-only rows `lambda(inc)` and `retry(lambda(inc))` show that cost.)
// - cockatiel gets a closure `() => inc(0)` created once (not per call), which if anything flatters it.
// - Every row gets its own `inc` closure, and every op is one top-level call with no context given
//   (TTA creates its root context per call, as an application's call would).

/** A fresh trivial async step per row. */
export const makeInc = () => async (x) => x + 1;

/** Hand-written timeout as people write it: a timer promise raced against the work, timer cleared after. */
export function makeHandTimeout(ms) {
  return function withTimeout(work) {
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    });
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  };
}

export const TIMEOUT_MS = 60_000;

/**
 * The three scenarios. `baselines`: the hand-written rows every process measures (ids); `target`:
 * what the TTA row is checked against.
 */
export const RECOVERY_SCENARIOS = Object.freeze({
  retry: {
    title: "retry around a succeeding call: inner async (x) => x + 1, input 0",
    tta: "tta.retry",
    peer: "cockatiel.retry",
    target: { kind: "peer-added", text: "retry: TTA added ns/op ≤ cockatiel retry's" },
  },
  breaker: {
    title: "circuit breaker, closed: inner async (x) => x + 1, input 0",
    tta: "tta.breaker",
    peer: "cockatiel.breaker",
    target: { kind: "peer-added", text: "circuit breaker (closed): TTA added ns/op ≤ cockatiel breaker's" },
  },
  timeout: {
    title: `timeout (${TIMEOUT_MS} ms) around an immediately resolving call: inner async (x) => x + 1, input 0`,
    tta: "tta.timeout",
    peer: "cockatiel.timeout",
    hand: "raw.timeout",
    target: {
      kind: "hand-ratio",
      maxRatio: 2,
      text: "timeout: TTA ≤ 2× the hand-written setTimeout/clearTimeout + Promise.race",
    },
  },
});

/** Rows that every process measures: the raw call and the hand-written timeout. */
export function baselineRows() {
  const inc = makeInc();
  const incT = makeInc();
  const withTimeout = makeHandTimeout(TIMEOUT_MS);
  return [
    { id: "raw.call", label: "raw await inc(0)", op: () => inc(0) },
    {
      id: "raw.timeout",
      label: "hand-written setTimeout/clearTimeout + Promise.race",
      op: () => withTimeout(incT(0)),
    },
  ];
}

/** Loaders: each returns `{ rows: [{id, label, op}], info }`. */
export const RECOVERY_LIBRARIES = {
  raw: {
    async load() {
      return { rows: [], info: {} };
    },
  },

  tta: {
    async load({ extras = false } = {}) {
      const { createContext, lambda, isObserved } = await import("@tta/primitives");
      const { retry, circuitBreaker, timeout } = await import("@tta/primitives/recovery");
      const exec = () => {
        const inc = makeInc();
        return { execute: (x) => inc(x) };
      };
      const r = retry(exec());
      const b = circuitBreaker(exec());
      const t = timeout(exec(), { timeoutMs: TIMEOUT_MS });
      const rows = [
        { id: "tta.retry", label: "TTA retry(inner).execute(0)", op: () => r.execute(0) },
        { id: "tta.breaker", label: "TTA circuitBreaker(inner).execute(0)", op: () => b.execute(0) },
        {
          id: "tta.timeout",
          label: `TTA timeout(inner, { timeoutMs: ${TIMEOUT_MS} }).execute(0)`,
          op: () => t.execute(0),
        },
      ];
      if (extras) {
        // Diagnostics (TTA-only process): what a primitive inner costs, and what the per-call root
        // context costs (the same calls given a context created once, as an application may do).
        const l = lambda(makeInc());
        const rl = retry(lambda(makeInc()));
        const r2 = retry(exec());
        const ctx = createContext();
        rows.push(
          { id: "tta.lambda", label: "TTA lambda(inc).execute(0) (no wrapper)", op: () => l.execute(0) },
          { id: "tta.retryLambda", label: "TTA retry(lambda(inc)).execute(0)", op: () => rl.execute(0) },
          {
            id: "tta.retryCtx",
            label: "TTA retry(inner).execute(0, ctx), ctx made once",
            op: () => r2.execute(0, ctx),
          },
        );
      }
      return {
        rows,
        check: () => {
          if (b.state !== "closed") throw new Error(`TTA breaker is ${b.state}, expected closed`);
        },
        info: {
          resolved: import.meta.resolve("@tta/primitives"),
          eventSubscribers: isObserved() ? "some" : "none",
        },
      };
    },
  },

  cockatiel: {
    async load() {
      const c = await import("cockatiel");
      const r = c.retry(c.handleAll, { maxAttempts: 3, backoff: new c.ExponentialBackoff() });
      const b = c.circuitBreaker(c.handleAll, { halfOpenAfter: 60_000, breaker: new c.ConsecutiveBreaker(5) });
      const t = c.timeout(TIMEOUT_MS, c.TimeoutStrategy.Cooperative);
      const incR = makeInc();
      const incB = makeInc();
      const incT = makeInc();
      const fr = () => incR(0);
      const fb = () => incB(0);
      const ft = () => incT(0);
      return {
        rows: [
          {
            id: "cockatiel.retry",
            label: "cockatiel retry(handleAll, { maxAttempts: 3, ExponentialBackoff }).execute(fn)",
            op: () => r.execute(fr),
          },
          {
            id: "cockatiel.breaker",
            label: "cockatiel circuitBreaker(handleAll, { halfOpenAfter: 60 s, ConsecutiveBreaker(5) }).execute(fn)",
            op: () => b.execute(fb),
          },
          {
            id: "cockatiel.timeout",
            label: `cockatiel timeout(${TIMEOUT_MS}, TimeoutStrategy.Cooperative).execute(fn)`,
            op: () => t.execute(ft),
          },
        ],
        check: () => {
          if (b.state !== c.CircuitState.Closed) throw new Error(`cockatiel breaker state ${b.state}, expected closed`);
        },
        info: {},
      };
    },
  },
};

/** Which libraries a process loads, by process kind. */
export const PROCESS_KINDS = {
  raw: { libraries: [], title: "raw only" },
  tta: { libraries: ["tta"], extras: true, title: "TTA only" },
  cockatiel: { libraries: ["cockatiel"], title: "cockatiel only" },
  both: { libraries: ["tta", "cockatiel"], title: "TTA and cockatiel, rows interleaved" },
};
