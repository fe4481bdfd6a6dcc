// The per-package steps of scripts/release-check.mjs (install, manifest, import, types, run) and the
// process helpers they share with it: `exec` (output captured, timeout, heartbeat), temporary folders
// removed on exit, coloured progress lines. Plain Node ESM with no dependencies.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const IS_WINDOWS = process.platform === "win32";
/** Installed next to the tarballs in every temporary project (the versions the repository uses). */
const TOOLING = ["typescript@5.9.3", "@types/node@^20.19.0"];
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock", "--loglevel=error"];
const HEARTBEAT_MS = 10_000;
const STEP_TIMEOUT_MS = 240_000;
const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies"];

/**
 * The one-line workflow run for each package (TypeScript, type-checked with the subpath imports, then
 * run), or `bin`: arguments for the package's CLI. A package missing here is reported as skipped.
 */
const WORKFLOWS = {
  "@tta/primitives": {
    ts: `import { sequential } from "@tta/primitives";

const length = await sequential([(text: string) => text.trim(), (text: string) => text.length]).execute("  tta  ");
if (length !== 3) throw new Error(\`sequential returned \${length}, expected 3\`);
console.log(\`sequential([...]).execute(...) → \${length}\`);
`,
  },
  "@tta/observability": {
    ts: `import { setupObservability } from "@tta/observability";
import { sequential } from "@tta/primitives";

const obs = setupObservability({ serviceName: "release-check", tracing: { exporter: "memory" } });
await sequential([(text: string) => text.trim()], { name: "release-check" }).execute(" ok ");
const spans = obs.memoryExporter?.getFinishedSpans().map((span) => span.name) ?? [];
await obs.shutdown();
if (!spans.includes("tta.sequential")) throw new Error(\`no tta.sequential span (got: \${spans.join(", ") || "none"})\`);
console.log(\`setupObservability → \${spans.length} span(s), shutdown ok\`);
`,
  },
  "@tta/agent-context": {
    ts: `import { createBudget } from "@tta/agent-context";

const budget = createBudget({ name: "release-check", tokens: 1_000 });
budget.reserve({ inputTokens: 300, outputTokens: 200 }).commit({ inputTokens: 320, outputTokens: 150 });
const { spent, remaining } = budget.snapshot();
if (spent.tokens !== 470 || remaining.tokens !== 530) throw new Error(\`spent \${spent.tokens}, remaining \${remaining.tokens}\`);
console.log(\`createBudget → reserve/commit: spent \${spent.tokens}, remaining \${remaining.tokens}\`);
`,
  },
  "@tta/redis": {
    ts: `import { TimeoutError } from "@tta/primitives";
import { deserializeError, serializeError } from "@tta/redis";

// No Redis here: the wire format of worker errors, as remote() rebuilds them.
const back = deserializeError(JSON.parse(JSON.stringify(serializeError(new TimeoutError("slow", { timeoutMs: 50 })))));
if (!(back instanceof TimeoutError)) throw new Error("a TimeoutError did not come back as a TimeoutError");
console.log(\`serializeError/deserializeError → \${back.name} (\${back.code})\`);
`,
  },
  "@tta/create-agent": { bin: ["--help"] },
};

const COLOR = process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
export const paint = (code, text) => (COLOR ? `\x1b[${code}m${text}\x1b[0m` : text);
export const log = (message) => console.log(`${paint("36", "[release]")} ${message}`);
export const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

/** A step that failed: `output` is the tail of what its command printed. */
export class StepError extends Error {
  constructor(step, message, output = "") {
    super(message);
    this.step = step;
    this.output = output;
  }
}

// --- temporary folders and child processes, cleaned up on every exit ---------------------------------
const tempDirs = [];
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGTERM");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** What is running now, for the heartbeat line. */
const running = new Map();

/**
 * Runs a command and resolves with its combined output; rejects with a StepError (tail of the output)
 * when it exits non-zero, cannot start or outlives STEP_TIMEOUT_MS.
 */
