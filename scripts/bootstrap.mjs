#!/usr/bin/env node
// Entry point for `npm start` and `npm test` on a machine that has only Node 20 + npm.
//
//   node scripts/bootstrap.mjs start [args…] → pnpm install, then run the demo agent (apps/agent-demo) with
//                                              its observatory; args go to the demo (`npm start -- --once`)
//   node scripts/bootstrap.mjs test           → pnpm install, then every check; last line: "N passed, N failed, N skipped"
//
// pnpm: a `pnpm` on PATH is used only if it is exactly PNPM_VERSION; otherwise pnpm PNPM_VERSION is
// installed into `.tools/` inside this repository (git-ignored; `npm install --prefix .tools`) and run
// from there. Nothing global is installed, replaced or configured: a user's own pnpm stays as it is.
// Delete `.tools/` to remove it.
//
// Output: long quiet steps print a heartbeat line every 10 s; colour only on a TTY without NO_COLOR.
//
// Plain Node ESM with no dependencies: it runs before anything is installed.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PNPM_VERSION = "12.4.2"; // must equal "packageManager" in package.json
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VITEST_JSON = join(ROOT, "reports", "vitest.json");
const IS_WINDOWS = process.platform === "win32";
const IS_CI = Boolean(process.env.CI) && !["0", "false"].includes(String(process.env.CI).toLowerCase());
/** Project-local tools (git-ignored): pnpm lives in `.tools/node_modules/.bin`. */
const TOOLS_DIR = join(ROOT, ".tools");
const TOOLS_BIN = join(TOOLS_DIR, "node_modules", ".bin");
const LOCAL_PNPM = join(TOOLS_BIN, IS_WINDOWS ? "pnpm.cmd" : "pnpm");
/** How often a quiet step says it is still running. */
const HEARTBEAT_MS = 10_000;
/** ANSI colour only on a terminal, and never with NO_COLOR (https://no-color.org) or TERM=dumb. */
const COLOR = process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
// Checked before any pnpm command runs, since pnpm may create the lockfile (see `capture`).
const HAS_LOCKFILE = existsSync(join(ROOT, "pnpm-lock.yaml"));

/** Environment for every child: CI-friendly, no telemetry. */
const childEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
// Without colour here, the tools run below print none either (vitest colours even a pipe unless told),
// unless the user forces it with FORCE_COLOR.
if (!COLOR && childEnv.FORCE_COLOR === undefined) childEnv.NO_COLOR = "1";

/** @type {string[]} temporary directories to remove on exit */
const cleanupDirs = [];
process.on("exit", () => {
  for (const dir of cleanupDirs) rmSync(dir, { recursive: true, force: true });
});

/** Wraps `text` in an SGR colour code when COLOR is on. */
function paint(code, text) {
  return COLOR ? `\x1b[${code}m${text}\x1b[0m` : text;
}
const cyan = (text) => paint("36", text);
const green = (text) => paint("32", text);
const red = (text) => paint("31", text);
const dim = (text) => paint("2", text);

function log(message) {
  console.log(`${cyan("[tta]")} ${message}`);
}

/**
 * Runs a command quietly and returns its trimmed stdout, or undefined when it cannot run or fails.
 * Runs outside the repository: inside it, even `pnpm --version` writes its `packageManager` pin into
 * pnpm-lock.yaml (creating the file if it is missing).
 */
function capture(command, args) {
  const result = spawnSync(command, args, {
    cwd: tmpdir(),
    env: childEnv,
    encoding: "utf8",
    shell: IS_WINDOWS,
    stdio: ["ignore", "pipe", "ignore"],
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The command line to show in progress output. */
function show(command, args) {
  return [command, ...args].join(" ");
}

/** Currently running child, so that SIGINT/SIGTERM can be forwarded to it. */
let current;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (current !== undefined && current.exitCode === null) current.kill(signal);
    else process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  });
}

