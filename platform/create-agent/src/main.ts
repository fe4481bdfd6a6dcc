/**
 * The `create-agent` command: arguments → questions for what is missing (in a terminal only) →
 * every check → the copy → the install → next steps. Returns the exit code instead of exiting, so
 * that tests can drive it.
 *
 * @packageDocumentation
 */
import { isAbsolute, relative } from "node:path";
import { USAGE, parseCliArgs } from "./args.js";
import { checkDirectory, createProject, planProject } from "./create-project.js";
import { CreateAgentError, isCreateAgentError } from "./errors.js";
import { type CommandRunner, installDependencies, runCommand } from "./install.js";
import { type PackageManager, detectPackageManager, installCommand, runScriptCommand } from "./package-manager.js";
import { packageVersion } from "./package-root.js";
import { type Prompter, type Reporter, clackPrompter, clackReporter, plainReporter } from "./prompts.js";
import { DEFAULT_TEMPLATE, defaultTemplatesDir, listTemplates, resolveTemplate } from "./templates.js";

/**
 * What the command talks to; every field has a default from the running process.
 * @since 0.1.0
 */
export interface CliEnvironment {
  /** The folder a relative directory is resolved against. @defaultValue `process.cwd()` */
  readonly cwd: string;
  /** Environment variables (`npm_config_user_agent` picks the package manager). @defaultValue `process.env` */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether questions may be asked. @defaultValue stdin and stdout are both terminals */
  readonly interactive: boolean;
  /** Standard output. */
  readonly stdout: (text: string) => void;
  /** Standard error: the error line. */
  readonly stderr: (text: string) => void;
  /** Asks the questions. @defaultValue `@clack/prompts` */
  readonly prompter: Prompter;
  /** Shows progress. @defaultValue `@clack/prompts` when interactive, plain lines on `stdout` otherwise */
  readonly reporter: Reporter | undefined;
  /** Runs the package manager. @defaultValue a child process with the terminal's stdio */
  readonly runCommand: CommandRunner;
  /** Where the templates are. @defaultValue the repository's `templates/` or the shipped copy */
  readonly templatesDir: string | undefined;
}

function defaults(): CliEnvironment {
  return {
    cwd: process.cwd(),
    env: process.env,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    prompter: clackPrompter,
    reporter: undefined,
    runCommand,
    templatesDir: undefined,
  };
}

/** `path` as the user should type it from `cwd`. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  const display = rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
  return /[\s"'$`\\]/.test(display) ? JSON.stringify(display) : display;
}

/** The closing message: where the project is and what to type next. */
function nextSteps(cwd: string, target: string, pm: PackageManager, installed: boolean): string {
  const lines = [`Done. Next steps:`, ""];
  if (target !== cwd) lines.push(`  cd ${shown(cwd, target)}`);
  if (!installed) lines.push(`  ${installCommand(pm).join(" ")}`);
  const start = runScriptCommand(pm, "start");
  const test = runScriptCommand(pm, "test");
  const width = Math.max(start.length, test.length) + 2;
  lines.push(`  ${start.padEnd(width)}asks the agent a question (a simulated model; README.md: a real one)`);
  lines.push(`  ${test.padEnd(width)}runs its test`);
  return lines.join("\n");
}

/**
 * Runs `create-agent` with `argv` (the arguments after the command's name).
 *
 * @returns the exit code: 0 when the project was created (and installed), 1 on bad input, a failed
 *   copy or install, or a cancelled question, after printing one line that says why
 * @since 0.1.0
 */
export async function run(argv: readonly string[], environment: Partial<CliEnvironment> = {}): Promise<number> {
  const io: CliEnvironment = { ...defaults(), ...environment };
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (args.version) {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    const templatesDir = io.templatesDir ?? defaultTemplatesDir();
    if (args.template !== undefined) resolveTemplate(templatesDir, args.template); // fail before any question
    if (args.directory !== undefined) checkDirectory(args.directory, io.cwd);
    if (args.directory === undefined && !io.interactive)
      throw new CreateAgentError(
        "MISSING_DIRECTORY",
        "missing the project directory, and stdin is not a terminal to ask for it: create-agent <directory> [options]",
      );

    const reporter = io.reporter ?? (io.interactive ? clackReporter() : plainReporter(io.stdout));
    reporter.start(`create-agent ${packageVersion()}: a new TTA agent project`);
    const directory =
      args.directory ??
      (await io.prompter.text({
        message: "Project folder (its name is the package name)",
        placeholder: "my-agent",
        initialValue: "my-agent",
        validate: (value) => {
          try {
            checkDirectory(value, io.cwd);
            return undefined;
          } catch (error) {
            return isCreateAgentError(error) ? error.message : String(error);
          }
        },
      }));
    const templates = listTemplates(templatesDir);
    const template =
      args.template ??
      (io.interactive && templates.length > 1
        ? await io.prompter.select({
            message: "Template",
            options: templates.map((name) => ({ value: name, label: name })),
            initialValue: templates.includes(DEFAULT_TEMPLATE) ? DEFAULT_TEMPLATE : (templates[0] ?? DEFAULT_TEMPLATE),
          })
        : DEFAULT_TEMPLATE);
    const pm = args.packageManager ?? detectPackageManager(io.env["npm_config_user_agent"]);
    const install =
      args.install ??
      (io.interactive
        ? await io.prompter.confirm({ message: `Install the dependencies with ${pm}?`, initialValue: true })
        : true);

    const plan = planProject({ directory, cwd: io.cwd, template, templatesDir });
    const project = await reporter.spin(
      `Copying template ${template} into ${shown(io.cwd, plan.target)}`,
      (created) => `Created ${created.name} (${created.files.length} files) from template ${template}`,
      () => createProject(plan),
    );
    if (install) {
      reporter.step(`Installing dependencies with ${pm} (${installCommand(pm).join(" ")})…`);
      await installDependencies(pm, project.target, io.runCommand);
      reporter.step("Dependencies installed");
    }
    reporter.end(nextSteps(io.cwd, project.target, pm, install));
    return 0;
  } catch (error) {
    io.stderr(`create-agent: ${describe(error)}\n`);
    return 1;
  }
}

/** The one line printed for a failure. */
function describe(error: unknown): string {
  if (!isCreateAgentError(error)) return `unexpected error: ${error instanceof Error ? error.stack : String(error)}`;
  switch (error.code) {
    case "INVALID_ARGUMENTS":
    case "MISSING_DIRECTORY":
      return `${error.message}; see create-agent --help`;
    case "INSTALL_FAILED":
      return `${error.message}; the project was created: install its dependencies yourself`;
    default:
      return error.message;
  }
}
