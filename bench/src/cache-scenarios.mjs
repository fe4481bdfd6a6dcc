// Cache scenarios (issue 4, item 3): TTA's `cache(inner)` on a hit against an awaited bare
// `lru-cache` get, and single-flight under 1 000 concurrent misses against 1 000 callers awaiting
// one shared promise. A library is imported only inside its own loader; `lru-cache` (the store the
// primitive is built on, the same copy) is the baseline, so every process loads it.
//
// No OpenTelemetry SDK and no TTA event subscriber: the primitive's span and event code costs one
// check each here (the child prints what it found in the OpenTelemetry global).
//
// Every TTA row has its own cache instance and its own counted inner function; every row checks
// what it measured (the value, how often the inner function ran) and fails loudly otherwise.
import { setImmediate as nextTurn } from "node:timers/promises";

/** Concurrent callers per single-flight op. */
export const CALLERS = 1_000;

/** Cache hit inputs. The string is ≤ 128 characters, so the default key is the string itself. */
export const PROMPT = "What is the capital of France?";
/** Input of the custom-key row: the key function returns `req.id`. */
export const REQUEST = Object.freeze({ id: "req-42", model: "gpt-4o", prompt: PROMPT });
/** Input of the default-key object row: a small 3-field object (serialised on every call). */
export const OBJECT_INPUT = Object.freeze({ model: "gpt-4o", prompt: PROMPT, temperature: 0 });

/** A fresh trivial async step per row (the raw call). */
export const makeInc = () => async (x) => x + 1;

/** An inner function for the hit rows that counts its runs (a hit must never run it). */
function countedConstant() {
  const counter = { runs: 0 };
  const fn = async () => {
    counter.runs++;
    return 1;
  };
  return { fn, counter };
}

/** The single-flight rows' inner work: counts its run, then awaits one `setImmediate` turn. */
function countedSlowWork() {
  const counter = { runs: 0 };
  const fn = async () => {
    counter.runs++;
    await nextTurn();
    return 1;
  };
  return { fn, counter };
}

function fail(message) {
  throw new Error(`cache bench: ${message}`);
}

/** The full value check of a single-flight op (run before measuring; the timed ops check the ends). */
function checkAll(values, label) {
  if (values.length !== CALLERS) fail(`${label}: ${values.length} results, expected ${CALLERS}`);
  for (let i = 0; i < values.length; i++)
    if (values[i] !== 1) fail(`${label}: caller ${i} got ${JSON.stringify(values[i])}, expected 1`);
}

/**
 * A single-flight op: `start(key, i)` is called for each of the CALLERS callers on a fresh key, all
 * before any of them settles; then all are awaited. The inner work must have run exactly once.
 * Returns 1 (so every row of this bench returns 1). `full` checks every caller's value.
 */
function flightOp(label, counter, start) {
  const pending = new Array(CALLERS);
  let seq = 0;
  let ops = 0;
  const op = async (full = false) => {
    const before = counter.runs;
    const key = `sf-${seq++}`;
    for (let i = 0; i < CALLERS; i++) pending[i] = start(key, i);
    const values = await Promise.all(pending);
    if (counter.runs !== before + 1)
      fail(
        `${label}: the inner work ran ${counter.runs - before} times for ${CALLERS} concurrent callers, expected once`,
      );
    if (full) checkAll(values, label);
    else if (values[0] !== 1 || values[CALLERS - 1] !== 1) fail(`${label}: a caller got a wrong value`);
    ops++;
    return 1;
  };
  return { op, stats: () => ({ ops, innerRuns: counter.runs }) };
}

