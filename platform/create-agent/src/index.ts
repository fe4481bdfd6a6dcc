/**
 * `@tta/create-agent`: scaffolds a TTA agent project from a template. Mostly used as a command
 * (`pnpm create @tta/agent my-agent`); these exports run the same steps from code.
 *
 * @packageDocumentation
 */
export { USAGE, parseCliArgs } from "./args.js";
export type { CliArgs } from "./args.js";
export { assertUsableTarget, copyIntoNewFolder } from "./copy.js";
export type { CopyOptions } from "./copy.js";
export { checkDirectory, createProject, planProject } from "./create-project.js";
export type { CreateProjectOptions, CreatedProject, ProjectPlan } from "./create-project.js";
export { CreateAgentError, isCreateAgentError } from "./errors.js";
export type { CreateAgentErrorCode } from "./errors.js";
export { installDependencies, runCommand } from "./install.js";
export type { CommandRunner } from "./install.js";
export { run } from "./main.js";
export type { CliEnvironment } from "./main.js";
export {
  PACKAGE_MANAGERS,
  detectPackageManager,
  installCommand,
  isPackageManager,
  runScriptCommand,
} from "./package-manager.js";
export type { PackageManager } from "./package-manager.js";
export { packageVersion } from "./package-root.js";
export { clackPrompter, clackReporter, plainReporter } from "./prompts.js";
export type { Prompter, Reporter } from "./prompts.js";
export { DEFAULT_TEMPLATE, defaultTemplatesDir, listTemplates, resolveTemplate } from "./templates.js";
export { isValidPackageName, packageNameProblems } from "./validate-name.js";
