/**
 * Command-line arguments of `create-agent`.
 *
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import { CreateAgentError } from "./errors.js";
import { PACKAGE_MANAGERS, type PackageManager, isPackageManager } from "./package-manager.js";

/**
 * The parsed command line. An option left out is `undefined`, so the caller can tell "not given"
 * (ask, or use the default) from an explicit choice.
 * @since 0.1.0
 */
export interface CliArgs {
  /** The project directory (the one positional argument). */
  readonly directory: string | undefined;
  /** `--template <name>` / `-t <name>`. */
  readonly template: string | undefined;
  /** `--package-manager npm|pnpm|yarn`. */
  readonly packageManager: PackageManager | undefined;
  /** `--install` → true, `--no-install` → false. */
  readonly install: boolean | undefined;
  /** `--help` / `-h`. */
  readonly help: boolean;
  /** `--version` / `-v`. */
  readonly version: boolean;
}

/**
 * The help text.
 * @since 0.1.0
 */
export const USAGE: string = `Usage: create-agent [directory] [options]

Creates a TTA agent project in <directory> (a new or empty folder; its name becomes the package name).

  pnpm create @tta/agent my-agent
  npm create @tta/agent@latest my-agent -- --no-install

Options:
  -t, --template <name>           template to copy (default: basic-agent)
      --package-manager <name>    ${PACKAGE_MANAGERS.join(" | ")}; default: the one running this command
      --install / --no-install    install dependencies after copying (default: install)
  -h, --help                      show this help
  -v, --version                   show the version

In a terminal, whatever is missing is asked; otherwise the defaults are used and the directory is required.
`;

/**
 * Parses `argv` (without the node and script paths).
 *
 * @throws CreateAgentError `INVALID_ARGUMENTS`: an unknown option, an option without its value, more
 *   than one directory, an unknown package manager, an empty template name, or both `--install` and
 *   `--no-install`
 * @since 0.1.0
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        template: { type: "string", short: "t" },
        "package-manager": { type: "string" },
        install: { type: "boolean" },
        "no-install": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    // Node's messages go on with advice about "--" that does not apply here: keep the first sentence.
    const reason = (error instanceof Error ? error.message : String(error)).split(/\.\s|\n/, 1)[0];
    throw new CreateAgentError("INVALID_ARGUMENTS", reason || "invalid arguments", { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new CreateAgentError(
      "INVALID_ARGUMENTS",
      `expected one project directory, got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(" ")}`,
    );
  const pm = values["package-manager"];
  if (pm !== undefined && !isPackageManager(pm))
    throw new CreateAgentError(
      "INVALID_ARGUMENTS",
      `unknown package manager "${pm}" (use one of: ${PACKAGE_MANAGERS.join(", ")})`,
    );
  if (values.template?.trim() === "")
    throw new CreateAgentError("INVALID_ARGUMENTS", "--template needs a template name");
  if (values.install === true && values["no-install"] === true)
    throw new CreateAgentError("INVALID_ARGUMENTS", "--install and --no-install contradict each other");
  return {
    directory: positionals[0],
    template: values.template,
    packageManager: pm,
    install: values.install === true ? true : values["no-install"] === true ? false : undefined,
    help: values.help === true,
    version: values.version === true,
  };
}
