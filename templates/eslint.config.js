// ESLint config for templates/ (ESLint ≥ 10 uses the config file nearest to each linted file).
// A template's @tta/* dependencies are not installed inside this repository (templates are not
// workspace members, see README.md), so type-aware rules would only report unresolved types here:
// templates are linted with the repository's rules minus those that need type information. Their
// types are checked for real by platform/create-agent/src/scaffold.test.ts, after installing the
// packed packages into a scaffolded copy.
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";
import root from "../eslint.config.js";

export default defineConfig(...root, {
  name: "tta/templates-untyped",
  files: ["**/*.ts"],
  extends: [tseslint.configs.disableTypeChecked],
  languageOptions: { parserOptions: { projectService: false } },
  rules: { "@typescript-eslint/consistent-type-exports": "off" },
});
