/**
 * Type-checks TypeScript source held in memory with the compiler API and the package's own
 * `tsconfig.json`, for tests that assert what a user sees in the editor: the message of a type error
 * and the code it points at. Not built, not published.
 *
 * @packageDocumentation
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The package's `src/` directory: virtual files live in it, so `./core/index.js` resolves as in a source file. */
const SRC = join(dirname(fileURLToPath(import.meta.url)), "..");

/** One type error of a virtual file. */
export interface TypeCheckError {
  /** The TS error code, e.g. 2769 for "No overload matches this call". */
  readonly code: number;
  /** The source text the error is reported at. */
  readonly at: string;
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column of the error. */
  readonly column: number;
  /** The whole message chain, one line per level, without indentation. */
  readonly message: string;
}

/**
 * Type-checks `files` (name → source; names relative to `src/`, e.g. `"core/__t1.ts"`) in one program
 * with the package's compiler options, and returns each file's type errors.
 */
export function typeErrors(files: Readonly<Record<string, string>>): Map<string, TypeCheckError[]> {
  const configPath = join(SRC, "..", "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (parsed === undefined) throw new Error(`cannot read ${configPath}`);
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(SRC, name), text]));
  const host = ts.createCompilerHost(parsed.options);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (path) => virtual.has(path) || fileExists(path);
  host.readFile = (path) => virtual.get(path) ?? readFile(path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = virtual.get(path);
    return text === undefined
      ? getSourceFile(path, language, onError, create)
      : ts.createSourceFile(path, text, language, true);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options: parsed.options, host });
  const result = new Map<string, TypeCheckError[]>();
  for (const [path] of virtual) {
    const source = program.getSourceFile(path);
    if (source === undefined) throw new Error(`${path} was not compiled`);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    result.set(
      path.slice(SRC.length + 1),
      diagnostics.map((d) => {
        const start = d.start ?? 0;
        const position = source.getLineAndCharacterOfPosition(start);
        return {
          code: d.code,
          at: source.text.slice(start, start + (d.length ?? 0)),
          line: position.line + 1,
          column: position.character + 1,
          message: ts
            .flattenDiagnosticMessageText(d.messageText, "\n")
            .split("\n")
            .map((line) => line.trim())
            .join("\n"),
        };
      }),
    );
  }
  return result;
}
