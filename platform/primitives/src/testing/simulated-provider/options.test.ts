import { validateHeaderValue } from "node:http";
import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../../core/errors.js";
import { invalidOption } from "../../test-support/index.js";
import { isLoopbackHost, resolveOptions, resolveUpdate } from "./options.js";

describe("options", () => {
  it("fill in the defaults", () => {
    const options = resolveOptions(undefined);
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 0,
      seed: 1,
      latency: { distribution: "fixed", ms: 0 },
      errorLatency: undefined,
      chunkDelayMs: 0,
      chunkSize: 8,
      script: [],
      outages: [],
      maxBodyBytes: 1_048_576,
      apiKey: undefined,
      reply: undefined,
    });
    expect(options.models).toEqual([
      { id: "sim-small", contextWindow: 128_000 },
      { id: "sim-large", contextWindow: 128_000 },
    ]);
    expect(options.outages).toEqual([]);
  });

  it("accept loopback hosts only", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "127.0.0.256", "localhost.example.com", "::ffff:127.0.0.1"])
      expect(isLoopbackHost(host)).toBe(false);
  });

  it.each([
    [{ bogus: 1 }, "bogus"],
    [{ host: "0.0.0.0" }, "host"],
    [{ port: 70_000 }, "port"],
    [{ port: -1 }, "port"],
    [{ seed: 1.5 }, "seed"],
    [{ chunkSize: 0 }, "chunkSize"],
    [{ chunkDelayMs: -1 }, "chunkDelayMs"],
    [{ maxBodyBytes: 0 }, "maxBodyBytes"],
    [{ apiKey: "" }, "apiKey"],
    [{ reply: "hello" }, "reply"],
    [{ models: [] }, "models"],
    [{ models: ["a", "a"] }, "models[1].id"],
    [{ models: [{ id: "a", inputPerMillion: 1 }] }, "models[0].inputPerMillion"],
    [{ catalog: { get: () => undefined } }, "catalog"],
    [{ models: [{ id: "a", price: 1 }] }, "models[0].price"],
    [{ latency: { distribution: "gamma" } }, "latency.distribution"],
    [{ latency: { distribution: "fixed" } }, "latency.ms"],
    [{ latency: { distribution: "fixed", ms: 1, extra: 1 } }, "latency.extra"],
    [{ latency: { distribution: "uniform", minMs: 5, maxMs: 1 } }, "latency.maxMs"],
    [{ latency: { distribution: "lognormal", medianMs: 100, p99Ms: 50 } }, "latency.p99Ms"],
    [{ latency: { distribution: "lognormal", medianMs: 0, p99Ms: 50 } }, "latency.medianMs"],
    [{ errorLatency: "fast" }, "errorLatency"],
    [{ errorLatency: { distribution: "fixed" } }, "errorLatency.ms"],
    [{ errorLatency: { distribution: "uniform", minMs: 5, maxMs: 1 } }, "errorLatency.maxMs"],
    [{ errorLatency: { distribution: "lognormal", medianMs: 20, p99Ms: 10 } }, "errorLatency.p99Ms"],
    [{ errorLatency: { distribution: "fixed", ms: -1 } }, "errorLatency.ms"],
    [{ errors: { rate429: 1.5 } }, "errors.rate429"],
    [{ errors: { rateHang: -0.1 } }, "errors.rateHang"],
    [{ errors: { rate404: 0.1 } }, "errors.rate404"],
    [{ errors: { rate429: 0.6, rate500: 0.6 } }, "errors"],
    [
      {
        outages: [
          { startMs: 0, endMs: 10 },
          { startMs: 5, endMs: 1 },
        ],
      },
      "outages[1].endMs",
    ],
    [{ outages: [{ endMs: 10 }] }, "outages[0].startMs"],
    [{ outages: [{ startMs: 0, endMs: 10, status: 200 }] }, "outages[0].status"],
    [{ script: "ok" }, "script"],
    [{ script: [{ kind: "teapot" }] }, "script[0].kind"],
    [{ script: [{ kind: "ok" }, { kind: "500", status: 500 }] }, "script[1].status"],
    [{ script: [{ kind: "status" }] }, "script[0].status"],
    [{ script: [{ kind: "status", status: 700 }] }, "script[0].status"],
    [{ script: [{ kind: "429", retryAfterS: -1 }] }, "script[0].retryAfterS"],
    [{ script: [{ kind: "429", resetTokens: "1s\r\nx: y" }] }, "script[0].resetTokens"],
    [{ script: [{ kind: "status", status: 500, headers: { "x-a": "1\n" } }] }, "script[0].headers.x-a"],
    [{ script: [{ kind: "status", status: 500, body: 5 }] }, "script[0].body"],
  ])("reject %o naming %s", (options, option) => {
    expect(() => resolveOptions(options)).toThrow(InvalidOptionsError);
    try {
      resolveOptions(options);
    } catch (error) {
      expect((error as InvalidOptionsError).option).toBe(option);
    }
  });

  const status = (extra: Record<string, unknown>): Record<string, unknown> => ({
    kind: "status",
    status: 500,
    ...extra,
  });
  it.each<[string, Record<string, unknown>, string]>([
    ["a curly quote in a header", status({ headers: { "x-a": "it\u2019s" } }), "script[0].headers.x-a"],
    ["an emoji in a header", status({ headers: { "x-a": "ok \u{1F600}" } }), "script[0].headers.x-a"],
    ["a NUL in a header", status({ headers: { "x-a": "a\0b" } }), "script[0].headers.x-a"],
    ["a control character in a header", status({ headers: { "x-a": "a\u0001" } }), "script[0].headers.x-a"],
    ["DEL in a header", status({ headers: { "x-a": "a\u007f" } }), "script[0].headers.x-a"],
    ["a CR in contentType", status({ contentType: "text/plain\r" }), "script[0].contentType"],
    ["non-Latin-1 contentType", status({ contentType: "text/plain; charset=\u0444" }), "script[0].contentType"],
    ["non-Latin-1 resetTokens", { kind: "429", resetTokens: "1\u2009s" }, "script[0].resetTokens"],
  ])("reject %s at start and in configure", (_name, fault, option) => {
    for (const attempt of [
      () => resolveOptions({ script: [fault] }),
      () => resolveUpdate({ script: [fault] }, resolveOptions(undefined)),
    ]) {
      const error = invalidOption(attempt);
      expect(error.option).toBe(option);
    }
  });

  it("accept header values Node sends: visible ASCII, spaces, tabs and Latin-1", () => {
    const values = ["plain", "caf\u00e9 \u00ff", "a\tb", " !~", ""];
    const options = resolveOptions({
      script: values.map((v) => status({ headers: { "x-a": v }, contentType: `text/plain ${v}` })),
    });
    expect(options.script).toHaveLength(values.length);
    for (const v of values) expect(() => validateHeaderValue("x-a", v)).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ["a line break", "sk-live-1234567890\n", "a line break (CR or LF) at index 18"],
    ["a non-Latin-1 character", "sk-\u2019live-1234567890", "a character outside Latin-1 at index 3"],
    ["a NUL", "k\0", "a NUL character at index 1"],
  ])("never echo an apiKey with %s", (_name, apiKey, problem) => {
    const error = invalidOption(() => resolveOptions({ apiKey }));
    expect(error.option).toBe("apiKey");
    expect(error.message).toContain(`got a string of ${(apiKey as string).length} characters with ${problem}`);
    expect(error.message).not.toContain((apiKey as string).slice(0, 2));
  });

  it("never echo a non-string apiKey", () => {
    for (const apiKey of [12345678, ["sk-live-1234567890"], { key: "sk-live-1234567890" }]) {
      const error = invalidOption(() => resolveOptions({ apiKey }));
      expect(error.option).toBe("apiKey");
      expect(error.message).not.toMatch(/sk-live|12345678/);
    }
  });

  it("updates replace present keys only, undefined restores the default", () => {
    const current = resolveOptions({ chunkDelayMs: 5, errors: { rate500: 0.5 } });
    const next = resolveUpdate({ errors: undefined }, current);
    expect(next.errors.rate500).toBe(0);
    expect(next.chunkDelayMs).toBe(5);
    expect(() => resolveUpdate({ seed: 2 }, current)).toThrow(InvalidOptionsError);
    expect(() => resolveUpdate("x", current)).toThrow(InvalidOptionsError);
  });
});
