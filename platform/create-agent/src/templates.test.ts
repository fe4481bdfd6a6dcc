import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packageVersion } from "./package-root.js";
import { DEFAULT_TEMPLATE, defaultTemplatesDir, listTemplates, resolveTemplate } from "./templates.js";

const PACKAGE_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const REPO_TEMPLATES = resolve(PACKAGE_ROOT, "..", "..", "templates");

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "create-agent-templates-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("templates", () => {
  it("reads the repository's templates/ inside the repository, the shipped copy elsewhere", () => {
    expect(defaultTemplatesDir()).toBe(REPO_TEMPLATES);
    expect(defaultTemplatesDir(join(root, "node_modules", "@tta", "create-agent"))).toBe(
      join(root, "node_modules", "@tta", "create-agent", "dist", "templates"),
    );
  });

  it("lists the folders that have a package.json, sorted", () => {
    for (const name of ["zeta", "alpha", "no-manifest"]) mkdirSync(join(root, name));
    writeFileSync(join(root, "zeta", "package.json"), "{}");
    writeFileSync(join(root, "alpha", "package.json"), "{}");
    writeFileSync(join(root, "README.md"), "");
    expect(listTemplates(root)).toEqual(["alpha", "zeta"]);
    expect(listTemplates(join(root, "missing"))).toEqual([]);
  });

  it("ships basic-agent, the default", () => {
    expect(DEFAULT_TEMPLATE).toBe("basic-agent");
    expect(listTemplates(REPO_TEMPLATES)).toContain("basic-agent");
    expect(resolveTemplate(REPO_TEMPLATES, "basic-agent")).toBe(join(REPO_TEMPLATES, "basic-agent"));
  });

  it("refuses an unknown template, listing the known ones, and never leaves the folder", () => {
    mkdirSync(join(root, "one"));
    writeFileSync(join(root, "one", "package.json"), "{}");
    expect(() => resolveTemplate(root, "two")).toThrow('unknown template "two" (available: one)');
    expect(() => resolveTemplate(join(root, "one"), "..")).toThrow(/unknown template "\.\."/);
    expect(() => resolveTemplate(join(root, "missing"), "one")).toThrow(/available: none found in/);
  });

  it("knows its version", () => {
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
