import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./cli-args.js";

describe("parseCommandLine", () => {
  it("reads every flag", () => {
    expect(
      parseCommandLine(["--host", "0.0.0.0", "--port", "0", "--token", "t".repeat(16), "--max-traces", "50"], {}),
    ).toEqual({
      options: { host: "0.0.0.0", port: 0, token: "t".repeat(16), maxTraces: 50 },
    });
    expect(parseCommandLine([], {})).toEqual({ options: {} });
    expect(
      parseCommandLine(
        [
          "--scrape",
          "http://127.0.0.1:9464/metrics",
          "--scrape",
          "http://127.0.0.1:9465/metrics",
          "--scrape-interval-ms",
          "1000",
          "--db",
          "traces.sqlite",
        ],
        {},
      ),
    ).toEqual({
      options: {
        scrape: ["http://127.0.0.1:9464/metrics", "http://127.0.0.1:9465/metrics"],
        scrapeIntervalMs: 1000,
        dbFile: "traces.sqlite",
      },
    });
    expect(parseCommandLine(["--scrape-interval-ms", "5s"], {})).toEqual({
      error: "--scrape-interval-ms must be a non-negative integer",
    });
  });

  it("takes the token from TTA_OBSERVATORY_TOKEN unless --token is given", () => {
    expect(parseCommandLine([], { TTA_OBSERVATORY_TOKEN: "from-the-environment" })).toEqual({
      options: { token: "from-the-environment" },
    });
    expect(parseCommandLine(["--token", "from-the-flag-1234"], { TTA_OBSERVATORY_TOKEN: "env" })).toEqual({
      options: { token: "from-the-flag-1234" },
    });
    expect(parseCommandLine([], { TTA_OBSERVATORY_TOKEN: "" })).toEqual({ options: {} });
  });

  it("asks for help, and reports unknown flags and bad numbers", () => {
    expect(parseCommandLine(["-h"], {})).toEqual({ help: true });
    expect(parseCommandLine(["--colour"], {})).toMatchObject({ error: expect.stringContaining("--colour") });
    expect(parseCommandLine(["--port", "http"], {})).toEqual({ error: "--port must be a non-negative integer" });
    expect(parseCommandLine(["--max-traces", "-1"], {})).toMatchObject({ error: expect.any(String) });
    expect(parseCommandLine(["stray"], {})).toMatchObject({ error: expect.any(String) });
  });
});
