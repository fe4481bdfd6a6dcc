/**
 * The root barrel (`src/index.ts`) re-exports the `core`, `recovery`, `performance` and
 * `orchestration` subpaths by hand; this test keeps it exactly their union: every runtime export and
 * every type export of those subpaths is exported by the root, as the same declaration and with the
 * same kind (value or type only), and the root exports nothing else. Every other subpath of
 * package.json's `exports` must be listed in NOT_IN_ROOT with the reason. The API reports
 * (`api/*.api.md`, `pnpm api:check`) then show any change of that surface in review.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as core from "./core/index.js";
import * as root from "./index.js";
import * as orchestration from "./orchestration/index.js";
import * as performance from "./performance/index.js";
import * as recovery from "./recovery/index.js";

const SRC = dirname(fileURLToPath(import.meta.url));

/** The subpaths the root re-exports, as its doc comment says. */
const IN_ROOT = ["core", "recovery", "performance", "orchestration"] as const;
/** Subpaths the root does not re-export, and why. */
const NOT_IN_ROOT: Readonly<Record<string, string>> = {
  testing: "the testing kit depends on vitest; it is imported from @tta/primitives/testing only",
  options: "option validation for TTA's own packages and primitive authors; its doc comment says it is not in the root",
};

interface Exported {
  /** Whether the name is a runtime value (else a type only). */
  readonly value: boolean;
  /** The declaration it resolves to, to tell two different things of the same name apart. */
  readonly target: ts.Symbol;
}

/** The exports of each barrel, read with the compiler (types included). */
function barrelExports(files: Record<string, string>): Map<string, Map<string, Exported>> {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram(Object.values(files), options);
  const checker = program.getTypeChecker();
  const result = new Map<string, Map<string, Exported>>();
  for (const [name, path] of Object.entries(files)) {
    const source = program.getSourceFile(path);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`cannot read the exports of ${path}`);
    const exported = new Map<string, Exported>();
    for (const symbol of checker.getExportsOfModule(module)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      // `export type { X }` of a class makes X type-only here, whatever X is.
      const typeOnly = symbol.declarations?.some((d) => ts.isTypeOnlyExportDeclaration(d)) ?? false;
      exported.set(symbol.name, { value: !typeOnly && (target.flags & ts.SymbolFlags.Value) !== 0, target });
    }
    result.set(name, exported);
  }
  return result;
}

const files: Record<string, string> = Object.fromEntries([
  ["root", join(SRC, "index.ts")],
  ...IN_ROOT.map((sub) => [sub, join(SRC, sub, "index.ts")]),
]);
const exportsOf = barrelExports(files);
const rootExports = exportsOf.get("root") ?? new Map<string, Exported>();

describe("the root barrel is the union of the core, recovery, performance and orchestration barrels", () => {
  it("found the barrels", () => {
    expect(rootExports.size).toBeGreaterThan(150);
  });

  it.each(IN_ROOT)("every export of %s is exported by the root, as the same thing and kind", (sub) => {
    const problems: string[] = [];
    for (const [name, exported] of exportsOf.get(sub) ?? []) {
      const inRoot = rootExports.get(name);
      if (inRoot === undefined) problems.push(`${name} is missing from src/index.ts`);
      else if (inRoot.target !== exported.target) problems.push(`${name} in the root is not ${sub}'s ${name}`);
      else if (inRoot.value !== exported.value)
        problems.push(`${name} is ${exported.value ? "a value" : "type-only"} in ${sub} but not in the root`);
    }
    expect(problems).toEqual([]);
  });

  it("the root exports nothing the subpaths do not", () => {
    const fromSubpaths = new Set(IN_ROOT.flatMap((sub) => [...(exportsOf.get(sub)?.keys() ?? [])]));
    expect([...rootExports.keys()].filter((name) => !fromSubpaths.has(name))).toEqual([]);
  });

  it("no two subpaths export different things under one name", () => {
    const seen = new Map<string, { sub: string; target: ts.Symbol }>();
    const clashes: string[] = [];
    for (const sub of IN_ROOT)
      for (const [name, { target }] of exportsOf.get(sub) ?? []) {
        const first = seen.get(name);
        if (first === undefined) seen.set(name, { sub, target });
        else if (first.target !== target) clashes.push(`${name}: ${first.sub} and ${sub}`);
      }
    expect(clashes).toEqual([]);
  });

  it("at run time, the root's values are exactly the subpaths' values, the same objects", () => {
    const subpaths: Record<string, Record<string, unknown>> = { core, recovery, performance, orchestration };
    const union = new Map<string, unknown>();
    for (const module of Object.values(subpaths))
      for (const [name, value] of Object.entries(module)) union.set(name, value);
    expect(Object.keys(root).sort()).toEqual([...union.keys()].sort());
    for (const [name, value] of Object.entries(root)) expect(value, name).toBe(union.get(name));
  });

  it("every subpath of package.json is re-exported by the root or listed in NOT_IN_ROOT", () => {
    const manifest = JSON.parse(readFileSync(join(SRC, "..", "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
    };
    const subpaths = Object.keys(manifest.exports)
      .filter((key) => key !== "." && key !== "./package.json" && !key.includes("*"))
      .map((key) => key.slice(2))
      .sort();
    expect(subpaths).toEqual([...IN_ROOT, ...Object.keys(NOT_IN_ROOT)].sort());
  });
});
