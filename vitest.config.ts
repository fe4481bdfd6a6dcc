import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["platform/*/vitest.config.ts", "apps/*/vitest.config.ts"],
  },
});
