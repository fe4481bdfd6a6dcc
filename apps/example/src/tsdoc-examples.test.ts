/**
 * Keeps the TSDoc examples honest: every ```ts block under an `@example` tag in
 * platform/*\/src (tests and test-support excluded) is type-checked with the compiler API.
 *
 * Each example becomes an in-memory module beside its source file, so it sees what a reader of that
 * file sees:
 * - the names it uses that its own file exports are imported from that file; the rest from the
 *   package's public entry points (`@tta/primitives`, `@tta/primitives/testing`, and for
 *   `@tta/observability` and `@tta/agent-context` their root first), then from the package's other
 *   source files (for examples of internal helpers), then from the few third-party modules in
 *   {@link THIRD_PARTY} (`z` from zod, `context` from `@opentelemetry/api`, …); type-only exports
 *   with `import { type … }`;
 * - its own `import` lines are kept; its other lines run inside an `async function`, so top-level
 *   `await` and `return` work and its declarations may shadow the imports;
 * - a name it neither imports, declares nor gets from above must be one of the placeholders in
 *   `tsdoc/placeholders.d.ts` (`ctx`, `llm`, `callModel`, …: stand-ins for the reader's own code,
 *   each with a real type). Anything else is a "Cannot find name" error: a renamed export, or a
 *   made-up class such as `BadRequest`, fails here.
 */
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PLACEHOLDERS = fileURLToPath(new URL("../tsdoc/placeholders.d.ts", import.meta.url));

/** The public entry points an example may use without importing, in lookup order, per package. */
const ENTRIES: Readonly<Record<string, readonly string[]>> = {
  primitives: ["@tta/primitives", "@tta/primitives/testing"],
  observability: ["@tta/observability", "@tta/primitives", "@tta/primitives/testing"],
  "agent-context": ["@tta/agent-context", "@tta/primitives", "@tta/primitives/testing"],
};

/** Third-party names an example may use without importing them, and the import that provides each. */
const THIRD_PARTY: Readonly<Record<string, string>> = {
  z: 'import { z } from "zod";',
  v: 'import * as v from "valibot";',
  context: 'import { context } from "@opentelemetry/api";',
  propagation: 'import { propagation } from "@opentelemetry/api";',
  trace: 'import { trace } from "@opentelemetry/api";',
  InMemorySpanExporter: 'import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";',
  OTLPTraceExporter: 'import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";',
  createOpenAICompatible: 'import { createOpenAICompatible } from "@ai-sdk/openai-compatible";',
  pino: 'import { pino } from "pino";',
  expect: 'import { expect } from "vitest";',
};

interface Example {
  /** `platform/<pkg>/src/…` */
  readonly file: string;
  readonly pkg: string;
  /** 1-based line of the fence's first code line in the source file. */
  readonly line: number;
  readonly code: string;
  /** The fence's language tag (must be `ts`). */
  readonly lang: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "test-support" ? [] : sourceFiles(path);
    return /(?<!\.test|\.test-d|\.d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every `@example` of `path`'s doc comments, with the code of its fence. */
function examplesOf(path: string, pkg: string): Example[] {
  const text = readFileSync(path, "utf8");
  const found: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const first = text.slice(0, comment.index).split("\n").length;
    const lines = comment[0].split("\n").map((line) => line.replace(/^\s*\/?\*+\/? ?/, "").replace(/\s*\*\/$/, ""));
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i] ?? "")) continue;
      const fence = /^```(\w*)\s*$/.exec(lines[i + 1] ?? "");
      let end = i + 2;
      while (end < lines.length && lines[end] !== "```") end++;
      found.push({
        file: relative(ROOT, path),
        pkg,
        line: first + i + 2,
        lang: fence === null ? "(no fence)" : (fence[1] ?? ""),
        code: fence === null ? "" : lines.slice(i + 2, end).join("\n"),
      });
      i = end;
    }
  }
  return found;
}

const examples = Object.keys(ENTRIES).flatMap((pkg) =>
  sourceFiles(join(ROOT, "platform", pkg, "src")).flatMap((path) => examplesOf(path, pkg)),
);

const options: ts.CompilerOptions = {
  ...ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "platform/primitives/tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )?.options,
  noEmit: true,
};

