// Agent-context scenarios (issue 12, "Performance"): what `withAgent` + a budget add to a model call,
// and `coordinate` over ten agents that answer at once against `parallel` over the same ten.
// A library is imported only inside its own loader: a `primitives` process never loads
// @tta/agent-context, so it also shows whether merely loading the package changes the plain rows.
//
// No OpenTelemetry SDK and no TTA event subscriber (the child prints what it found in the
// OpenTelemetry global and whether anything listens): the primitives' span and event code costs its
// checks only, and `coordinate` takes its unobserved "all" path.

/** Agents per coordination (and branches per parallel). */
export const WIDTH = 10;
/** The prompt of every request. */
export const PROMPT = "What is the capital of France?";
/** The request of every model row (one object, made once, shared by the rows). */
export const REQUEST = Object.freeze({ messages: Object.freeze([Object.freeze({ role: "user", content: PROMPT })]) });
/**
 * The fake model answers as a catalogue model (`defaultCatalog` prices it), so the budget rows price
 * the estimate and the usage as a real call would.
 */
export const MODEL = Object.freeze({ provider: "openai", modelId: "gpt-4o-mini", input: 0.15, output: 0.6 });
/** The usage of every answer. */
export const USAGE = Object.freeze({ inputTokens: 8, outputTokens: 2 });
/** The budget of the agent rows: large enough never to refuse during a run. */
export const BUDGET_LIMITS = Object.freeze({ tokens: 1e12, costUsd: 1e6 });
/** The agent name given to `withAgent`. */
export const AGENT_NAME = "bench";

/** The price of `tokens` input and `out` output tokens of MODEL (USD, list price per million). */
const price = (tokens, out) => (tokens * MODEL.input + out * MODEL.output) / 1e6;
/**
 * What `model(lm)` reserves for REQUEST with the default estimator (characters / 4 rounded up, no
 * `maxTokens` so 0 output tokens) and what it commits (USAGE): row (c) reserves and commits the same.
 */
export const ESTIMATE = Object.freeze({
  inputTokens: Math.ceil(PROMPT.length / 4),
  outputTokens: 0,
  costUsd: price(Math.ceil(PROMPT.length / 4), 0),
});
export const ACTUAL = Object.freeze({
  inputTokens: USAGE.inputTokens,
  outputTokens: USAGE.outputTokens,
  costUsd: price(USAGE.inputTokens, USAGE.outputTokens),
});

export function fail(message) {
  throw new Error(`agent bench: ${message}`);
}

/**
 * A trivial in-process `LanguageModel`: `generate` returns a prebuilt response with usage through
 * `Promise.resolve`, at once. It counts its calls (one increment, the same in every row), so the child
 * can check that each model row called it once per op. One instance per row.
 */
export function makeFakeModel() {
  const response = Object.freeze({
    text: "Paris.",
    toolCalls: Object.freeze([]),
    usage: USAGE,
    model: MODEL.modelId,
    finishReason: "stop",
  });
  const counts = { generate: 0 };
  return {
    provider: MODEL.provider,
    modelId: MODEL.modelId,
    counts,
    generate(_request, _options) {
      counts.generate++;
      return Promise.resolve(response);
    },
  };
}

/** Ten distinct trivial async agents `async (x) => x + 1` (same code, distinct closures), as in scenarios.mjs. */
export const makeAgentFns = () => Array.from({ length: WIDTH }, () => async (x) => x + 1);

/**
 * Wraps `op` so that it counts its calls (for the call-count and budget checks). The count is an
 * increment in the wrapper every row has, baselines included.
 */
export function counted(op) {
  const state = { ops: 0 };
  const wrapped = () => {
    state.ops++;
    return op();
  };
  return { op: wrapped, ops: () => state.ops };
}

