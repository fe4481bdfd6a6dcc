/**
 * This package's folder and version.
 *
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** This package's folder: one level above `src/` (tests) or `dist/` (the built CLI). */
export const PACKAGE_ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/**
 * This package's version, from its `package.json`.
 * @since 0.1.0
 */
export function packageVersion(packageRoot: string = PACKAGE_ROOT): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