export function exec(step, label, command, args, { cwd, env = process.env, inherit = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const began = Date.now();
    const child = spawn(command, args, {
      cwd,
      env,
      shell: IS_WINDOWS,
      stdio: ["ignore", inherit ? "inherit" : "pipe", inherit ? "inherit" : "pipe"],
    });
    children.add(child);
    running.set(child, { label, began });
    let output = "";
    const collect = (chunk) => {
      output = (output + chunk).slice(-200_000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const timer = setTimeout(() => {
      output += `\n(timed out after ${seconds(STEP_TIMEOUT_MS)}; killed)`;
      child.kill("SIGTERM");
    }, STEP_TIMEOUT_MS);
    const done = (error) => {
      clearTimeout(timer);
      children.delete(child);
      running.delete(child);
      if (error) reject(error);
      else resolvePromise(output);
    };
    child.on("error", (error) => done(new StepError(step, `could not start ${command}: ${error.message}`)));
    child.on("close", (code, signal) => {
      const tail = output.trim().split("\n").slice(-40).join("\n");
      if (code === 0) done();
      else
        done(
          new StepError(
            step,
            `\`${[command, ...args].join(" ")}\` ${code === null ? `was killed (${signal})` : `exited ${code}`} after ${seconds(Date.now() - began)}`,
            tail,
          ),
        );
    });
  });
}

const heartbeat = setInterval(() => {
  const now = Date.now();
  const slow = [...running.values()].filter(({ began }) => now - began >= HEARTBEAT_MS / 2);
  if (slow.length === 0) return;
  const list = slow.map(({ label, began }) => `${label} (${seconds(now - began)})`).join(", ");
  log(paint("2", `… still running: ${list}`));
}, HEARTBEAT_MS);
heartbeat.unref();

/** The package and every public @tta/* package it needs, transitively (non-optional peers included). */
export function closure(pkg, byName) {
  const seen = new Set([pkg.name]);
  const queue = [pkg];
  while (queue.length > 0) {
    const { manifest } = queue.shift();
    const optionalPeers = manifest.peerDependenciesMeta ?? {};
    for (const field of DEPENDENCY_FIELDS) {
      for (const dep of Object.keys(manifest[field] ?? {})) {
        if (field === "peerDependencies" && optionalPeers[dep]?.optional) continue;
        const found = byName.get(dep);
        if (found && !seen.has(dep)) {
          seen.add(dep);
          queue.push(found);
        }
      }
    }
  }
  return [...seen].map((name) => byName.get(name));
}

/** Import specifiers for the subpaths of `exports` (no wildcards, no `null` targets, no package.json). */
function subpaths(manifest) {
  const exportsField = manifest.exports;
  if (exportsField === undefined) return [manifest.name];
  if (typeof exportsField === "string" || !Object.keys(exportsField).some((key) => key.startsWith(".")))
    return [manifest.name];
  return Object.entries(exportsField)
    .filter(([key, target]) => target !== null && !key.includes("*") && key !== "./package.json")
    .map(([key]) => (key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

/** File targets of `exports` under the standard conditions (custom ones such as `@tta/source` are skipped). */
function exportTargets(target, found = []) {
  if (typeof target === "string") found.push(target);
  else if (Array.isArray(target)) for (const item of target) exportTargets(item, found);
  else if (target && typeof target === "object")
    for (const [key, value] of Object.entries(target)) if (!key.startsWith("@")) exportTargets(value, found);
  return found;
}

export const tarballName = (pkg) => `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;

// --- the checks of one package -----------------------------------------------------------------------
/**
 * Runs the install, manifest, import, types and run steps of one package. The first failing step ends its
 * checks (thrown), except a manifest problem, which is added to `failures` and the steps go on.
 */
export async function checkPackage(pkg, byName, tarballs, npmEnv, result, failures) {
  const say = (message) => log(`${pkg.name}: ${message}`);
  /** Runs one step; a failure is recorded in `result` and rethrown (ending this package's checks). */
  const step = async (name, label, body) => {
    const began = Date.now();
    say(`${label}…`);
    try {
      const note = await body();
      result[name] = "ok";
      say(`${name} ${paint("32", "ok")}${note ? ` (${note})` : ""} (${seconds(Date.now() - began)})`);
    } catch (error) {
      result[name] = "FAIL";
      throw error instanceof StepError
        ? error
        : new StepError(name, error instanceof Error ? error.message : String(error));
    }
  };
  const project = tempDir(`tta-release-${pkg.name.replace(/^@/, "").replace(/\W+/g, "-")}-`);
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "tta-release-check", private: true, type: "module" }, null, 2)}\n`,
  );
  const needed = closure(pkg, byName);
  const installed = join(project, "node_modules", ...pkg.name.split("/"));
  let manifest;

  await step(
    "install",
    `npm install ${needed.map(tarballName).join(" ")} + ${TOOLING.join(" ")} (in ${project})`,
    async () => {
      const args = ["install", ...needed.map((dep) => tarballs.get(dep.name)), ...TOOLING, ...NPM_FLAGS];
      await exec("install", `${pkg.name} npm install`, "npm", args, { cwd: project, env: npmEnv });
      return `${needed.length} tarball(s)`;
    },
  );

  const checkManifest = step("manifest", "checking the installed package.json and files", async () => {
    manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    const problems = [];
    for (const field of DEPENDENCY_FIELDS)
      for (const [dep, range] of Object.entries(manifest[field] ?? {}))
        if (/^(workspace|catalog|link|file):/.test(range))
          problems.push(`${field}.${dep} is "${range}" (not a semver range)`);
    const bins = typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {});
    for (const file of ["README.md", "LICENSE", ...exportTargets(manifest.exports), ...bins])
      if (!existsSync(join(installed, file))) problems.push(`${file} is missing from the tarball`);
    if (problems.length > 0) throw new StepError("manifest", problems.join("; "));
  });
  await checkManifest.catch((error) => {
    if (manifest === undefined) throw error; // no package.json: nothing else can run
    failures.push({ pkg, error });
    say(`${paint("31", "manifest FAILED")}: ${error.message} (going on with the other steps)`);
  });

  const specifiers = subpaths(manifest);
  let names = {};
  await step("import", `import() of ${specifiers.join(", ")}`, async () => {
    const script = join(project, "import-check.mjs");
    writeFileSync(
      script,
      `const names = {};\nfor (const specifier of ${JSON.stringify(specifiers)}) names[specifier] = Object.keys(await import(specifier)).sort();\nconsole.log(JSON.stringify(names));\n`,
    );
    const output = await exec("import", `${pkg.name} import`, process.execPath, [script], { cwd: project });
    names = JSON.parse(output.trim().split("\n").at(-1));
    const empty = specifiers.filter((specifier) => names[specifier].length === 0);
    return `${specifiers.length} subpath(s)${empty.length > 0 ? `; no runtime export: ${empty.join(", ")}` : ""}`;
  });

  const workflow = WORKFLOWS[pkg.name];
  await step("types", "tsc --strict (nodenext) on every subpath and the workflow", async () => {
    const lines = [
      "// Generated by scripts/release-check.mjs: every runtime export of every subpath, read through the types.",
    ];
    const uses = [];
    specifiers.forEach((specifier, i) => {
      lines.push(`import * as m${i} from ${JSON.stringify(specifier)};`);
      if (names[specifier].length === 0) lines.push(`export type M${i} = keyof typeof m${i};`);
      for (const name of names[specifier]) uses.push(`m${i}[${JSON.stringify(name)}]`);
    });
    lines.push(`export const uses: unknown[] = [\n  ${uses.join(",\n  ")},\n];`);
    writeFileSync(join(project, "check.ts"), `${lines.join("\n")}\n`);
    const files = ["check.ts"];
    if (workflow?.ts) {
      writeFileSync(join(project, "workflow.ts"), workflow.ts);
      files.push("workflow.ts");
    }
    const compilerOptions = {
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      lib: ["es2023"],
      strict: true,
      types: ["node"],
      skipLibCheck: false,
      outDir: "out",
    };
    writeFileSync(join(project, "tsconfig.json"), `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`);
    await exec(
      "types",
      `${pkg.name} tsc`,
      process.execPath,
      [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      { cwd: project },
    );
    return `${uses.length} export(s)`;
  });

  if (workflow?.ts) {
    await step("run", "running the one-line workflow", async () => {
      const output = await exec(
        "run",
        `${pkg.name} workflow`,
        process.execPath,
        [join(project, "out", "workflow.js")],
        { cwd: project },
      );
      return output.trim().split("\n").at(-1);
    });
  } else if (workflow?.bin) {
    const binNames = typeof manifest.bin === "string" ? [pkg.name.split("/").at(-1)] : Object.keys(manifest.bin ?? {});
    if (binNames.length === 0)
      throw new StepError("run", `${pkg.name} has no "bin" to run with ${workflow.bin.join(" ")}`);
    await step("run", `node_modules/.bin/${binNames[0]} ${workflow.bin.join(" ")}`, async () => {
      const bin = join(project, "node_modules", ".bin", IS_WINDOWS ? `${binNames[0]}.cmd` : binNames[0]);
      if (!existsSync(bin))
        throw new StepError(
          "run",
          `npm did not link node_modules/.bin/${binNames[0]} (is its "bin" target in the tarball?)`,
        );
      await exec("run", `${pkg.name} ${binNames[0]}`, bin, workflow.bin, { cwd: project });
      return `${binNames[0]} ${workflow.bin.join(" ")} exited 0`;
    });
  } else {
    result.run = "skip";
    say(`run skipped: no workflow for ${pkg.name} in scripts/release-check.mjs (WORKFLOWS)`);
  }
}
