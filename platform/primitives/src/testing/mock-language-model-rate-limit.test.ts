/**
 * `MockLanguageModel` replies can carry `rateLimit` (so router tests can script a provider that says it
 * is out of requests), and the `model()` / `streamModel()` primitives hand it on unchanged.
 */
import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../core/errors.js";
import type { ModelChunk, ModelRequest, RateLimitInfo } from "../orchestration/language-model.js";
import { model } from "../orchestration/model.js";
import { streamModel } from "../orchestration/stream-model.js";
import { invalidOption } from "../test-support/index.js";
import type { MockReply } from "./index.js";
import { MockLanguageModel, createTestContext } from "./index.js";

const opts = { signal: new AbortController().signal };
const request: ModelRequest = { messages: [{ role: "user", content: "12345678" }] };
const empty: RateLimitInfo = { remainingRequests: 0, resetRequestsMs: 30_000 };

async function streamAll(lm: MockLanguageModel): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const chunk of (lm.stream as NonNullable<MockLanguageModel["stream"]>)(request, opts)) out.push(chunk);
  return out;
}

describe("MockLanguageModel: rateLimit", () => {
  it("a reply's rateLimit is on the response; other replies have none", async () => {
    const lm = new MockLanguageModel({ responses: [{ text: "a", rateLimit: empty }, "b"] });
    const first = await lm.generate(request, opts);
    expect(first).toMatchObject({ text: "a", rateLimit: empty });
    const second = await lm.generate(request, opts);
    expect(second).not.toHaveProperty("rateLimit");
  });

  it("reply() can return a rateLimit per call (a bucket draining to 0)", async () => {
    const lm = new MockLanguageModel({
      reply: (_req, call) => ({ text: "x", rateLimit: { remainingTokens: 2 - call } }),
    });
    const left: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) left.push((await lm.generate(request, opts)).rateLimit?.remainingTokens);
    expect(left).toEqual([2, 1, 0]);
  });

  it("a stream's finish chunk carries the reply's rateLimit; text chunks do not", async () => {
    const lm = new MockLanguageModel({ responses: [{ text: "hello world", rateLimit: empty }], chunkSize: 4 });
    const chunks = await streamAll(lm);
    expect(chunks.at(-1)).toMatchObject({ type: "finish", rateLimit: empty });
    expect(chunks.filter((c) => "rateLimit" in c)).toHaveLength(1);
    const plain = await streamAll(new MockLanguageModel({ responses: ["hi"] }));
    expect(plain.at(-1)).not.toHaveProperty("rateLimit");
  });

  it.each<[string, unknown]>([
    ["responses[0].rateLimit", "0"],
    ["responses[0].rateLimit", null],
    ["responses[0].rateLimit.remainingRequests", { remainingRequests: -1 }],
    ["responses[0].rateLimit.remainingTokens", { remainingTokens: Number.NaN }],
    ["responses[0].rateLimit.resetTokensMs", { resetTokensMs: "1s" }],
    ["responses[0].rateLimit.resetRequestMs", { resetRequestMs: 5 }],
  ])("rejects an invalid rateLimit at construction, naming %s", (option, rateLimit) => {
    const error = invalidOption(() => new MockLanguageModel({ responses: [{ rateLimit } as MockReply] }));
    expect(error.option).toBe(option);
  });

  it("rejects an invalid rateLimit from reply() with an error naming reply", async () => {
    const lm = new MockLanguageModel({ reply: () => ({ rateLimit: { remainingRequests: -1 } }) });
    const error = await lm.generate(request, opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe("reply");
  });
});

describe("the model primitives hand rateLimit on", () => {
  it("model(): kept as is, also when the response is rebuilt to normalise its usage", async () => {
    const lm = new MockLanguageModel({
      responses: [
        { text: "a", rateLimit: empty },
        { text: "b", usage: { inputTokens: 10, outputTokens: 1, cachedInputTokens: 4 }, rateLimit: empty },
        { text: "c", usage: { inputTokens: 10, outputTokens: 1, cachedInputTokens: 4 } },
      ],
    });
    const llm = model(lm);
    const ctx = createTestContext();
    expect((await llm.execute(request, ctx)).rateLimit).toEqual(empty);
    const rebuilt = await llm.execute(request, ctx);
    expect(rebuilt).toMatchObject({ text: "b", usage: { cachedInputTokens: 4 }, rateLimit: empty });
    expect(await llm.execute(request, ctx)).not.toHaveProperty("rateLimit");
  });

  it("streamModel(): the finish chunk keeps its rateLimit", async () => {
    const lm = new MockLanguageModel({ responses: [{ text: "hello", rateLimit: empty }] });
    const stream = await streamModel(lm).execute(request, createTestContext());
    const chunks: ModelChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)).toMatchObject({ type: "finish", rateLimit: empty });
  });
});
