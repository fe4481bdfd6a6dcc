/**
 * Test setup for `fromAiSdk`: the real `@ai-sdk/openai-compatible` provider pointed at the simulated
 * OpenAI-compatible server on loopback, closed when the test finishes. Not published.
 *
 * @packageDocumentation
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "../orchestration/language-model.js";
import { fromAiSdk } from "../orchestration/providers/ai-sdk.js";
import type { SimulatedProvider, SimulatedProviderOptions } from "../testing/simulated-provider/types.js";
import { simulated } from "./provider-fixtures.js";

// What the `fromAiSdk` tests use of the shared fixtures, under the names they use.
export { drain as collect } from "./index.js";
export { abortWhenHung, hi as hello, rejection } from "./provider-fixtures.js";

/** The API key the simulated server requires (shaped like an OpenAI key, so redaction can be checked). */
export const SIM_API_KEY = "sk-simulated-test-key-0123456789";

/** What {@link setupAiSdkSim} returns. */
export interface AiSdkSim {
  readonly sim: SimulatedProvider;
  /** The AI SDK model (`sim.chat`), unwrapped. */
  readonly sdkModel: ReturnType<ReturnType<typeof createOpenAICompatible>["chatModel"]>;
  /** `fromAiSdk(sdkModel)`. */
  readonly llm: LanguageModel;
}

/**
 * Starts a simulated provider (closed when the test finishes) and wraps an `@ai-sdk/openai-compatible`
 * chat model for it (`includeUsage: true`, model `sim-small` unless told).
 */
export async function setupAiSdkSim(
  options: SimulatedProviderOptions = {},
  settings: { readonly supportsStructuredOutputs?: boolean; readonly model?: string } = {},
): Promise<AiSdkSim> {
  const sim = await simulated({ apiKey: SIM_API_KEY, ...options });
  const provider = createOpenAICompatible({
    name: "sim",
    baseURL: sim.baseURL,
    apiKey: SIM_API_KEY,
    includeUsage: true,
    ...(settings.supportsStructuredOutputs === undefined
      ? {}
      : { supportsStructuredOutputs: settings.supportsStructuredOutputs }),
  });
  const sdkModel = provider.chatModel(settings.model ?? "sim-small");
  return { sim, sdkModel, llm: fromAiSdk(sdkModel) };
}

/** A fresh signal that never aborts. */
export function neverAborted(): AbortSignal {
  return new AbortController().signal;
}

/** The JSON body of the last chat-completion request the server received. */
export function lastBody(sim: SimulatedProvider): Readonly<Record<string, unknown>> {
  const request = sim.requests.at(-1);
  if (request === undefined) throw new Error("the simulated provider received no request");
  return request.body;
}
