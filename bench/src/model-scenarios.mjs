// Model-layer scenarios: `model(lm).execute(request)` and `streamModel(lm)` around an in-process fake
// `LanguageModel` that answers at once, against calling the fake directly; and the OpenAI-compatible
// provider against the official `openai` client and a plain `fetch` on loopback, against one simulated
// provider (src/model-server.mjs, a process of its own; those rows are in src/model-http-scenarios.mjs).
// A library is imported only inside its own loader, so a process loads exactly what it measures.
//
// No OpenTelemetry SDK and no TTA event subscriber (the child prints what it found in the
// OpenTelemetry global): the primitives' span and event code costs its checks only.

/** The prompt of every request. */
export const PROMPT = "What is the capital of France?";
/** The request of every in-process row (one object, made once, shared by the rows). */
export const REQUEST = Object.freeze({ messages: Object.freeze([Object.freeze({ role: "user", content: PROMPT })]) });
/** Text chunks of one streamed answer (plus one finish chunk). */
export const CHUNKS = 1_000;
/** The model id the simulated provider answers as (its "small" model). */
export const SIM_MODEL = "sim-small";
/** The API key the HTTP rows send (the simulated provider accepts any; never a real key). */
export const SIM_API_KEY = "sk-bench-not-a-real-key";

const FAKE_MODEL_ID = "fake-1";
const USAGE = Object.freeze({ inputTokens: 8, outputTokens: CHUNKS });
const WORDS = ["The ", "capital ", "of ", "France ", "is ", "Paris", ". "];
/** Length of the text of one streamed answer (the concatenated text chunks). */
const TEXT_LENGTH = Array.from({ length: CHUNKS }, (_, i) => WORDS[i % WORDS.length]).join("").length;

export function fail(message) {
  throw new Error(`model bench: ${message}`);
}

/**
 * A fake `LanguageModel` that answers at once: `generate` returns a prebuilt response through
 * `Promise.resolve`, `stream` is an async generator yielding prebuilt chunks (CHUNKS small text
 * chunks, then a finish chunk). It counts its calls (one increment; the same in every row), so the
 * child can check that the TTA rows really called it once per op. One instance per row; `modelId`
 * names it (the router's candidates need distinct ids, each in the router's catalogue).
 */
export function makeFakeModel(modelId = FAKE_MODEL_ID) {
  const response = Object.freeze({
    text: "Paris.",
    toolCalls: Object.freeze([]),
    usage: Object.freeze({ inputTokens: 8, outputTokens: 2 }),
    model: modelId,
    finishReason: "stop",
  });
  const chunks = Object.freeze([
    ...Array.from({ length: CHUNKS }, (_, i) => Object.freeze({ type: "text", text: WORDS[i % WORDS.length] })),
    Object.freeze({ type: "finish", usage: USAGE, finishReason: "stop", model: modelId }),
  ]);
  const counts = { generate: 0, stream: 0 };
  return {
    provider: "fake",
    modelId,
    counts,
    generate(_request, _options) {
      counts.generate++;
      return Promise.resolve(response);
    },
    async *stream(_request, _options) {
      counts.stream++;
      for (let i = 0; i < chunks.length; i++) yield chunks[i];
    },
  };
}

/** What a generate row returns, checked before measuring. */
const checkAnswer = (label) => (value) => {
  if (value?.text !== "Paris." || value.finishReason !== "stop") fail(`${label} returned ${JSON.stringify(value)}`);
};
/** What a stream row returns (the chunks it consumed), checked before measuring. */
const checkChunkCount = (label) => (value) => {
  if (value !== CHUNKS + 1) fail(`${label} consumed ${JSON.stringify(value)} chunks, expected ${CHUNKS + 1}`);
};
/** A row's call-count check: the fake model must have been called exactly once per op. */
const countCheck = (label, lm, method, opsOf) => () => {
  if (lm.counts[method] !== opsOf())
    fail(`${label}: the model's ${method} ran ${lm.counts[method]} times for ${opsOf()} ops`);
};

/**
 * Wraps `op` so that it counts its calls (for the call-count checks). The count is an increment in
 * the wrapper every row has, baselines included.
 */
export function counted(op) {
  const state = { ops: 0 };
  const wrapped = () => {
    state.ops++;
    return op();
  };
  return { op: wrapped, ops: () => state.ops };
}

