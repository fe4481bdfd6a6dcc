/**
 * Where the templates are and which ones exist.
 *
 * The published package carries them in `dist/templates/` (copied there by `scripts/copy-templates.mjs`
 * at `prepack`). Inside the TTA repository, the CLI reads the repository's `templates/` instead, so
 * that a template edit shows without packing.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CreateAgentError } from "./errors.js";
import { PACKAGE_ROOT } from "./package-root.js";

/**
 * The template used when none is named.
 * @since 0.1.0
 */
export const DEFAULT_TEMPLATE = "basic-agent";

/** `packageRoot`'s repository's `templates/` when `packageRoot` is `platform/create-agent` of the TTA monorepo. */
function repositoryTemplates(packageRoot: string): string | undefined {
  const repo = join(packageRoot, "..", "..");
  try {
    const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { name?: unknown };
    const templates = join(repo, "templates");
    return manifest.name === "tta-monorepo" && existsSync(join(repo, "pnpm-workspace.yaml")) && existsSync(templates)
      ? templates
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folder holding the templates: the TTA repository's `templates/` when this package runs from its
 * source tree, else the copy shipped in `dist/templates/`.
 * @since 0.1.0
 */
export function defaultTemplatesDir(packageRoot: string = PACKAGE_ROOT): string {
  return repositoryTemplates(packageRoot) ?? join(packageRoot, "dist", "templates");
}

/**
 * The templates in `templatesDir`: its sub-folders that have a `package.json`, sorted by name.
 * @since 0.1.0
 */
export function listTemplates(templatesDir: string): string[] {
  let entries;
  try {
    entries = readdirSync(templatesDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isDirectory() && existsSync(join(templatesDir, entry.name, "package.json")))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The folder of template `name` in `templatesDir`. Only names from {@link listTemplates} are accepted,
 * so a name can never point outside `templatesDir`.
 *
 * @throws CreateAgentError `UNKNOWN_TEMPLATE`, listing the templates there are
 * @since 0.1.0
 */
export function resolveTemplate(templatesDir: string, name: string): string {
  const available = listTemplates(templatesDir);
  if (!available.includes(name)) {
    const known = available.length === 0 ? `none found in ${templatesDir}` : available.join(", ");
    throw new CreateAgentError("UNKNOWN_TEMPLATE", `unknown template "${name}" (available: ${known})`);
  }
  return join(templatesDir, name);
}
