#!/usr/bin/env node
// Entry point for `npm start` and `npm test` on a machine that has only Node 20 + npm.
//
//   node scripts/bootstrap.mjs start   → pnpm install, then run the example app
//   node scripts/bootstrap.mjs test    → pnpm install, then every check; last line: "N passed, N failed, N skipped"
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
// Checked before any pnpm command runs, since pnpm may create the lockfile (see `capture`).
const HAS_LOCKFILE = existsSync(join(ROOT, "pnpm-lock.yaml"));

/** Environment for every child: CI-friendly, no telemetry. */
const childEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

/** @type {string[]} temporary directories to remove on exit */
const cleanupDirs = [];
process.on("exit", () => {
  for (const dir of cleanupDirs) rmSync(dir, { recursive: true, force: true });
});

function log(message) {
  console.log(`[tta] ${message}`);
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
 * Runs a command with inherited stdio and resolves with its exit code (128 + n when killed by a
 * signal, 127 when it could not be started).
 */
function run(command, args) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: ROOT, env: childEnv, stdio: "inherit", shell: IS_WINDOWS });
    current = child;
    child.on("error", (error) => {
      console.error(`[tta] could not start ${command}: ${error.message}`);
      current = undefined;
      resolvePromise(127);
    });
    child.on("close", (code, signal) => {
      current = undefined;
      if (code !== null) resolvePromise(code);
      else resolvePromise(128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15));
    });
  });
}

/** Puts `dir` first on PATH for this process's children. */
function prependPath(dir) {
  const key = Object.keys(childEnv).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
  childEnv[key] = [dir, childEnv[key]].filter(Boolean).join(delimiter);
}

/**
 * Finds pnpm PNPM_VERSION: the one on PATH, else a global npm install, else `npx --yes pnpm@…`
 * behind a `pnpm` shim on PATH (turbo needs a `pnpm` binary on PATH). Returns the command to run.
 */
async function ensurePnpm() {
  const onPath = capture("pnpm", ["--version"]);
  if (onPath === PNPM_VERSION) {
    log(`using pnpm ${PNPM_VERSION} from PATH`);
    return "pnpm";
  }
  log(
    onPath === undefined
      ? `pnpm not found; installing pnpm@${PNPM_VERSION} globally with npm…`
      : `pnpm ${onPath} found, but this repository needs ${PNPM_VERSION}; installing pnpm@${PNPM_VERSION} globally with npm…`,
  );
  const npmCode = await run("npm", ["install", "-g", `pnpm@${PNPM_VERSION}`, "--no-audit", "--no-fund"]);
  if (npmCode === 0) {
    if (capture("pnpm", ["--version"]) === PNPM_VERSION) return "pnpm";
    // Installed, but npm's global bin directory is not on PATH (or comes after another pnpm).
    const prefix = capture("npm", ["prefix", "-g"]);
    if (prefix !== undefined) {
      const binDir = IS_WINDOWS ? prefix : join(prefix, "bin");
      const candidate = join(binDir, IS_WINDOWS ? "pnpm.cmd" : "pnpm");
      if (capture(candidate, ["--version"]) === PNPM_VERSION) {
        prependPath(binDir);
        log(`using pnpm ${PNPM_VERSION} from ${binDir}`);
        return candidate;
      }
    }
  }
  log(`global install not possible (npm exited ${npmCode}); falling back to npx --yes pnpm@${PNPM_VERSION}…`);
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
  const version = capture(viaNpx, ["--version"]);
  if (version !== PNPM_VERSION) {
    console.error(`[tta] could not run pnpm ${PNPM_VERSION} through npx (got ${version ?? "nothing"})`);
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

async function start(pnpm) {
  const args = ["--filter", "@tta/example", "start"];
  log(`starting the example app… (pnpm ${args.join(" ")})`);
  return run(pnpm, args);
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
  const checks = [
    {
      name: "build, typecheck, lint:pkg (turbo)",
      args: ["turbo", "run", "build", "typecheck", "lint:pkg", "--output-logs=errors-only"],
    },
    { name: "lint", args: ["lint"] },
    { name: "format:check", args: ["format:check"] },
    { name: "cycles", args: ["cycles"] },
  ];
  /** @type {{ name: string, code: number, ms: number }[]} */
  const results = [];
  for (const check of checks) {
    log(`running ${check.name}… (${show("pnpm", check.args)})`);
    const began = Date.now();
    const code = await run(pnpm, check.args);
    results.push({ name: check.name, code, ms: Date.now() - began });
    log(`${check.name}: ${code === 0 ? "passed" : `FAILED (exit ${code})`}`);
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
  log(`vitest: ${vitestCode === 0 ? "passed" : `FAILED (exit ${vitestCode})`}`);

  const report = readVitestReport();
  const passed = report?.passed ?? 0;
  let failed = report?.failed ?? 0;
  const skipped = report?.skipped ?? 0;
  const failures = [];

  console.log("");
  log("summary:");
  for (const r of results) {
    console.log(`  ${r.code === 0 ? "ok  " : "FAIL"}  ${r.name} (${seconds(r.ms)})`);
    if (r.code !== 0) failures.push(`check failed: ${r.name} (exit ${r.code})`);
  }
  console.log(`  ${vitestCode === 0 ? "ok  " : "FAIL"}  vitest (${seconds(vitestMs)})`);
  if (report === undefined) {
    failures.push(`check failed: vitest (exit ${vitestCode}, no report at reports/vitest.json)`);
  } else if (vitestCode !== 0 && failed === 0) {
    // No failing test, but vitest failed anyway: a test file did not load, a type test failed, or an unhandled error.
    failures.push(
      `check failed: vitest (exit ${vitestCode}; ${report.failedSuites} failed suite(s), unhandled errors or type errors)`,
    );
  }
  failed += failures.length;
  for (const line of failures) console.log(`[tta] ${line}`);

  let exitCode = failures.length > 0 || vitestCode !== 0 ? 1 : 0;
  if (passed === 0) {
    console.log("[tta] no test ran");
    exitCode = 1;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return exitCode;
}

async function main() {
  const command = process.argv[2];
  if (command !== "start" && command !== "test") {
    console.error("usage: node scripts/bootstrap.mjs <start|test>");
    return 2;
  }
  const pnpm = await ensurePnpm();
  if (pnpm === undefined) {
    if (command === "test") console.log("0 passed, 1 failed");
    return 1;
  }
  const installCode = await install(pnpm);
  if (installCode !== 0) {
    log(`pnpm install failed (exit ${installCode})`);
    if (command === "test") console.log("0 passed, 1 failed");
    return installCode;
  }
  return command === "start" ? start(pnpm) : test(pnpm);
}

process.exitCode = await main();
