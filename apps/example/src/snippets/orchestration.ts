import { model, openAICompatible, streamModel } from "@tta/primitives/orchestration";
import { startSimulatedProvider } from "@tta/primitives/testing";

// A real OpenAI-compatible HTTP server on 127.0.0.1, so this page runs anywhere without a key.
// For OpenAI itself: baseURL "https://api.openai.com/v1" and your key; Ollama: "http://localhost:11434/v1".
await using server = await startSimulatedProvider({ reply: () => "Your refund was issued on Monday." });
const provider = openAICompatible({ baseURL: server.baseURL, model: "sim-small", apiKey: "sk-demo-0000" });

const llm = model(provider);
const answer = await llm.execute({ messages: [{ role: "user", content: "Where is my refund?" }] });
console.log(answer.text, answer.finishReason); // → Your refund was issued on Monday. stop
console.log(answer.usage.inputTokens, answer.usage.outputTokens, answer.model); // → 5 9 sim-small

// Streaming: `execute` resolves once the first chunk is there; the loop gets text deltas, then `finish`.
const stream = await streamModel(provider).execute({ messages: [{ role: "user", content: "Where is my refund?" }] });
let text = "";
let deltas = 0;
for await (const chunk of stream) {
  if (chunk.type === "text") {
    text += chunk.text;
    deltas++;
  }
  if (chunk.type === "finish") console.log(chunk.finishReason, chunk.usage.outputTokens); // → stop 9
}
console.log(deltas > 1, text); // → true Your refund was issued on Monday.
