import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertUsableTarget, copyIntoNewFolder } from "./copy.js";
import { CreateAgentError } from "./errors.js";

let root: string;
let source: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "create-agent-copy-"));
  source = join(root, "source");
  mkdirSync(join(source, "src", "deep"), { recursive: true });
  writeFileSync(join(source, "package.json"), '{"name":"template"}\n');
  writeFileSync(join(source, "_gitignore"), "node_modules\n");
  writeFileSync(join(source, "src", "a.ts"), "export const a = 1;\n");
  writeFileSync(join(source, "src", "deep", "b.ts"), "export const b = 2;\n");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Everything under `dir`, relative, sorted (folders end with "/"). */
function tree(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? [`${prefix}${e.name}/`, ...tree(join(dir, e.name), `${prefix}${e.name}/`)] : [prefix + e.name],
    )
    .sort();
}

describe("copyIntoNewFolder", () => {
  it("copies every file, renaming and transforming on the way", async () => {
    const target = join(root, "out");
    const files = await copyIntoNewFolder(source, target, {
      rename: (name) => (name === "_gitignore" ? ".gitignore" : name),
      transform: (path, content) => (path === "package.json" ? '{"name":"out"}\n' : content),
    });
    expect(files).toEqual([".gitignore", "package.json", "src/a.ts", "src/deep/b.ts"]);
    expect(tree(target)).toEqual([".gitignore", "package.json", "src/", "src/a.ts", "src/deep/", "src/deep/b.ts"]);
    expect(readFileSync(join(target, "package.json"), "utf8")).toBe('{"name":"out"}\n');
    expect(readFileSync(join(target, "src", "deep", "b.ts"), "utf8")).toBe("export const b = 2;\n");
    expect(tree(root)).toEqual(expect.not.arrayContaining([expect.stringMatching(/create-agent-/)]));
  });

  it("gives the new folder the usual permissions, not a temporary folder's 0700", async () => {
    const target = join(root, "out");
    await copyIntoNewFolder(source, target);
    const fresh = join(root, "fresh");
    mkdirSync(fresh);
    expect(statSync(target).mode & 0o777).toBe(statSync(fresh).mode & 0o777);
  });

  it("skips what `skip` says", async () => {
    const target = join(root, "out");
    const files = await copyIntoNewFolder(source, target, { skip: (path) => path === "src/deep" });
    expect(files).toEqual(["_gitignore", "package.json", "src/a.ts"]);
  });

  it("creates missing parent folders", async () => {
    const target = join(root, "a", "b", "out");
    await copyIntoNewFolder(source, target);
    expect(existsSync(join(target, "src", "a.ts"))).toBe(true);
  });

  it("fills an existing empty folder", async () => {
    const target = join(root, "empty");
    mkdirSync(target);
    await copyIntoNewFolder(source, target);
    expect(existsSync(join(target, "package.json"))).toBe(true);
  });

  it("leaves nothing behind when the copy fails midway, not even the parents it created", async () => {
    const target = join(root, "a", "b", "out");
    const before = tree(root);
    const failing = copyIntoNewFolder(source, target, {
      transform: (path, content) => {
        if (path === "src/deep/b.ts") throw new Error("disk full");
        return content;
      },
    });
    await expect(failing).rejects.toThrow(CreateAgentError);
    await expect(failing).rejects.toMatchObject({
      code: "COPY_FAILED",
      message: expect.stringContaining("disk full (nothing was written)"),
      cause: expect.objectContaining({ message: "disk full" }),
    });
    expect(tree(root)).toEqual(before);
  });

  it("keeps an existing empty target folder when the copy fails", async () => {
    const target = join(root, "empty");
    mkdirSync(target);
    const failing = copyIntoNewFolder(source, target, {
      transform: () => {
        throw new Error("boom");
      },
    });
    await expect(failing).rejects.toMatchObject({ code: "COPY_FAILED" });
    expect(tree(root)).toEqual(expect.arrayContaining(["empty/"]));
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(root).filter((name) => name.includes("create-agent"))).toEqual([]);
  });

  it("refuses a non-empty folder or a file before writing anything", async () => {
    const taken = join(root, "taken");
    mkdirSync(taken);
    writeFileSync(join(taken, "notes.txt"), "mine\n");
    const before = tree(root);
    await expect(copyIntoNewFolder(source, taken)).rejects.toMatchObject({
      code: "TARGET_NOT_EMPTY",
      message: `${taken} is not empty (1 entry: notes.txt); choose a new or empty folder`,
    });
    await expect(copyIntoNewFolder(source, join(taken, "notes.txt"))).rejects.toMatchObject({
      code: "TARGET_NOT_EMPTY",
      message: expect.stringContaining("exists and is not a folder"),
    });
    expect(tree(root)).toEqual(before);
  });
});

describe("assertUsableTarget", () => {
  it("accepts a missing or empty folder", () => {
    expect(() => assertUsableTarget(join(root, "missing"))).not.toThrow();
    mkdirSync(join(root, "empty"));
    expect(() => assertUsableTarget(join(root, "empty"))).not.toThrow();
  });

  it("names a few of the entries it found", () => {
    expect(() => assertUsableTarget(source)).toThrow(/3 entries: _gitignore, package\.json, src\)/);
    writeFileSync(join(source, "z.txt"), "");
    expect(() => assertUsableTarget(source)).toThrow(/4 entries: _gitignore, package\.json, src, …\)/);
  });
});
