#!/usr/bin/env node
// `pnpm release:check`: proves that every public package works when installed from its tarball, the way a
// user outside this repository gets it.
//
//   node scripts/release-check.mjs [--out <dir>]
//
// 1. builds the public packages (every platform/* package that is not `private`) with turbo;
// 2. packs each with `pnpm pack` (its `prepack` builds it too; `workspace:` ranges become semver ranges);
// 3. for each package, in a fresh project under os.tmpdir() (outside the workspace): `npm install` of its
//    tarball plus the tarballs of the @tta/* packages it depends on, in one command (third-party
//    dependencies, typescript and @types/node from the registry, one shared npm cache), then
//    - manifest: no `workspace:` range left, README.md, LICENSE and every export/bin target present;
//    - import: `import()` of every subpath of its `exports`, in ESM;
//    - types: `tsc` (strict, module/moduleResolution nodenext) on a generated file that imports every
//      subpath and reads each runtime export through the types, plus the package's one-line workflow;
//    - run: runs that workflow (a CLI package: its bin with --help).
// Prints a summary table; exits 1 naming the package and step that failed. `--out <dir>` keeps the
// tarballs (for `npm install /path/to/tta-primitives-0.1.0.tgz …` in a project of your own).
// Temporary folders are removed on exit. Plain Node ESM with no dependencies; the per-package steps are in
// release-check-steps.mjs (add a package's one-line workflow to WORKFLOWS there).
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  StepError,
  checkPackage,
  closure,
  exec,
  log,
  paint,
  seconds,
  tarballName,
  tempDir,
} from "./release-check-steps.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STEPS = ["pack", "install", "manifest", "import", "types", "run"];

// --- arguments ---------------------------------------------------------------------------------------
function parseArgs(argv) {
  const options = { out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") continue;
    if (arg === "--help" || arg === "-h") {
      console.log("usage: node scripts/release-check.mjs [--out <dir>]   (pnpm release:check [--out <dir>])");
      console.log("  --out <dir>  keep the packed tarballs in <dir> (created if missing)");
      process.exit(0);
    } else if (arg === "--out" || arg.startsWith("--out=")) {
      const value = arg === "--out" ? argv[++i] : arg.slice("--out=".length);
      if (!value || value.startsWith("--")) throw new Error("--out needs a directory: --out <dir>");
      options.out = resolve(process.env.INIT_CWD ?? process.cwd(), value);
    } else {
      throw new Error(`unknown argument: ${arg} (usage: release-check [--out <dir>])`);
    }
  }
  return options;
}

// --- the packages ------------------------------------------------------------------------------------
/** Every platform/* package that is not private: { name, version, dir, manifest }. */
function publicPackages() {
  const platform = join(ROOT, "platform");
  return readdirSync(platform, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(platform, entry.name, "package.json")))
    .map((entry) => {
      const dir = join(platform, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      return { name: manifest.name, version: manifest.version, dir, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool(items, limit, work) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (queue.length > 0) await work(queue.shift());
    }),
  );
}