/** The scenarios: which rows each table shows, and what the targets compare. */
export const MODEL_SCENARIOS = Object.freeze({
  generate: {
    title:
      "model(lm).execute(request) around a fake LanguageModel that answers at once (generate returns Promise.resolve(prebuilt))",
    baseline: "raw.generate",
    rows: ["raw.generate", "tta.model", "tta.modelCtx", "tta.lambda"],
    tta: "tta.model",
    maxAddedNs: 2_000,
    maxBytes: 2_048,
  },
  router: {
    title:
      "modelRouter({ candidates: [fakeA, fakeB], catalog }).execute(request): two fake LanguageModels that answer at once, fakeA cheaper (it always answers)",
    baseline: "raw.generate",
    rows: ["raw.generate", "tta.model", "tta.router", "tta.routerLatency", "tta.routerRoute"],
    tta: "tta.router",
    maxAddedNs: 3_000,
  },
  stream: {
    title: `streamModel(lm): for await over ${CHUNKS.toLocaleString("en")} small text chunks + a finish chunk (the fake's stream() is an async generator of prebuilt chunks)`,
    baseline: "raw.stream",
    rows: ["raw.stream", "tta.stream", "tta.collect", "tta.streamBudget"],
    tta: "tta.stream",
    maxRatio: 1.1,
  },
  http: {
    title: `OpenAI-compatible chat completion on loopback against one simulated provider (model ${SIM_MODEL}, latency 0, its own process)`,
    baseline: "openai.create",
    rows: ["fetch.json", "openai.create", "tta.generate"],
    tta: "tta.generate",
    maxRatio: 1.1,
  },
  httpStream: {
    title: "OpenAI-compatible streamed chat completion on loopback (all chunks consumed; no target)",
    baseline: "openai.stream",
    rows: ["fetch.sse", "openai.stream", "tta.httpStream"],
    tta: "tta.httpStream",
  },
});

/** The router's two candidates: `ROUTER_MODELS.cheap` is priced below `ROUTER_MODELS.dear`. */
export const ROUTER_MODELS = Object.freeze({ cheap: "fake-a", dear: "fake-b" });

/**
 * The router rows' catalogue (`createCatalog` from the built @tta/primitives/orchestration): the two
 * fake candidates, no capabilities, a 128k context window; `fake-b` costs 10× `fake-a` per token, so
 * the default "cheapest" strategy ranks `fake-a` first on every request.
 */
export function routerCatalog(createCatalog) {
  const entry = (id, inputPerMillion, outputPerMillion) => ({
    id,
    provider: "fake",
    contextWindow: 128_000,
    pricing: { inputPerMillion, outputPerMillion },
    capabilities: [],
  });
  return createCatalog([entry(ROUTER_MODELS.cheap, 0.15, 0.6), entry(ROUTER_MODELS.dear, 1.5, 6)]);
}

/** A routed row's check: the cheap fake answered once per op, the dear one never (no failover, no hedge). */
const routerCheck = (label, cheap, dear, opsOf) => () => {
  countCheck(label, cheap, "generate", opsOf)();
  if (dear.counts.generate !== 0) fail(`${label}: the dearer candidate ran ${dear.counts.generate} times`);
};

/** Rows that every in-process process measures: the fake model called directly. */
export function baselineRows() {
  const signal = new AbortController().signal; // made once: the baseline passes a signal as TTA does
  const lmG = makeFakeModel();
  const lmS = makeFakeModel();
  const gen = counted(() => lmG.generate(REQUEST, { signal }));
  const str = counted(async () => {
    let n = 0;
    for await (const chunk of lmS.stream(REQUEST, { signal })) if (chunk.type !== undefined) n++;
    return n;
  });
  return {
    rows: [
      {
        id: "raw.generate",
        label: "lm.generate(request, { signal })",
        op: gen.op,
        expect: checkAnswer("raw generate"),
        check: countCheck("raw generate", lmG, "generate", gen.ops),
      },
      {
        id: "raw.stream",
        label: "for await (lm.stream(request, { signal }))",
        op: str.op,
        expect: checkChunkCount("raw stream"),
        check: countCheck("raw stream", lmS, "stream", str.ops),
      },
    ],
    info: {},
  };
}