/** The scenarios: which rows each table shows, and what the targets compare. */
export const CACHE_SCENARIOS = Object.freeze({
  hit: {
    title: `cache hit, key warmed once, ctx made once; baseline await lru.get(key) on an LRUCache({ max: 1000 }) holding the key`,
    baseline: "raw.lru",
    rows: ["raw.call", "raw.lru", "tta.hit.string", "tta.hit.custom", "tta.hit.object", "tta.hit.noctx"],
    targets: [
      {
        id: "hit.string",
        row: "tta.hit.string",
        maxRatio: 4,
        text: "cache hit, short string input (default key = the string): TTA ≤ 4× await lru.get(key)",
      },
      {
        id: "hit.custom",
        row: "tta.hit.custom",
        maxRatio: 4,
        text: "cache hit, object input with key: (req) => req.id: TTA ≤ 4× await lru.get(key)",
      },
    ],
    diagnostics: ["tta.hit.object", "tta.hit.noctx"],
  },
  flight: {
    title: `single-flight: per op, ${CALLERS} concurrent execute calls on a fresh key (inner counts its run, awaits one setImmediate turn), all awaited`,
    baseline: "raw.shared",
    rows: ["raw.shared", "raw.mapFlight", "tta.flight", "tta.flight.noctx", "raw.sharedSignals", "tta.flight.signals"],
    /** Each row's same-process baseline (the abortable-wait rows compare like with like). */
    baselineOf: {
      "raw.mapFlight": "raw.shared",
      "tta.flight": "raw.shared",
      "tta.flight.noctx": "raw.shared",
      "raw.sharedSignals": "raw.shared",
      "tta.flight.signals": "raw.sharedSignals",
    },
  },
});

/** Rows that every process measures: the raw call, the bare LRU get and the single-flight baselines. */
export async function baselineRows() {
  const { LRUCache } = await import("lru-cache");
  const inc = makeInc();
  const lru = new LRUCache({ max: 1000 });
  lru.set(PROMPT, 1);
  const key = PROMPT;

  // 1 000 callers awaiting one shared promise of the same inner work.
  const shared = countedSlowWork();
  const waitFor = async (p) => await p;
  let sharedRun;
  const sharedFlight = flightOp("raw shared promise", shared.counter, (_key, i) => {
    if (i === 0) sharedRun = shared.fn();
    return waitFor(sharedRun);
  });

  // The same, each caller racing its own abortable signal (made once, never aborted): one abort
  // listener added and removed per caller, as an abortable wait is written by hand.
  const sharedSig = countedSlowWork();
  const signals = Array.from({ length: CALLERS }, () => new AbortController().signal);
  const waitAbortable = (p, signal) =>
    new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        (error) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  let sharedSigRun;
  const sharedSigFlight = flightOp("raw shared promise, abortable waits", sharedSig.counter, (_key, i) => {
    if (i === 0) sharedSigRun = sharedSig.fn();
    return waitAbortable(sharedSigRun, signals[i]);
  });

  // What people write by hand: an LRU lookup, then a Map of in-flight promises (no cancellation).
  const hand = countedSlowWork();
  const handLru = new LRUCache({ max: 1000 });
  const inflight = new Map();
  const handGet = (k) => {
    const hit = handLru.get(k);
    if (hit !== undefined) return Promise.resolve(hit);
    let p = inflight.get(k);
    if (p === undefined) {
      p = hand.fn().then(
        (v) => {
          handLru.set(k, v);
          inflight.delete(k);
          return v;
        },
        (error) => {
          inflight.delete(k);
          throw error;
        },
      );
      inflight.set(k, p);
    }
    return p;
  };
  const handFlight = flightOp("hand-written Map single-flight", hand.counter, (k) => handGet(k));

  return {
    rows: [
      { id: "raw.call", label: "raw await inc(0)", op: () => inc(0) },
      { id: "raw.lru", label: "await lru.get(key) (bare lru-cache hit)", op: () => lru.get(key) },
      {
        id: "raw.shared",
        label: `${CALLERS} callers await one shared promise`,
        op: sharedFlight.op,
        flight: sharedFlight,
      },
      {
        id: "raw.sharedSignals",
        label: `${CALLERS} callers await one shared promise, each racing its own signal`,
        op: sharedSigFlight.op,
        flight: sharedSigFlight,
      },
      {
        id: "raw.mapFlight",
        label: "hand-written single-flight: LRU get + Map of promises",
        op: handFlight.op,
        flight: handFlight,
      },
    ],
    info: { lruCache: import.meta.resolve("lru-cache") },
  };
}

