/**
 * Standard Schema helpers shared by the packages that validate with one (`structured`, `multiModel`,
 * `@tta/agent-context`'s tools): recognising a schema, turning its issues into
 * `StructuredOutputIssue`s, and printing an issue's path. Exported through `@tta/primitives/options`.
 *
 * @packageDocumentation
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { StructuredOutputIssue } from "../core/errors.js";

/**
 * Whether `value` is a Standard Schema (v1) object: `~standard.version === 1` and a `validate`
 * function (zod 4, valibot 1, ArkType…).
 * @example
 * ```ts
 * isStandardSchema(z.object({ id: z.string() })); // true
 * isStandardSchema({ type: "object" }); // false: a JSON Schema
 * ```
 * @since 0.1.0
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props: unknown = (value as { "~standard"?: unknown })["~standard"];
  return (
    typeof props === "object" &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === "function"
  );
}

/** A path segment as a property key or index (symbols by their description). */
function segment(part: unknown): string | number {
  const key: unknown = typeof part === "object" && part !== null ? (part as { key?: unknown }).key : part;
  if (typeof key === "number") return key;
  if (typeof key === "symbol") return key.description ?? "";
  return String(key);
}

/**
 * A Standard Schema's issues as `StructuredOutputIssue`s: path segments as keys and indices, an empty
 * message as `"Invalid value"`, and at least one issue.
 * @example
 * ```ts
 * const result = await z.object({ id: z.string() })["~standard"].validate({ id: 7 });
 * if (result.issues) console.log(standardSchemaIssues(result.issues)); // [{ message: "…", path: ["id"] }]
 * ```
 * @since 0.1.0
 */
export function standardSchemaIssues(issues: readonly StandardSchemaV1.Issue[]): StructuredOutputIssue[] {
  const out: StructuredOutputIssue[] = [];
  for (const issue of issues) {
    const message = typeof issue?.message === "string" && issue.message !== "" ? issue.message : "Invalid value";
    const path = Array.isArray(issue?.path) && issue.path.length > 0 ? issue.path.map(segment) : undefined;
    out.push(path === undefined ? { message } : { message, path });
  }
  if (out.length === 0) out.push({ message: "Invalid value" });
  return out;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * An issue path as `a.b[0]` (keys that are not identifiers quoted: `["a b"]`); `""` for the root.
 * @example
 * ```ts
 * formatIssuePath(["items", 0, "unit price"]); // 'items[0]["unit price"]'
 * ```
 * @since 0.1.0
 */
export function formatIssuePath(path: readonly (string | number)[] | undefined): string {
  let out = "";
  for (const part of path ?? []) {
    if (typeof part === "number") out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
