/**
 * `tool(...)`: argument validation with zod, valibot and JSON Schema (ajv), the JSON Schema shown to
 * the model, option errors, and the `execute_tool` span.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { InvalidOptionsError, isTtaError } from "@tta/primitives";
import { SpanRecorder, createTestContext, describePrimitiveContract } from "@tta/primitives/testing";
import fc from "fast-check";
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { SECRET, spanText } from "./test-support/agent-fixtures.js";
import { TOOL_CALL_ID_KEY, ToolArgumentsError } from "./tool/call.js";
import { tool } from "./tool.js";

let recorder: SpanRecorder | undefined;
afterEach(() => {
  recorder?.uninstall();
  recorder = undefined;
});

/** The rejection of `promise`. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail("expected a throw");
}

describePrimitiveContract(
  "tool",
  (inner) =>
    tool({
      name: "contract",
      parameters: { type: "object" },
      execute: (args: unknown, ctx) => inner.execute(args, ctx),
    }),
  { spanName: "execute_tool contract" },
);

describe("arguments validated with zod", () => {
  const Args = z.object({ city: z.string().min(1), days: z.coerce.number().int().min(1).max(7).default(1) });
  const forecast = tool({
    name: "forecast",
    parameters: Args,
    jsonSchema: z.toJSONSchema(Args, { io: "input" }),
    execute: ({ city, days }) => ({ city, days }),
  });

  it("passes the schema's output (coerced, defaults filled) to execute", async () => {
    await expect(forecast.execute({ city: "Oslo", days: "3" } as never)).resolves.toEqual({ city: "Oslo", days: 3 });
    await expect(forecast.execute({ city: "Oslo" } as never)).resolves.toEqual({ city: "Oslo", days: 1 });
  });

  it("rejects invalid arguments with a ToolArgumentsError listing paths, never the values", async () => {
    const error = await rejection(forecast.execute({ city: "", days: SECRET } as never));
    expect(error).toBeInstanceOf(ToolArgumentsError);
    expect(isTtaError(error, "STRUCTURED_OUTPUT")).toBe(true);
    const e = error as ToolArgumentsError;
    expect(e.tool).toBe("forecast");
    expect(e.issues.map((i) => i.path)).toEqual([["city"], ["days"]]);
    expect(e.message).not.toContain(SECRET);
  });

  it("shows the model the JSON Schema given, without its $schema", () => {
    expect(forecast.spec.name).toBe("forecast");
    expect(forecast.spec.parameters).toMatchObject({ type: "object", properties: { city: { type: "string" } } });
    expect(forecast.spec.parameters).not.toHaveProperty("$schema");
  });
});

describe("arguments validated with valibot", () => {
  const Args = v.object({
    sku: v.pipe(v.string(), v.regex(/^[A-Z]{3}-\d+$/)),
    quantity: v.pipe(v.number(), v.integer()),
  });
  const JSON_SCHEMA = {
    type: "object",
    properties: { sku: { type: "string" }, quantity: { type: "integer" } },
    required: ["sku", "quantity"],
  };
  const order = tool({
    name: "order",
    parameters: Args,
    jsonSchema: JSON_SCHEMA,
    execute: (a) => `${a.quantity}×${a.sku}`,
  });

  it("runs with valid arguments", async () => {
    await expect(order.execute({ sku: "ABC-1", quantity: 2 })).resolves.toBe("2×ABC-1");
  });

  it("rejects invalid ones with their paths", async () => {
    const error = (await rejection(order.execute({ sku: "abc", quantity: 1.5 }))) as ToolArgumentsError;
    expect(error).toBeInstanceOf(ToolArgumentsError);
    expect(error.issues.map((i) => i.path)).toEqual([["sku"], ["quantity"]]);
  });
});

describe("arguments validated with a JSON Schema (ajv)", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, units: { enum: ["metric", "imperial"] } },
    required: ["city"],
    additionalProperties: false,
  };
  const weather = tool({ name: "weather", parameters: schema, execute: (a: { city: string }) => a.city });

  it("runs with valid arguments and shows the schema itself to the model", async () => {
    await expect(weather.execute({ city: "Oslo", units: "metric" } as never)).resolves.toBe("Oslo");
    expect(weather.spec.parameters).toEqual(schema);
  });

  it("names missing and extra properties and wrong values in the issue paths", async () => {
    const error = (await rejection(weather.execute({ units: "kelvin", town: "x" } as never))) as ToolArgumentsError;
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining([["city"], ["town"], ["units"]]));
  });

  it("compiles draft 2020-12 (zod's default output) too", async () => {
    const json = z.toJSONSchema(z.object({ n: z.number() }));
    expect(json.$schema).toContain("2020-12");
    const t = tool({ name: "n", parameters: json, execute: (a: { n: number }) => a.n * 2 });
    await expect(t.execute({ n: 2 })).resolves.toBe(4);
    await expect(t.execute({ n: "2" } as never)).rejects.toBeInstanceOf(ToolArgumentsError);
  });

  it("accepts schemas with the same $id in two tools", () => {
    const withId = { $id: "https://example.com/args", type: "object" };
    tool({ name: "one", parameters: withId, execute: () => 1 });
    expect(() => tool({ name: "two", parameters: withId, execute: () => 2 })).not.toThrow();
  });

  it("still compiles other schemas after one whose $id is the meta-schema's", () => {
    const odd = { $id: "http://json-schema.org/draft-07/schema#", type: "object" };
    tool({ name: "odd", parameters: odd, execute: () => 1 });
    expect(() => tool({ name: "plain", parameters: { type: "object" }, execute: () => 2 })).not.toThrow();
  });

  it("keeps its own copy of the schema: changing the object later changes neither tool made from it", async () => {
    const reused = { type: "object", properties: { qty: { type: "string" } }, required: ["qty"] };
    const before = tool({ name: "before", parameters: reused, execute: (a: { qty: string }) => a.qty });
    reused.properties.qty.type = "integer";
    expect(before.spec.parameters).toMatchObject({ properties: { qty: { type: "string" } } });
    await expect(before.execute({ qty: "3" })).resolves.toBe("3");
    const after = tool({ name: "after", parameters: reused, execute: (a: { qty: number }) => a.qty });
    expect(after.spec.parameters).toMatchObject({ properties: { qty: { type: "integer" } } });
    await expect(after.execute({ qty: 3 })).resolves.toBe(3);
    await expect(after.execute({ qty: "3" } as never)).rejects.toBeInstanceOf(ToolArgumentsError);
  });

  it("refuses NaN and ±Infinity as numbers and integers", async () => {
    const t = tool({
      name: "nums",
      parameters: { type: "object", properties: { n: { type: "number" }, i: { type: "integer" } } },
      execute: () => "ok",
    });
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      await expect(t.execute({ n: bad })).rejects.toBeInstanceOf(ToolArgumentsError);
      await expect(t.execute({ i: bad })).rejects.toBeInstanceOf(ToolArgumentsError);
    }
    await expect(t.execute({ n: 1.5, i: -0 })).resolves.toBe("ok");
  });

  it("keeps validating recursive schemas ($defs and $ref) after compiling them", async () => {
    const tree = {
      type: "object",
      properties: { node: { $ref: "#/$defs/node" } },
      $defs: { node: { type: "object", properties: { kids: { type: "array", items: { $ref: "#/$defs/node" } } } } },
    };
    const t = tool({ name: "tree", parameters: tree, execute: () => "ok" });
    await expect(t.execute({ node: { kids: [{ kids: [] }] } })).resolves.toBe("ok");
    await expect(t.execute({ node: { kids: [{ kids: 1 }] } })).rejects.toBeInstanceOf(ToolArgumentsError);
  });

  it("matches what the schema accepts, for any value (property)", async () => {
    const t = tool({
      name: "p",
      parameters: { type: "object", properties: { a: { type: "integer" } } },
      execute: () => "ok",
    });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom("a", "b"), fc.oneof(fc.integer(), fc.string(), fc.double())),
        async (args) => {
          const valid = !("a" in args) || Number.isInteger(args.a);
          const outcome = await t.execute(args).then(
            () => true,
            (e: unknown) => (e instanceof ToolArgumentsError ? false : Promise.reject(e)),
          );
          expect(outcome).toBe(valid);
        },
      ),
    );
  });
});

describe("a Standard Schema whose validate answers asynchronously", () => {
  it("waits for any thenable it returns, not only a Promise of this realm, before running the tool", async () => {
    const ran: unknown[] = [];
    const slow: StandardSchemaV1<unknown, { q: string }> = {
      "~standard": {
        version: 1,
        vendor: "test",
        // A thenable from another realm or library: not `instanceof Promise`.
        validate: (value) =>
          ({
            then: (resolve: (result: StandardSchemaV1.Result<{ q: string }>) => void) =>
              resolve(
                typeof (value as { q?: unknown }).q === "string"
                  ? { value: value as { q: string } }
                  : { issues: [{ message: "q must be a string", path: ["q"] }] },
              ),
          }) as unknown as Promise<StandardSchemaV1.Result<{ q: string }>>,
      },
    };
    const search = tool({
      name: "search",
      parameters: slow,
      jsonSchema: { type: "object", properties: { q: { type: "string" } } },
      execute: (args) => void ran.push(args),
    });
    const error = (await rejection(search.execute({ q: 1 } as never))) as ToolArgumentsError;
    expect(error).toBeInstanceOf(ToolArgumentsError);
    expect(error.issues).toEqual([{ message: "q must be a string", path: ["q"] }]);
    await search.execute({ q: "x" });
    expect(ran).toEqual([{ q: "x" }]);
  });
});

describe("raw arguments from a model", () => {
  const echo = tool({ name: "echo", parameters: { type: "object" }, execute: (a: object) => a });

  it("treats a string that is not JSON as invalid arguments, without quoting it", async () => {
    const error = (await rejection(echo.execute(`{${SECRET}` as never))) as ToolArgumentsError;
    expect(error.issues[0]?.message).toContain("not valid JSON");
    expect(JSON.stringify(error.issues)).not.toContain(SECRET);
  });

  it("parses a JSON string, and treats no arguments as {}", async () => {
    await expect(echo.execute('{"a":1}' as never)).resolves.toEqual({ a: 1 });
    await expect(echo.execute(undefined as never)).resolves.toEqual({});
    await expect(echo.execute("" as never)).resolves.toEqual({});
  });
});

describe("Standard JSON Schema", () => {
  /** A Standard Schema that also describes itself as JSON Schema (as zod ≥ 4.2 and ArkType do). */
  function selfDescribing(targets: string[]): StandardSchemaV1<unknown, { q: string }> {
    return {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: (value) =>
          typeof (value as { q?: unknown }).q === "string"
            ? { value: value as { q: string } }
            : { issues: [{ message: "q must be a string", path: ["q"] }] },
        jsonSchema: {
          input: ({ target }: { target: string }) => {
            targets.push(target);
            return {
              $schema: "http://json-schema.org/draft-07/schema#",
              type: "object",
              properties: { q: { type: "string" } },
            };
          },
          output: () => ({}),
        },
      } as StandardSchemaV1.Props<unknown, { q: string }>,
    };
  }

  it("asks the schema for its draft-07 input JSON Schema when no jsonSchema is given", async () => {
    const targets: string[] = [];
    const search = tool({ name: "search", parameters: selfDescribing(targets), execute: ({ q }) => q });
    expect(targets).toEqual(["draft-07"]);
    expect(search.spec.parameters).toEqual({ type: "object", properties: { q: { type: "string" } } });
    await expect(search.execute({ q: "tta" })).resolves.toBe("tta");
  });
});

