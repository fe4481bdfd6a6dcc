/**
 * Which package manager installs the new project, and the commands to show for it.
 *
 * @packageDocumentation
 */

/**
 * A package manager `create-agent` can install with.
 * @since 0.1.0
 */
export type PackageManager = "npm" | "pnpm" | "yarn";

/**
 * The package managers, in the order the help lists them.
 * @since 0.1.0
 */
export const PACKAGE_MANAGERS: readonly PackageManager[] = Object.freeze(["npm", "pnpm", "yarn"]);

/**
 * Whether `value` names a supported package manager.
 * @since 0.1.0
 */
export function isPackageManager(value: string): value is PackageManager {
  return (PACKAGE_MANAGERS as readonly string[]).includes(value);
}

/**
 * The package manager that started this process, from `npm_config_user_agent` (`"pnpm/12.4.2 npm/? node/v20…"`
 * under `pnpm create`, `"npm/10.8.2 node/v20…"` under `npm create`, `"yarn/1.22.22 …"` under `yarn create`).
 *
 * @returns `"pnpm"` or `"yarn"` when the user agent starts with that name, otherwise `"npm"`
 * @since 0.1.0
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = (userAgent ?? "").trim().split("/", 1)[0]?.toLowerCase() ?? "";
  return name === "pnpm" || name === "yarn" ? name : "npm";
}

/**
 * The command (program and arguments) that installs a project's dependencies with `pm`.
 * @since 0.1.0
 */
export function installCommand(pm: PackageManager): readonly [string, ...string[]] {
  return [pm, "install"];
}

/**
 * How to run the package script `script` (`start`, `test`, `typecheck`) with `pm`, as a user types it.
 * @since 0.1.0
 */
export function runScriptCommand(pm: PackageManager, script: string): string {
  if (script === "start" || script === "test") return `${pm} ${script}`;
  return pm === "npm" ? `npm run ${script}` : `${pm} ${script}`;
}