/** Loaders: each returns `{ rows: [{id, label, op, expect, check}], info }`. */
export const MODEL_LIBRARIES = {
  raw: {
    async load() {
      return { rows: [], info: {} };
    },
  },

  tta: {
    async load() {
      const { createContext, isObserved, lambda } = await import("@tta/primitives");
      const { BUDGET_KEY, model, streamModel } = await import("@tta/primitives/orchestration");
      const lmM = makeFakeModel();
      const lmC = makeFakeModel();
      const lmL = makeFakeModel();
      const lmS = makeFakeModel();
      const lmK = makeFakeModel();
      const lmB = makeFakeModel();
      const m = model(lmM);
      const mc = model(lmC);
      const ctx = createContext();
      const l = lambda((request, c) => lmL.generate(request, { signal: c.signal }));
      const sm = streamModel(lmS);
      const sk = streamModel(lmK);
      const sb = streamModel(lmB);
      // A budget that accepts everything: the stream then has a reservation to commit, so it watches
      // every chunk (what a stream costs when something reads its outcome: a budget, a span, a listener).
      const reservation = { commit() {}, release() {} };
      const budgetCtx = createContext().withValue(BUDGET_KEY, { reserve: () => reservation });
      const tm = counted(() => m.execute(REQUEST));
      const tc = counted(() => mc.execute(REQUEST, ctx));
      const tl = counted(() => l.execute(REQUEST));
      const ts = counted(async () => {
        let n = 0;
        for await (const chunk of await sm.execute(REQUEST)) if (chunk.type !== undefined) n++;
        return n;
      });
      const tk = counted(async () => {
        const answer = await (await sk.execute(REQUEST)).collect();
        return answer.text.length === TEXT_LENGTH && answer.finishReason === "stop" ? CHUNKS + 1 : -1;
      });
      const tb = counted(async () => {
        let n = 0;
        for await (const chunk of await sb.execute(REQUEST, budgetCtx)) if (chunk.type !== undefined) n++;
        return n;
      });
      return {
        rows: [
          {
            id: "tta.model",
            label: "TTA model(lm).execute(request)",
            op: tm.op,
            expect: checkAnswer("TTA model"),
            check: countCheck("TTA model", lmM, "generate", tm.ops),
          },
          {
            id: "tta.modelCtx",
            label: "TTA model(lm).execute(request, ctx), ctx made once",
            op: tc.op,
            expect: checkAnswer("TTA model with ctx"),
            check: countCheck("TTA model with ctx", lmC, "generate", tc.ops),
          },
          {
            id: "tta.lambda",
            label: "TTA lambda((r, ctx) => lm.generate(r, { signal: ctx.signal })).execute(request)",
            op: tl.op,
            expect: checkAnswer("TTA lambda"),
            check: countCheck("TTA lambda", lmL, "generate", tl.ops),
          },
          {
            id: "tta.stream",
            label: "TTA for await (await streamModel(lm).execute(request))",
            op: ts.op,
            expect: checkChunkCount("TTA stream"),
            check: countCheck("TTA stream", lmS, "stream", ts.ops),
          },
          {
            id: "tta.collect",
            label: "TTA (await streamModel(lm).execute(request)).collect()",
            op: tk.op,
            expect: checkChunkCount("TTA collect"),
            check: countCheck("TTA collect", lmK, "stream", tk.ops),
          },
          {
            id: "tta.streamBudget",
            label: "TTA for await (await streamModel(lm).execute(request, ctx)), ctx with a budget",
            op: tb.op,
            expect: checkChunkCount("TTA stream with a budget"),
            check: countCheck("TTA stream with a budget", lmB, "stream", tb.ops),
          },
        ],
        info: {
          resolved: import.meta.resolve("@tta/primitives/orchestration"),
          eventSubscribers: isObserved() ? "some" : "none",
        },
      };
    },
  },

  router: {
    /**
     * `modelRouter` over two fake candidates (src/router-soak.mjs drives the same set-up with failures).
     * Each row has its own router and fakes; the default options, the "latency" preset (adaptive attempt
     * timeout and p99 hedging: every call arms timers), and `executeWithRoute`.
     */
    async load() {
      const { createCatalog, modelRouter } = await import("@tta/primitives/orchestration");
      const catalog = routerCatalog(createCatalog);
      const routed = (id, label, options, call) => {
        const cheap = makeFakeModel(ROUTER_MODELS.cheap);
        const dear = makeFakeModel(ROUTER_MODELS.dear);
        const router = modelRouter({ candidates: [cheap, dear], catalog, ...options });
        const c = counted(() => call(router));
        return { id, label, op: c.op, check: routerCheck(label, cheap, dear, c.ops) };
      };
      const withRoute = (label) => (value) => {
        checkAnswer(label)(value?.response);
        const route = value.route;
        if (route?.model !== ROUTER_MODELS.cheap || route.attempts !== 1 || route.hedged !== false)
          fail(`${label} returned the route ${JSON.stringify(route)}`);
      };
      const rows = [
        {
          ...routed("tta.router", "TTA modelRouter({ candidates: [a, b], catalog }).execute(request)", {}, (r) =>
            r.execute(REQUEST),
          ),
          expect: checkAnswer("TTA router"),
        },
        {
          ...routed(
            "tta.routerLatency",
            'TTA modelRouter({ …, preset: "latency" }).execute(request) (arms an attempt timer + a p99 hedge timer per call)',
            { preset: "latency" },
            (r) => r.execute(REQUEST),
          ),
          expect: checkAnswer("TTA router, latency preset"),
        },
        {
          ...routed(
            "tta.routerRoute",
            "TTA modelRouter({ candidates: [a, b], catalog }).executeWithRoute(request)",
            {},
            (r) => r.executeWithRoute(REQUEST),
          ),
          expect: withRoute("TTA router executeWithRoute"),
        },
      ];
      return { rows, info: { resolved: import.meta.resolve("@tta/primitives/orchestration") } };
    },
  },

  http: {
    /** `baseURL`: the simulated provider's (src/model-server.mjs); the rows are in src/model-http-scenarios.mjs. */
    async load(config) {
      const { loadHttpRows } = await import("./model-http-scenarios.mjs");
      return loadHttpRows(config);
    },
  },
};

/** Which libraries a process loads, by process kind (`http`: no in-process baselines, loopback allowed). */
export const PROCESS_KINDS = {
  raw: { libraries: [], title: "baselines only" },
  tta: { libraries: ["tta", "router"], title: "baselines and TTA (model, stream, router), rows interleaved" },
  http: {
    libraries: ["http"],
    baselines: false,
    loopback: true,
    title: "fetch, openai and TTA on loopback, rows interleaved",
  },
};