function printSummary(packages, results, totalMs) {
  const rows = packages.map((pkg) => {
    const result = results.get(pkg.name);
    const cell = (step) => result[step] ?? "-";
    return [pkg.name, ...STEPS.map(cell), result.ms === undefined ? "-" : seconds(result.ms)];
  });
  const header = ["package", ...STEPS, "time"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log("");
  log(`summary (${seconds(totalMs)}):`);
  console.log(`  ${line(header)}`);
  for (const row of rows) console.log(`  ${line(row)}`);
}

async function main() {
  const began = Date.now();
  const options = parseArgs(process.argv.slice(2));
  const packages = publicPackages();
  if (packages.length === 0) throw new Error("no public package under platform/");
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const results = new Map(packages.map((pkg) => [pkg.name, {}]));
  log(`public packages: ${packages.map((pkg) => `${pkg.name}@${pkg.version}`).join(", ")}`);

  // The workspace is installed already (pnpm 12 would otherwise re-check it before every `pnpm exec`/`pack`).
  const pnpmEnv = { ...process.env, pnpm_config_verify_deps_before_run: "false" };
  const filters = packages.map((pkg) => `--filter=${pkg.name}`);
  log(`build: pnpm exec turbo run build ${filters.join(" ")}…`);
  let stepBegan = Date.now();
  try {
    await exec(
      "build",
      "turbo build",
      "pnpm",
      ["exec", "turbo", "run", "build", ...filters, "--output-logs=errors-only"],
      { cwd: ROOT, env: pnpmEnv, inherit: true },
    );
  } catch (error) {
    throw new Error(`build failed: ${error.message} (run \`pnpm build\` to see why)`, { cause: error });
  }
  log(`build ${paint("32", "ok")} (${seconds(Date.now() - stepBegan)})`);

  const packDir = tempDir("tta-release-tarballs-");
  const tarballs = new Map();
  /** @type {{ pkg: { name: string }, error: Error }[]} every failure, in order */
  const failures = [];
  for (const pkg of packages) {
    stepBegan = Date.now();
    log(`${pkg.name}: pnpm pack (prepack builds it)…`);
    try {
      await exec("pack", `${pkg.name} pack`, "pnpm", ["pack", "--pack-destination", packDir], {
        cwd: pkg.dir,
        env: pnpmEnv,
      });
      const file = join(packDir, tarballName(pkg));
      if (!existsSync(file))
        throw new StepError(
          "pack",
          `pnpm pack did not write ${basename(file)} (found: ${readdirSync(packDir).join(", ") || "nothing"})`,
        );
      tarballs.set(pkg.name, file);
      results.get(pkg.name).pack = "ok";
      log(`${pkg.name}: pack ${paint("32", "ok")} → ${basename(file)} (${seconds(Date.now() - stepBegan)})`);
    } catch (error) {
      results.get(pkg.name).pack = "FAIL";
      failures.push({ pkg, error });
      log(`${pkg.name}: ${paint("31", "pack FAILED")}: ${error.message}`);
    }
  }
  if (options.out !== undefined && tarballs.size > 0) {
    mkdirSync(options.out, { recursive: true });
    for (const file of tarballs.values()) copyFileSync(file, join(options.out, basename(file)));
    log(`tarballs kept in ${options.out}: ${[...tarballs.values()].map((file) => basename(file)).join(" ")}`);
  }

  // npm must not see this workspace's pnpm settings; one npm cache (the user's) serves every install.
  const npmEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^(pnpm_|npm_package_|npm_lifecycle_|npm_config_user_agent$|npm_execpath$|npm_node_execpath$)/i.test(key),
    ),
  );
  const ready = packages.filter((pkg) => closure(pkg, byName).every((dep) => tarballs.has(dep.name)));
  const concurrency = Math.max(1, Math.min(4, availableParallelism()));
  await pool(ready, concurrency, async (pkg) => {
    const result = results.get(pkg.name);
    const pkgBegan = Date.now();
    try {
      await checkPackage(pkg, byName, tarballs, npmEnv, result, failures);
    } catch (error) {
      failures.push({ pkg, error });
      log(
        `${pkg.name}: ${paint("31", `${error instanceof StepError ? error.step : "check"} FAILED`)}: ${error.message}`,
      );
    }
    result.ms = Date.now() - pkgBegan;
  });

  printSummary(packages, results, Date.now() - began);
  if (failures.length > 0) {
    console.error("");
    for (const { pkg, error } of failures) {
      const step = error instanceof StepError ? error.step : "internal";
      console.error(`${paint("31", "release:check failed")}: ${pkg.name}, step "${step}": ${error.message}`);
      if (error.output) console.error(`--- ${pkg.name} ${step}: output (tail) ---\n${error.output}\n---`);
      if (!(error instanceof StepError)) console.error(error.stack);
    }
    return 1;
  }
  log(`${paint("32", "all public packages install, import, type-check and run from their tarballs")}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`${paint("31", "release:check failed")}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