/**
 * Runs a command with inherited stdio (in `cwd`, the repository root by default) and resolves with its
 * exit code (128 + n when killed by a signal, 127 when it could not be started). With `heartbeat` (a
 * step name), a step whose tool prints little says every HEARTBEAT_MS that it is still running, with the
 * elapsed time.
 */
function run(command, args, { heartbeat, cwd = ROOT } = {}) {
  return new Promise((resolvePromise) => {
    const began = Date.now();
    const child = spawn(command, args, { cwd, env: childEnv, stdio: "inherit", shell: IS_WINDOWS });
    current = child;
    const timer =
      heartbeat === undefined
        ? undefined
        : setInterval(() => log(dim(`… ${heartbeat} still running (${seconds(Date.now() - began)})`)), HEARTBEAT_MS);
    const done = (code) => {
      clearInterval(timer);
      current = undefined;
      resolvePromise(code);
    };
    child.on("error", (error) => {
      console.error(`${cyan("[tta]")} could not start ${command}: ${error.message}`);
      done(127);
    });
    child.on("close", (code, signal) => {
      if (code !== null) done(code);
      else done(128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15));
    });
  });
}

/** Puts `dir` first on PATH for this process's children. */
function prependPath(dir) {
  const key = Object.keys(childEnv).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
  childEnv[key] = [dir, childEnv[key]].filter(Boolean).join(delimiter);
}

/** The version a pnpm binary reports, or undefined when it is missing or cannot run. */
function versionOf(pnpm) {
  return capture(pnpm, ["--version"]);
}

/**
 * Installs pnpm PNPM_VERSION into TOOLS_DIR (inside the repository, git-ignored) with
 * `npm install --prefix`: no global install, no change to npm's configuration. Resolves with npm's
 * exit code.
 */
async function installLocalPnpm() {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const manifest = join(TOOLS_DIR, "package.json");
  if (!existsSync(manifest)) {
    const description = "Project-local tools installed by scripts/bootstrap.mjs (git-ignored; safe to delete).";
    writeFileSync(manifest, `${JSON.stringify({ name: "tta-tools", private: true, description }, null, 2)}\n`);
  }
  const args = [
    "install",
    "--prefix",
    TOOLS_DIR,
    `pnpm@${PNPM_VERSION}`,
    "--no-save",
    "--no-package-lock",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ];
  return run("npm", args, { heartbeat: "npm install pnpm" });
}

/**
 * Finds pnpm PNPM_VERSION without touching anything global: the one on PATH when it is exactly that
 * version, else the project-local one in `.tools/` (installed there first if needed), else
 * `npx --yes pnpm@…` (npm's cache only) behind a `pnpm` shim. Whatever is chosen is put first on the
 * children's PATH, since turbo needs a `pnpm` binary on PATH. Returns the command to run.
 */
