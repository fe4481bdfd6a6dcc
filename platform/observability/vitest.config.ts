import { defineProject, mergeConfig } from "vitest/config";
import { shared } from "../../vitest.shared.js";

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@tta/observability",
      include: ["src/**/*.test.ts"],
      // Tests register OpenTelemetry globals and bind loopback ports: keep files isolated and sequential.
      fileParallelism: false,
    },
  }),
);
