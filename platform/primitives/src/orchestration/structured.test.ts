import type { StandardSchemaV1 } from "@standard-schema/spec";
import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { WorkflowContext } from "../core/index.js";
import { InvalidOptionsError, ProviderError, StructuredOutputError, isTtaError } from "../core/index.js";
import { MockLanguageModel, SpanRecorder, createTestContext, describePrimitiveContract } from "../testing/index.js";
import { invalidOption } from "../test-support/index.js";
import { createCatalog, model } from "./index.js";
import type { CatalogEntry, ModelRequest, ModelResponse } from "./index.js";
import type { RoutedRequest, RoutedResponse } from "./router/types.js";
import { structured } from "./structured.js";

const entry = (id: string, capabilities: CatalogEntry["capabilities"]): CatalogEntry => ({
  id,
  provider: "mock",
  contextWindow: 128_000,
  pricing: { inputPerMillion: 1, outputPerMillion: 2 },
  capabilities,
});
const catalog = createCatalog([entry("json-model", ["json", "tools"]), entry("plain-model", ["tools"])]);

const Point = z.object({ a: z.number() });
const ask: ModelRequest = { messages: [{ role: "user", content: "Give me a point" }] };

/** A model that answers `responses` in turn, listed in `catalog` as `modelId`. */
const mock = (modelId: string, ...responses: string[]): MockLanguageModel =>
  new MockLanguageModel({ modelId, responses: responses.length === 0 ? ["{}"] : responses });

const response = (text: string): ModelResponse => ({
  text,
  toolCalls: [],
  usage: { inputTokens: 1, outputTokens: 1 },
  model: "fake",
  finishReason: "stop",
});

/** What `fn` rejects with. */
const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.unreachable("expected a rejection"),
    (error: unknown) => error,
  );

