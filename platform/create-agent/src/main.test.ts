import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CommandRunner } from "./install.js";
import { type CliEnvironment, run } from "./main.js";
import { type Prompter, plainReporter } from "./prompts.js";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "create-agent-main-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

/** Runs the CLI with captured output, no terminal, and a package manager that records its calls. */
async function cli(argv: readonly string[], overrides: Partial<CliEnvironment> = {}) {
  let stdout = "";
  let stderr = "";
  const commands: { command: string; args: readonly string[]; cwd: string }[] = [];
  const runCommand: CommandRunner = (command, args, dir) => {
    commands.push({ command, args, cwd: dir });
    return Promise.resolve(0);
  };
  const write = (text: string) => (stdout += text);
  const code = await run(argv, {
    cwd,
    env: {},
    interactive: false,
    stdout: write,
    reporter: plainReporter(write), // also in the "terminal" tests: clack's output is tested in prompts.test.ts
    stderr: (text) => (stderr += text),
    runCommand,
    ...overrides,
  });
  return { code, stdout, stderr, commands };
}

/** A prompter that answers from a script and records the questions. */
function scripted(answers: { text?: string; select?: string; confirm?: boolean }) {
  const asked: string[] = [];
  const prompter: Prompter = {
    text: (q) => {
      asked.push(`text: ${q.message}`);
      const answer = answers.text ?? q.initialValue;
      const invalid = q.validate(answer);
      return invalid === undefined ? Promise.resolve(answer) : Promise.reject(new Error(`invalid: ${invalid}`));
    },
    select: (q) => {
      asked.push(`select: ${q.message} [${q.options.map((o) => o.value).join(", ")}]`);
      return Promise.resolve(answers.select ?? q.initialValue);
    },
    confirm: (q) => {
      asked.push(`confirm: ${q.message}`);
      return Promise.resolve(answers.confirm ?? q.initialValue);
    },
  };
  return { prompter, asked };
}

const entries = (dir: string) => readdirSync(dir).sort();

