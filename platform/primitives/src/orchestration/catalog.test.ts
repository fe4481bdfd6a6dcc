import { simulatedCatalog } from "../testing/simulated-catalog.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../core/errors.js";
import { invalidOption } from "../test-support/index.js";
import type { CatalogEntry } from "./catalog.js";
import { createCatalog, defaultCatalog, loadCatalog, parseCatalog } from "./catalog.js";

const entry = (id: string, overrides: Partial<Record<keyof CatalogEntry, unknown>> = {}): CatalogEntry =>
  ({
    id,
    provider: "test",
    contextWindow: 128_000,
    pricing: { inputPerMillion: 2, outputPerMillion: 8 },
    capabilities: ["tools"],
    ...overrides,
  }) as CatalogEntry;

const priced = createCatalog([
  entry("gpt-4o", { pricing: { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 } }),
  entry("gpt-4o-mini", { pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 } }),
]);

describe("lookup", () => {
  it("finds entries by exact id only: a prefix, a longer id or another case never matches", () => {
    expect(priced.get("gpt-4o")?.pricing.inputPerMillion).toBe(2.5);
    expect(priced.get("gpt-4o-mini")?.pricing.inputPerMillion).toBe(0.15);
    const only = createCatalog([entry("gpt-4o")]);
    for (const id of ["gpt-4o-mini", "gpt-4", "GPT-4o", "gpt-4o ", "gpt-4o-2024-08-06", ""])
      expect([id, only.get(id), only.has(id)]).toEqual([id, undefined, false]);
    expect(only.has("gpt-4o")).toBe(true);
  });

  it("keeps frozen copies in the given order, and any string (even __proto__) is a safe id", () => {
    const input = [entry("b"), entry("__proto__"), entry("constructor"), entry("a")];
    const catalog = createCatalog(input);
    expect(catalog.models.map((m) => m.id)).toEqual(["b", "__proto__", "constructor", "a"]);
    expect(catalog.models[0]).not.toBe(input[0]);
    expect(catalog.models[0]).toEqual(input[0]);
    expect(Object.isFrozen(catalog.models)).toBe(true);
    expect(Object.isFrozen(catalog.models[0])).toBe(true);
    expect(Object.isFrozen(catalog.models[0]?.pricing)).toBe(true);
    expect(Object.isFrozen(catalog.models[0]?.capabilities)).toBe(true);
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(catalog.get("__proto__")?.id).toBe("__proto__");
    expect(catalog.get("toString")).toBeUndefined();
    expect(createCatalog([]).get("hasOwnProperty")).toBeUndefined();
    expect(catalog.get(42 as unknown as string)).toBeUndefined();
  });

  it("null for an optional key means absent; pricesAsOf defaults to undefined", () => {
    const catalog = createCatalog([entry("m", { tier: null, maxOutputTokens: null })]);
    expect(catalog.get("m")).not.toHaveProperty("tier");
    expect(catalog.get("m")).not.toHaveProperty("maxOutputTokens");
    expect(catalog.pricesAsOf).toBeUndefined();
    expect(createCatalog([], { pricesAsOf: "2024-02-29" }).pricesAsOf).toBe("2024-02-29");
  });
});