describe("structured: the request", () => {
  it("uses the provider's JSON mode with the JSON Schema when the catalogue lists json for the model", async () => {
    const lm = mock("json-model", '{"a":1}');
    const jsonSchema = z.toJSONSchema(Point);
    const point = structured(lm, { schema: Point, jsonSchema, catalog, schemaName: "point" });
    await expect(point.execute(ask, createTestContext())).resolves.toEqual({ a: 1 });
    const sent = lm.calls[0]?.request;
    expect(sent?.responseFormat).toEqual({ type: "json", schema: jsonSchema, name: "point" });
    expect(sent?.messages).toEqual(ask.messages); // no instruction: the provider enforces the schema
    expect(point.jsonMode).toBe(true);
  });

  it("in JSON mode without a JSON Schema, also instructs (OpenAI's json_object needs the word JSON)", async () => {
    const lm = mock("json-model", '{"a":1}');
    await structured(lm, { schema: Point, catalog }).execute(ask, createTestContext());
    const sent = lm.calls[0]?.request;
    expect(sent?.responseFormat).toEqual({ type: "json" });
    expect(sent?.messages[0]).toMatchObject({ role: "system", content: expect.stringContaining("JSON") as unknown });
  });

  it("falls back to a system instruction with the JSON Schema when the model has no JSON mode", async () => {
    const lm = mock("plain-model", '{"a":1}');
    const jsonSchema = z.toJSONSchema(Point);
    const request: ModelRequest = {
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Give me a point" },
      ],
      temperature: 0,
    };
    await expect(structured(lm, { schema: Point, jsonSchema, catalog }).execute(request)).resolves.toEqual({ a: 1 });
    const sent = lm.calls[0]?.request;
    expect(sent?.responseFormat).toBeUndefined();
    expect(sent?.temperature).toBe(0);
    expect(sent?.messages.map((m) => m.role)).toEqual(["system", "system", "user"]);
    expect(sent?.messages[1]?.content).toContain(JSON.stringify(jsonSchema));
    expect(request.messages).toHaveLength(2); // the caller's request is not mutated
  });

  it("treats a model the catalogue does not list as having no JSON mode", async () => {
    const lm = mock("unlisted", '{"a":1}');
    await structured(lm, { schema: Point, catalog }).execute(ask);
    expect(lm.calls[0]?.request.responseFormat).toBeUndefined();
  });

  it("looks up a model(...) primitive's model in the catalogue, and jsonMode overrides the default", async () => {
    const lm = mock("json-model", '{"a":1}');
    await structured(model(lm, { catalog }), { schema: Point, catalog }).execute(ask);
    expect(lm.calls[0]?.request.responseFormat).toEqual({ type: "json" });
    const plain = mock("json-model", '{"a":1}');
    await structured(plain, { schema: Point, catalog, jsonMode: false }).execute(ask);
    expect(plain.calls[0]?.request.responseFormat).toBeUndefined();
    const fn = mock("any", '{"a":1}');
    const viaFunction = structured((req: ModelRequest, ctx: WorkflowContext) => model(fn).execute(req, ctx), {
      schema: Point,
      jsonMode: true,
    });
    await viaFunction.execute(ask);
    expect(fn.calls[0]?.request.responseFormat).toEqual({ type: "json" });
  });

  it("always asks a router for JSON mode (it keeps only candidates with the json capability)", async () => {
    const requests: RoutedRequest[] = [];
    const router = {
      async execute(request: RoutedRequest): Promise<ModelResponse> {
        requests.push(request);
        return response('{"a":2}');
      },
      async executeWithRoute(request: RoutedRequest): Promise<RoutedResponse> {
        return { response: await this.execute(request), route: undefined as never };
      },
    };
    await expect(structured(router, { schema: Point }).execute(ask)).resolves.toEqual({ a: 2 });
    expect(requests[0]?.responseFormat).toEqual({ type: "json" });
  });

  it("accepts a prompt string as one user message", async () => {
    const lm = mock("json-model", '{"a":3}');
    await expect(structured(lm, { schema: Point, catalog }).execute("a point, please")).resolves.toEqual({ a: 3 });
    expect(lm.calls[0]?.request.messages.at(-1)).toEqual({ role: "user", content: "a point, please" });
  });

  it("sends the JSON Schema of a Standard Schema that implements Standard JSON Schema", async () => {
    const converted = { type: "object", properties: { a: { type: "number" } } };
    const schema = {
      "~standard": {
        ...Point["~standard"],
        jsonSchema: { input: () => converted, output: (o: { target: string }) => ({ ...converted, target: o.target }) },
      },
    } as StandardSchemaV1<unknown, { a: number }>;
    const lm = mock("json-model", '{"a":1}');
    const primitive = structured(lm, { schema, catalog });
    expect(primitive.jsonSchema).toEqual({ ...converted, target: "draft-07" });
    await primitive.execute(ask);
    expect(lm.calls[0]?.request.responseFormat?.schema).toEqual({ ...converted, target: "draft-07" });
  });
});

