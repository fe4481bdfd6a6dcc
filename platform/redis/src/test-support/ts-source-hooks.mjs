// Module hooks that let a plain `node` child process run this package's TypeScript sources, as the
// vitest suite does (no build needed): a relative `./x.js` import from a `.ts` file resolves to
// `./x.ts` when that file exists, and `.ts` files are transpiled one by one with TypeScript's
// `transpileModule` (the sources are `isolatedModules`/`erasableSyntaxOnly`/`verbatimModuleSyntax`,
// so per-file transpilation is exact). Node 20 has no type stripping of its own.
//
// Register it before anything else loads (`node --import <data URL calling module.register>`);
// see internal/bounds.fuzz.test.ts. Test-only: not built, not published.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const COMPILER_OPTIONS = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2023,
  verbatimModuleSyntax: true,
  inlineSourceMap: true,
};

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent?.endsWith(".ts") && /^\.\.?\//.test(specifier) && specifier.endsWith(".js")) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, parent);
    if (existsSync(url)) return { url: url.href, format: "module", shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(path, "utf8"), {
    fileName: path,
    compilerOptions: COMPILER_OPTIONS,
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
