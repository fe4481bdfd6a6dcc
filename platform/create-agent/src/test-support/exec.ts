/**
 * Child processes for the scaffold test: run a command, capture its output, with an environment
 * cleaned of what the test runner and the calling package manager put there.
 */
import { spawn } from "node:child_process";

/** What a command did. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for messages. */
  readonly command: string;
}

/**
 * The environment for commands that act as a user's shell would: without the variables vitest and
 * `pnpm exec` set (`VITEST_*`, `npm_config_user_agent`, `npm_lifecycle_*`, pnpm's `npm_config_*`),
 * which would change what `create-agent`, npm and the nested vitest do; with the registry, cache
 * and auth settings kept, colours off, no update notifier.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith("vitest") || lower === "node_env" || lower === "force_color") continue;
    if (lower.startsWith("npm_")) {
      const kept =
        ["npm_config_registry", "npm_config_cache", "npm_config_userconfig"].includes(lower) || key.includes("//");
      if (!kept) continue;
    }
    if (lower.startsWith("pnpm_") || lower === "init_cwd") continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", NO_UPDATE_NOTIFIER: "1", npm_config_update_notifier: "false" };
}

/**
 * Runs `command args` in `cwd` with no stdin (so never a terminal) and resolves with its exit code and
 * output; it is killed after `timeoutMs`.
 */
export function exec(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 240_000,
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<Ran> {
  const line = [command, ...args].join(" ");
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      shell: process.platform === "win32",
      timeout: timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => reject(new Error(`could not run ${line}: ${error.message}`)));
    child.on("close", (code, signal) =>
      resolvePromise({ code: code ?? (signal === null ? 1 : 128), stdout, stderr, command: line }),
    );
  });
}

/** `ran`'s output, for an assertion message. */
export function transcript(ran: Ran): string {
  return `$ ${ran.command} → exit ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

/**
 * Whether `version` (`x.y.z`) satisfies the caret range `range` (`^x.y.z`), by npm's rules: below 1.0.0
 * the left-most non-zero part is fixed (`^0.1.0` is `>=0.1.0 <0.2.0`). Any other form of range: false.
 */
export function satisfiesCaret(version: string, range: string): boolean {
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)?.slice(1).map(Number);
  const r = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range)?.slice(1).map(Number);
  if (v === undefined || r === undefined) return false;
  const [vMajor = 0, vMinor = 0, vPatch = 0] = v;
  const [rMajor = 0, rMinor = 0, rPatch = 0] = r;
  const atLeast = vMajor !== rMajor ? vMajor > rMajor : vMinor !== rMinor ? vMinor > rMinor : vPatch >= rPatch;
  if (!atLeast || vMajor !== rMajor) return false;
  if (rMajor > 0) return true;
  if (rMinor > 0) return vMinor === rMinor;
  return vMinor === 0 && vPatch === rPatch;
}