describe("structured: parsing and validation", () => {
  it.each([
    ["plain JSON", '{"a":1}'],
    ["JSON with whitespace around it", '\n  {"a":1}  \n'],
    ["a ```json fenced block", '```json\n{"a":1}\n```'],
    ["a plain ``` fenced block", '```\n{\n  "a": 1\n}\n```'],
  ])("accepts %s", async (_label, text) => {
    await expect(structured(mock("m", text), { schema: Point }).execute(ask)).resolves.toEqual({ a: 1 });
  });

  it("extracts nothing else: prose around the JSON is a parse failure", async () => {
    const lm = mock("m", 'Sure! Here it is: {"a":1}');
    const error = await rejection(structured(lm, { schema: Point, repairAttempts: 0 }).execute(ask));
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect((error as StructuredOutputError).issues).toEqual([
      { message: expect.stringContaining("not valid JSON") as unknown },
    ]);
    expect((error as Error).message).not.toContain("Sure");
    expect(lm.callCount).toBe(1);
  });

  it.each([
    ["zod", z.object({ name: z.string(), tags: z.array(z.string()) })],
    ["valibot", v.object({ name: v.string(), tags: v.array(v.string()) })],
  ])("validates with %s and returns the schema's output", async (_label, schema) => {
    const lm = mock("m", '{"name":"Ada","tags":["x"]}');
    await expect(structured(lm, { schema }).execute(ask)).resolves.toEqual({ name: "Ada", tags: ["x"] });
  });

  it("returns the schema's output, not the raw JSON (transforms and defaults apply)", async () => {
    const schema = z.object({ a: z.number().transform((n) => n * 10), b: z.string().default("none") });
    await expect(structured(mock("m", '{"a":2}'), { schema }).execute(ask)).resolves.toEqual({ a: 20, b: "none" });
  });

  it("awaits a validate that returns a promise (a zod async refinement, or any Standard Schema)", async () => {
    const schema = Point.refine(async (p) => Promise.resolve(p.a > 0), { message: "a must be positive" });
    const lm = mock("m", '{"a":-1}', '{"a":4}');
    await expect(structured(lm, { schema }).execute(ask)).resolves.toEqual({ a: 4 });
    expect(lm.calls[1]?.request.messages.at(-1)?.content).toContain("a must be positive");

    const asyncSchema: StandardSchemaV1<unknown, string> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: async (value) =>
          typeof value === "string" ? { value: value.toUpperCase() } : { issues: [{ message: "not a string" }] },
      },
    };
    await expect(structured(mock("m", '"ok"'), { schema: asyncSchema }).execute(ask)).resolves.toBe("OK");
  });

  it("with a plain JSON Schema, parses and checks only the top-level type", async () => {
    const jsonSchema = { type: "object", properties: { a: { type: "number" } }, required: ["a"] };
    const lm = mock("json-model", '{"a":"not checked"}');
    const primitive = structured(lm, { schema: jsonSchema, catalog });
    await expect(primitive.execute(ask)).resolves.toEqual({ a: "not checked" });
    expect(lm.calls[0]?.request.responseFormat).toEqual({ type: "json", schema: jsonSchema });

    const array = structured(mock("m", "[1,2]"), { schema: { type: "object" }, repairAttempts: 0 });
    const error = await rejection(array.execute(ask));
    expect((error as StructuredOutputError).issues).toEqual([
      { message: "Expected a JSON object at the top level, got an array" },
    ]);
    const either = structured(mock("m", "null"), { schema: { type: ["object", "null"] } });
    await expect(either.execute(ask)).resolves.toBeNull();
  });

  it("parses any JSON value, fenced or not (property)", async () => {
    const schema = { "~standard": { version: 1, vendor: "any", validate: (value: unknown) => ({ value }) } } as const;
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.boolean(), fc.integer({ min: 0, max: 4 }), async (value, fence, indent) => {
        const json = JSON.stringify(value, null, indent);
        const text = fence ? `\`\`\`json\n${json}\n\`\`\`` : ` ${json}\n`;
        const result = await structured(mock("m", text), { schema }).execute(ask);
        expect(result).toEqual(JSON.parse(json));
      }),
      { numRuns: 100 },
    );
  });
});