// ---------------------------------------------------------------------------------------------
// What the rows return, checked before measuring.
const checkOne = (label) => (value) => {
  if (value !== 1) fail(`${label} returned ${JSON.stringify(value)}, expected 1`);
};
const checkAnswer = (label) => (value) => {
  if (value?.text !== "Paris." || value.finishReason !== "stop" || value.usage?.outputTokens !== USAGE.outputTokens)
    fail(`${label} returned ${JSON.stringify(value)}`);
};
const allOnes = (values) => Array.isArray(values) && values.length === WIDTH && values.every((x) => x === 1);
const checkValues = (label) => (value) => {
  if (!allOnes(value)) fail(`${label} returned ${JSON.stringify(value)}`);
};
/** `"all"`: every agent fulfilled with 1, in order, not partial. */
const checkAll = (label) => (r) => {
  const ok =
    r?.strategy === "all" &&
    r.partial === false &&
    allOnes(r.values) &&
    r.outcomes.length === WIDTH &&
    r.outcomes.every((o, i) => o.key === String(i) && o.status === "fulfilled" && o.value === 1);
  if (!ok) fail(`${label} returned ${JSON.stringify(r)}`);
};
/** `"first"`/`"any"`: one winner with value 1, every other agent marked aborted (it was no longer needed). */
const checkWinner = (label, strategy) => (r) => {
  const winner = r?.outcomes?.find((o) => o.key === r.winner);
  const ok =
    r?.strategy === strategy &&
    r.partial === false &&
    winner?.status === "fulfilled" &&
    r.values.length === 1 &&
    r.values[0] === 1 &&
    r.outcomes.length === WIDTH &&
    r.outcomes.filter((o) => o.status === "aborted").length === WIDTH - 1;
  if (!ok) fail(`${label} returned ${JSON.stringify(r, (k, v) => (v instanceof Error ? String(v) : v))}`);
};
/** A row's call-count check: the fake model must have been called exactly once per op. */
const countCheck = (label, lm, opsOf) => () => {
  if (lm.counts.generate !== opsOf()) fail(`${label}: the model ran ${lm.counts.generate} times for ${opsOf()} ops`);
};
/**
 * A budget row's check: after `ops` calls, every reservation was committed (nothing reserved) and the
 * committed spend is `ops` × ACTUAL. Returns the snapshot's figures (the child reports them).
 */
const budgetCheck = (label, budget, opsOf) => () => {
  const s = budget.snapshot();
  const ops = opsOf();
  const tokens = ops * (ACTUAL.inputTokens + ACTUAL.outputTokens);
  const cost = ops * ACTUAL.costUsd;
  if (s.reserved.tokens !== 0 || s.reserved.costUsd !== 0)
    fail(`${label}: after ${ops} calls the budget still holds ${JSON.stringify(s.reserved)}`);
  if (s.spent.tokens !== tokens || Math.abs(s.spent.costUsd - cost) > cost * 1e-9)
    fail(
      `${label}: after ${ops} calls the budget spent ${JSON.stringify(s.spent)}, expected ${tokens} tokens, $${cost}`,
    );
  return { ops, spentTokens: s.spent.tokens, spentCostUsd: s.spent.costUsd, reservedTokens: s.reserved.tokens };
};

