import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../../core/errors.js";
import { apiError, simulated as start } from "../../test-support/provider-fixtures.js";
import { faultSamples } from "./faults.js";
import type { SimulatedProvider } from "./types.js";

interface Completion {
  readonly choices: readonly { readonly message: { readonly content: string | null } }[];
}

const messages = [{ role: "user", content: "Tell me a long story about a simulated provider." }];

function post(provider: SimulatedProvider, body: Record<string, unknown> = {}, init: RequestInit = {}) {
  return fetch(`${provider.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-test-key-0123456789" },
    body: JSON.stringify({ model: "sim-small", messages, ...body }),
    ...init,
  });
}

/** Status of each of `n` sequential requests (bodies read, read errors ignored). */
async function statuses(provider: SimulatedProvider, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await post(provider);
    await res.arrayBuffer().catch(() => undefined);
    out.push(res.status);
  }
  return out;
}

describe("scripted faults", () => {
  it("apply in order across models, then random faults (none by default)", async () => {
    const provider = await start({
      script: [{ kind: "500" }, { kind: "ok" }, { kind: "429" }, { kind: "status", status: 503 }],
    });
    const models = ["sim-small", "sim-large", "sim-small", "sim-large", "sim-small"];
    const got: number[] = [];
    for (const model of models) {
      const res = await post(provider, { model });
      await res.arrayBuffer();
      got.push(res.status);
    }
    expect(got).toEqual([500, 200, 429, 503, 200]);
    expect(provider.stats().byStatus).toEqual({ "200": 2, "429": 1, "500": 1, "503": 1 });
  });

  it("429 sends retry-after (default 1) and x-ratelimit-reset-tokens when given, with an OpenAI error body", async () => {
    const provider = await start({ script: [{ kind: "429", retryAfterS: 7, resetTokens: "6m0s" }, { kind: "429" }] });
    const first = await post(provider);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("7");
    expect(first.headers.get("x-ratelimit-reset-tokens")).toBe("6m0s");
    expect((await apiError(first)).error).toMatchObject({ code: "rate_limit_exceeded", type: "tokens" });
    const second = await post(provider);
    expect(second.headers.get("retry-after")).toBe("1");
    expect(second.headers.get("x-ratelimit-reset-tokens")).toBeNull();
    expect((await apiError(second)).error.type).toBe("requests");
  });

  it("500 sends an OpenAI server_error body", async () => {
    const provider = await start({ script: [{ kind: "500" }] });
    const res = await post(provider);
    expect(res.status).toBe(500);
    expect((await apiError(res)).error.type).toBe("server_error");
  });

  it("status sends the given status, body (a function sees the raw headers), headers and content type", async () => {
    const provider = await start({
      script: [
        {
          kind: "status",
          status: 400,
          body: ({ headers }) => `bad key: ${headers.authorization ?? "none"}`,
          headers: { "x-custom": "yes", "content-length": "1" },
          contentType: "text/plain",
        },
        { kind: "status", status: 502 },
      ],
    });
    const res = await post(provider);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("x-custom")).toBe("yes");
    expect(await res.text()).toBe("bad key: Bearer sk-test-key-0123456789");
    const other = await post(provider);
    expect(other.status).toBe(502);
    expect((await apiError(other)).error.message).toContain("502");
  });
});

describe("errorLatency", () => {
  it("error faults answer after errorLatency while an answer still waits out latency", async () => {
    const provider = await start({
      latency: { distribution: "fixed", ms: 60_000 },
      errorLatency: { distribution: "fixed", ms: 0 },
      script: [{ kind: "ok" }, { kind: "429" }, { kind: "500" }, { kind: "status", status: 503 }],
    });
    const controller = new AbortController();
    let answered = false;
    const slow = post(provider, {}, { signal: controller.signal }).then(
      () => (answered = true),
      () => undefined,
    );
    await expect.poll(() => provider.requests.length, { interval: 5 }).toBe(1);
    expect(await statuses(provider, 3)).toEqual([429, 500, 503]);
    expect(answered).toBe(false);
    expect(provider.stats()).toMatchObject({ inFlight: 1, byStatus: { "429": 1, "500": 1, "503": 1 } });
    controller.abort();
    await slow;
    await provider.waitForClientClose(1);
    expect(answered).toBe(false);
  });
});

describe("random faults", () => {
  const errors = { rate429: 0.2, rate500: 0.2, rateMalformed: 0.1 };
  const statusOf: Record<string, number> = { ok: 200, "429": 429, "500": 500, malformed: 200 };

  it("repeat for the same seed and request order, and follow the seeded draws", async () => {
    const providers = await Promise.all([42, 42, 43].map((seed) => start({ seed, errors })));
    const [a, b, c] = await Promise.all(providers.map((provider) => statuses(provider, 50)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toEqual(faultSamples(errors, 42, 50).map((fault) => statusOf[fault.kind]));
    expect(new Set(a)).toEqual(new Set([200, 429, 500]));
  });

  it("count malformed answers", async () => {
    const provider = await start({ seed: 42, errors });
    await statuses(provider, 50);
    const expected = faultSamples(errors, 42, 50).filter((fault) => fault.kind === "malformed").length;
    expect(provider.stats().malformed).toBe(expected);
  });
});

describe("outages", () => {
  it("answer every request with 503 and retry-after = seconds until the end", async () => {
    const provider = await start({ outages: [{ startMs: 0, endMs: 60_000 }] });
    for (const res of [await post(provider), await post(provider, { stream: true })]) {
      expect(res.status).toBe(503);
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await apiError(res)).error.type).toBe("server_error");
    }
    expect((await fetch(`${provider.baseURL}/models`)).status).toBe(503);
  });

  it("use their own status, do not consume the script, and can be set and cleared at runtime", async () => {
    const provider = await start({ script: [{ kind: "500" }], outages: [{ startMs: 3_600_000, endMs: 3_600_001 }] });
    provider.configure({ outages: [{ startMs: 0, endMs: 60_000, status: 502 }] });
    expect(await statuses(provider, 2)).toEqual([502, 502]);
    provider.configure({ outages: [] });
    expect(await statuses(provider, 2)).toEqual([500, 200]);
  });
});

describe("hangs and aborts", () => {
  it("a hang held until the client aborts counts as hung and clientClosed; waitForClientClose resolves", async () => {
    const provider = await start({ script: [{ kind: "hang" }] });
    const controller = new AbortController();
    const failed = expect(post(provider, {}, { signal: controller.signal })).rejects.toThrow();
    await expect.poll(() => provider.stats().hung, { interval: 5 }).toBe(1);
    expect(provider.stats().inFlight).toBe(1);
    controller.abort();
    await failed;
    await provider.waitForClientClose();
    expect(provider.stats()).toMatchObject({ hung: 1, clientClosed: 1, byStatus: {} });
    await expect.poll(() => provider.stats().inFlight, { interval: 5 }).toBe(0);
    expect(await statuses(provider, 1)).toEqual([200]);
  });

  it("a client aborting mid-stream counts as clientClosed, and no usage is counted", async () => {
    const provider = await start({ chunkSize: 1, chunkDelayMs: 20 });
    const controller = new AbortController();
    const res = await post(provider, { stream: true }, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    await provider.waitForClientClose(1);
    expect(provider.stats()).toMatchObject({ clientClosed: 1, outputTokens: 0, byStatus: { "200": 1 } });
  });
});

describe("broken answers", () => {
  it("stream-cut: a stream sends some chunks then the socket dies, and so does a JSON body", async () => {
    const provider = await start({ script: [{ kind: "stream-cut" }, { kind: "stream-cut" }], chunkSize: 4 });
    const stream = await post(provider, { stream: true });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let received = "";
    const readAll = async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += new TextDecoder().decode(value);
      }
    };
    await expect(readAll()).rejects.toThrow();
    expect(received).toContain('"role":"assistant"');
    expect(received).not.toContain("[DONE]");
    const json = await post(provider);
    expect(json.status).toBe(200);
    await expect(json.text()).rejects.toThrow();
    expect(provider.stats()).toMatchObject({ cut: 2, clientClosed: 0, outputTokens: 0 });
  });

  it("malformed: a JSON body that does not parse, and a stream with a data line that does not parse", async () => {
    const provider = await start({ script: [{ kind: "malformed" }, { kind: "malformed" }] });
    const res = await post(provider);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    const text = await (await post(provider, { stream: true })).text();
    const data = text.split("\n\n").filter((line) => line.startsWith("data: ") && line !== "data: [DONE]");
    expect(() => data.map((line) => JSON.parse(line.slice(6)) as unknown)).toThrow(SyntaxError);
    expect(provider.stats()).toMatchObject({ malformed: 2, outputTokens: 0 });
  });
});

describe("configure", () => {
  it("changes faults, latency and replies at runtime; script restarts", async () => {
    const provider = await start({ script: [{ kind: "500" }] });
    expect(await statuses(provider, 2)).toEqual([500, 200]);
    provider.configure({ errors: { rate429: 1 }, latency: { distribution: "uniform", minMs: 0, maxMs: 2 } });
    expect(await statuses(provider, 2)).toEqual([429, 429]);
    provider.configure({ script: [{ kind: "ok" }], errors: {}, reply: () => "changed" });
    const body = (await (await post(provider)).json()) as Completion;
    expect(body.choices[0]?.message.content).toBe("changed");
    expect(await statuses(provider, 1)).toEqual([200]);
  });

  it("rejects an invalid update and changes nothing", () => {
    return start({ errors: { rate500: 1 } }).then(async (provider) => {
      expect(() => provider.configure({ errors: { rate500: 0 }, script: [{ kind: "nope" }] } as never)).toThrow(
        InvalidOptionsError,
      );
      expect(() => provider.configure({ host: "127.0.0.1" } as never)).toThrow(InvalidOptionsError);
      expect(await statuses(provider, 1)).toEqual([500]);
    });
  });
});
