import { describe, expect, it } from "vitest";
import { isValidPackageName, packageNameProblems } from "./validate-name.js";

describe("packageNameProblems", () => {
  it.each(["my-agent", "agent", "a", "my.agent", "my_agent", "agent-2", "@scope/my-agent", "x".repeat(214)])(
    "accepts %s",
    (name) => {
      expect(packageNameProblems(name)).toEqual([]);
      expect(isValidPackageName(name)).toBe(true);
    },
  );

  it.each([
    ["", "must not be empty"],
    ["My-Agent", "must be lowercase"],
    [".agent", 'must not start with "." or "_"'],
    ["_agent", 'must not start with "." or "_"'],
    [" agent", "must not start or end with spaces"],
    ["my agent", "may contain only URL-safe characters"],
    ["agent!", "must not contain any of ~'!()*"],
    ["caf\u00e9", "may contain only URL-safe characters"],
    ["a/b", "may contain only URL-safe characters"],
    ["@scope", "may contain only URL-safe characters"],
    ["@scope/.agent", 'must not start with "." after the scope'],
    ["node_modules", "is a reserved name"],
    ["favicon.ico", "is a reserved name"],
    ["http", "is the name of a Node.js core module"],
    ["fs", "is the name of a Node.js core module"],
    ["x".repeat(215), "must be at most 214 characters (it has 215)"],
  ])("refuses %j: %s", (name, problem) => {
    expect(packageNameProblems(name).join("; ")).toContain(problem);
    expect(isValidPackageName(name)).toBe(false);
  });

  it("lists every problem of a name", () => {
    expect(packageNameProblems("_My Agent")).toEqual([
      'must not start with "." or "_"',
      "must be lowercase",
      "may contain only URL-safe characters (letters, digits, - . _), and / only after an @scope",
    ]);
  });
});