async function ensurePnpm() {
  const onPath = versionOf("pnpm");
  if (onPath === PNPM_VERSION) {
    log(`using pnpm ${PNPM_VERSION} from PATH`);
    return "pnpm";
  }
  const why =
    onPath === undefined
      ? "pnpm is not on PATH"
      : `pnpm ${onPath} is on PATH, but this repository needs exactly ${PNPM_VERSION} (yours is left as it is)`;
  if (versionOf(LOCAL_PNPM) === PNPM_VERSION) {
    log(`${why}; using the project-local pnpm ${PNPM_VERSION} in .tools/`);
    prependPath(TOOLS_BIN);
    return LOCAL_PNPM;
  }
  log(`${why}; installing pnpm ${PNPM_VERSION} into .tools/ (inside this repository, git-ignored; nothing global)…`);
  const npmCode = await installLocalPnpm();
  if (npmCode === 0 && versionOf(LOCAL_PNPM) === PNPM_VERSION) {
    log(`using the project-local pnpm ${PNPM_VERSION} in .tools/ (delete that folder to remove it)`);
    prependPath(TOOLS_BIN);
    return LOCAL_PNPM;
  }
  log(`the project-local install failed (npm exited ${npmCode}); falling back to npx --yes pnpm@${PNPM_VERSION}…`);
  const shimDir = mkdtempSync(join(tmpdir(), "tta-pnpm-"));
  cleanupDirs.push(shimDir);
  if (IS_WINDOWS) {
    writeFileSync(join(shimDir, "pnpm.cmd"), `@npx --yes pnpm@${PNPM_VERSION} %*\r\n`);
  } else {
    const shim = join(shimDir, "pnpm");
    writeFileSync(shim, `#!/bin/sh\nexec npx --yes pnpm@${PNPM_VERSION} "$@"\n`);
    chmodSync(shim, 0o755);
  }
  prependPath(shimDir);
  const viaNpx = join(shimDir, IS_WINDOWS ? "pnpm.cmd" : "pnpm");
  const version = versionOf(viaNpx);
  if (version !== PNPM_VERSION) {
    console.error(`${cyan("[tta]")} could not run pnpm ${PNPM_VERSION} through npx (got ${version ?? "nothing"})`);
    return undefined;
  }
  log(`using pnpm ${PNPM_VERSION} through npx`);
  return viaNpx;
}

/** `pnpm install --frozen-lockfile`, or plain `pnpm install` outside CI when there is no lockfile yet. */
async function install(pnpm) {
  const args = !IS_CI && !HAS_LOCKFILE ? ["install"] : ["install", "--frozen-lockfile"];
  log(`installing dependencies… (pnpm ${args.join(" ")})`);
  return run(pnpm, args);
}

/**
 * Builds the demo agent and the workspace packages it uses, then runs it (with its observatory) with
 * node directly. `extra` (what follows `start`, e.g. `--once`) goes to the demo. Not through
 * `pnpm start`: on Ctrl-C pnpm reports the interrupted script as failed (`ELIFECYCLE`) in the middle of
 * the demo's clean shutdown; node alone lets the demo finish and exit 0.
 */
async function start(pnpm, extra) {
  const build = ["--filter", "@tta/agent-demo...", "build"];
  log(`building the demo agent and the packages it uses… (pnpm ${build.join(" ")})`);
  const built = await run(pnpm, build, { heartbeat: "build" });
  if (built !== 0) return built;
  const demoDir = join(ROOT, "apps", "agent-demo");
  const args = [join("dist", "main.js"), ...extra.filter((arg) => arg !== "--")];
  log(`starting the demo agent… (node apps/agent-demo/${args.join(" ")})`);
  return run(process.execPath, args, { cwd: demoDir });
}

