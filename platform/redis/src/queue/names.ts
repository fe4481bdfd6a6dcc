/**
 * Validation of queue names, shared by `remote()` and `serve()`.
 *
 * @packageDocumentation
 */
import { fail } from "@tta/primitives/options";

/** A BullMQ queue name: a non-empty string without `:`. @throws InvalidOptionsError naming `queueName`. */
export function queueNameOption(value: unknown): string {
  if (typeof value !== "string" || value === "" || value.includes(":"))
    fail("queueName", "a non-empty string without `:`", value);
  return value;
}
