import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { model } from "@tta/primitives/orchestration";
import { fromAiSdk } from "@tta/primitives/orchestration";
import { startSimulatedProvider } from "@tta/primitives/testing";

// Any Vercel AI SDK provider model (@ai-sdk/openai, @ai-sdk/anthropic, …) becomes a LanguageModel.
await using server = await startSimulatedProvider({ reply: () => "Hello from the AI SDK." });
const aiSdkModel = createOpenAICompatible({ name: "sim", baseURL: server.baseURL }).chatModel("sim-small");
const llm = model(fromAiSdk(aiSdkModel));

const answer = await llm.execute({ messages: [{ role: "user", content: "Say hello" }] });
console.log(llm.languageModel.provider, llm.languageModel.modelId, answer.text); // → sim sim-small Hello from the AI SDK.
