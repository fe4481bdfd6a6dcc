/**
 * npm package name rules, checked before anything is written.
 *
 * @packageDocumentation
 */
import { builtinModules } from "node:module";

/** The longest package name the registry accepts. */
const MAX_LENGTH = 214;
/** Names the registry refuses whatever their form. */
const RESERVED = new Set(["node_modules", "favicon.ico"]);

/**
 * Why `name` cannot be the name of a new npm package: lowercase only, URL-safe characters only, at most
 * 214 characters, not starting with `.` or `_`, no spaces around it, none of `~'!()*`, not a Node.js
 * core module name and not `node_modules` or `favicon.ico`. A scoped name (`@scope/name`) is checked
 * part by part. The same rules as npm's `validate-npm-package-name` for new packages.
 *
 * @returns the problems, each a phrase such as `"must be lowercase"`; empty when the name is valid
 * @since 0.1.0
 */
export function packageNameProblems(name: string): string[] {
  if (name === "") return ["must not be empty"];
  const problems: string[] = [];
  if (name.length > MAX_LENGTH) problems.push(`must be at most ${MAX_LENGTH} characters (it has ${name.length})`);
  if (name.trim() !== name) problems.push("must not start or end with spaces");
  if (name.startsWith(".") || name.startsWith("_")) problems.push('must not start with "." or "_"');
  if (name.toLowerCase() !== name) problems.push("must be lowercase");
  if (/[~'!()*]/.test(name)) problems.push("must not contain any of ~'!()*");
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  const parts = scoped === null ? [name] : [scoped[1] ?? "", scoped[2] ?? ""];
  if (parts.some((part) => encodeURIComponent(part) !== part))
    problems.push("may contain only URL-safe characters (letters, digits, - . _), and / only after an @scope");
  const bare = scoped === null ? name : (scoped[2] ?? "");
  if (scoped !== null && bare.startsWith(".")) problems.push('must not start with "." after the scope');
  if (RESERVED.has(name.toLowerCase())) problems.push("is a reserved name");
  if (builtinModules.includes(name)) problems.push("is the name of a Node.js core module");
  return problems;
}

/**
 * Whether `name` is a valid name for a new npm package (see {@link packageNameProblems}).
 * @since 0.1.0
 */
export function isValidPackageName(name: string): boolean {
  return packageNameProblems(name).length === 0;
}
