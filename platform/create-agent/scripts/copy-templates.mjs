#!/usr/bin/env node
// Copies the repository's templates (../../templates/<name>/, every folder with a package.json) into
// dist/templates/, which the published package ships ("files": ["dist"]). Run by `prepack`, after
// the build, so a tarball always carries the templates of the commit it was packed from.
//
// dist/ is ignored by git, ESLint, Prettier and TypeScript alike, so this copy never shows up as a
// second set of sources. Build output and installs (node_modules, dist, *.tsbuildinfo) are left out.
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = resolve(packageRoot, "..", "..", "templates");
const target = join(packageRoot, "dist", "templates");
const SKIPPED = new Set(["node_modules", "dist", ".turbo", "coverage", "package-lock.json"]);

if (!existsSync(source)) {
  console.error(`[create-agent] no templates at ${source}: pack @tta/create-agent from the TTA repository`);
  process.exit(1);
}
const templates = readdirSync(source, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(source, entry.name, "package.json")))
  .map((entry) => entry.name);
if (templates.length === 0) {
  console.error(`[create-agent] no template (a folder with a package.json) in ${source}`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
for (const name of templates)
  cpSync(join(source, name), join(target, name), {
    recursive: true,
    filter: (path) => !SKIPPED.has(basename(path)) && !path.endsWith(".tsbuildinfo"),
  });
console.log(`[create-agent] copied ${templates.length} template(s) into dist/templates: ${templates.join(", ")}`);