/** Reads the vitest JSON report; undefined when it is missing or unreadable. */
function readVitestReport() {
  try {
    const report = JSON.parse(readFileSync(VITEST_JSON, "utf8"));
    const count = (key) => (typeof report[key] === "number" ? report[key] : 0);
    return {
      passed: count("numPassedTests"),
      failed: count("numFailedTests"),
      skipped: count("numPendingTests") + count("numTodoTests"),
      failedSuites: count("numFailedTestSuites"),
    };
  } catch {
    return undefined;
  }
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

async function test(pnpm) {
  // Each of these prints little until it ends (turbo shows errors only), so each has a heartbeat.
  const checks = [
    {
      name: "build, typecheck, lint:pkg (turbo)",
      args: ["turbo", "run", "build", "typecheck", "lint:pkg", "--output-logs=errors-only"],
    },
    { name: "lint", args: ["lint"] },
    { name: "format:check", args: ["format:check"] },
    { name: "cycles", args: ["cycles"] },
    // Packs every public package and installs, imports, type-checks and runs each tarball in a temporary
    // project outside the workspace (npm registry for third-party dependencies; ~30 s with warm caches).
    { name: "release:check", args: ["release:check"] },
    // The TypeDoc API reference of the published packages (docs/api/, git-ignored); any warning fails it.
    { name: "docs:api (TypeDoc)", args: ["docs:api"] },
    // In CI, the README's one-batch demo run, by the same code as `npm start -- --once`: the demo agent
    // works through a batch of tickets, then checks that its observatory received one trace per ticket and
    // scraped its metrics (about 30 s with the builds it needs).
    ...(IS_CI ? [{ name: "demo (npm start -- --once)", start: ["--once"] }] : []),
  ];
  /** @type {{ name: string, code: number, ms: number }[]} */
  const results = [];
  for (const check of checks) {
    const began = Date.now();
    let code;
    if (check.start !== undefined) {
      log(`running ${check.name}…`);
      code = await start(pnpm, check.start);
    } else {
      log(`running ${check.name}… (${show("pnpm", check.args)})`);
      code = await run(pnpm, check.args, { heartbeat: check.name });
    }
    const ms = Date.now() - began;
    results.push({ name: check.name, code, ms });
    log(`${check.name}: ${code === 0 ? green("passed") : red(`FAILED (exit ${code})`)} (${seconds(ms)})`);
  }

  // `pnpm exec`, not `pnpm vitest`: the root has a "vitest" script, which `pnpm vitest …` would run instead.
  const vitestArgs = [
    "exec",
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${join("reports", "vitest.json")}`,
  ];
  mkdirSync(dirname(VITEST_JSON), { recursive: true });
  rmSync(VITEST_JSON, { force: true });
  log(`running tests… (${show("pnpm", vitestArgs)})`);
  const began = Date.now();
  const vitestCode = await run(pnpm, vitestArgs);
  const vitestMs = Date.now() - began;
  log(`vitest: ${vitestCode === 0 ? green("passed") : red(`FAILED (exit ${vitestCode})`)} (${seconds(vitestMs)})`);

  const report = readVitestReport();
  const passed = report?.passed ?? 0;
  let failed = report?.failed ?? 0;
  const skipped = report?.skipped ?? 0;
  const failures = [];

  console.log("");
  log("summary:");
  for (const r of results) {
    console.log(`  ${r.code === 0 ? green("ok  ") : red("FAIL")}  ${r.name} (${seconds(r.ms)})`);
    if (r.code !== 0) failures.push(`check failed: ${r.name} (exit ${r.code})`);
  }
  console.log(`  ${vitestCode === 0 ? green("ok  ") : red("FAIL")}  vitest (${seconds(vitestMs)})`);
  if (report === undefined) {
    failures.push(`check failed: vitest (exit ${vitestCode}, no report at reports/vitest.json)`);
  } else if (vitestCode !== 0 && failed === 0) {
    // No failing test, but vitest failed anyway: a test file did not load, a type test failed, or an unhandled error.
    failures.push(
      `check failed: vitest (exit ${vitestCode}; ${report.failedSuites} failed suite(s), unhandled errors or type errors)`,
    );
  }
  failed += failures.length;
  for (const line of failures) log(red(line));

  let exitCode = failures.length > 0 || vitestCode !== 0 ? 1 : 0;
  if (passed === 0) {
    log(red("no test ran"));
    exitCode = 1;
  }
  // The last line, plain (no colour) so that CI and scripts can read it.
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return exitCode;
}

async function main() {
  const [command, ...extra] = process.argv.slice(2);
  if (command !== "start" && command !== "test") {
    console.error("usage: node scripts/bootstrap.mjs start [--once] | test");
    return 2;
  }
  const pnpm = await ensurePnpm();
  if (pnpm === undefined) {
    if (command === "test") console.log("0 passed, 1 failed, 0 skipped");
    return 1;
  }
  const installCode = await install(pnpm);
  if (installCode !== 0) {
    log(`pnpm install failed (exit ${installCode})`);
    if (command === "test") console.log("0 passed, 1 failed, 0 skipped");
    return installCode;
  }
  return command === "start" ? start(pnpm, extra) : test(pnpm);
}

process.exitCode = await main();
