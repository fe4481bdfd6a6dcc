/**
 * The `kind` of a primitive (its span is `tta.<kind>`): the one given to `super`, or one derived from
 * the class name.
 */
import { InvalidOptionsError } from "./errors.js";
import { describeValue, fail } from "../internal/options.js";

const KIND_PATTERN = /^[a-z][a-z0-9-]*$/;
const PRIMITIVE_SUFFIX = "Primitive";

/**
 * The default kind of a class: its name in kebab-case less a trailing `Primitive` (`TicketTriage` →
 * `ticket-triage`, `HTTPFetchPrimitive` → `http-fetch`, `Step2Runner` → `step2-runner`), or
 * `undefined` when that is not a valid kind (an anonymous class, a name with `$` or non-ASCII letters).
 */
export function kindFromClassName(className: string): string | undefined {
  const base =
    className.length > PRIMITIVE_SUFFIX.length && className.endsWith(PRIMITIVE_SUFFIX)
      ? className.slice(0, -PRIMITIVE_SUFFIX.length)
      : className;
  const kind = base
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/[_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
  return KIND_PATTERN.test(kind) ? kind : undefined;
}

/**
 * `kind` when given (it must be lowercase kebab-case), else the kind derived from `className`.
 * @throws {@link InvalidOptionsError} naming `kind` when the given kind is invalid, or when none is given
 * and none can be derived (the message says what to pass).
 */
export function primitiveKind(kind: unknown, className: string): string {
  if (kind === undefined) {
    const derived = kindFromClassName(className);
    if (derived !== undefined) return derived;
    throw new InvalidOptionsError(
      "kind",
      `Expected \`kind\` to be lowercase kebab-case; none can be derived from the class name ` +
        `${describeValue(className)}: pass one, e.g. \`super({ kind: "my-step" })\``,
    );
  }
  if (typeof kind !== "string" || !KIND_PATTERN.test(kind)) fail("kind", 'lowercase kebab-case (e.g. "my-step")', kind);
  return kind;
}