describe("create-agent without a terminal", () => {
  it("creates the project, installs with the package manager that ran it, and says what to do next", async () => {
    const result = await cli(["my-agent"], { env: { npm_config_user_agent: "pnpm/12.4.2 npm/? node/v20.20.2" } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.commands).toEqual([{ command: "pnpm", args: ["install"], cwd: join(cwd, "my-agent") }]);
    expect(result.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "- Copying template basic-agent into my-agent…",
        expect.stringMatching(/^- Created my-agent \(\d+ files\) from template basic-agent$/),
        "- Installing dependencies with pnpm (pnpm install)…",
        "- Dependencies installed",
        "  cd my-agent",
        expect.stringMatching(/^ {2}pnpm start +asks the agent a question/),
        expect.stringMatching(/^ {2}pnpm test +runs its test$/),
      ]),
    );
    expect(JSON.parse(readFileSync(join(cwd, "my-agent", "package.json"), "utf8"))).toMatchObject({ name: "my-agent" });
  });

  it("with --no-install, installs nothing and shows the install command among the next steps", async () => {
    const result = await cli(["nested/dir/agent-x", "--no-install", "--package-manager", "yarn"]);
    expect(result.code).toBe(0);
    expect(result.commands).toEqual([]);
    expect(result.stdout).toContain("  cd nested/dir/agent-x\n  yarn install\n  yarn start");
    expect(existsSync(join(cwd, "nested", "dir", "agent-x", "src", "agent.ts"))).toBe(true);
  });

  it("uses the defaults (basic-agent, install with npm) and needs the directory", async () => {
    const result = await cli([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "create-agent: missing the project directory, and stdin is not a terminal to ask for it: create-agent <directory> [options]; see create-agent --help\n",
    );
    expect(entries(cwd)).toEqual([]);
    expect((await cli(["ok"])).commands).toEqual([{ command: "npm", args: ["install"], cwd: join(cwd, "ok") }]);
  });

  it("refuses a non-empty folder with exit code 1 and writes nothing", async () => {
    mkdirSync(join(cwd, "taken"));
    writeFileSync(join(cwd, "taken", "notes.txt"), "mine\n");
    const result = await cli(["taken", "--no-install"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `create-agent: ${join(cwd, "taken")} is not empty (1 entry: notes.txt); choose a new or empty folder\n`,
    );
    expect(result.stdout).toBe("");
    expect(entries(cwd)).toEqual(["taken"]);
    expect(entries(join(cwd, "taken"))).toEqual(["notes.txt"]);
  });

  it.each([
    [["x", "--template", "nope"], 'create-agent: unknown template "nope" (available: basic-agent)\n'],
    [
      ["Bad_Name"],
      "create-agent: \"Bad_Name\" cannot be the project's name (the folder's name is its npm package name): it must be lowercase\n",
    ],
    [["x", "--bogus"], "create-agent: Unknown option '--bogus'; see create-agent --help\n"],
    [
      ["x", "--package-manager", "bun"],
      'create-agent: unknown package manager "bun" (use one of: npm, pnpm, yarn); see create-agent --help\n',
    ],
  ])("refuses %j with exit code 1, writing nothing", async (argv, message) => {
    const result = await cli(argv);
    expect(result).toMatchObject({ code: 1, stdout: "", stderr: message, commands: [] });
    expect(entries(cwd)).toEqual([]);
  });

  it("keeps the project and says so when the install fails", async () => {
    const result = await cli(["my-agent"], { runCommand: () => Promise.resolve(1) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "create-agent: npm install failed (exit 1); the project was created: install its dependencies yourself\n",
    );
    expect(existsSync(join(cwd, "my-agent", "package.json"))).toBe(true);
  });

  it("prints the help and the version", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: create-agent \[directory\] \[options\]/);
    const version = await cli(["-v"]);
    expect(version).toMatchObject({ code: 0, stderr: "" });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it("never asks a question", async () => {
    const { prompter, asked } = scripted({});
    expect((await cli(["quiet"], { prompter })).code).toBe(0);
    expect(asked).toEqual([]);
  });
});

describe("create-agent in a terminal", () => {
  it("asks for what is missing: the folder and whether to install", async () => {
    const { prompter, asked } = scripted({ text: "asked-agent", confirm: false });
    const result = await cli([], { interactive: true, prompter });
    expect(result.code).toBe(0);
    expect(asked).toEqual([
      "text: Project folder (its name is the package name)",
      "confirm: Install the dependencies with npm?",
    ]);
    expect(result.commands).toEqual([]);
    expect(existsSync(join(cwd, "asked-agent", "package.json"))).toBe(true);
  });

  it("asks nothing when every flag is given", async () => {
    const { prompter, asked } = scripted({});
    const result = await cli(["flagged", "--template", "basic-agent", "--install"], { interactive: true, prompter });
    expect(result.code).toBe(0);
    expect(asked).toEqual([]);
    expect(result.commands).toHaveLength(1);
  });

  it("offers the templates when there are several", async () => {
    const templates = join(cwd, "templates");
    for (const name of ["basic-agent", "other"]) {
      mkdirSync(join(templates, name), { recursive: true });
      writeFileSync(join(templates, name, "package.json"), `{ "name": "${name}" }`);
    }
    const { prompter, asked } = scripted({ select: "other" });
    const result = await cli(["picked", "--no-install"], { interactive: true, prompter, templatesDir: templates });
    expect(result.code).toBe(0);
    expect(asked).toEqual(["select: Template [basic-agent, other]"]);
    expect(result.stdout).toContain("from template other");
  });

  it("validates the folder while asking, before writing anything", async () => {
    mkdirSync(join(cwd, "taken"));
    writeFileSync(join(cwd, "taken", "x"), "");
    const { prompter } = scripted({ text: "taken" });
    const result = await cli([], { interactive: true, prompter });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid: .*taken is not empty/);
    expect(entries(cwd)).toEqual(["taken"]);
  });

  it("stops with exit code 1 and writes nothing when a question is cancelled", async () => {
    const { CreateAgentError } = await import("./errors.js");
    const prompter: Prompter = {
      ...scripted({}).prompter,
      text: () => Promise.reject(new CreateAgentError("CANCELLED", "cancelled: nothing was written")),
    };
    const result = await cli([], { interactive: true, prompter });
    expect(result).toMatchObject({ code: 1, stderr: "create-agent: cancelled: nothing was written\n" });
    expect(entries(cwd)).toEqual([]);
  });
});
