import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkDirectory, createProject, planProject } from "./create-project.js";
import { defaultTemplatesDir } from "./templates.js";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "create-agent-project-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe("planProject", () => {
  it("resolves the folder, takes its name and finds the template, writing nothing", () => {
    const plan = planProject({ directory: "apps/my-agent", cwd });
    expect(plan).toEqual({
      target: join(cwd, "apps", "my-agent"),
      name: "my-agent",
      template: "basic-agent",
      templateDir: join(defaultTemplatesDir(), "basic-agent"),
    });
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each([
    ["My-Agent", "INVALID_NAME", '"My-Agent" cannot be the project\'s name'],
    ["http", "INVALID_NAME", "is the name of a Node.js core module"],
    [" ", "INVALID_ARGUMENTS", "must not be empty"],
  ])("refuses %j (%s)", (directory, code, message) => {
    expect(() => planProject({ directory, cwd })).toThrow(expect.objectContaining({ code }));
    expect(() => planProject({ directory, cwd })).toThrow(message);
  });

  it("refuses an unknown template and a non-empty folder", () => {
    expect(() => planProject({ directory: "x", cwd, template: "nope" })).toThrow(
      expect.objectContaining({ code: "UNKNOWN_TEMPLATE" }),
    );
    mkdirSync(join(cwd, "taken"));
    writeFileSync(join(cwd, "taken", "a"), "");
    expect(() => planProject({ directory: "taken", cwd })).toThrow(
      expect.objectContaining({ code: "TARGET_NOT_EMPTY" }),
    );
  });

  it("checks a directory on its own (the prompt's validation)", () => {
    expect(checkDirectory("my-agent", cwd)).toEqual({ target: join(cwd, "my-agent"), name: "my-agent" });
    expect(() => checkDirectory("Bad", cwd)).toThrow(/must be lowercase/);
  });
});

describe("createProject", () => {
  it("copies basic-agent with the project's name, a .gitignore and no build output", async () => {
    const project = await createProject(planProject({ directory: "my-agent", cwd }));
    const target = join(cwd, "my-agent");
    expect(project.target).toBe(target);
    expect(project.files).toEqual(
      expect.arrayContaining([".gitignore", "README.md", "package.json", "tsconfig.json", "src/agent.ts"]),
    );
    expect(project.files).not.toContain("_gitignore");
    expect(project.files.some((f) => f.startsWith("node_modules") || f.startsWith("dist"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: "my-agent", private: true, type: "module" });
    expect(Object.keys(manifest)[0]).toBe("name"); // the key keeps its place
    expect(readFileSync(join(target, "README.md"), "utf8")).toMatch(/^# my-agent\n/);
    expect(existsSync(join(target, ".gitignore"))).toBe(true);
  });

  it("skips node_modules, dist and *.tsbuildinfo found in a template", async () => {
    const templates = join(cwd, "templates");
    const template = join(templates, "t");
    for (const dir of ["node_modules/x", "dist", "src"]) mkdirSync(join(template, dir), { recursive: true });
    writeFileSync(join(template, "package.json"), '{ "name": "t" }');
    writeFileSync(join(template, "node_modules", "x", "index.js"), "");
    writeFileSync(join(template, "dist", "main.js"), "");
    writeFileSync(join(template, "tsconfig.tsbuildinfo"), "");
    writeFileSync(join(template, "src", "main.ts"), "");
    const project = await createProject(planProject({ directory: "p", cwd, template: "t", templatesDir: templates }));
    expect(project.files).toEqual(["package.json", "src/main.ts"]);
    expect(readFileSync(join(cwd, "p", "package.json"), "utf8")).toBe('{\n  "name": "p"\n}\n');
  });
});