describe("cost", () => {
  it("prices input and output per million tokens", () => {
    // 1000 × 0.15 / 1e6 + 500 × 0.6 / 1e6
    expect(priced.cost("gpt-4o-mini", { inputTokens: 1000, outputTokens: 500 })).toBeCloseTo(0.00045, 12);
    expect(priced.cost("gpt-4o", { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(12.5);
    expect(priced.cost("gpt-4o", { inputTokens: 0, outputTokens: 0 })).toBe(0);
  });

  it("cached input tokens are part of inputTokens and use the cached price", () => {
    // (1_000_000 − 400_000) × 2.5 + 400_000 × 1.25 + 0, per million = 1.5 + 0.5
    expect(priced.cost("gpt-4o", { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 400_000 })).toBe(2);
  });

  it("without cachedInputPerMillion, cached tokens cost the input price", () => {
    const plain = priced.cost("gpt-4o-mini", { inputTokens: 10_000, outputTokens: 100 });
    expect(priced.cost("gpt-4o-mini", { inputTokens: 10_000, outputTokens: 100, cachedInputTokens: 6000 })).toBe(plain);
  });

  it("clamps cached tokens to [0, inputTokens]", () => {
    const allCached = priced.cost("gpt-4o", { inputTokens: 1000, outputTokens: 0, cachedInputTokens: 1000 });
    expect(priced.cost("gpt-4o", { inputTokens: 1000, outputTokens: 0, cachedInputTokens: 5000 })).toBe(allCached);
    expect(allCached).toBeCloseTo(0.00125, 12);
  });

  it("is undefined for an unknown model (and for a prefix of a known one)", () => {
    expect(priced.cost("claude-x", { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
    expect(priced.cost("gpt-4", { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
  });

  it.each([
    [{ inputTokens: -1, outputTokens: 0 }, "usage.inputTokens"],
    [{ inputTokens: Number.NaN, outputTokens: 0 }, "usage.inputTokens"],
    [{ outputTokens: 0 }, "usage.inputTokens"],
    [{ inputTokens: 1, outputTokens: Infinity }, "usage.outputTokens"],
    [{ inputTokens: 1, outputTokens: "2" }, "usage.outputTokens"],
    [{ inputTokens: 1, outputTokens: 1, cachedInputTokens: -5 }, "usage.cachedInputTokens"],
    [null, "usage"],
    [7, "usage"],
  ])("invalid usage %j → InvalidOptionsError naming %s (known or unknown model)", (usage, option) => {
    for (const id of ["gpt-4o", "unknown"]) {
      const error = invalidOption(() => priced.cost(id, usage as never));
      expect(error.option).toBe(option);
      expect(error.message).toContain(`\`${option}\``);
    }
  });
});

const bad = (overrides: Partial<Record<keyof CatalogEntry, unknown>>): unknown[] => [
  entry("ok"),
  entry("m", overrides),
];

describe("validation names the exact path", () => {
  const getter = { ...entry("g") };
  Object.defineProperty(getter, "provider", { enumerable: true, get: () => "never called" });
  const holey: unknown[] = [entry("ok")];
  holey[2] = entry("x");
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const hostile = JSON.parse(
    '{"id":"x","provider":"p","contextWindow":1,"pricing":{"inputPerMillion":0,"outputPerMillion":0},"capabilities":[],"__proto__":{}}',
  ) as unknown;
  const cases: [string, unknown, string, RegExp][] = [
    ["not an array", { a: 1 }, "models", /Expected `models` to be an array/],
    ["an entry that is not a plain object", [entry("ok"), new Map()], "models[1]", /plain object/],
    ["an array entry", [[]], "models[0]", /plain object/],
    ["a hole", holey, "models[1]", /got undefined/],
    ["an unknown key", bad({ price: 1 } as never), "models[1].price", /Unknown key `models\[1\]\.price`/],
    ["a __proto__ key", [hostile], "models[0].__proto__", /Unknown key/],
    ["a missing id", [{ ...entry("x"), id: undefined }], "models[0].id", /non-empty string/],
    ["an empty id", bad({ id: "" }), "models[1].id", /non-empty string, got ""/],
    ["a blank provider", bad({ provider: "  " }), "models[1].provider", /non-empty string/],
    ["a fractional contextWindow", bad({ contextWindow: 1.5 }), "models[1].contextWindow", /integer > 0, got 1\.5/],
    ["a zero contextWindow", bad({ contextWindow: 0 }), "models[1].contextWindow", /integer > 0/],
    ["an infinite contextWindow", bad({ contextWindow: Infinity }), "models[1].contextWindow", /integer > 0/],
    ["a string maxOutputTokens", bad({ maxOutputTokens: "4096" }), "models[1].maxOutputTokens", /integer > 0/],
    ["a negative maxOutputTokens", bad({ maxOutputTokens: -1 }), "models[1].maxOutputTokens", /integer > 0/],
    ["no pricing", bad({ pricing: undefined }), "models[1].pricing", /plain object/],
    [
      "a negative input price",
      bad({ pricing: { inputPerMillion: -1, outputPerMillion: 1 } }),
      "models[1].pricing.inputPerMillion",
      /^Expected `models\[1\]\.pricing\.inputPerMillion` to be a finite number ≥ 0, got -1$/,
    ],
    [
      "a NaN output price",
      bad({ pricing: { inputPerMillion: 1, outputPerMillion: NaN } }),
      "models[1].pricing.outputPerMillion",
      /NaN/,
    ],
    [
      "an infinite cached price",
      bad({ pricing: { inputPerMillion: 1, outputPerMillion: 1, cachedInputPerMillion: Infinity } }),
      "models[1].pricing.cachedInputPerMillion",
      /finite/,
    ],
    [
      "an unknown pricing key",
      bad({ pricing: { inputPerMillion: 1, outputPerMillion: 1, cached: 1 } }),
      "models[1].pricing.cached",
      /Unknown key/,
    ],
    ["capabilities not an array", bad({ capabilities: "tools" }), "models[1].capabilities", /an array/],
    [
      "an unknown capability",
      bad({ capabilities: ["tools", "json", "telepathy"] }),
      "models[1].capabilities[2]",
      /"telepathy"/,
    ],
    ["an unknown tier", bad({ tier: "huge" }), "models[1].tier", /one of "small", "medium", "large"/],
    [
      "a duplicate id",
      [entry("a"), entry("b"), entry("a")],
      "models[2].id",
      /Duplicate model id "a" at `models\[2\]\.id` \(first at `models\[0\]\.id`\)/,
    ],
    ["a getter (never called)", [getter], "models[0].provider", /data property, got a getter/],
    ["a revoked proxy", [revoked.proxy], "models[0]", /Could not read `models\[0\]`/],
  ];
  it.each(cases)("%s", (_what, models, option, message) => {
    const error = invalidOption(() => createCatalog(models as CatalogEntry[]));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it.each([
    ["2025-9-1", /real date written "YYYY-MM-DD", got "2025-9-1"/],
    ["2025-02-29", /got "2025-02-29"/],
    ["2025-13-01", /YYYY-MM-DD/],
    ["2025-09-01T00:00:00Z", /YYYY-MM-DD/],
    [20250901, /got 20250901/],
  ])("pricesAsOf %j is rejected", (pricesAsOf, message) => {
    const error = invalidOption(() => createCatalog([], { pricesAsOf: pricesAsOf as string }));
    expect(error.option).toBe("pricesAsOf");
    expect(error.message).toMatch(message);
  });

  it("rejects unknown and non-object options", () => {
    expect(invalidOption(() => createCatalog([], { pricesAsof: "2025-01-01" } as never)).option).toBe("pricesAsof");
    expect(invalidOption(() => createCatalog([], [] as never)).message).toMatch(/plain object/);
  });

  it("huge strings neither crash nor flood the message", () => {
    const huge = "x".repeat(5_000_000);
    const catalog = createCatalog([entry(huge)]);
    expect(catalog.has(huge)).toBe(true);
    const error = invalidOption(() => createCatalog([entry(huge), entry(huge)]));
    expect(error.message.length).toBeLessThan(300);
    expect(invalidOption(() => createCatalog([entry("m", { tier: huge })])).message.length).toBeLessThan(300);
  });
});

describe("extend", () => {
  it("replaces same-id entries in place, appends new ones, and leaves the original untouched", () => {
    const base = createCatalog([entry("a"), entry("b"), entry("c")], { pricesAsOf: "2025-01-01" });
    const next = base.extend([entry("d"), entry("b", { contextWindow: 1 })]);
    expect(next.models.map((m) => [m.id, m.contextWindow])).toEqual([
      ["a", 128_000],
      ["b", 1],
      ["c", 128_000],
      ["d", 128_000],
    ]);
    expect(next.pricesAsOf).toBe("2025-01-01");
    expect(base.get("b")?.contextWindow).toBe(128_000);
    expect(base.has("d")).toBe(false);
    expect(base.extend([], { pricesAsOf: "2025-06-30" }).pricesAsOf).toBe("2025-06-30");
  });

  it("validates the new entries and rejects duplicates among them", () => {
    expect(invalidOption(() => defaultCatalog.extend([entry("x"), entry("x")])).option).toBe("models[1].id");
    expect(invalidOption(() => defaultCatalog.extend([entry("x", { tier: "xl" })])).option).toBe("models[0].tier");
    expect(invalidOption(() => defaultCatalog.extend([], { pricesAsOf: "yesterday" })).option).toBe("pricesAsOf");
  });
});

describe("parseCatalog and loadCatalog", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tta-catalog-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it("JSON.stringify(catalog) is the file format, and parses back to the same catalogue", () => {
    const json = JSON.parse(JSON.stringify(defaultCatalog)) as unknown;
    expect(Object.keys(json as object)).toEqual(["pricesAsOf", "models"]);
    const back = parseCatalog(json);
    expect(back.models).toEqual(defaultCatalog.models);
    expect(back.pricesAsOf).toBe("2025-09-01");
  });

  it("rejects unknown top-level keys and non-objects, prefixing the source", () => {
    const unknown = invalidOption(() => parseCatalog({ models: [], version: 2 }, "models.json"));
    expect(unknown.option).toBe("version");
    expect(unknown.message).toMatch(/^models\.json: Unknown key `version`/);
    expect(invalidOption(() => parseCatalog([])).option).toBe("catalog");
    expect(invalidOption(() => parseCatalog({})).message).toMatch(
      /Expected `models` to be an array of catalogue entries, got undefined/,
    );
    expect(invalidOption(() => parseCatalog(JSON.parse('{"models":[],"__proto__":1}'))).option).toBe("__proto__");
  });

  it("loads a good file (path or file: URL)", async () => {
    const file = await write("good.json", JSON.stringify({ pricesAsOf: "2025-09-01", models: [entry("m")] }));
    for (const source of [file, pathToFileURL(file)]) {
      const catalog = await loadCatalog(source);
      expect(catalog.pricesAsOf).toBe("2025-09-01");
      expect(catalog.cost("m", { inputTokens: 1_000_000, outputTokens: 0 })).toBe(2);
    }
  });

  it("bad JSON → InvalidOptionsError naming the file", async () => {
    const file = await write("broken.json", '{ "models": [ ');
    const error = await loadCatalog(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({
      option: "file",
      message: expect.stringContaining(`${file}: the model catalogue is not valid JSON`),
    });
  });

  it("a bad shape names the file and the path", async () => {
    const models = [entry("a"), entry("b", { pricing: { inputPerMillion: -1, outputPerMillion: 1 } })];
    const file = await write("catalog.json", JSON.stringify({ models }));
    const error = await loadCatalog(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({
      option: "models[1].pricing.inputPerMillion",
      message: `${file}: Expected \`models[1].pricing.inputPerMillion\` to be a finite number ≥ 0, got -1`,
    });
  });

  it("a missing file or a bad argument → InvalidOptionsError naming the file", async () => {
    const missing = join(dir, "missing.json");
    const error = await loadCatalog(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ option: "file", message: expect.stringContaining(`model catalogue ${missing}`) });
    await expect(loadCatalog("")).rejects.toMatchObject({ option: "file" });
    await expect(loadCatalog(42 as unknown as string)).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});

describe("defaultCatalog", () => {
  it("is valid, dated 2025-09-01, and lists the widely used models with their list prices", () => {
    expect(defaultCatalog.pricesAsOf).toBe("2025-09-01");
    expect(() => createCatalog(defaultCatalog.models, { pricesAsOf: defaultCatalog.pricesAsOf })).not.toThrow();
    const prices = Object.fromEntries(
      defaultCatalog.models.map((m) => [
        m.id,
        [m.pricing.inputPerMillion, m.pricing.outputPerMillion, m.pricing.cachedInputPerMillion],
      ]),
    );
    expect(prices).toMatchObject({
      "gpt-4o": [2.5, 10, 1.25],
      "gpt-4o-mini": [0.15, 0.6, 0.075],
      "gpt-4.1": [2, 8, 0.5],
      "gpt-4.1-mini": [0.4, 1.6, 0.1],
      "gpt-4.1-nano": [0.1, 0.4, 0.025],
      o3: [2, 8, 0.5],
      "o4-mini": [1.1, 4.4, 0.275],
      "gpt-5": [1.25, 10, 0.125],
      "gpt-5-mini": [0.25, 2, 0.025],
      "gpt-5-nano": [0.05, 0.4, 0.005],
      "claude-opus-4-1": [15, 75, 1.5],
      "claude-sonnet-4-5": [3, 15, 0.3],
      "claude-sonnet-4-0": [3, 15, 0.3],
      "claude-3-5-haiku-latest": [0.8, 4, 0.08],
      "claude-haiku-4-5": [1, 5, 0.1],
      "gemini-2.5-pro": [1.25, 10, 0.31],
      "gemini-2.5-flash": [0.3, 2.5, 0.075],
      "gemini-2.0-flash": [0.1, 0.4, 0.025],
      "llama-3.3-70b-versatile": [0.59, 0.79, undefined],
      "llama-3.1-8b-instant": [0.05, 0.08, undefined],
      "mistral-large-latest": [2, 6, undefined],
      "mistral-small-latest": [0.1, 0.3, undefined],
    });
    expect(defaultCatalog.get("claude-sonnet-4-5")?.provider).toBe("anthropic");
    expect(defaultCatalog.get("gemini-2.5-pro")?.capabilities).toContain("long-context");
    for (const m of defaultCatalog.models) expect(m.tier, m.id).toBeDefined();
  });

  it("keeps test fixtures out: the simulated provider's models are in the testing kit's simulatedCatalog", () => {
    expect(defaultCatalog.has("sim-small")).toBe(false);
    expect(defaultCatalog.has("sim-large")).toBe(false);
    expect(simulatedCatalog.models.length).toBe(defaultCatalog.models.length + 2);
    expect(simulatedCatalog.get("sim-small")).toEqual({
      id: "sim-small",
      provider: "simulated",
      contextWindow: 128_000,
      pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
      capabilities: ["tools", "json"],
      tier: "small",
    });
    expect(simulatedCatalog.get("sim-large")).toEqual({
      id: "sim-large",
      provider: "simulated",
      contextWindow: 128_000,
      pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
      capabilities: ["tools", "json", "reasoning", "code"],
      tier: "large",
    });
    expect(defaultCatalog.cost("gpt-4o-mini", { inputTokens: 1200, outputTokens: 300 })).toBeCloseTo(0.00036, 12);
  });
});
