import { describe, expect, it } from "vitest";
import { ObservatoryError } from "./errors.js";
import { DEFAULT_OBSERVATORY_OPTIONS, bindWarning, isLoopbackHost, resolveObservatoryOptions } from "./options.js";

describe("isLoopbackHost", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "app.localhost", "::1", "[::1]", "::ffff:127.0.0.1"])(
    "%s is loopback",
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );
  it.each([
    "0.0.0.0",
    "::",
    "192.168.0.10",
    "10.0.0.1",
    "example.com",
    "127.0.0.1.example.com",
    "localhost.example.com",
    "",
  ])("%s is not loopback", (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe("resolveObservatoryOptions", () => {
  it("applies the documented defaults", () => {
    const resolved = resolveObservatoryOptions();
    expect(resolved).toMatchObject({
      host: "127.0.0.1",
      port: 4318,
      token: undefined,
      maxTraces: 1000,
      maxSpansPerTrace: 2000,
      maxSpans: 200_000,
      maxBodyBytes: 4 * 1024 * 1024,
    });
    expect(DEFAULT_OBSERVATORY_OPTIONS.maxBodyBytes).toBe(4_194_304);
  });

  it("requires a token beyond loopback and accepts one", () => {
    expect(() => resolveObservatoryOptions({ host: "0.0.0.0" })).toThrow(ObservatoryError);
    expect(() => resolveObservatoryOptions({ host: "0.0.0.0" })).toThrow(
      /not a loopback address; binding it needs an access token/,
    );
    expect(resolveObservatoryOptions({ host: "0.0.0.0", token: "x".repeat(16) }).token).toBe("x".repeat(16));
  });

  it.each([
    [{ port: -1 }, "port must be an integer from 0 to 65535"],
    [{ port: 1.5 }, "port"],
    [{ host: "" }, "host must be a non-empty string"],
    [{ token: "x".repeat(15) }, "token must be a string of at least 16 characters"],
    [{ maxTraces: 0 }, "maxTraces"],
    [{ maxSpansPerTrace: 10, maxSpans: 5 }, "maxSpans must be an integer from 10"],
    [{ maxBodyBytes: 10 }, "maxBodyBytes"],
    [{ onWarning: "loud" }, "onWarning must be a function"],
    [{ nope: 1 }, "nope must be a known option"],
  ])("rejects %j", (options, message) => {
    expect(() => resolveObservatoryOptions(options as never)).toThrow(message);
  });
});

describe("bindWarning", () => {
  it("warns beyond loopback only", () => {
    expect(bindWarning("127.0.0.1", "http://127.0.0.1:4318")).toBeUndefined();
    expect(bindWarning("0.0.0.0", "http://0.0.0.0:4318")).toMatch(
      /^tta-observatory listens on http:\/\/0\.0\.0\.0:4318, reachable from other machines/,
    );
  });
});
