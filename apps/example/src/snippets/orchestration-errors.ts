import { ProviderError, createContext, isTtaError } from "@tta/primitives";
import { model, openAICompatible } from "@tta/primitives/orchestration";
import { retry } from "@tta/primitives/recovery";
import { MockLanguageModel, TestClock, startSimulatedProvider } from "@tta/primitives/testing";

// Provider failures are ProviderErrors that `retry` already understands: status, retryable, retryAfterMs.
await using server = await startSimulatedProvider({
  script: [
    { kind: "429", retryAfterS: 1 },
    // A server that echoes the request's Authorization header in its error body.
    { kind: "status", status: 401, body: (request) => `bad key: ${request.headers["authorization"] ?? ""}` },
  ],
});
const llm = model(openAICompatible({ baseURL: server.baseURL, model: "sim-small", apiKey: "sk-live-1234567890" }));
const ask = { messages: [{ role: "user" as const, content: "Hi" }] };
const throttledByServer = (await llm.execute(ask).catch((e: unknown) => e)) as ProviderError;
console.log(isTtaError(throttledByServer, "PROVIDER_ERROR"), throttledByServer.status, throttledByServer.retryable); // → true 429 true
console.log(throttledByServer.retryAfterMs, throttledByServer.message); // → 1000 openai sim-small: HTTP 429 Too Many Requests: Rate limit reached for sim-small on requests (simulated)
const rejected = (await llm.execute(ask).catch((e: unknown) => e)) as ProviderError;
console.log(rejected.status, rejected.retryable, rejected.body); // → 401 false bad key: Bearer [REDACTED]

// So `retry(model(...))` waits exactly the Retry-After and never retries a 400/401. On a fake clock:
const clock = new TestClock();
const throttled = new ProviderError("busy", { provider: "mock", model: "mock-model", status: 429, retryAfterMs: 1000 });
const flaky = new MockLanguageModel({ responses: [throttled, "Hello!"] });
const answer = retry(model(flaky)).execute(ask, createContext({ clock }));
await clock.advance(999);
console.log(flaky.callCount); // → 1
await clock.advance(1);
console.log((await answer).text, flaky.callCount, clock.now()); // → Hello! 2 1000
