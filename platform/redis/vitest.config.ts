import { defineProject, mergeConfig } from "vitest/config";
import { shared } from "../../vitest.shared.js";

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@tta/redis",
      include: ["src/**/*.test.ts"],
      // Tests share one redis-server and start worker processes: keep files sequential.
      fileParallelism: false,
    },
  }),
);
