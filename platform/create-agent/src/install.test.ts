import { describe, expect, it } from "vitest";
import { installDependencies, runCommand } from "./install.js";

describe("installDependencies", () => {
  it("runs `<pm> install` in the project", async () => {
    const calls: unknown[] = [];
    await installDependencies("pnpm", "/tmp/p", (command, args, cwd) => {
      calls.push([command, args, cwd]);
      return Promise.resolve(0);
    });
    expect(calls).toEqual([["pnpm", ["install"], "/tmp/p"]]);
  });

  it("fails with INSTALL_FAILED when the command fails or cannot start", async () => {
    await expect(installDependencies("npm", "/tmp/p", () => Promise.resolve(2))).rejects.toMatchObject({
      code: "INSTALL_FAILED",
      message: "npm install failed (exit 2)",
    });
    await expect(installDependencies("yarn", "/tmp/p", () => Promise.resolve(127))).rejects.toMatchObject({
      code: "INSTALL_FAILED",
      message: "could not start yarn: is it installed and on PATH?",
    });
  });
});

describe("runCommand", () => {
  it("resolves with the exit code, 127 when the command does not exist", async () => {
    expect(await runCommand(process.execPath, ["-e", "process.exit(3)"], process.cwd())).toBe(3);
    expect(await runCommand("create-agent-no-such-command", [], process.cwd())).toBe(127);
  });
});
