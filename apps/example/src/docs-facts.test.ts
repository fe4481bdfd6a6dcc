/**
 * Keeps the facts the docs state about the code in step with the code (docs.test.ts checks the code
 * blocks; this file checks the prose and tables):
 * 1. the ADR index (docs/decisions/README.md) lists every decision file, by its number;
 * 2. docs/core.md's error table has one row per `TtaErrorCode`, with the class that carries it and its
 *    default `retryable`, and calls no code "reserved" or "planned" that the sources raise;
 * 3. docs/core.md's event table has one row per member of `TtaEvent`, naming every field, and any
 *    number of `TtaEvent` members a doc quotes is the real one;
 * 4. no sentence that calls something "planned" names a workspace package or an export that exists.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as observability from "@tta/observability";
import * as primitives from "@tta/primitives";
import { TtaError, TtaErrorCode } from "@tta/primitives";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

/** The rows (`| … |` lines) of the first Markdown table after the heading `heading` in `doc`. */
function tableRows(doc: string, heading: string): string[][] {
  const lines = read(doc).split("\n");
  const start = lines.findIndex((line) => line === heading);
  expect(start, `${doc} has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,3} /.test(line)) break;
    if (!line.startsWith("|")) {
      if (rows.length > 0) break;
      continue;
    }
    // Split on the pipes that are not escaped (`\|` inside a cell).
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    rows.push(cells);
  }
  return rows.slice(1); // without the header row
}

/** The names in backticks in `text`. */
const backticked = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");

/** Non-test TypeScript sources of the published packages (the testing kit excluded). */
function sources(dir = join(ROOT, "platform")): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ["node_modules", "dist", "testing", "test-support"].includes(entry.name) ? [] : sources(path);
    return /(?<!\.test|\.test-d|\.d)\.ts$/.test(entry.name) ? [{ path, text: readFileSync(path, "utf8") }] : [];
  });
}

describe("the ADR index lists every decision", () => {
  const files = readdirSync(join(ROOT, "docs/decisions"))
    .filter((file) => /^\d{4}-.+\.md$/.test(file))
    .sort();
  const index = read("docs/decisions/README.md");
  const links = [...index.matchAll(/^\| \[(\d{4})\]\(([^)]+)\)/gm)].map((m) => ({ number: m[1], file: m[2] }));

  it("found the decisions", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)("%s is linked from docs/decisions/README.md under its number", (file) => {
    expect(links.filter((link) => link.file === file).map((link) => link.number)).toEqual([file.slice(0, 4)]);
  });

  it("every link points at a decision file, in order", () => {
    expect(links.map((link) => link.file)).toEqual(files);
  });
});

describe("docs/core.md's error table matches TtaErrorCode", () => {
  const rows = tableRows("docs/core.md", "## Errors");
  const codes = Object.values(TtaErrorCode);
  const sourceFiles = sources().filter((file) => !file.path.endsWith(join("core", "errors.ts")));
  const errorsSource = read("platform/primitives/src/core/errors.ts");

  it("has one row per code, and no other", () => {
    expect(rows.map((row) => backticked(row[0] ?? "")[0]).sort()).toEqual([...codes].sort());
  });

  it.each(rows.map((row) => [backticked(row[0] ?? "")[0] ?? "?", row] as const))("%s", (code, row) => {
    const [, classCell = "", retryableCell = "", raisedBy = ""] = row;
    const className = backticked(classCell)[0] ?? "";
    // The class is exported, and (for a subclass) is the one that carries this code.
    expect(typeof (primitives as Record<string, unknown>)[className], `${className} is exported`).toBe("function");
    if (className !== "TtaError") {
      const body = new RegExp(`class ${className} extends TtaError \\{[\\s\\S]*?TtaErrorCode\\.(\\w+)`).exec(
        errorsSource,
      );
      expect(body?.[1], `${className} carries ${code}`).toBe(code);
    }
    // The default retryable flag.
    if (retryableCell === "yes" || retryableCell === "no")
      expect(new TtaError(code as TtaErrorCode, "x").retryable ? "yes" : "no").toBe(retryableCell);
    // "reserved"/"planned" only for a code nothing raises yet.
    const raised = sourceFiles.some(({ text }) =>
      className === "TtaError"
        ? new RegExp(`new TtaError\\(\\s*(TtaErrorCode\\.${code}\\b|"${code}")`).test(text)
        : text.includes(`new ${className}(`),
    );
    if (raised) expect(raisedBy, `${code} is raised by the sources`).not.toMatch(/\breserved\b|\bplanned\b/i);
  });
});

/** The members of `TtaEvent` (interface name → its `type` and own field names), read from the source. */
function eventMembers(): Map<string, { type: string; fields: string[] }> {
  const path = "platform/primitives/src/core/instrumentation.ts";
  const source = ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  let union: string[] = [];
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
    if (
      ts.isTypeAliasDeclaration(statement) &&
      statement.name.text === "TtaEvent" &&
      ts.isUnionTypeNode(statement.type)
    )
      union = statement.type.types.map((t) => t.getText(source));
  }
  const members = new Map<string, { type: string; fields: string[] }>();
  for (const name of union) {
    const declaration = interfaces.get(name);
    expect(declaration, `${name} is declared in ${path}`).toBeDefined();
    const elements: readonly ts.TypeElement[] = declaration?.members ?? [];
    const fields = elements
      .filter((member): member is ts.PropertySignature => ts.isPropertySignature(member))
      .map((member) => ({ name: member.name.getText(source), type: member.type?.getText(source) ?? "" }));
    const type = /^"(.+)"$/.exec(fields.find((field) => field.name === "type")?.type ?? "")?.[1] ?? "";
    members.set(name, { type, fields: fields.map((f) => f.name).filter((f) => f !== "type") });
  }
  return members;
}

const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"];
const NUMBER_WORDS_MORE = ["twelve", "thirteen", "fourteen", "fifteen", "sixteen"];

describe("docs/core.md's event table matches TtaEvent", () => {
  const members = eventMembers();
  const rows = tableRows("docs/core.md", "## Events: `subscribe`");
  const byType = new Map(rows.map((row) => [backticked(row[0] ?? "")[0] ?? "", row]));

  it("found the union", () => {
    expect(members.size).toBeGreaterThanOrEqual(11);
  });

  it("has a row for the common fields and one per event type, and no other", () => {
    expect(rows.map((row) => (row[0] === "every" ? "every" : backticked(row[0] ?? "")[0])).sort()).toEqual(
      ["every", ...[...members.values()].map((m) => m.type)].sort(),
    );
  });

  it.each([...members].map(([name, member]) => [member.type, name, member] as const))(
    "the %s row names %s and every field",
    (type, name, member) => {
      const row = byType.get(type) ?? [];
      expect(backticked(row[0] ?? ""), "the first cell names the interface").toContain(name);
      const named = new Set(backticked(row.slice(1).join(" ")).map((cell) => cell.replace(/[?:].*$/, "")));
      for (const field of member.fields) expect(named, `\`${field}\` of ${name}`).toContain(field);
    },
  );

  it("every count of TtaEvent members quoted in the docs is the real one", () => {
    const docs = [
      "README.md",
      ...readdirSync(join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
    ];
    const words = [...NUMBER_WORDS, ...NUMBER_WORDS_MORE];
    let quoted = 0;
    for (const doc of docs) {
      const text = read(doc).replace(/\s+/g, " ");
      for (const match of text.matchAll(
        /`TtaEvent`[^.]*?\b(\d+|[a-z]+) (?:members|events|event types|kinds of event)\b/g,
      )) {
        const said = match[1] ?? "";
        const count = /^\d+$/.test(said) ? Number(said) : words.indexOf(said);
        if (count < 0) continue;
        quoted++;
        expect(count, `${doc}: "${match[0]}"`).toBe(members.size);
      }
      // A union spelled out in the prose lists every member.
      for (const match of text.matchAll(/`TtaEvent` is the union \(`([^`]+)`\)/g))
        expect(
          (match[1] ?? "").split("|").map((s) => s.trim()),
          `${doc}: the union spelled out`,
        ).toEqual([...members.keys()]);
    }
    expect(quoted, "docs/core.md says how many members TtaEvent has").toBeGreaterThan(0);
  });
});

describe("nothing that exists is called planned", () => {
  const packages = ["platform", "apps", "templates"].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        try {
          return [(JSON.parse(read(`${dir}/${entry.name}/package.json`)) as { name: string }).name];
        } catch {
          return [];
        }
      }),
  );
  const exported = new Set([...Object.keys(primitives), ...Object.keys(observability)]);
  const docs = [
    "README.md",
    "CONTRIBUTING.md",
    "platform/README.md",
    "apps/example/README.md",
    "bench/README.md",
    "templates/README.md",
    // Decision records are history: what was planned when they were written stays as it was.
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];

  it("found the workspace packages", () => {
    expect(packages).toEqual(expect.arrayContaining(["@tta/primitives", "@tta/observability"]));
  });

  it.each(docs)("%s", (doc) => {
    const sentences = read(doc)
      .replace(/```[\s\S]*?```/g, "")
      .split(/\n\s*\n/)
      // A table row or a list item is a unit of its own; prose is split into sentences.
      .flatMap((paragraph) => paragraph.split(/\n(?=\||\s*[-*] |\s*\d+\. |#)/))
      .flatMap((unit) => (unit.startsWith("|") ? [unit] : unit.split(/(?<=[.!?])\s+(?=[A-Z`[(])/)))
      .map((sentence) => sentence.replace(/\s+/g, " "));
    for (const sentence of sentences) {
      if (!/\bplanned\b|\bnot (?:yet )?(?:available|implemented)\b|\bcoming soon\b/i.test(sentence)) continue;
      for (const name of backticked(sentence))
        expect(
          packages.includes(name) || exported.has(name),
          `${doc}: "${sentence}" calls \`${name}\` planned, but it exists`,
        ).toBe(false);
    }
  });
});
