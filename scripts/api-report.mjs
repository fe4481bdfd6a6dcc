#!/usr/bin/env node
// API reports: the public surface of a published package, one Markdown report per entry point of its
// package.json "exports" (`api/<package>.api.md` for ".", `api/<package>-<subpath>.api.md` for each
// subpath), made by API Extractor from the built .d.ts files (run `build` first).
//
//   node ../../scripts/api-report.mjs           → check: fails when a report differs from the code
//   node ../../scripts/api-report.mjs --local   → update: rewrites the reports (commit them)
//
// Run from a package folder (the `api:check` / `api:update` scripts of platform/*/package.json). A
// change to the public surface therefore shows in review as a diff of api/*.api.md, and CI (the
// `lint:pkg` step) fails until the reports are updated with the change.
//
// API Extractor bundles its own TypeScript and reads only .d.ts files. The TSDoc of the sources uses
// tags API Extractor does not know (`@since`) and no release tags, so TSDoc and release-tag messages
// are off: the report is about the surface, not the comments.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Extractor, ExtractorConfig, ExtractorLogLevel } from "@microsoft/api-extractor";

const local = process.argv.includes("--local");
const packageDir = resolve(process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? ".");
const manifestPath = join(packageDir, "package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const unscoped = manifest.name.replace(/^@[^/]+\//, "");
const reportFolder = join(packageDir, "api");
const tempFolder = join(tmpdir(), `tta-api-report-${unscoped}-${process.pid}`);

/** [report name, .d.ts entry] for every entry point with types; wildcard and package.json entries skipped. */
const entries = Object.entries(manifest.exports ?? {})
  .filter(([subpath, target]) => !subpath.includes("*") && typeof target === "object" && target?.types)
  .map(([subpath, target]) => [
    subpath === "." ? unscoped : `${unscoped}-${subpath.slice(2).replaceAll("/", "-")}`,
    join(packageDir, target.types),
  ]);

if (entries.length === 0) {
  console.error(`[api] ${manifest.name}: no "exports" entry with "types" in ${manifestPath}`);
  process.exit(1);
}
mkdirSync(reportFolder, { recursive: true });

let failed = 0;
const expected = new Set(entries.map(([name]) => `${name}.api.md`));
try {
  for (const [name, entry] of entries) {
    if (!existsSync(entry)) {
      console.error(`[api] ${entry} does not exist: build the package first (pnpm build)`);
      failed++;
      continue;
    }
    const config = ExtractorConfig.prepare({
      configObjectFullPath: undefined,
      packageJsonFullPath: manifestPath,
      configObject: {
        projectFolder: packageDir,
        mainEntryPointFilePath: entry,
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              target: "ES2023",
              lib: ["ES2023", "esnext.disposable"],
              module: "NodeNext",
              moduleResolution: "NodeNext",
              strict: true,
              skipLibCheck: true,
              types: ["node"],
            },
            files: [entry],
          },
        },
        apiReport: { enabled: true, reportFileName: name, reportFolder, reportTempFolder: tempFolder },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: "lf",
        messages: {
          compilerMessageReporting: { default: { logLevel: "warning" } },
          extractorMessageReporting: {
            default: { logLevel: "warning" },
            "ae-missing-release-tag": { logLevel: "none" },
            "ae-undocumented": { logLevel: "none" },
            "ae-unresolved-link": { logLevel: "none" },
            // A type used by an export but not exported itself: kept in the report, where review sees it.
            "ae-forgotten-export": { logLevel: "none", addToApiReportFile: true },
          },
          tsdocMessageReporting: { default: { logLevel: "none" } },
        },
      },
    });
    const result = Extractor.invoke(config, {
      localBuild: local,
      showVerboseMessages: false,
      messageCallback: (message) => {
        // API Extractor's own progress lines (TypeScript version, "report changed", "file created") are
        // replaced by the one line per report below.
        if (message.category === "console") message.logLevel = ExtractorLogLevel.None;
      },
    });
    const file = `api/${name}.api.md`;
    if (result.apiReportChanged && !local) {
      console.error(
        `[api] ${manifest.name}: ${file} does not match the public surface. If the change is intended, run ` +
          "`pnpm api:update` in the package and commit the report.",
      );
      failed++;
    } else if (!result.succeeded) {
      console.error(`[api] ${manifest.name}: API Extractor reported ${result.errorCount} error(s) for ${file}`);
      failed++;
    } else {
      console.log(`[api] ${file}: ${result.apiReportChanged ? "updated" : "up to date"}`);
    }
  }
  // A report whose entry point is gone is stale.
  for (const file of readdirSync(reportFolder).filter((f) => f.endsWith(".api.md") && !expected.has(f))) {
    if (local) {
      rmSync(join(reportFolder, file));
      console.log(`[api] api/${file}: removed (no such entry point)`);
    } else {
      console.error(`[api] ${manifest.name}: api/${file} has no entry point in package.json; run \`pnpm api:update\``);
      failed++;
    }
  }
} finally {
  rmSync(tempFolder, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;
