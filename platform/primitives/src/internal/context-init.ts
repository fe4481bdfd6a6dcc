/**
 * Validation of context options, and the never-aborting default signal. Used by the context module
 * (`core/context.ts`, `core/context/`; its abort plumbing is `core/context/abort-node.ts`), and
 * `validClock` by the mock language model.
 */
import type { Clock } from "../core/clock.js";
import { InvalidOptionsError } from "../core/errors.js";
import { describeValue, durationOption, isPlainObject } from "./options.js";

/** A signal that never aborts: the default, and a marker that no race is needed. */
export const NEVER_SIGNAL: AbortSignal = new AbortController().signal;

export function validClock(value: unknown): Clock {
  const c = value as Partial<Clock> | null;
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.now !== "function" ||
    typeof c.sleep !== "function" ||
    typeof c.schedule !== "function"
  )
    throw new InvalidOptionsError(
      "clock",
      `Expected \`clock\` to implement now(), sleep() and schedule(), got ${describeValue(value)}`,
    );
  return c as Clock;
}

export function validSignal(value: unknown): AbortSignal {
  if (!(value instanceof AbortSignal))
    throw new InvalidOptionsError("signal", `Expected \`signal\` to be an AbortSignal, got ${describeValue(value)}`);
  return value;
}

export function validRecord<V>(
  option: string,
  value: unknown,
  stringValued: boolean,
): Readonly<Record<string, V>> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value))
    throw new InvalidOptionsError(option, `Expected \`${option}\` to be a plain object, got ${describeValue(value)}`);
  if (stringValued) {
    for (const key of Object.keys(value)) {
      if (typeof value[key] !== "string")
        throw new InvalidOptionsError(
          option,
          `Expected \`${option}.${key}\` to be a string, got ${describeValue(value[key])}`,
        );
    }
  }
  return value as Readonly<Record<string, V>>;
}

export function mergeRecords<V>(
  parent: Readonly<Record<string, V>>,
  given: Readonly<Record<string, V>> | undefined,
): Readonly<Record<string, V>> {
  if (given === undefined) return parent;
  return Object.freeze({ ...parent, ...given });
}

export function validDeadline(init: Readonly<Record<string, unknown>>, clock: Clock): number | undefined {
  let deadline: number | undefined;
  const { timeoutMs, deadline: absolute } = init;
  if (timeoutMs !== undefined) deadline = clock.now() + durationOption("timeoutMs", timeoutMs, 0);
  if (absolute !== undefined) {
    if (typeof absolute !== "number" || !Number.isFinite(absolute))
      throw new InvalidOptionsError(
        "deadline",
        `Expected \`deadline\` to be a finite epoch-ms number, got ${describeValue(absolute)}`,
      );
    deadline = deadline === undefined ? absolute : Math.min(deadline, absolute);
  }
  return deadline;
}