// ---------------------------------------------------------------------------------------------
/** The scenarios: which rows each table shows, and what the targets compare. */
export const AGENT_SCENARIOS = Object.freeze({
  model: {
    title:
      "model(lm).execute(request, ctx) around a trivial LanguageModel (provider/modelId/generate, answers at once with usage); contexts made once",
    rows: ["raw.generate", "tta.model.plain", "tta.model.agent"],
    baseline: "tta.model.plain",
    agent: "tta.model.agent",
    maxAddedNs: 1_000,
    text: "Reading the agent and reserving/committing a budget adds ≤ 1 µs per model call",
  },
  reserve: {
    title:
      "agentOf(ctx) + budget.reserve(estimate, ctx).commit(actual) alone (synchronous; the driver awaits the 1 it returns)",
    rows: ["raw.noop", "tta.reserve"],
    baseline: "raw.noop",
    row: "tta.reserve",
  },
  coordinate: {
    title: `${WIDTH} agents that answer at once (lambda(async (x) => x + 1)), input 0: coordinate(ten) vs parallel(ten)`,
    rows: [
      "raw.all",
      "tta.parallel",
      "tta.coordinate.all",
      "tta.coordinate.first",
      "tta.coordinate.any",
      "tta.parallel.ctx",
      "tta.coordinate.all.ctx",
    ],
    baseline: "tta.parallel",
    /** Each row's same-process baseline (the ctx-given rows compare like with like). */
    baselineOf: {
      "raw.all": "raw.all",
      "tta.parallel.ctx": "tta.parallel.ctx",
      "tta.coordinate.all.ctx": "tta.parallel.ctx",
    },
    row: "tta.coordinate.all",
    informational: ["tta.coordinate.first", "tta.coordinate.any", "tta.coordinate.all.ctx"],
    maxRatio: 1.5,
    text: `\`coordinate\` over ${WIDTH} agents that answer at once costs ≤ 1.5× \`parallel\` over the same ${WIDTH}`,
  },
});

/** Rows that every process measures: the driver alone, the fake model called directly, a raw Promise.all. */
export function baselineRows() {
  const signal = new AbortController().signal; // made once: the direct call passes a signal as TTA does
  const lm = makeFakeModel();
  const gen = counted(() => lm.generate(REQUEST, { signal }));
  const noop = counted(() => 1);
  const fns = makeAgentFns();
  const all = counted(() => Promise.all(fns.map((f) => f(0))));
  return {
    rows: [
      { id: "raw.noop", label: "the driver alone: op returns 1 (no promise)", op: noop.op, expect: checkOne("noop") },
      {
        id: "raw.generate",
        label: "lm.generate(request, { signal }) (the fake, directly)",
        op: gen.op,
        expect: checkAnswer("raw generate"),
        check: countCheck("raw generate", lm, gen.ops),
      },
      {
        id: "raw.all",
        label: `raw Promise.all(${WIDTH} fns.map((f) => f(0)))`,
        op: all.op,
        expect: checkValues("raw Promise.all"),
      },
    ],
    info: {},
  };
}

