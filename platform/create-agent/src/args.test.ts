import { describe, expect, it } from "vitest";
import { USAGE, parseCliArgs } from "./args.js";
import { CreateAgentError } from "./errors.js";

describe("parseCliArgs", () => {
  it("leaves out what is not given", () => {
    expect(parseCliArgs([])).toEqual({
      directory: undefined,
      template: undefined,
      packageManager: undefined,
      install: undefined,
      help: false,
      version: false,
    });
  });

  it("reads the directory and every option", () => {
    expect(
      parseCliArgs(["my-agent", "--template", "basic-agent", "--package-manager", "pnpm", "--no-install"]),
    ).toEqual({
      directory: "my-agent",
      template: "basic-agent",
      packageManager: "pnpm",
      install: false,
      help: false,
      version: false,
    });
    expect(parseCliArgs(["-t", "basic-agent", "--install", "x"])).toMatchObject({
      directory: "x",
      template: "basic-agent",
      install: true,
    });
    expect(parseCliArgs(["--template=basic-agent", "--package-manager=yarn"])).toMatchObject({
      template: "basic-agent",
      packageManager: "yarn",
    });
    expect(parseCliArgs(["-h"]).help).toBe(true);
    expect(parseCliArgs(["--version"]).version).toBe(true);
    expect(parseCliArgs(["-v"]).version).toBe(true);
  });

  it.each([
    [["--bogus"], "Unknown option '--bogus'"],
    [["--template"], "argument missing"],
    [["a", "b"], 'expected one project directory, got 2: "a" "b"'],
    [["x", "--package-manager", "bun"], 'unknown package manager "bun" (use one of: npm, pnpm, yarn)'],
    [["x", "--template", " "], "--template needs a template name"],
    [["x", "--install", "--no-install"], "--install and --no-install contradict each other"],
    [["x", "--no-install=yes"], "does not take an argument"],
  ])("refuses %j", (argv, message) => {
    const error = (() => {
      try {
        parseCliArgs(argv);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CreateAgentError);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENTS" });
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("has a help text naming every option", () => {
    for (const option of ["--template", "--package-manager", "--install", "--no-install", "--help", "--version"])
      expect(USAGE).toContain(option);
  });
});
