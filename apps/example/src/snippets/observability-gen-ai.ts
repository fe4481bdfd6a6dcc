import { setupObservability, withModelCallSpan } from "@tta/observability";
import { defaultCatalog, lambda } from "@tta/primitives";

const obs = setupObservability({
  serviceName: "gen-ai-demo",
  tracing: { exporter: "memory" },
  // The prices of uncosted calls; defaultCatalog is the default (gpt-4o-mini: $0.15 / $0.60 per million tokens).
  metrics: { catalog: defaultCatalog },
  logging: false,
});

// Stand-in for a provider SDK call.
const fakeClient = (prompt: string) =>
  Promise.resolve({ text: `echo: ${prompt}`, model: "gpt-4o-mini-2024-07-18", usage: { input: 1200, output: 300 } });

const ask = lambda(
  (prompt: string) =>
    withModelCallSpan({ model: "gpt-4o-mini", provider: "openai" }, async (call) => {
      const response = await fakeClient(prompt);
      call.setResponseModel(response.model);
      call.setUsage({ inputTokens: response.usage.input, outputTokens: response.usage.output });
      return response.text; // prompts and completions are never recorded
    }),
  "ask",
);
console.log(await ask.execute("hi")); // → echo: hi

const chat = obs.memoryExporter?.getFinishedSpans().find((span) => span.name.startsWith("chat"));
const { "gen_ai.usage.input_tokens": input, "gen_ai.usage.output_tokens": output } = chat?.attributes ?? {};
console.log(chat?.name, input, output, chat?.attributes["tta.llm.cost_usd"]);
// → chat gpt-4o-mini 1200 300 0.00036
const exposition = await obs.registry.metrics();
console.log(
  exposition
    .split("\n")
    .filter((line) => /^(gen_ai_client_token_usage_sum|tta_llm_cost_usd_total)\{/.test(line))
    .join("\n"),
);
// → gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_token_type="input"} 1200
// → gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_token_type="output"} 300
// → tta_llm_cost_usd_total{model="gpt-4o-mini"} 0.00036

await obs.shutdown();
