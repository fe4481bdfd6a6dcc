/**
 * A real HTTP stream (`openAICompatible` against the simulated provider) through the primitives that
 * settle at its first chunk: the caller's abort still closes the socket, a `break` closes it, and
 * `retry` fails over before the first chunk only.
 */
import { describe, expect, it } from "vitest";
import { createContext, parallel } from "../../core/index.js";
import type { WorkflowPrimitive } from "../../core/index.js";
import { retry } from "../../recovery/retry.js";
import { timeout } from "../../recovery/timeout.js";
import { hi, simulated } from "../../test-support/provider-fixtures.js";
import type { ModelChunk, ModelRequest } from "../language-model.js";
import type { ModelStream } from "../model-stream.js";
import { streamModel } from "../stream-model.js";
import { openAICompatible } from "./openai-compatible.js";

const LONG = "word ".repeat(400);

type StreamFlow = WorkflowPrimitive<ModelRequest, ModelStream>;
const flows: Record<string, (lm: ReturnType<typeof openAICompatible>) => StreamFlow> = {
  bare: (lm) => streamModel(lm),
  timeout: (lm) => timeout(streamModel(lm), { timeoutMs: 30_000 }),
  parallel: (lm) => parallel([streamModel(lm)]).pipe(([stream]) => stream),
};

describe.each(Object.entries(flows))("a real stream through %s", (_, build) => {
  it("the caller's abort after the first chunk closes the HTTP request (the server sees the socket close)", async () => {
    const server = await simulated({ reply: () => LONG, chunkSize: 4, chunkDelayMs: 5 });
    const controller = new AbortController();
    const stream = await build(openAICompatible({ baseURL: server.baseURL, model: "sim-small" })).execute(
      hi,
      createContext({ signal: controller.signal }),
    );
    const reason = new Error("user pressed stop");
    const seen: ModelChunk[] = [];
    const consumed = (async () => {
      for await (const chunk of stream) {
        seen.push(chunk);
        if (seen.length === 3) controller.abort(reason);
      }
    })();
    await expect(consumed).rejects.toBe(reason);
    await server.waitForClientClose();
    expect(server.stats().clientClosed).toBe(1);
  });

  it("a break closes the HTTP request", async () => {
    const server = await simulated({ reply: () => LONG, chunkSize: 4, chunkDelayMs: 5 });
    const stream = await build(openAICompatible({ baseURL: server.baseURL, model: "sim-small" })).execute(hi);
    for await (const chunk of stream) if (chunk.type === "text") break;
    await server.waitForClientClose();
    expect(server.stats().clientClosed).toBe(1);
  });
});

describe("retry around a real stream", () => {
  it("retries a failure before the first chunk, and never one after it", async () => {
    const server = await simulated({ script: [{ kind: "500" }, { kind: "ok" }, { kind: "stream-cut" }], chunkSize: 4 });
    const llm = retry(streamModel(openAICompatible({ baseURL: server.baseURL, model: "sim-small" })), {
      initialDelayMs: 0,
    });
    const first = await (await llm.execute(hi)).collect();
    expect(first.finishReason).toBe("stop");
    expect(server.stats().byStatus).toMatchObject({ "500": 1, "200": 1 });

    const cut = await llm.execute(hi);
    await expect(cut.collect()).rejects.toMatchObject({ code: "STREAM_INTERRUPTED" });
    expect(server.stats().requests).toBe(3);
  });
});