describe("options", () => {
  const ok = { name: "t", parameters: { type: "object" }, execute: () => 1 };

  it.each([
    ["name", { ...ok, name: "has space" }],
    ["name", { ...ok, name: "x".repeat(65) }],
    ["name", { ...ok, name: "" }],
    ["name", { ...ok, name: "transfer_to_billing" }],
    ["parameters", { ...ok, parameters: "string" }],
    ["parameters", { ...ok, parameters: { title: "no keyword" } }],
    ["parameters", { ...ok, parameters: { type: "nope" } }],
    ["parameters", { ...ok, parameters: { type: "string" } }],
    ["parameters", { ...ok, parameters: z.object({ a: z.string() }) }],
    ["parameters", { ...ok, parameters: undefined }],
    ["jsonSchema", { ...ok, jsonSchema: { type: "object" } }],
    ["jsonSchema", { ...ok, parameters: z.object({}), jsonSchema: 3 }],
    ["execute", { ...ok, execute: "run" }],
    ["description", { ...ok, description: 1 }],
    ["captureContent", { ...ok, captureContent: "yes" }],
    ["exec", { ...ok, exec: () => 1 }],
  ])("names `%s` when it is invalid", (option, options) => {
    const error = thrown(() => tool(options as never));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
  });

  it("tells how to get a JSON Schema for a Standard Schema that has none", () => {
    const error = thrown(() => tool({ name: "t", parameters: v.object({ a: v.string() }), execute: () => 1 }));
    expect((error as Error).message).toContain("jsonSchema");
  });

  it("accepts the longest valid name and keeps the description in the spec", () => {
    const t = tool({ ...ok, name: "a".repeat(64), description: "does things" });
    expect(t.spec).toMatchObject({ name: "a".repeat(64), description: "does things" });
    expect(t.description).toBe("does things");
  });
});

