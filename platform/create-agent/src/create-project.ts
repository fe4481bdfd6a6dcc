/**
 * Creates a project from a template: every check first (name, template, target folder), then the
 * all-or-nothing copy, with the project's name written into its `package.json`.
 *
 * @packageDocumentation
 */
import { basename, resolve } from "node:path";
import { assertUsableTarget, copyIntoNewFolder } from "./copy.js";
import { CreateAgentError } from "./errors.js";
import { DEFAULT_TEMPLATE, defaultTemplatesDir, resolveTemplate } from "./templates.js";
import { packageNameProblems } from "./validate-name.js";

/**
 * What to create.
 * @since 0.1.0
 */
export interface CreateProjectOptions {
  /** The new project's folder, absolute or relative to `cwd`; its last segment is the package name. */
  readonly directory: string;
  /** The folder `directory` is relative to. @defaultValue `process.cwd()` */
  readonly cwd?: string | undefined;
  /** The template's name. @defaultValue `"basic-agent"` */
  readonly template?: string | undefined;
  /** Where the templates are. @defaultValue the repository's `templates/` or the shipped copy */
  readonly templatesDir?: string | undefined;
}

/**
 * A checked plan: nothing written yet.
 * @since 0.1.0
 */
export interface ProjectPlan {
  /** The absolute path of the new folder. */
  readonly target: string;
  /** The package name (the folder's name). */
  readonly name: string;
  /** The template's name. */
  readonly template: string;
  /** The template's folder. */
  readonly templateDir: string;
}

/**
 * A created project.
 * @since 0.1.0
 */
export interface CreatedProject extends ProjectPlan {
  /** The files written, relative to `target`. */
  readonly files: readonly string[];
}

/** Entries of a template that are never copied (build output, installs, editor litter). */
const SKIPPED = new Set(["node_modules", "dist", ".turbo", "coverage", "package-lock.json", ".DS_Store"]);

/**
 * Checks everything a project needs before a file is written: the folder's name is a valid npm package
 * name, the template exists, and the folder does not exist or is empty.
 *
 * @throws CreateAgentError `INVALID_NAME`, `UNKNOWN_TEMPLATE` or `TARGET_NOT_EMPTY`
 * @since 0.1.0
 */
export function planProject(options: CreateProjectOptions): ProjectPlan {
  const { target, name } = checkDirectory(options.directory, options.cwd);
  const template = options.template ?? DEFAULT_TEMPLATE;
  const templateDir = resolveTemplate(options.templatesDir ?? defaultTemplatesDir(), template);
  return { target, name, template, templateDir };
}

/**
 * Checks a project directory: its last segment is a valid npm package name, and it is a new or
 * empty folder. Writes nothing.
 *
 * @returns its absolute path and the package name
 * @throws CreateAgentError `INVALID_ARGUMENTS` (empty), `INVALID_NAME` or `TARGET_NOT_EMPTY`
 * @since 0.1.0
 */
export function checkDirectory(directory: string, cwd: string = process.cwd()): { target: string; name: string } {
  if (directory.trim() === "")
    throw new CreateAgentError("INVALID_ARGUMENTS", "the project directory must not be empty");
  const target = resolve(cwd, directory);
  const name = basename(target);
  const problems = packageNameProblems(name);
  if (problems.length > 0)
    throw new CreateAgentError(
      "INVALID_NAME",
      `"${name}" cannot be the project's name (the folder's name is its npm package name): it ${problems.join("; it ")}`,
    );
  assertUsableTarget(target);
  return { target, name };
}

/** The new content of a template file: the project's name in `package.json` and the README's heading. */
function personalise(plan: ProjectPlan, path: string, content: Buffer): Buffer | string {
  if (path === "package.json") {
    const manifest = JSON.parse(content.toString("utf8")) as Record<string, unknown>;
    return `${JSON.stringify({ ...manifest, name: plan.name }, null, 2)}\n`;
  }
  if (path === "README.md") {
    const text = content.toString("utf8");
    const heading = `# ${plan.template}\n`;
    return text.startsWith(heading) ? `# ${plan.name}\n${text.slice(heading.length)}` : content;
  }
  return content;
}

/**
 * Creates the project `plan` describes (from {@link planProject}): copies the template all or nothing,
 * renames `_gitignore` to `.gitignore`, writes the name into `package.json`, and leaves out
 * `node_modules`, `dist` and `*.tsbuildinfo`.
 *
 * @throws CreateAgentError `TARGET_NOT_EMPTY` when the folder filled up meanwhile, `COPY_FAILED` when
 *   the copy failed midway (nothing is left behind)
 * @since 0.1.0
 */
export async function createProject(plan: ProjectPlan): Promise<CreatedProject> {
  const files = await copyIntoNewFolder(plan.templateDir, plan.target, {
    skip: (path) => SKIPPED.has(basename(path)) || path.endsWith(".tsbuildinfo"),
    rename: (name) => (name === "_gitignore" ? ".gitignore" : name),
    transform: (path, content) => personalise(plan, path, content),
  });
  return { ...plan, files };
}