/** Loaders: each returns `{ rows: [{id, label, op, flight?}], check, info }`. */
export const CACHE_LIBRARIES = {
  raw: {
    async load() {
      return { rows: [], check: () => {}, info: {} };
    },
  },

  tta: {
    async load() {
      const { createContext, isObserved } = await import("@tta/primitives");
      const { cache } = await import("@tta/primitives/performance");
      const ctx = createContext();

      // Hit rows: one cache per row, warmed once (one miss), then only hits.
      const hitRow = (id, label, input, options, withCtx = true) => {
        const { fn, counter } = countedConstant();
        const c = cache(fn, options);
        return {
          id,
          label,
          op: withCtx ? () => c.execute(input, ctx) : () => c.execute(input),
          warm: () => c.execute(input, ctx),
          verify: () => {
            const s = c.stats();
            if (counter.runs !== 1 || s.misses !== 1 || s.coalesced !== 0 || s.hits < 1)
              fail(
                `${id}: expected only hits after one warm-up miss, got inner runs ${counter.runs}, ${JSON.stringify(s)}`,
              );
          },
          cacheStats: () => ({ ...c.stats(), innerRuns: counter.runs }),
        };
      };
      const hits = [
        hitRow("tta.hit.string", "(a) TTA c.execute(string, ctx), default key", PROMPT),
        hitRow("tta.hit.custom", "(b) TTA c.execute(req, ctx), key: (req) => req.id", REQUEST, {
          key: (req) => req.id,
        }),
        hitRow("tta.hit.object", "(c) TTA c.execute({ 3 fields }, ctx), default key (serialised)", OBJECT_INPUT),
        hitRow("tta.hit.noctx", "TTA c.execute(string), no ctx (a root context per call)", PROMPT, {}, false),
      ];
      for (const h of hits) await h.warm();

      // Single-flight rows: one cache per row (default options: 1 000 entries, so old keys get evicted).
      const flightRow = (id, label, start) => {
        const { fn, counter } = countedSlowWork();
        const c = cache(fn);
        const flight = flightOp(label, counter, (key, i) => start(c, key, i));
        return {
          id,
          label,
          op: flight.op,
          flight,
          verify: () => {
            const s = c.stats();
            const { ops } = flight.stats();
            if (s.misses !== ops || s.coalesced !== ops * (CALLERS - 1) || s.hits !== 0)
              fail(
                `${id}: after ${ops} ops expected ${ops} misses and ${ops * (CALLERS - 1)} coalesced, got ${JSON.stringify(s)}`,
              );
          },
          cacheStats: () => ({ ...c.stats(), ...flight.stats() }),
        };
      };
      const signalCtxs = Array.from({ length: CALLERS }, () => createContext({ signal: new AbortController().signal }));
      const flights = [
        flightRow("tta.flight", `TTA ${CALLERS} × c.execute(key, ctx), ctx made once`, (c, key) => c.execute(key, ctx)),
        flightRow("tta.flight.noctx", `TTA ${CALLERS} × c.execute(key), no ctx (a root context each)`, (c, key) =>
          c.execute(key),
        ),
        flightRow(
          "tta.flight.signals",
          `TTA ${CALLERS} × c.execute(key, ctx_i), each with its own abortable signal`,
          (c, key, i) => c.execute(key, signalCtxs[i]),
        ),
      ];
      const rows = [...hits, ...flights];
      return {
        rows,
        check: () => {
          for (const row of rows) row.verify();
        },
        info: {
          resolved: import.meta.resolve("@tta/primitives"),
          eventSubscribers: isObserved() ? "some" : "none",
        },
        cacheStats: () => Object.fromEntries(rows.map((r) => [r.id, r.cacheStats()])),
      };
    },
  },
};

/** Which libraries a process loads, by process kind. */
export const PROCESS_KINDS = {
  raw: { libraries: [], title: "baselines only" },
  tta: { libraries: ["tta"], title: "baselines and TTA, rows interleaved" },
};
