/**
 * The questions asked in a terminal, behind a small interface so tests can answer them; the real one
 * uses `@clack/prompts`.
 *
 * @packageDocumentation
 */
import { cancel, confirm, intro, isCancel, log, outro, select, spinner, text } from "@clack/prompts";
import type { Writable } from "node:stream";
import { CreateAgentError } from "./errors.js";

/**
 * Asks the user. Each question resolves with the answer; cancelling (Ctrl-C, Escape) rejects with a
 * `CreateAgentError` `CANCELLED`.
 * @since 0.1.0
 */
export interface Prompter {
  /** A line of text; `validate` returns a message for an answer it refuses. */
  text(question: {
    readonly message: string;
    readonly placeholder: string;
    readonly initialValue: string;
    readonly validate: (value: string) => string | undefined;
  }): Promise<string>;
  /** One of `options`. */
  select(question: {
    readonly message: string;
    readonly options: readonly { readonly value: string; readonly label: string; readonly hint?: string }[];
    readonly initialValue: string;
  }): Promise<string>;
  /** Yes or no. */
  confirm(question: { readonly message: string; readonly initialValue: boolean }): Promise<boolean>;
}

/**
 * Where progress goes: a line per step, and a spinner for a step with nothing to print meanwhile.
 * @since 0.1.0
 */
export interface Reporter {
  /** The first line. */
  start(title: string): void;
  /** A step that is done or starting. */
  step(message: string): void;
  /** Runs `task` with a spinner (or a line before and after it without a terminal). */
  spin<T>(message: string, done: (value: T) => string, task: () => Promise<T>): Promise<T>;
  /** The last lines. */
  end(message: string): void;
}

/** The answer, or a `CANCELLED` error when the user cancelled the question. */
function answered<T>(value: T): Exclude<T, symbol> {
  if (isCancel(value)) {
    cancel("Cancelled: nothing was written.");
    throw new CreateAgentError("CANCELLED", "cancelled: nothing was written");
  }
  return value as Exclude<T, symbol>;
}

/**
 * The terminal prompter (`@clack/prompts`).
 * @since 0.1.0
 */
export const clackPrompter: Prompter = {
  async text(question) {
    return answered(
      await text({
        message: question.message,
        placeholder: question.placeholder,
        initialValue: question.initialValue,
        validate: (value) => question.validate(value ?? ""),
      }),
    );
  },
  async select(question) {
    return answered(
      await select({
        message: question.message,
        options: question.options.map((o) => ({ value: o.value, label: o.label, ...(o.hint ? { hint: o.hint } : {}) })),
        initialValue: question.initialValue,
      }),
    );
  },
  async confirm(question) {
    return answered(await confirm({ message: question.message, initialValue: question.initialValue }));
  },
};

/**
 * Progress in a terminal (`@clack/prompts`: a frame, steps, a spinner), written to `output`.
 * @since 0.1.0
 */
export function clackReporter(output: Writable = process.stdout): Reporter {
  return {
    start: (title) => intro(title, { output }),
    step: (message) => log.step(message, { output }),
    async spin(message, done, task) {
      const s = spinner({ output });
      s.start(message);
      try {
        const value = await task();
        s.stop(done(value));
        return value;
      } catch (error) {
        s.error(message);
        throw error;
      }
    },
    end: (message) => outro(message, { output }),
  };
}

/**
 * Progress as plain lines on `write` (no colours, no cursor movement): for pipes, logs and CI.
 * @since 0.1.0
 */
export function plainReporter(write: (text: string) => void): Reporter {
  return {
    start: (title) => write(`${title}\n`),
    step: (message) => write(`- ${message}\n`),
    async spin(message, done, task) {
      write(`- ${message}…\n`);
      const value = await task();
      write(`- ${done(value)}\n`);
      return value;
    },
    end: (message) => write(`${message}\n`),
  };
}
