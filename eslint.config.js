// ESLint flat config for the TTA monorepo (house style §4 point 23).
// TypeScript sources are linted with type information (typescript-eslint project service);
// plain JS files and *.config.* files are linted without it.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/** Node globals for the plain-JS scripts (kept inline so the config needs no extra dependency). */
const nodeGlobals = {
  process: "readonly",
  console: "readonly",
  Buffer: "readonly",
  URL: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
  setInterval: "readonly",
  clearInterval: "readonly",
  AbortController: "readonly",
  AbortSignal: "readonly",
  structuredClone: "readonly",
};

/** Browser globals for the observatory page (apps/observatory/web), inline like the Node ones above. */
const browserGlobals = {
  window: "readonly",
  document: "readonly",
  console: "readonly",
  fetch: "readonly",
  URL: "readonly",
  URLSearchParams: "readonly",
  EventSource: "readonly",
  Option: "readonly",
  AbortController: "readonly",
  ResizeObserver: "readonly",
  Intl: "readonly",
  getComputedStyle: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
  setInterval: "readonly",
  clearInterval: "readonly",
};

export default defineConfig(
  {
    name: "tta/ignores",
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/coverage/**",
      "**/reports/**",
      "**/.turbo/**",
      "**/*.tsbuildinfo",
      "docs/api/**",
    ],
  },
  {
    name: "tta/linter-options",
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,

  {
    name: "tta/rules",
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // Separate `import type { … }` / `export type { … }` statements, as the sources are written.
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { prefer: "type-imports", fixStyle: "separate-type-imports" },
      ],
      "@typescript-eslint/consistent-type-exports": ["error", { fixMixedExportsWithInlineTypeSpecifier: false }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
      // Cancellation rejects with `signal.reason`, which the platform types as `any`/`unknown`;
      // literal non-Error rejections (strings, numbers, objects) are still reported.
      "@typescript-eslint/prefer-promise-reject-errors": [
        "error",
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      "no-new-func": "error",
      "prefer-const": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration", message: "no export * (explicit barrels only)" },
      ],
    },
  },

  // Published libraries never write to the console; apps, bench and scripts may.
  {
    name: "tta/platform-no-console",
    files: ["platform/*/src/**"],
    rules: { "no-console": "error" },
  },

  // Tests and type tests: mocks and spies make these rules noisy.
  {
    name: "tta/tests",
    files: ["**/*.test.ts", "**/*.test-d.ts"],
    rules: {
      "@typescript-eslint/unbound-method": "off",
      "@typescript-eslint/require-await": "off",
      // Tests throw and reject with non-Error values on purpose (to check how they are wrapped).
      "@typescript-eslint/only-throw-error": "off",
      "@typescript-eslint/prefer-promise-reject-errors": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },

  // Type tests declare values only to inspect their types (`const flow = …; expectTypeOf(flow)…`).
  {
    name: "tta/type-tests",
    files: ["**/*.test-d.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off" },
  },

  // Plain JS and tool config files: linted without type information (most belong to no tsconfig).
  {
    name: "tta/untyped",
    files: ["**/*.{js,mjs,cjs}", "**/*.config.*", "vitest.shared.ts"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parserOptions: { projectService: false },
    },
    rules: {
      "@typescript-eslint/consistent-type-exports": "off",
    },
  },
  {
    name: "tta/node-scripts",
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { sourceType: "module", globals: nodeGlobals },
  },

  // The observatory page: browser ES modules. Telemetry is untrusted, so the ways to turn a string into
  // markup or code are lint errors here (the page renders data with textContent / setAttribute only).
  {
    name: "tta/observatory-web",
    files: ["apps/observatory/web/**/*.js"],
    languageOptions: { sourceType: "module", globals: browserGlobals },
    rules: {
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration", message: "no export * (explicit barrels only)" },
        {
          selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]",
          message: "untrusted data: use textContent (see apps/observatory/web/app.js)",
        },
        {
          selector:
            "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln|createContextualFragment)$/]",
          message: "untrusted data: build nodes with dom.js h() (see apps/observatory/web/app.js)",
        },
        {
          selector: "MemberExpression[property.name=/^(href|src|srcdoc|action)$/]",
          message: "never point a URL at data (see apps/observatory/web/app.js)",
        },
      ],
    },
  },
);