describe("execution", () => {
  it("passes the context and the errors of execute through unchanged", async () => {
    const failure = new Error("nope");
    const ctx = createTestContext({ workflowId: "wf-tool" });
    let seen: string | undefined;
    const t = tool({
      name: "t",
      parameters: { type: "object" },
      execute: (_a, c) => {
        seen = c.workflowId;
        throw failure;
      },
    });
    await expect(t.execute({}, ctx)).rejects.toBe(failure);
    expect(seen).toBe("wf-tool");
  });
});

describe("the span", () => {
  const Args = z.object({ q: z.string() });
  const make = (captureContent: boolean): ReturnType<typeof tool<{ q: string }, string>> =>
    tool({
      name: "search",
      parameters: Args,
      jsonSchema: z.toJSONSchema(Args),
      captureContent,
      execute: ({ q }) => `found ${q}`,
    });

  it("is `execute_tool {name}` with the GenAI attributes and the call id, never the arguments or result", async () => {
    recorder = new SpanRecorder().install();
    const ctx = createTestContext().withValue(TOOL_CALL_ID_KEY, "call-9");
    await make(false).execute({ q: SECRET }, ctx);
    const [span] = recorder.spans;
    expect(span?.name).toBe("execute_tool search");
    expect(span?.attributes).toMatchObject({
      "tta.primitive.kind": "tool",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "search",
      "gen_ai.tool.call.id": "call-9",
    });
    expect(spanText(recorder.spans)).not.toContain(SECRET);
  });

  it("records arguments and result with captureContent", async () => {
    recorder = new SpanRecorder().install();
    await make(true).execute({ q: SECRET });
    expect(recorder.spans[0]?.attributes).toMatchObject({
      "gen_ai.tool.call.arguments": JSON.stringify({ q: SECRET }),
      "gen_ai.tool.call.result": `found ${SECRET}`,
    });
  });
});
