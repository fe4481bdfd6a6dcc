/**
 * The one error type of `create-agent`: bad input, a failed copy or install, a cancelled prompt.
 *
 * @packageDocumentation
 */

/**
 * What went wrong:
 * - `INVALID_ARGUMENTS`: an unknown option, a missing option value, too many positional arguments;
 * - `MISSING_DIRECTORY`: no project directory, and stdin is not a terminal to ask for one;
 * - `INVALID_NAME`: the directory's name is not a valid npm package name;
 * - `TARGET_NOT_EMPTY`: the target exists and is a file or a non-empty folder;
 * - `UNKNOWN_TEMPLATE`: no template has that name;
 * - `COPY_FAILED`: copying failed midway (everything written was removed);
 * - `INSTALL_FAILED`: the package manager failed (the project is kept);
 * - `CANCELLED`: the user cancelled a prompt.
 * @since 0.1.0
 */
export type CreateAgentErrorCode =
  | "INVALID_ARGUMENTS"
  | "MISSING_DIRECTORY"
  | "INVALID_NAME"
  | "TARGET_NOT_EMPTY"
  | "UNKNOWN_TEMPLATE"
  | "COPY_FAILED"
  | "INSTALL_FAILED"
  | "CANCELLED";

/**
 * An error `create-agent` reports as one line (its `message`) and exit code 1.
 * @since 0.1.0
 */
export class CreateAgentError extends Error {
  override readonly name = "CreateAgentError";
  /** What went wrong. */
  readonly code: CreateAgentErrorCode;

  constructor(code: CreateAgentErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Whether `value` is a {@link CreateAgentError} (with `code`, when given).
 * @since 0.1.0
 */
export function isCreateAgentError(value: unknown, code?: CreateAgentErrorCode): value is CreateAgentError {
  return value instanceof CreateAgentError && (code === undefined || value.code === code);
}
