import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { clackReporter, plainReporter } from "./prompts.js";

describe("plainReporter", () => {
  it("writes one plain line per step, before and after a long one", async () => {
    let out = "";
    const reporter = plainReporter((text) => (out += text));
    reporter.start("title");
    reporter.step("one");
    expect(
      await reporter.spin(
        "copying",
        (n: number) => `copied ${n}`,
        () => Promise.resolve(3),
      ),
    ).toBe(3);
    reporter.end("bye");
    expect(out).toBe("title\n- one\n- copying…\n- copied 3\nbye\n");
  });
});

describe("clackReporter", () => {
  it("draws the steps on its output stream", async () => {
    const output = new PassThrough();
    let out = "";
    output.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    const reporter = clackReporter(output);
    reporter.start("create-agent test");
    reporter.step("a step");
    expect(
      await reporter.spin(
        "copying",
        () => "copied",
        () => Promise.resolve("value"),
      ),
    ).toBe("value");
    await expect(
      reporter.spin(
        "failing",
        () => "never",
        () => Promise.reject(new Error("x")),
      ),
    ).rejects.toThrow("x");
    reporter.end("the end");
    for (const text of ["create-agent test", "a step", "copied", "failing", "the end"]) expect(out).toContain(text);
  });
});
