/**
 * `@tta/primitives/options`: the option validation every TTA primitive uses, for TTA's own packages
 * (`@tta/observability`) and for authors of custom primitives who want the same errors.
 *
 * @remarks
 * One implementation and one message style: an `InvalidOptionsError` whose `option` names the option
 * (dotted when nested, `tracing.endpoint`) and whose message reads
 * ``Expected `option` to be <expected>, got <value>``, the value described safely (long strings are
 * never quoted, secrets are redacted). Unknown keys are rejected by name; `null` and `undefined` mean
 * "the default". This subpath is semver-covered like the others; it is not re-exported by the root.
 *
 * @example
 * ```ts
 * import { integerOption, readOptions } from "@tta/primitives/options";
 *
 * const o = readOptions("pooled", options, ["size", "name"]);
 * const size = integerOption("size", o.size, 4, { min: 1 }); // InvalidOptionsError naming `size` when not
 * ```
 *
 * @packageDocumentation
 */
export {
  MAX_TIMER_MS,
  booleanOption,
  choiceOption,
  describeShape,
  describeValue,
  durationOption,
  fail,
  functionOption,
  integerOption,
  isPlainObject,
  nameOption,
  readOptions,
} from "../internal/options.js";
export { formatIssuePath, isStandardSchema, standardSchemaIssues } from "../internal/standard-schema.js";
export { InvalidOptionsError } from "../core/errors.js";