function program(files: ReadonlyMap<string, string>, roots: readonly string[], old?: ts.Program): ts.Program {
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => files.has(path) || fileExists.call(host, path);
  host.readFile = (path) => files.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = files.get(path);
    return text === undefined
      ? getSourceFile.call(host, path, language, onError, create)
      : ts.createSourceFile(path, text, language, true);
  };
  const rootNames = [...roots, ...files.keys()];
  return old === undefined
    ? ts.createProgram({ rootNames, options, host })
    : ts.createProgram({ rootNames, options, host, oldProgram: old });
}

/** The names `tsdoc/placeholders.d.ts` declares: never imported from a sibling module. */
const placeholderNames = new Set(
  ts
    .createSourceFile(PLACEHOLDERS, readFileSync(PLACEHOLDERS, "utf8"), ts.ScriptTarget.Latest)
    .statements.flatMap((s) =>
      ts.isModuleDeclaration(s) && s.name.text === "global" && s.body && ts.isModuleBlock(s.body)
        ? s.body.statements
        : [],
    )
    .flatMap((s) =>
      ts.isVariableStatement(s)
        ? s.declarationList.declarations.map((d) => (ts.isIdentifier(d.name) ? d.name.text : ""))
        : ts.isFunctionDeclaration(s) || ts.isTypeAliasDeclaration(s)
          ? [s.name?.text ?? ""]
          : [],
    ),
);

/**
 * Examples of files this change may not edit that are known not to type-check, with what is wrong;
 * each runs as an expected failure (`it.fails`), so fixing the example turns it red until its entry
 * here is removed. Keyed by file and a piece of the example's code.
 */
const KNOWN_FAILURES: readonly { file: string; contains: string; why: string }[] = [];

/** Whether `example` is one of {@link KNOWN_FAILURES}. */
function knownFailure(example: Example): boolean {
  return KNOWN_FAILURES.some((known) => example.file === known.file && example.code.includes(known.contains));
}

/** Name → whether it is a value (else type-only), for each module an example may import from. */
type Exports = Map<string, boolean>;

/** Pass 1: the exports of the entry points and of every file that has examples. */
function collectExports(): { exports: Map<string, Exports>; program: ts.Program } {
  const probes = new Map<string, string>();
  for (const [pkg, entries] of Object.entries(ENTRIES))
    probes.set(
      join(ROOT, "platform", pkg, "src", "__tsdoc_probe.ts"),
      entries.map((entry, i) => `export * as e${i} from "${entry}";`).join("\n"),
    );
  const roots = Object.keys(ENTRIES).flatMap((pkg) => sourceFiles(join(ROOT, "platform", pkg, "src")));
  const probe = program(probes, roots);
  const checker = probe.getTypeChecker();
  const exportsOfModule = (symbol: ts.Symbol | undefined): Exports =>
    new Map(
      (symbol === undefined ? [] : checker.getExportsOfModule(symbol)).map((s) => {
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return [s.name, (target.flags & ts.SymbolFlags.Value) !== 0];
      }),
    );
  const exports = new Map<string, Exports>();
  for (const [path] of probes)
    for (const statement of probe.getSourceFile(path)?.statements ?? [])
      if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined)
        exports.set(
          (statement.moduleSpecifier as ts.StringLiteral).text,
          exportsOfModule(checker.getSymbolAtLocation(statement.moduleSpecifier)),
        );
  // Every source file of the packages: the examples' own files, and the modules internal helpers come from.
  for (const source of probe.getSourceFiles()) {
    const path = source.fileName;
    if (!/\/platform\/[\w-]+\/src\//.test(path) || /\.(test|test-d|d)\.ts$|__tsdoc_probe/.test(path)) continue;
    exports.set(path, exportsOfModule(checker.getSymbolAtLocation(source)));
  }
  return { exports, program: probe };
}

