/**
 * Type-level tests: `structured` infers its output from the Standard Schema (zod, valibot), takes a
 * type argument for a plain JSON Schema, and `multiModel` types its options and result.
 */
import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { SequentialPrimitive } from "../core/index.js";
import { MockLanguageModel } from "../testing/index.js";
import type { ModelRequest, ModelResponse } from "./language-model.js";
import { model } from "./model.js";
import { multiModel } from "./multi-model.js";
import type { MultiModelClassification, MultiModelResult, MultiModelWorkflow } from "./multi-model.js";
import type { RoutedRequest } from "./router/types.js";
import { structured } from "./structured.js";
import type { StructuredPrimitive } from "./structured.js";

const lm = new MockLanguageModel();

describe("structured types", () => {
  it("infers the output of a zod schema", () => {
    const point = structured(lm, { schema: z.object({ a: z.number() }) });
    expectTypeOf(point).toEqualTypeOf<StructuredPrimitive<{ a: number }>>();
    expectTypeOf(point.execute).returns.toEqualTypeOf<Promise<{ a: number }>>();
    const transformed = structured(lm, { schema: z.string().transform((s) => s.length) });
    expectTypeOf(transformed.execute).returns.toEqualTypeOf<Promise<number>>();
  });

  it("infers the output of a valibot schema", () => {
    const user = structured(model(lm), { schema: v.object({ name: v.string(), tags: v.array(v.string()) }) });
    expectTypeOf(user.execute).returns.toEqualTypeOf<Promise<{ name: string; tags: string[] }>>();
  });

  it("gives unknown for a plain JSON Schema, or the type argument", () => {
    expectTypeOf(structured(lm, { schema: { type: "object" } }).execute).returns.toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(structured<{ a: number }>(lm, { schema: { type: "object" } }).execute).returns.toEqualTypeOf<
      Promise<{ a: number }>
    >();
  });

  it("takes a request or a prompt string, and composes", () => {
    const point = structured(lm, { schema: z.object({ a: z.number() }) });
    expectTypeOf(point.execute).parameter(0).toEqualTypeOf<ModelRequest | string>();
    expectTypeOf(point.pipe((p) => p.a > 0)).toEqualTypeOf<SequentialPrimitive<ModelRequest | string, boolean>>();
  });

  it("accepts a model, a primitive or a function as the model, and checks the options", () => {
    const fn = async (request: ModelRequest): Promise<ModelResponse> =>
      lm.generate(request, { signal: AbortSignal.abort() });
    structured(fn, { schema: z.number(), repairAttempts: 2, jsonMode: true, schemaName: "n" });
    // @ts-expect-error -- schema is required
    structured(lm, { repairAttempts: 1 });
    // @ts-expect-error -- repairAttempts is a number
    structured(lm, { schema: z.number(), repairAttempts: "1" });
    // @ts-expect-error -- a model answers ModelRequest, not numbers
    structured((n: number) => n, { schema: z.number() });
  });
});

describe("multiModel types", () => {
  const classifier = (_text: string): MultiModelClassification => ({ complexity: "simple", needs: [], reasons: [] });
  const router = (request: RoutedRequest): Promise<ModelResponse> =>
    lm.generate(request, { signal: AbortSignal.abort() });

  it("outputs a MultiModelResult from a request or a string", () => {
    const flow = multiModel({ classifier, router });
    expectTypeOf(flow).toEqualTypeOf<MultiModelWorkflow>();
    expectTypeOf(flow.execute).returns.toEqualTypeOf<Promise<MultiModelResult>>();
    expectTypeOf(flow.execute).parameter(0).toEqualTypeOf<RoutedRequest | string>();
  });

  it("validates with a function or a Standard Schema of strings", () => {
    multiModel({ classifier, router, validate: (text) => text.length > 3 || "too short" });
    multiModel({ classifier, router, validate: async () => [{ message: "no", path: ["a", 0] }] });
    multiModel({ classifier, router, validate: z.string().min(3) });
    multiModel({ classifier, router, validate: v.pipe(v.string(), v.minLength(3)) });
    // @ts-expect-error -- a Standard Schema validates the answer's text, a string, not an object
    multiModel({ classifier, router, validate: z.object({ a: z.number() }) });
    // @ts-expect-error -- a verdict is a boolean, a string or issues
    multiModel({ classifier, router, validate: () => 42 });
  });
});
