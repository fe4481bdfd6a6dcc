/**
 * Keeps the docs honest:
 * 1. every snippet in src/snippets runs, and prints exactly what its `// → …` comments say;
 * 2. every TypeScript code block in README.md and docs/*.md is a verbatim copy of the snippet file
 *    named in the `<!-- snippet: … -->` comment above it (so every quoted block type-checks).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { format } from "node:util";
import { trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";

const repoRoot = new URL("../../../", import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, repoRoot), "utf8");

const snippetDir = "apps/example/src/snippets/";
const runnableSnippets = readdirSync(new URL(snippetDir, repoRoot))
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
  .sort();

/** The `// → …` comments of a snippet, in order: the lines it must print. */
function expectedOutput(source: string): string[] {
  return [...source.matchAll(/\/\/ → (.*)$/gm)].map((match) => match[1] ?? "");
}

describe("runnable snippets print what their comments say", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    trace.disable(); // a snippet may register a tracer provider
  });

  it.each(runnableSnippets)(
    "%s",
    async (file) => {
      const printed: string[] = [];
      vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
        printed.push(...format(...args).split("\n"));
      });
      await import(`./snippets/${file.replace(/\.ts$/, ".js")}`);
      expect(printed).toEqual(expectedOutput(read(snippetDir + file)));
      // The first snippet of a package pays for transforming its sources: seconds on a loaded 2-vCPU machine.
    },
    30_000,
  );
});

interface CodeBlock {
  readonly doc: string;
  readonly line: number;
  readonly lang: string;
  readonly body: string;
  /** The path in a `<!-- snippet: path -->` comment right above the block, if any. */
  readonly snippet: string | undefined;
  /** The path in an `<!-- output: path -->` comment right above a ```text block, if any. */
  readonly output: string | undefined;
}

function codeBlocks(doc: string): CodeBlock[] {
  const lines = read(doc).split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] ?? "");
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== "```") end++;
    let above = i - 1;
    while (above >= 0 && (lines[above] ?? "").trim() === "") above--;
    const marker = /^<!-- snippet: (\S+) -->$/.exec(lines[above] ?? "");
    const output = open[1] === "text" ? /^<!-- output: (\S+) -->$/.exec(lines[above] ?? "") : null;
    blocks.push({
      doc,
      line: i + 1,
      lang: open[1] ?? "",
      body: lines.slice(i + 1, end).join("\n"),
      snippet: marker?.[1],
      output: output?.[1],
    });
    i = end;
  }
  return blocks;
}

const docs = [
  "README.md",
  // The package READMEs (their registry pages) quote snippets too.
  ...readdirSync(new URL("platform/", repoRoot), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(new URL(`platform/${entry.name}/README.md`, repoRoot)))
    .map((entry) => `platform/${entry.name}/README.md`),
  ...readdirSync(new URL("docs/", repoRoot))
    .filter((file) => file.endsWith(".md"))
    .map((file) => `docs/${file}`),
];
const blocks = docs.flatMap(codeBlocks);

describe("code blocks in the docs are copies of type-checked snippets", () => {
  it("found the docs and their blocks", () => {
    expect(docs).toContain("docs/core.md");
    expect(blocks.filter((b) => b.snippet !== undefined).length).toBeGreaterThan(10);
  });

  // Shell commands (```sh) and program output checked by main.test.ts (```text under an
  // `<!-- output: … -->` comment) are the only blocks that are not snippet files.
  it.each(blocks.filter((b) => b.lang !== "sh" && b.output === undefined).map((b) => [`${b.doc}:${b.line}`, b]))(
    "%s is a ```ts block naming its snippet file",
    (_where, block) => {
      expect(block.lang).toBe("ts");
      expect(block.snippet, "add <!-- snippet: apps/example/src/snippets/<file>.ts --> above the block").toMatch(
        /^apps\/example\/src\/snippets\/[\w.-]+\.ts$/,
      );
    },
  );

  it.each(blocks.filter((b) => b.snippet !== undefined).map((b) => [`${b.doc}:${b.line} ← ${b.snippet}`, b]))(
    "%s",
    (_where, block) => {
      expect(block.body).toBe(read(block.snippet ?? "").trimEnd());
    },
  );
});
