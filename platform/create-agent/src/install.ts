/**
 * Runs the package manager's install in the new project, its output shown as it comes.
 *
 * @packageDocumentation
 */
import { spawn } from "node:child_process";
import { CreateAgentError } from "./errors.js";
import { type PackageManager, installCommand } from "./package-manager.js";

/**
 * Starts a command and resolves with its exit code; the default spawns it with inherited stdio.
 * @since 0.1.0
 */
export type CommandRunner = (command: string, args: readonly string[], cwd: string) => Promise<number>;

/**
 * Runs `command args` in `cwd` with the terminal's stdio (so the package manager's progress shows), through
 * a shell on Windows (where `npm`, `pnpm` and `yarn` are `.cmd` scripts).
 *
 * @returns the exit code; 127 when the command could not be started, 128 + n when a signal ended it
 * @since 0.1.0
 */
export const runCommand: CommandRunner = (command, args, cwd) =>
  new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, stdio: "inherit", shell: process.platform === "win32" });
    child.on("error", () => resolvePromise(127));
    child.on("close", (code, signal) =>
      resolvePromise(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15)),
    );
  });

/**
 * Installs the dependencies of the project in `cwd` with `pm` (`npm install`, `pnpm install`, `yarn install`).
 *
 * @throws CreateAgentError `INSTALL_FAILED` when the command fails or cannot start; the project stays
 * @since 0.1.0
 */
export async function installDependencies(
  pm: PackageManager,
  cwd: string,
  run: CommandRunner = runCommand,
): Promise<void> {
  const [command, ...args] = installCommand(pm);
  const code = await run(command, args, cwd);
  if (code === 127)
    throw new CreateAgentError("INSTALL_FAILED", `could not start ${command}: is it installed and on PATH?`);
  if (code !== 0) throw new CreateAgentError("INSTALL_FAILED", `${[command, ...args].join(" ")} failed (exit ${code})`);
}
