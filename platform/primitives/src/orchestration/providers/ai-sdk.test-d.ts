/**
 * Type-level tests: real AI SDK models (V3 from `@ai-sdk/openai-compatible`, and the `LanguageModelV2`
 * / `LanguageModelV3` spec types) are accepted by `fromAiSdk`, whose types never import
 * `@ai-sdk/provider`; and the call options we send are valid V2 and V3 call options.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type {
  LanguageModelV2,
  LanguageModelV2CallOptions,
  LanguageModelV3,
  LanguageModelV3CallOptions,
} from "@ai-sdk/provider";
import { describe, expectTypeOf, it } from "vitest";
import type { LanguageModel } from "../language-model.js";
import { fromAiSdk } from "./ai-sdk.js";
import type { AiSdkCallOptions, AiSdkLanguageModel, FromAiSdkOptions } from "./ai-sdk-types.js";

describe("fromAiSdk types", () => {
  it("accepts a real @ai-sdk/openai-compatible chat model", () => {
    const sdkModel = createOpenAICompatible({ name: "sim", baseURL: "http://127.0.0.1:1/v1" }).chatModel("x");
    expectTypeOf(sdkModel).toExtend<Parameters<typeof fromAiSdk>[0]>();
    expectTypeOf(fromAiSdk(sdkModel)).toEqualTypeOf<LanguageModel>();
  });

  it("takes an optional options object with readonly string secrets", () => {
    const sdkModel = createOpenAICompatible({ name: "sim", baseURL: "http://127.0.0.1:1/v1" }).chatModel("x");
    const keys: readonly string[] = ["gw_live_0123456789abcdef"];
    expectTypeOf(fromAiSdk(sdkModel, { secrets: keys })).toEqualTypeOf<LanguageModel>();
    expectTypeOf(fromAiSdk(sdkModel, {})).toEqualTypeOf<LanguageModel>();
    expectTypeOf<Parameters<typeof fromAiSdk>[1]>().toEqualTypeOf<FromAiSdkOptions | undefined>();
    // @ts-expect-error -- secrets are strings
    fromAiSdk(sdkModel, { secrets: [42] });
    // @ts-expect-error -- `secrets` is an array, not one string
    fromAiSdk(sdkModel, { secrets: "gw_live_0123456789abcdef" });
    // @ts-expect-error -- unknown option
    fromAiSdk(sdkModel, { secret: keys });
  });

  it("accepts the LanguageModelV3 and LanguageModelV2 specification types", () => {
    expectTypeOf<LanguageModelV3>().toExtend<AiSdkLanguageModel>();
    expectTypeOf<LanguageModelV2>().toExtend<AiSdkLanguageModel>();
  });

  it("sends call options that are valid for both specification versions", () => {
    expectTypeOf<AiSdkCallOptions>().toExtend<LanguageModelV3CallOptions>();
    expectTypeOf<AiSdkCallOptions>().toExtend<LanguageModelV2CallOptions>();
  });

  it("rejects objects that are not V2/V3 language models", () => {
    expectTypeOf<{
      specificationVersion: "v1";
      provider: string;
      modelId: string;
    }>().not.toExtend<AiSdkLanguageModel>();
    expectTypeOf<Omit<LanguageModelV3, "doStream">>().not.toExtend<AiSdkLanguageModel>();
    // @ts-expect-error -- a plain object is not an AI SDK model
    fromAiSdk({ provider: "x", modelId: "y" });
  });
});