/** The example as a module: generated imports, its own imports, the rest inside a function. */
function moduleText(example: Example, exports: Map<string, Exports>): string {
  const source = ts.createSourceFile("example.ts", example.code, ts.ScriptTarget.Latest, true);
  const own: string[] = [];
  const body: string[] = [];
  const imported = new Set<string>();
  for (const statement of source.statements) {
    const text = example.code.slice(statement.getFullStart(), statement.getEnd());
    if (ts.isImportDeclaration(statement)) {
      own.push(text.trim());
      const clause = statement.importClause;
      if (clause?.name) imported.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) imported.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) imported.add(e.name.text);
    } else body.push(text);
  }
  const used = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) used.add(node.text);
    node.forEachChild(visit);
  };
  source.statements.filter((s) => !ts.isImportDeclaration(s)).forEach(visit);
  const generated: string[] = [];
  const sourcePath = join(ROOT, example.file);
  const pkgSrc = join(ROOT, "platform", example.pkg, "src");
  const siblings = [...exports.keys()]
    .filter((key) => key.startsWith(`${pkgSrc}/`) && key !== sourcePath)
    .sort()
    .map((key): [string, string] => {
      const path = relative(dirname(sourcePath), key).replace(/\.ts$/, ".js");
      return [key, path.startsWith(".") ? path : `./${path}`];
    });
  const from: [string, string][] = [
    [sourcePath, `./${basename(example.file).replace(/\.ts$/, ".js")}`],
    ...(ENTRIES[example.pkg] ?? []).map((entry): [string, string] => [entry, entry]),
    ...siblings,
  ];
  for (const [key, specifier] of from) {
    const sibling = key !== sourcePath && !key.startsWith("@");
    const names = [...(exports.get(key) ?? [])].filter(
      ([name]) => used.has(name) && !imported.has(name) && !(sibling && placeholderNames.has(name)),
    );
    if (names.length === 0) continue;
    for (const [name] of names) imported.add(name);
    const list = names.map(([name, isValue]) => (isValue ? name : `type ${name}`)).join(", ");
    generated.push(`import { ${list} } from "${specifier}";`);
  }
  for (const [name, line] of Object.entries(THIRD_PARTY))
    if (used.has(name) && !imported.has(name)) generated.push(line);
  // The example's own code starts on a known line, so diagnostics map back to the source file.
  return [...generated, ...own, "export async function example() {", ...body, "}", ""].join("\n");
}

interface Problem {
  readonly line: number;
  readonly message: string;
}

function check(): Map<Example, Problem[]> {
  const { exports, program: probe } = collectExports();
  const files = new Map<string, string>();
  const pathOf = new Map<Example, string>();
  examples.forEach((example, i) => {
    const path = join(ROOT, dirname(example.file), `__tsdoc_example_${i}.ts`);
    pathOf.set(example, path);
    files.set(path, moduleText(example, exports));
  });
  const checked = program(files, [PLACEHOLDERS], probe);
  const problems = new Map<Example, Problem[]>();
  for (const example of examples) {
    const path = pathOf.get(example) ?? "";
    const source = checked.getSourceFile(path);
    const text = files.get(path) ?? "";
    const offset = text.split("\n").indexOf("export async function example() {") + 1;
    const diagnostics = source === undefined ? [] : ts.getPreEmitDiagnostics(checked, source);
    problems.set(
      example,
      diagnostics.map((d) => {
        const line = source && d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start).line : 0;
        return {
          line: line >= offset ? example.line + line - offset : example.line,
          message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
        };
      }),
    );
  }
  const placeholderProblems = ts
    .getPreEmitDiagnostics(checked, checked.getSourceFile(PLACEHOLDERS))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  if (placeholderProblems.length > 0) throw new Error(`tsdoc/placeholders.d.ts: ${placeholderProblems.join("; ")}`);
  return problems;
}

describe("TSDoc @example blocks type-check", () => {
  const problems = check();

  it("found the examples of every package", () => {
    expect(examples.filter((e) => e.pkg === "primitives").length).toBeGreaterThan(80);
    expect(examples.filter((e) => e.pkg === "observability").length).toBeGreaterThan(10);
    expect(examples.filter((e) => e.pkg === "agent-context").length).toBeGreaterThan(10);
  });

  const verify = (example: Example): void => {
    expect(example.lang, "an @example is followed by a ```ts fence").toBe("ts");
    expect(problems.get(example)?.map((p) => `${example.file}:${p.line}: ${p.message}`)).toEqual([]);
  };
  const where = (e: Example) => [`${e.file}:${e.line}`, e] as const;
  it.each(examples.filter((e) => !knownFailure(e)).map(where))("%s", (_where, example) => verify(example));
  // Fixing one of these makes its case fail: then remove its KNOWN_FAILURES entry.
  it.fails.each(examples.filter(knownFailure).map(where))("%s (known failure)", (_where, example) => verify(example));

  it("every KNOWN_FAILURES entry matches an example", () => {
    for (const known of KNOWN_FAILURES)
      expect(
        examples.some((e) => knownFailure(e) && e.file === known.file),
        `${known.file}: ${known.contains}`,
      ).toBe(true);
  });
});