/** Loaders: each returns `{ rows: [{id, label, op, expect, check?}], info, budgets? }`. */
export const AGENT_LIBRARIES = {
  /** @tta/primitives only: the plain model call and `parallel`. */
  primitives: {
    async load() {
      const { createContext, isObserved, lambda, parallel } = await import("@tta/primitives");
      const { model } = await import("@tta/primitives/orchestration");
      const lm = makeFakeModel();
      const m = model(lm);
      const ctx = createContext();
      const plain = counted(() => m.execute(REQUEST, ctx));
      const par = parallel(makeAgentFns().map((f) => lambda(f)));
      const parCtx = parallel(makeAgentFns().map((f) => lambda(f)));
      const ctxP = createContext();
      return {
        rows: [
          {
            id: "tta.model.plain",
            label: "(a) TTA model(lm).execute(request, ctx), ctx = createContext()",
            op: plain.op,
            expect: checkAnswer("(a) plain context"),
            check: countCheck("(a) plain context", lm, plain.ops),
          },
          {
            id: "tta.parallel",
            label: `TTA parallel(${WIDTH} lambdas).execute(0)`,
            op: () => par.execute(0),
            expect: checkValues("TTA parallel"),
          },
          {
            id: "tta.parallel.ctx",
            label: `TTA parallel(${WIDTH} lambdas).execute(0, ctx), ctx made once`,
            op: () => parCtx.execute(0, ctxP),
            expect: checkValues("TTA parallel with ctx"),
          },
        ],
        info: {
          resolved: import.meta.resolve("@tta/primitives"),
          eventSubscribers: isObserved() ? "some" : "none",
        },
      };
    },
  },

  /** @tta/agent-context: the model call under withAgent + a budget, reserve/commit alone, coordinate. */
  agent: {
    async load() {
      const { createContext, isObserved, lambda } = await import("@tta/primitives");
      const { model } = await import("@tta/primitives/orchestration");
      const { agentOf, coordinate, createBudget, currentAgent, withAgent } = await import("@tta/agent-context");

      // (b) one agent context with its own budget, made once.
      const lm = makeFakeModel();
      const m = model(lm);
      const budgetB = createBudget(BUDGET_LIMITS);
      const ctxB = withAgent(createContext(), { name: AGENT_NAME, budget: budgetB });
      const viaAgent = counted(() => m.execute(REQUEST, ctxB));

      // (c) what (b) adds, alone: read the agent, reserve what model() reserves, commit what it commits.
      const budgetC = createBudget(BUDGET_LIMITS);
      const ctxC = withAgent(createContext(), { name: AGENT_NAME, budget: budgetC });
      const reserve = counted(() => {
        agentOf(ctxC).budget.reserve(ESTIMATE, ctxC).commit(ACTUAL);
        return 1;
      });
      if (agentOf(ctxB)?.budget !== budgetB || agentOf(ctxC)?.name !== AGENT_NAME)
        fail("withAgent did not attach the agent and its budget");

      const agents = () => makeAgentFns().map((f) => lambda(f));
      const all = coordinate(agents());
      const allCtx = coordinate(agents());
      const first = coordinate(agents(), { strategy: "first" });
      const any = coordinate(agents(), { strategy: "any" });
      const ctx = createContext();
      return {
        rows: [
          {
            id: "tta.model.agent",
            label: `(b) TTA model(lm).execute(request, ctx), ctx = withAgent(ctx, { name, budget: createBudget(…) })`,
            op: viaAgent.op,
            expect: checkAnswer("(b) agent context"),
            check: () => {
              countCheck("(b) agent context", lm, viaAgent.ops)();
              budgetCheck("(b) agent context", budgetB, viaAgent.ops)();
            },
          },
          {
            id: "tta.reserve",
            label: "(c) agentOf(ctx).budget.reserve(estimate, ctx).commit(actual)",
            op: reserve.op,
            expect: checkOne("(c) reserve/commit"),
            check: () => budgetCheck("(c) reserve/commit", budgetC, reserve.ops)(),
          },
          {
            id: "tta.coordinate.all",
            label: `TTA coordinate(${WIDTH} lambdas).execute(0) (strategy "all")`,
            op: () => all.execute(0),
            expect: checkAll("coordinate all"),
          },
          {
            id: "tta.coordinate.first",
            label: `TTA coordinate(${WIDTH} lambdas, { strategy: "first" }).execute(0)`,
            op: () => first.execute(0),
            expect: checkWinner("coordinate first", "first"),
          },
          {
            id: "tta.coordinate.any",
            label: `TTA coordinate(${WIDTH} lambdas, { strategy: "any" }).execute(0)`,
            op: () => any.execute(0),
            expect: checkWinner("coordinate any", "any"),
          },
          {
            id: "tta.coordinate.all.ctx",
            label: `TTA coordinate(${WIDTH} lambdas).execute(0, ctx), ctx made once`,
            op: () => allCtx.execute(0, ctx),
            expect: checkAll("coordinate all with ctx"),
          },
        ],
        budgets: () => ({
          "tta.model.agent": budgetCheck("(b) agent context", budgetB, viaAgent.ops)(),
          "tta.reserve": budgetCheck("(c) reserve/commit", budgetC, reserve.ops)(),
        }),
        info: {
          resolved: import.meta.resolve("@tta/agent-context"),
          eventSubscribers: isObserved() ? "some" : "none",
          // runWithAgent is never called: no AsyncLocalStorage of the package's is in use.
          currentAgent: currentAgent() === undefined ? "none" : "SOME",
        },
      };
    },
  },
};

/** Which libraries a process loads, by process kind. */
export const PROCESS_KINDS = {
  primitives: { libraries: ["primitives"], title: "baselines and @tta/primitives (agent-context not loaded)" },
  agent: { libraries: ["primitives", "agent"], title: "baselines, @tta/primitives and @tta/agent-context" },
};