describe("structured: repair", () => {
  it("re-asks once with the issues (paths and messages), not the answer again, then succeeds", async () => {
    const schema = z.object({ items: z.array(z.object({ qty: z.number() })) });
    const first = '{"items":[{"qty":1},{"qty":"SECRET-TWO"}]}';
    const lm = mock("m", first, '{"items":[{"qty":1},{"qty":2}]}');
    const ctx = createTestContext();
    await expect(structured(lm, { schema }).execute(ask, ctx)).resolves.toEqual({ items: [{ qty: 1 }, { qty: 2 }] });
    expect(lm.callCount).toBe(2);
    const messages = lm.calls[1]?.request.messages ?? [];
    expect(messages.slice(0, -2)).toEqual(lm.calls[0]?.request.messages);
    expect(messages.at(-2)).toEqual({ role: "assistant", content: first });
    const repair = messages.at(-1);
    expect(repair?.role).toBe("user");
    expect(repair?.content).toContain("at items[1].qty: Invalid input: expected number, received string");
    expect(repair?.content).not.toContain("SECRET-TWO");
  });

  it("keeps only the last failed answer in a re-ask (the prompt does not grow with each repair)", async () => {
    const lm = mock("m", '{"a":"x"}', '{"a":"y"}', '{"a":5}');
    await expect(structured(lm, { schema: Point, repairAttempts: 2 }).execute(ask)).resolves.toEqual({ a: 5 });
    expect(lm.calls.map((c) => c.request.messages.length)).toEqual([2, 4, 4]);
    expect(lm.calls[2]?.request.messages.at(-2)?.content).toBe('{"a":"y"}');
  });

  it("after the last attempt, throws StructuredOutputError with the issues and without the output in its message", async () => {
    const lm = mock("m", '{"a":"LEAKED-OUTPUT"}');
    const error = await rejection(
      structured(lm, { schema: v.object({ a: v.number() }), name: "point" }).execute(ask, createTestContext()),
    );
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect(isTtaError(error, "STRUCTURED_OUTPUT")).toBe(true);
    const { issues, message } = error as StructuredOutputError;
    expect(issues).toEqual([{ message: expect.stringContaining("Expected number") as unknown, path: ["a"] }]);
    expect(message).toBe("`point`: all 2 answers failed validation (last answer: 1 issue, see `error.issues`)");
    expect(message).not.toContain("LEAKED");
    expect(lm.callCount).toBe(2);
  });

  it("with repairAttempts 0, asks once", async () => {
    const lm = mock("m", '{"a":"x"}');
    await expect(structured(lm, { schema: Point, repairAttempts: 0 }).execute(ask)).rejects.toBeInstanceOf(
      StructuredOutputError,
    );
    expect(lm.callCount).toBe(1);
  });

  it("passes model errors through unchanged, without a re-ask", async () => {
    const failure = new ProviderError("busy", { provider: "mock", model: "m", status: 503 });
    const lm = new MockLanguageModel({ responses: [failure] });
    await expect(structured(lm, { schema: Point }).execute(ask)).rejects.toBe(failure);
    expect(lm.callCount).toBe(1);
  });

  it("records json mode, the number of answers and each repair on its span", async () => {
    const recorder = new SpanRecorder().install();
    try {
      await structured(mock("json-model", '{"a":"x"}', '{"a":1}'), { schema: Point, catalog }).execute(ask);
      const span = recorder.spans.find((s) => s.name === "tta.structured");
      expect(span?.attributes).toMatchObject({ "tta.structured.json_mode": true, "tta.structured.answers": 2 });
      expect(span?.events.map((e) => [e.name, e.attributes])).toEqual([
        ["tta.structured.repair", { "tta.structured.answer": 1, "tta.structured.issues": 1 }],
      ]);
    } finally {
      recorder.uninstall();
    }
  });
});

describe("structured: options", () => {
  it.each([-1, 1.5, "2", Infinity, Number.NaN])("rejects repairAttempts %s, naming it", (repairAttempts) => {
    const error = invalidOption(() =>
      structured(mock("m"), { schema: Point, repairAttempts: repairAttempts as number }),
    );
    expect(error.option).toBe("repairAttempts");
  });

  it("rejects a missing or invalid schema, a bad model, catalogue or option, naming it", () => {
    const cases: [() => unknown, string][] = [
      [() => structured(mock("m"), {} as never), "schema"],
      [() => structured(mock("m"), { schema: "object" as never }), "schema"],
      [() => structured(mock("m"), { schema: Point, jsonSchema: [] as never }), "jsonSchema"],
      [() => structured(mock("m"), { schema: Point, catalog: {} as never }), "catalog"],
      [() => structured(mock("m"), { schema: Point, schemaName: "" }), "schemaName"],
      [() => structured(mock("m"), { schema: Point, jsonMode: "yes" as never }), "jsonMode"],
      [() => structured(mock("m"), { schema: Point, shape: 1 } as never), "shape"],
      [() => structured(42 as never, { schema: Point }), "model"],
    ];
    for (const [build, option] of cases) expect(invalidOption(build).option).toBe(option);
  });

  it("rejects an invalid request before asking the model", async () => {
    const lm = mock("m", '{"a":1}');
    await expect(structured(lm, { schema: Point }).execute({ messages: "hi" } as never)).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
    expect(lm.callCount).toBe(0);
  });
});

describePrimitiveContract(
  "structured",
  (inner) =>
    structured(
      async ({ responseFormat: _format, ...rest }: ModelRequest, ctx: WorkflowContext) => {
        await inner.execute(rest, ctx);
        return response('{"ok":true}');
      },
      { schema: { type: "object" }, jsonMode: true },
    ),
  { input: { messages: [{ role: "user", content: "hello" }], maxTokens: 16 } },
);
